from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from campus.accounts import services
from campus.accounts.models import ApiToken, RefreshToken, User
from campus.ratings import services as rating_services
from campus.ratings.models import CourseRating


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role", "is_active", "date_joined"]
    list_filter = ["role", "is_active", "is_staff", "language"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profil"), {"fields": ("first_name", "last_name", "timezone", "language")}),
        (
            _("Rôle et droits"),
            {"fields": ("role", "is_active", "is_staff", "is_superuser", "groups")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "password1", "password2", "role")}),
    )

    # Names (and the email a nameless user is shown by) edited here: lists that keep a
    # copy with names in it draw them again.
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.names_changed()

    # Deleting users deletes their reviews (cascade): the reviewed courses' statistics
    # are recomputed, and lists with their names drawn again.
    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        courses = _reviewed_courses([obj.pk])
        super().delete_model(request, obj)
        _after_deletion(courses)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        courses = _reviewed_courses(list(queryset.values_list("pk", flat=True)))
        super().delete_queryset(request, queryset)
        _after_deletion(courses)


def _reviewed_courses(user_ids: list[int]) -> set[int]:
    return set(
        CourseRating.objects.filter(user_id__in=user_ids).values_list("course_id", flat=True)
    )


def _after_deletion(reviewed_courses: set[int]) -> None:
    for course_id in reviewed_courses:
        rating_services.reviews_edited_elsewhere(course_id=course_id)
    services.names_changed()


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    readonly_fields = ["key_hash", "family"]


@admin.register(RefreshToken)
class RefreshTokenAdmin(admin.ModelAdmin):
    """Read-mostly: an admin may revoke (set revoked_at); the values are never shown."""

    list_display = ["id", "user", "family", "created_at", "expires_at", "used_at", "revoked_at"]
    list_select_related = ["user"]
    list_filter = ["revoked_at"]
    search_fields = ["user__email"]
    readonly_fields = ["user", "family", "key_hash", "created_at", "expires_at", "used_at"]
