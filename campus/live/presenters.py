"""Shape loaded sessions for output. Never the room password, a JWT or a join link."""

import csv
from datetime import UTC, datetime
from typing import Any

from django.http import HttpResponse

from campus.live.models import ChatMessage, LiveSession, Participant, SessionSeries
from campus.live.selectors import AttendanceRow
from campus.live.services import SessionStats


def session_row(session: LiveSession) -> dict[str, Any]:
    return {
        "id": session.pk,
        "course_id": session.course_id,
        "course": {"id": session.course.pk, "title": session.course.title},
        "instructor_id": session.instructor_id,
        "instructor": {"id": session.instructor.pk, "full_name": session.instructor.full_name},
        "title": session.title,
        "description": session.description,
        "status": session.status,
        "scheduled_start_at": session.scheduled_start_at,
        "scheduled_end_at": session.scheduled_end_at,
        "actual_start_at": session.actual_start_at,
        "actual_end_at": session.actual_end_at,
        "cancel_reason": session.cancel_reason,
        "jitsi_server_url": session.jitsi_server_url,
        "max_participants": session.max_participants,
        "participants_count": getattr(session, "participants_count", 0),
        "is_recording_enabled": session.is_recording_enabled,
        "recording_url": session.recording_url,
        "series_id": session.series_id,
        "sequence": session.sequence,
    }


def transition(session: LiveSession) -> dict[str, Any]:
    return {
        "session_id": session.pk,
        "status": session.status,
        "actual_start_at": session.actual_start_at,
        "actual_end_at": session.actual_end_at,
        "recording_url": session.recording_url,
    }


def ended(session: LiveSession, stats: SessionStats) -> dict[str, Any]:
    return {**transition(session), "stats": stats.as_dict()}


def participant_row(participant: Participant) -> dict[str, Any]:
    """For the owner and admins only (participants endpoint): emails included."""
    user = participant.user
    return {
        "id": participant.pk,
        "user_id": participant.user_id,
        "user": {
            "id": user.pk,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
        },
        "role": participant.role,
        "admitted_at": participant.admitted_at,
        "joined_at": participant.admitted_at,
        "is_present": participant.is_present,
        "attendance_seconds": participant.attendance_seconds,
        "attendance_duration": participant.attendance_minutes,
    }


def chat_message(message: ChatMessage) -> dict[str, Any]:
    """No email: classmates see names only."""
    return {
        "id": message.pk,
        "session_id": message.session_id,
        "author": {"id": message.author.pk, "full_name": message.author.display_name},
        "kind": message.kind,
        "text": message.text,
        "answer_to_id": message.answer_to_id,
        "is_pinned": message.is_pinned,
        "is_hidden": message.is_hidden,
        "created_at": message.created_at,
    }


def chat_page(messages: list[ChatMessage], *, since: int, limit: int) -> dict[str, Any]:
    last = messages[-1].pk if messages else since
    return {
        "success": True,
        "data": [chat_message(m) for m in messages],
        "pagination": {"limit": limit, "next": str(last)},
    }


def student_row(session: LiveSession) -> dict[str, Any]:
    return {
        "id": session.pk,
        "course_id": session.course_id,
        "course_title": session.course.title,
        "title": session.title,
        "scheduled_start_at": session.scheduled_start_at,
        "scheduled_end_at": session.scheduled_end_at,
        "actual_start_at": session.actual_start_at,
        "status": session.status,
        "can_join": session.status == "live",
    }


def student_sessions(groups: dict[str, list[LiveSession]]) -> dict[str, Any]:
    return {name: [student_row(s) for s in rows] for name, rows in groups.items()}


def series_row(record: SessionSeries, sessions: list[LiveSession]) -> dict[str, Any]:
    return {
        "id": record.pk,
        "course_id": record.course_id,
        "title": record.title,
        "description": record.description,
        "days_of_week": record.days_of_week,
        "start_time": record.start_time,
        "timezone": record.timezone,
        "starts_on": record.starts_on,
        "duration_minutes": record.duration_minutes,
        "count": record.count,
        "until": record.until,
        "max_participants": record.max_participants,
        "is_recording_enabled": record.is_recording_enabled,
        "sessions": [session_row(s) for s in sessions],
    }


def attendance(session: LiveSession, rows: list[AttendanceRow]) -> dict[str, Any]:
    """Owner and admins only (like participants): emails included."""
    return {
        "session_id": session.pk,
        "status": session.status,
        "participants": [row.as_dict() for row in rows],
    }


ATTENDANCE_CSV_COLUMNS = [
    "user_id",
    "full_name",
    "email",
    "role",
    "admitted_at",
    "attendance_seconds",
    "attendance_minutes",
    "is_present",
    "intervals_count",
]


def _csv_cell(value: Any) -> str:
    """A cell a spreadsheet will not run as a formula (names are user input)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    text = str(value)
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def attendance_csv(session: LiveSession, rows: list[AttendanceRow]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"attendance-session-{session.pk}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(ATTENDANCE_CSV_COLUMNS)
    for row in rows:
        data = row.as_dict()
        writer.writerow([_csv_cell(data[column]) for column in ATTENDANCE_CSV_COLUMNS])
    return response
