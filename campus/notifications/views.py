"""Notification pages: the inbox, the preferences, and the header bell. Thin: services
write, selectors read."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campus.core.views import current_user, page, page_query, pager
from campus.notifications import selectors, services
from campus.notifications.digests import DIGEST_WINDOW
from campus.notifications.forms import PreferencesForm

INBOX_PAGE_SIZE = 20


@page
def inbox(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    unread_only = request.GET.get("unread") == "1"
    result = selectors.inbox_page(
        user=user, unread_only=unread_only, query=page_query(request, limit=INBOX_PAGE_SIZE)
    )
    context = {
        "notifications": result.items,
        "pager": pager(request, result),
        "unread_only": unread_only,
    }
    return render(request, "notifications/inbox.html", context)


@require_POST
@page
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark as read and go where the notice points (a local link only)."""
    notification = services.mark_read(actor=current_user(request), notification_id=notification_id)
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:inbox")


@require_POST
@page
def read_all(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_read(actor=current_user(request))
    if count:
        messages.success(request, _("Toutes vos notifications sont lues."))
    return redirect("notifications:inbox")


@require_POST
@page
def delete(request: HttpRequest, notification_id: int) -> HttpResponse:
    services.delete(actor=current_user(request), notification_id=notification_id)
    messages.success(request, _("Notification supprimée."))
    return redirect("notifications:inbox")


@page
def preferences(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    current = selectors.preferences_of(user=user)
    form = PreferencesForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        services.preferences_update(actor=user, choices=form.choices())
        messages.success(request, _("Préférences enregistrées."))
        return redirect("notifications:preferences")
    context = {"form": form, "digest_minutes": int(DIGEST_WINDOW.total_seconds() // 60)}
    return render(request, "notifications/preferences.html", context)
