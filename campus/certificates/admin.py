"""Certificates in the admin: read-only (what a certificate says is frozen at issue
time), revocation visible in the list, and an action to revoke with a reason (through
the same service as the API)."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from campus.certificates import services
from campus.certificates.models import REVOKE_REASON_MAX, Certificate
from campus.core.errors import DomainError
from campus.core.views import error_messages


class RevokedFilter(admin.SimpleListFilter):
    title = gettext_lazy("statut")
    parameter_name = "revoked"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("no", gettext_lazy("Valide")), ("yes", gettext_lazy("Révoqué"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(revoked_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(revoked_at__isnull=True)
        return queryset


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ("number", "holder_name", "course_title", "issued_at", "is_valid", "revoked_at")
    # A date filter, not date_hierarchy: that one needs MariaDB's time zone tables.
    list_filter = (RevokedFilter, "issued_at")
    search_fields = ("number", "holder_name", "course_title", "user__email", "code")
    list_select_related = ("user",)
    actions = ["revoke_selected"]
    readonly_fields = [f.name for f in Certificate._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # issued by the service only

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke instead: a deleted certificate would stop verifying

    @admin.display(boolean=True, description=gettext_lazy("valide"))
    def is_valid(self, obj: Certificate) -> bool:
        return not obj.is_revoked

    @admin.action(description=gettext_lazy("Révoquer les certificats sélectionnés"))
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        reason = request.POST.get("reason", "").strip()
        if "apply" in request.POST:
            done = 0
            for certificate in queryset.filter(revoked_at__isnull=True):
                try:
                    services.certificate_revoke(
                        actor=request.user,  # type: ignore[arg-type]
                        certificate=certificate,
                        reason=reason,
                    )
                except DomainError as exc:
                    for _field, message in error_messages(exc):
                        messages.error(request, message)
                    break
                done += 1
            if done:
                messages.success(
                    request,
                    ngettext("%(n)s certificat révoqué.", "%(n)s certificats révoqués.", done)
                    % {"n": done},
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Révoquer des certificats"),
            "certificates": queryset,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "reason_max": REVOKE_REASON_MAX,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/certificates/revoke.html", context)
