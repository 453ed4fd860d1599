"""Shape loaded sessions for output. Never the room password, a JWT or a join link."""

import csv
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpResponse
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campus.agenda import paths
from campus.core.formatting import format_date, format_duration
from campus.live.models import ChatMessage, LiveSession, Participant, SessionSeries
from campus.live.selectors import (
    AttendanceRow,
    SeriesAttendance,
    SeriesGroup,
    SessionAttendance,
)
from campus.live.services import SessionStats


def session_row(session: LiveSession, *, moderator: bool = False) -> dict[str, Any]:
    """`moderator` (the owner, admins): with the room's name, which the instructor's
    embedded player builds its URL from. Never the password, a JWT or a join link."""
    row = {
        "id": session.pk,
        "course_id": session.course_id,
        "course": {
            "id": session.course.pk,
            "title": session.course.title,
            "slug": session.course.slug,
        },
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
    if moderator:
        row["jitsi_room_name"] = session.jitsi_room_name
    return row


def calendar_rows(sessions: list[LiveSession]) -> list[dict[str, Any]]:
    """GET /student/calendar/live-sessions: seed 000's lean calendar row plus the course's
    id and the status. `url` is the session's page for students, filled in from a path
    template reversed once per list (the calendar can hold hundreds of rows)."""
    url = paths.template("live:session_detail", "slug", "session_id")
    return [
        {
            "id": session.pk,
            "title": session.title,
            "course_id": session.course_id,
            "course_title": session.course.title,
            "status": session.status,
            "start": session.scheduled_start_at,
            "end": session.scheduled_end_at,
            "type": "live_session",
            "url": url(session.course.slug, session.pk),
        }
        for session in sessions
    ]


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
        "course": {
            "id": session.course.pk,
            "title": session.course.title,
            "slug": session.course.slug,
        },
        "title": session.title,
        "scheduled_start_at": session.scheduled_start_at,
        "scheduled_end_at": session.scheduled_end_at,
        "actual_start_at": session.actual_start_at,
        "status": session.status,
        "can_join": session.status == "live",
        "max_participants": session.max_participants,
        "participants_count": getattr(session, "participants_count", 0),
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


def attendance(
    session: LiveSession, rows: list[AttendanceRow], report: SessionAttendance
) -> dict[str, Any]:
    """Owner and admins only (like participants): emails included. `participants` (who
    joined, moderators included) is kept as it was; `students` is every enrolled
    student, `team` the instructor and admins who joined, `summary` the figures."""
    return {
        "session_id": session.pk,
        "status": session.status,
        "participants": [row.as_dict() for row in rows],
        "students": [student.as_dict() for student in report.students],
        "team": [member.as_dict() for member in report.team],
        "summary": report.summary(),
    }


# One row per enrolled student (the page's table); `online_now` is empty unless live.
ATTENDANCE_CSV_COLUMNS = [
    "user_id",
    "full_name",
    "email",
    "is_enrolled",
    "attended",
    "attendance_status",
    "attendance_seconds",
    "attendance_minutes",
    "share_percent",
    "first_joined_at",
    "last_left_at",
    "online_now",
    "intervals_count",
    "attendance_source",
]


def _csv_cell(value: Any) -> str:
    """A cell a spreadsheet will not run as a formula (names are user input)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    text = str(value)
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def _csv_response(filename: str) -> tuple[HttpResponse, Any]:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response, csv.writer(response)


def attendance_csv(report: SessionAttendance) -> HttpResponse:
    response, writer = _csv_response(f"attendance-session-{report.session.pk}.csv")
    writer.writerow(ATTENDANCE_CSV_COLUMNS)
    for student in report.students:
        data = student.as_dict()
        writer.writerow([_csv_cell(data[column]) for column in ATTENDANCE_CSV_COLUMNS])
    return response


SERIES_ATTENDANCE_CSV_COLUMNS = [
    "user_id",
    "full_name",
    "email",
    "attended_sessions",
    "expected_sessions",
    "attendance_rate_percent",
    "missed_last_two",
    "total_attendance_minutes",
]


def series_attendance_csv(report: SeriesAttendance) -> HttpResponse:
    """One row per enrolled student; after the totals, one column per class held
    (`session_<id>_<local date>`) holding its attendance_status."""
    response, writer = _csv_response(f"attendance-series-{report.series.pk}.csv")
    zone = ZoneInfo(report.series.timezone)
    held = [
        f"session_{s.pk}_{s.scheduled_start_at.astimezone(zone).date().isoformat()}"
        for s in report.held
    ]
    writer.writerow(SERIES_ATTENDANCE_CSV_COLUMNS + held)
    for student in report.students:
        data = student.as_dict()
        data["total_attendance_minutes"] = student.total_seconds // 60
        writer.writerow(
            [_csv_cell(data[column]) for column in SERIES_ATTENDANCE_CSV_COLUMNS]
            + [cell.state for cell in student.cells]
        )
    return response


def series_attendance(report: SeriesAttendance) -> dict[str, Any]:
    """GET /api/live-series/{id}/attendance: the classes held and each student's line."""
    return {
        "series_id": report.series.pk,
        "course_id": report.series.course_id,
        "title": report.series.title,
        "held_sessions": [
            {
                "id": s.pk,
                "title": s.title,
                "scheduled_start_at": s.scheduled_start_at,
                "actual_start_at": s.actual_start_at,
                "actual_end_at": s.actual_end_at,
            }
            for s in report.held
        ],
        "students": [student.as_dict() for student in report.students],
        "summary": report.summary(),
    }


def series_rule(group: SeriesGroup) -> str:
    """The rule in words, in the active language and zone: "Chaque mardi à 18:00
    pendant 1 h 30 min, 10 séances, du 17 mars 2026 au 19 mai 2026". The hour is the series' own
    wall-clock time; its zone is named when it is not the reader's."""
    record = group.series
    days = get_text_list([str(WEEKDAYS[d]) for d in record.days_of_week], _("et"))
    hour = format_date(record.start_time, "time")
    if record.timezone != timezone.get_current_timezone_name():
        hour = _("%(time)s (heure de %(zone)s)") % {"time": hour, "zone": record.timezone}
    text = _("Chaque %(days)s à %(time)s pendant %(duration)s") % {
        "days": days,
        "time": hour,
        "duration": format_duration(record.duration_minutes),
    }
    count = len(group.sessions)
    text += ", " + ngettext("%(n)d séance", "%(n)d séances", count) % {"n": count}
    if group.first is not None and group.last is not None:
        first = format_date(group.first.scheduled_start_at, "date")
        last = format_date(group.last.scheduled_start_at, "date")
        if count == 1:
            text += ", " + _("le %(date)s") % {"date": first}
        else:
            text += ", " + _("du %(first)s au %(last)s") % {"first": first, "last": last}
    return text


def series_detail(group: SeriesGroup) -> dict[str, Any]:
    """GET /api/live-series/{id}: the stored rule, the rule in words, figures and every
    occurrence (never a room password or join link)."""
    return {
        **series_row(group.series, group.sessions),
        "rule": series_rule(group),
        "counts": group.counts,
        "future_count": group.future_count,
        "next_session_id": group.next_session.pk if group.next_session else None,
    }
