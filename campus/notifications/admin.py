from django.contrib import admin

from campus.notifications.models import Notification, Preference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Failed emails are found here: filter on the email state."""

    list_display = ("title", "user", "kind", "created_at", "read_at", "email_state")
    # A date filter, not date_hierarchy: that one needs MariaDB's time zone tables.
    list_filter = ("email_state", "kind", "created_at")
    search_fields = ("title", "user__email", "dedupe_key")
    raw_id_fields = ("user",)
    readonly_fields = ("dedupe_key", "email_attempts", "email_sent_at", "email_last_error")
    list_select_related = ("user",)


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "in_app", "email")
    list_filter = ("kind",)
    raw_id_fields = ("user",)
    list_select_related = ("user",)
