from django.contrib import admin

from campus.live.models import (
    AttendanceInterval,
    ChatMessage,
    LiveSession,
    Participant,
    SessionSeries,
)


@admin.register(SessionSeries)
class SessionSeriesAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "instructor", "start_time", "timezone", "count", "until"]
    list_select_related = ["course", "instructor"]
    raw_id_fields = ["course", "instructor"]
    search_fields = ["title", "course__title"]


@admin.register(LiveSession)
class LiveSessionAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "course",
        "instructor",
        "status",
        "scheduled_start_at",
        "scheduled_end_at",
        "max_participants",
    ]
    # A date filter, not date_hierarchy: that one needs MariaDB's time zone tables.
    list_filter = ["status", "is_recording_enabled", "scheduled_start_at"]
    list_select_related = ["course", "instructor"]
    raw_id_fields = ["course", "instructor", "series"]
    search_fields = ["title", "course__title", "jitsi_room_name"]
    ordering = ["-scheduled_start_at"]
    readonly_fields = ["sequence", "created_at", "updated_at"]


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["user", "session", "role", "admitted_at", "is_present", "attendance_seconds"]
    list_filter = ["role", "is_present"]
    list_select_related = ["user", "session"]
    raw_id_fields = ["session", "user", "enrollment"]
    search_fields = ["user__email", "session__title"]


@admin.register(AttendanceInterval)
class AttendanceIntervalAdmin(admin.ModelAdmin):
    list_display = ["participant", "joined_at", "left_at", "last_seen_at", "source"]
    list_filter = ["source"]
    list_select_related = ["participant__user", "participant__session"]
    raw_id_fields = ["participant"]


@admin.register(ChatMessage)
class ChatMessageAdmin(admin.ModelAdmin):
    list_display = ["__str__", "session", "author", "kind", "is_pinned", "is_hidden", "created_at"]
    list_filter = ["kind", "is_pinned", "is_hidden"]
    list_select_related = ["session", "author"]
    raw_id_fields = ["session", "author", "answer_to", "hidden_by"]
    search_fields = ["text", "author__email"]
