from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from campus.accounts.models import ApiToken, RefreshToken, User


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
