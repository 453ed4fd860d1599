from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from campus.live import services
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


class RoomChangedMixin:
    """An edit here changes what the room's pollers (waiting room, Q&A list) show: they
    must not keep the old answer (campus.core.polls), as after the services' writes."""

    def _session_id(self, obj: Any) -> int:
        return int(obj.pk if isinstance(obj, LiveSession) else obj.session_id)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        services.room_changed(self._session_id(obj))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        session_id = self._session_id(obj)
        super().delete_model(request, obj)  # type: ignore[misc]
        services.room_changed(session_id)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        session_ids = {self._session_id(obj) for obj in queryset}
        super().delete_queryset(request, queryset)  # type: ignore[misc]
        for session_id in session_ids:
            services.room_changed(session_id)


@admin.register(LiveSession)
class LiveSessionAdmin(RoomChangedMixin, admin.ModelAdmin):
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
class ChatMessageAdmin(RoomChangedMixin, admin.ModelAdmin):
    list_display = ["__str__", "session", "author", "kind", "is_pinned", "is_hidden", "created_at"]
    list_filter = ["kind", "is_pinned", "is_hidden"]
    list_select_related = ["session", "author"]
    raw_id_fields = ["session", "author", "answer_to", "hidden_by"]
    search_fields = ["text", "author__email"]
