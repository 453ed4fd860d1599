"""Every write about live sessions: lifecycle (state machine), joining (atomic capacity),
presence and attendance.

State machine: scheduled -> live (start, from START_EARLY before the scheduled start
until the scheduled end), live -> ended, scheduled -> cancelled. Every transition locks
the session row first (select_for_update; SQLite's IMMEDIATE transactions serialize
writers), so two concurrent starts or joins see each other's result.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any

import jwt as pyjwt
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campus.accounts.models import User
from campus.core import dates, polls, ratelimit
from campus.core.errors import Conflict, Forbidden, NotFound
from campus.core.validation import check_max_length, clean_title, field_error
from campus.courses.access import authorize_course, is_owner_or_admin
from campus.courses.models import TITLE_MAX, Course, Enrollment
from campus.live import jitsi, selectors, series
from campus.live.attendance import attended_seconds, figure_source
from campus.live.models import (
    CANCEL_REASON_MAX,
    CHAT_TEXT_MAX,
    SESSION_DESCRIPTION_MAX,
    AttendanceInterval,
    AttendanceSource,
    ChatKind,
    ChatMessage,
    LiveSession,
    LiveSessionStatus,
    Participant,
    ParticipantRole,
    SessionSeries,
)
from campus.notifications import live_notices, moderation

MAX_SESSION_LENGTH = timedelta(hours=12)
START_EARLY = timedelta(minutes=30)


def can_start_now(session: LiveSession, *, now: datetime) -> bool:
    """A scheduled session may start from START_EARLY before its start to its end: pages
    offer "Démarrer" only then (session_start enforces the same window)."""
    return (
        session.status == LiveSessionStatus.SCHEDULED
        and session.scheduled_start_at - START_EARLY <= now <= session.scheduled_end_at
    )


def _check_schedule(start: datetime, end: datetime, *, now: datetime) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise field_error(
            "scheduled_start_at",
            _("Le fuseau horaire est obligatoire."),
            "timezone_aware",
            headline=True,
        )
    dates.check_in_range("scheduled_start_at", start)
    dates.check_in_range("scheduled_end_at", end)
    if end <= start:
        raise field_error(
            "scheduled_end_at", _("La fin doit suivre le début."), "end_before_start", headline=True
        )
    if start < now:
        raise field_error(
            "scheduled_start_at",
            _("Le début ne peut pas être dans le passé."),
            "start_in_past",
            headline=True,
        )
    if end - start > MAX_SESSION_LENGTH:
        raise field_error(
            "scheduled_end_at",
            _("Une session dure au plus 12 heures."),
            "session_too_long",
            headline=True,
        )


def _check_capacity(max_participants: int) -> None:
    if not 1 <= max_participants <= 10_000:
        raise field_error(
            "max_participants", _("Entre 1 et 10 000 participants."), "max_participants_range"
        )


def _lock(session: LiveSession) -> LiveSession:
    """Re-read the session row under a lock (only that row: no joins in the FOR UPDATE,
    which MariaDB could not restrict with OF), keeping the already-loaded relations."""
    locked = LiveSession.objects.select_for_update().get(pk=session.pk)
    locked.course = session.course
    locked.instructor = session.instructor
    return locked


def _invalid_transition(session: LiveSession, action: str) -> Conflict:
    return Conflict(
        _("Cette action n'est pas possible pour une session « %(status)s ».")
        % {"status": session.get_status_display()},
        code="invalid_transition",
        details={"status": session.status, "action": action},
    )


# --- Lifecycle ---------------------------------------------------------------------------


@transaction.atomic
def session_create(
    *,
    actor: User,
    course: Course,
    title: str,
    scheduled_start_at: datetime,
    scheduled_end_at: datetime,
    description: str = "",
    max_participants: int = 100,
    is_recording_enabled: bool = False,
    now: datetime | None = None,
) -> LiveSession:
    authorize_course(actor, course, "manage")
    now = now or timezone.now()
    cleaned_title = clean_title(title)
    check_max_length("description", description, SESSION_DESCRIPTION_MAX)
    _check_schedule(scheduled_start_at, scheduled_end_at, now=now)
    _check_capacity(max_participants)
    session = _insert_session(
        course=course,
        title=cleaned_title,
        description=description,
        scheduled_start_at=scheduled_start_at,
        scheduled_end_at=scheduled_end_at,
        max_participants=max_participants,
        is_recording_enabled=is_recording_enabled,
    )
    live_notices.session_scheduled(session, now=now)
    return session


def _insert_session(*, course: Course, **fields: Any) -> LiveSession:
    """Write one validated session with its own room name and password (single sessions
    and every occurrence of a series go through here)."""
    session = LiveSession.objects.create(
        course=course,
        instructor=course.instructor,
        # The room name carries the session id: a unique placeholder until we have it.
        jitsi_room_name=f"pending-{uuid.uuid4().hex}",
        jitsi_server_url=settings.JITSI_SERVER_URL,
        jitsi_room_password=jitsi.new_room_password(),
        **fields,
    )
    session.jitsi_room_name = jitsi.new_room_name(course_id=course.pk, session_id=session.pk)
    session.save(update_fields=["jitsi_room_name"])
    return session


@transaction.atomic
def series_create(
    *,
    actor: User,
    course: Course,
    title: str,
    days_of_week: list[int],
    start_time: time,
    starts_on: date,
    duration_minutes: int,
    count: int | None = None,
    until: date | None = None,
    timezone_name: str | None = None,
    description: str = "",
    max_participants: int = 100,
    is_recording_enabled: bool = False,
    now: datetime | None = None,
) -> tuple[SessionSeries, list[LiveSession]]:
    """A weekly series and all its occurrences, in one transaction: either every
    occurrence is valid and created (each with its own room), or nothing is written.
    `start_time` is wall-clock time in `timezone_name` (default: the course instructor's
    zone), kept across DST changes. An occurrence in the past refuses the whole series
    (start_in_past): pick a later `starts_on`."""
    authorize_course(actor, course, "manage")
    now = now or timezone.now()
    cleaned_title = clean_title(title)
    check_max_length("description", description, SESSION_DESCRIPTION_MAX)
    _check_capacity(max_participants)
    dates.check_in_range("starts_on", starts_on)
    dates.check_in_range("until", until)
    tz = timezone_name or course.instructor.timezone
    slots = series.occurrences(
        days_of_week=days_of_week,
        local_start=start_time,
        duration_minutes=duration_minutes,
        tz=tz,
        starts_on=starts_on,
        count=count,
        until=until,
    )
    for start, end in slots:
        _check_schedule(start, end, now=now)
    record = SessionSeries.objects.create(
        course=course,
        instructor=course.instructor,
        title=cleaned_title,
        description=description,
        days_of_week=sorted(set(days_of_week)),
        start_time=start_time.replace(tzinfo=None),
        timezone=tz,
        starts_on=starts_on,
        duration_minutes=duration_minutes,
        count=count,
        until=until,
        max_participants=max_participants,
        is_recording_enabled=is_recording_enabled,
    )
    sessions = [
        _insert_session(
            course=course,
            series=record,
            title=cleaned_title,
            description=description,
            scheduled_start_at=start,
            scheduled_end_at=end,
            max_participants=max_participants,
            is_recording_enabled=is_recording_enabled,
        )
        for start, end in slots
    ]
    live_notices.series_scheduled(record, sessions)
    return record, sessions


SESSION_EDITABLE = {
    "title",
    "description",
    "scheduled_start_at",
    "scheduled_end_at",
    "max_participants",
    "is_recording_enabled",
}


@transaction.atomic
def session_update(
    *, actor: User, session: LiveSession, now: datetime | None = None, **changes: Any
) -> LiveSession:
    authorize_course(actor, session.course, "manage")
    locked = _lock(session)
    if locked.status != LiveSessionStatus.SCHEDULED:
        raise _invalid_transition(locked, "update")
    unknown = set(changes) - SESSION_EDITABLE
    if unknown:
        raise field_error(sorted(unknown)[0], _("Ce champ n'est pas modifiable."), "not_editable")
    changes = {k: v for k, v in changes.items() if v is not None}
    old_schedule = (locked.scheduled_start_at, locked.scheduled_end_at)
    for field, value in changes.items():
        setattr(locked, field, clean_title(value) if field == "title" else value)
    check_max_length("description", locked.description, SESSION_DESCRIPTION_MAX)
    _check_capacity(locked.max_participants)
    if (locked.scheduled_start_at, locked.scheduled_end_at) != old_schedule:
        _check_schedule(
            locked.scheduled_start_at, locked.scheduled_end_at, now=now or timezone.now()
        )
        locked.sequence += 1
    locked.save()
    room_changed(locked.pk)
    if (locked.scheduled_start_at, locked.scheduled_end_at) != old_schedule:
        live_notices.session_rescheduled(locked, old_start=old_schedule[0])
    return locked


def _not_in_series(session: LiveSession) -> Conflict:
    return Conflict(
        _("Cette session ne fait pas partie d'une série."),
        code="not_in_series",
        details={"session_id": session.pk},
    )


def _series_changes(
    *,
    title: str | None,
    description: str | None,
    max_participants: int | None,
    is_recording_enabled: bool | None,
    start_time: time | None,
    duration_minutes: int | None,
) -> tuple[dict[str, Any], time | None]:
    """Validate the changes of a series edit: (the plain fields to set on every
    occurrence, the new local start time or None). 400 when nothing is asked or a value
    is out of bounds."""
    values = (title, description, max_participants, is_recording_enabled)
    if all(v is None for v in values) and start_time is None and duration_minutes is None:
        raise field_error(
            "body", _("Indiquez au moins un champ à modifier."), "nothing_to_update", headline=True
        )
    fields: dict[str, Any] = {}
    if title is not None:
        fields["title"] = clean_title(title, max_length=TITLE_MAX)
    if description is not None:
        check_max_length("description", description, SESSION_DESCRIPTION_MAX)
        fields["description"] = description
    if max_participants is not None:
        _check_capacity(max_participants)
        fields["max_participants"] = max_participants
    if is_recording_enabled is not None:
        fields["is_recording_enabled"] = is_recording_enabled
    if duration_minutes is not None:
        series.check_duration(duration_minutes)
    return fields, (start_time.replace(tzinfo=None) if start_time is not None else None)


def _apply_to_occurrences(
    record: SessionSeries,
    sessions: list[LiveSession],
    *,
    fields: dict[str, Any],
    local_start: time | None,
    duration_minutes: int | None,
    course: Course,
    instructor: User,
    now: datetime,
) -> list[tuple[LiveSession, datetime]]:
    """Set `fields`, the local start time and the duration on `sessions` (locked by the
    caller) and on the series row; write them. Each occurrence keeps its own local date
    (DST-correct: 18:00 stays 18:00 on the wall clock); without `duration_minutes` it
    keeps its own length. Every moved occurrence passes the single-update rules
    (start_in_past, 12 h at most) or the caller's transaction writes nothing; its
    `sequence` is bumped. Returns the moved ones with their former start."""
    moved: list[tuple[LiveSession, datetime]] = []
    for occurrence in sessions:
        occurrence.course = course
        occurrence.instructor = instructor
        for field, value in fields.items():
            setattr(occurrence, field, value)
        start = occurrence.scheduled_start_at
        if local_start is not None:
            day = series.local_date(start, record.timezone)
            start = series.at_local_time(day, local_start, record.timezone)
        length = (
            timedelta(minutes=duration_minutes)
            if duration_minutes is not None
            else occurrence.scheduled_end_at - occurrence.scheduled_start_at
        )
        end = start + length
        if (start, end) != (occurrence.scheduled_start_at, occurrence.scheduled_end_at):
            _check_schedule(start, end, now=now)
            moved.append((occurrence, occurrence.scheduled_start_at))
            occurrence.scheduled_start_at, occurrence.scheduled_end_at = start, end
            occurrence.sequence += 1
        occurrence.updated_at = now
    LiveSession.objects.bulk_update(
        sessions,
        [*fields, "scheduled_start_at", "scheduled_end_at", "sequence", "updated_at"],
    )
    room_changed(*(occurrence.pk for occurrence in sessions))
    for field, value in fields.items():
        setattr(record, field, value)
    if local_start is not None:
        record.start_time = local_start
    if duration_minutes is not None:
        record.duration_minutes = duration_minutes
    record.save()
    return moved


@transaction.atomic
def series_update_following(
    *,
    actor: User,
    session: LiveSession,
    now: datetime | None = None,
    title: str | None = None,
    description: str | None = None,
    max_participants: int | None = None,
    is_recording_enabled: bool | None = None,
    start_time: time | None = None,
    duration_minutes: int | None = None,
) -> list[LiveSession]:
    """ "This and following": `session` and every later occurrence of its series that is
    still scheduled (live, ended and cancelled ones are left alone), plus the series row
    itself. `start_time` is wall-clock time in the series' zone, applied to each
    occurrence on its own local date (DST-correct); without `duration_minutes` each
    occurrence keeps its own length. Every occurrence passes the single-update rules
    (start_in_past, 12 h at most) or nothing is written; `sequence` is bumped wherever the
    times change. Locks: the series row first, then its sessions (in start order), so two
    edits of one series serialize and never deadlock."""
    authorize_course(actor, session.course, "manage")
    now = now or timezone.now()
    if session.series_id is None:
        raise _not_in_series(session)
    record = SessionSeries.objects.select_for_update().get(pk=session.series_id)
    pivot = _lock(session)
    if pivot.status != LiveSessionStatus.SCHEDULED:
        raise _invalid_transition(pivot, "update")
    fields, local_start = _series_changes(
        title=title,
        description=description,
        max_participants=max_participants,
        is_recording_enabled=is_recording_enabled,
        start_time=start_time,
        duration_minutes=duration_minutes,
    )

    sessions = list(
        LiveSession.objects.select_for_update()
        .filter(
            series_id=record.pk,
            status=LiveSessionStatus.SCHEDULED,
            scheduled_start_at__gte=pivot.scheduled_start_at,
        )
        .order_by("scheduled_start_at", "pk")
    )
    moved = _apply_to_occurrences(
        record,
        sessions,
        fields=fields,
        local_start=local_start,
        duration_minutes=duration_minutes,
        course=session.course,
        instructor=session.instructor,
        now=now,
    )
    # Each moved occurrence gets its own notice: its invitation updates that calendar entry.
    for occurrence, old_start in moved:
        live_notices.session_rescheduled(occurrence, old_start=old_start)
    return sessions


def _lock_series_future(
    record: SessionSeries, *, now: datetime, course: Course, instructor: User
) -> tuple[SessionSeries, list[LiveSession]]:
    """Lock the series row, then its future occurrences (scheduled, start after `now`),
    in start order: every whole-series write takes the locks in this order, so two of
    them (or one and a "this and following" edit) serialize and never deadlock. 409
    series_no_future when nothing is left to change: a second cancel, or an edit after
    the cancel, loses cleanly."""
    locked = SessionSeries.objects.select_for_update().get(pk=record.pk)
    sessions = list(
        LiveSession.objects.select_for_update()
        .filter(
            series_id=locked.pk,
            status=LiveSessionStatus.SCHEDULED,
            scheduled_start_at__gt=now,
        )
        .order_by("scheduled_start_at", "pk")
    )
    if not sessions:
        raise Conflict(
            _("Cette série n'a plus de séance à venir."),
            code="series_no_future",
            details={"series_id": locked.pk},
        )
    locked.course = course
    locked.instructor = instructor
    for occurrence in sessions:
        occurrence.course = course
        occurrence.instructor = instructor
    return locked, sessions


@transaction.atomic
def series_update(
    *,
    actor: User,
    series: SessionSeries,
    now: datetime | None = None,
    title: str | None = None,
    description: str | None = None,
    max_participants: int | None = None,
    is_recording_enabled: bool | None = None,
    start_time: time | None = None,
    duration_minutes: int | None = None,
) -> list[LiveSession]:
    """Edit the whole series for its future occurrences: those still scheduled whose
    start is after `now`. Occurrences that took place, are live, were cancelled or whose
    start is past never change. The weekday stays (each occurrence keeps its local date);
    `start_time` is wall-clock time in the series' zone (DST-correct). The series row
    takes the new values too. Students get ONE notice (series_rescheduled) carrying the
    updated invitations, and only when something they see changed (times, title,
    description); `sequence` is bumped on each occurrence whose times moved. Returns the
    future occurrences."""
    authorize_course(actor, series.course, "manage")
    now = now or timezone.now()
    fields, local_start = _series_changes(
        title=title,
        description=description,
        max_participants=max_participants,
        is_recording_enabled=is_recording_enabled,
        start_time=start_time,
        duration_minutes=duration_minutes,
    )
    record, sessions = _lock_series_future(
        series,
        now=now,
        course=series.course,
        instructor=series.instructor,
    )
    before = {s.pk: (s.title, s.description) for s in sessions}
    moved = _apply_to_occurrences(
        record,
        sessions,
        fields=fields,
        local_start=local_start,
        duration_minutes=duration_minutes,
        course=series.course,
        instructor=series.instructor,
        now=now,
    )
    retitled = any(before[s.pk] != (s.title, s.description) for s in sessions)
    if moved or retitled:
        live_notices.series_rescheduled(
            record, sessions, moved=[occurrence.pk for occurrence, _start in moved]
        )
    return sessions


@transaction.atomic
def series_cancel(
    *, actor: User, series: SessionSeries, reason: str = "", now: datetime | None = None
) -> list[LiveSession]:
    """Cancel every future occurrence of the series (scheduled, start after `now`) with
    one reason: each is CANCELLED with its `sequence` bumped (calendars and feeds show
    STATUS:CANCELLED at a higher SEQUENCE), their pending reminders stop, and students get
    ONE notice (series_cancelled) with a METHOD:CANCEL calendar file for all of them.
    What took place, is live or has begun stays as it is. Returns the cancelled ones."""
    authorize_course(actor, series.course, "manage")
    now = now or timezone.now()
    check_max_length("reason", reason or "", CANCEL_REASON_MAX)
    cleaned = (reason or "").strip()
    record, sessions = _lock_series_future(
        series,
        now=now,
        course=series.course,
        instructor=series.instructor,
    )
    for occurrence in sessions:
        occurrence.status = LiveSessionStatus.CANCELLED
        occurrence.cancel_reason = cleaned
        occurrence.sequence += 1
        occurrence.updated_at = now
    LiveSession.objects.bulk_update(sessions, ["status", "cancel_reason", "sequence", "updated_at"])
    room_changed(*(occurrence.pk for occurrence in sessions))
    live_notices.series_cancelled(record, sessions, reason=cleaned)
    return sessions


@transaction.atomic
def session_delete(*, actor: User, session: LiveSession) -> int:
    authorize_course(actor, session.course, "manage")
    locked = _lock(session)
    if Participant.objects.filter(session=locked, admitted_at__isnull=False).exists():
        raise Conflict(
            _("Des participants ont déjà assisté à cette session : annulez-la plutôt."),
            code="session_has_attendance",
            details={"status": locked.status},
        )
    pk = locked.pk
    if locked.status == LiveSessionStatus.SCHEDULED:
        # Gone from their calendars too: members get the cancellation (its invitation
        # is a snapshot, so it outlives the row).
        locked.sequence += 1
        live_notices.session_cancelled(locked)
    locked.delete()
    room_changed(pk)
    return pk


@transaction.atomic
def session_cancel(*, actor: User, session: LiveSession, reason: str = "") -> LiveSession:
    authorize_course(actor, session.course, "manage")
    locked = _lock(session)
    if locked.status != LiveSessionStatus.SCHEDULED:
        raise _invalid_transition(locked, "cancel")
    check_max_length("reason", reason, CANCEL_REASON_MAX)
    locked.status = LiveSessionStatus.CANCELLED
    locked.cancel_reason = (reason or "").strip()
    locked.sequence += 1
    locked.save(update_fields=["status", "cancel_reason", "sequence", "updated_at"])
    room_changed(locked.pk)
    live_notices.session_cancelled(locked)
    return locked


@transaction.atomic
def session_start(*, actor: User, session: LiveSession, now: datetime | None = None) -> LiveSession:
    authorize_course(actor, session.course, "manage")
    now = now or timezone.now()
    locked = _lock(session)
    if locked.status != LiveSessionStatus.SCHEDULED:
        raise _invalid_transition(locked, "start")
    opens_at = locked.scheduled_start_at - START_EARLY
    if not can_start_now(locked, now=now):
        raise Conflict(
            _("La session peut démarrer 30 minutes avant l'heure prévue, jusqu'à sa fin prévue."),
            code="start_window_closed",
            details={"opens_at": opens_at, "closes_at": locked.scheduled_end_at},
        )
    return _start_locked(locked, now=now)


def _start_locked(locked: LiveSession, *, now: datetime) -> LiveSession:
    """The one start transition (the owner's start and the conference server's room
    opening): `locked` is a scheduled session row locked by the caller's transaction."""
    locked.status = LiveSessionStatus.LIVE
    locked.actual_start_at = now
    locked.save(update_fields=["status", "actual_start_at", "updated_at"])
    live_notices.session_started(locked, now=now)
    room_changed(locked.pk)
    return locked


@transaction.atomic
def session_start_from_server(*, session: LiveSession, at: datetime) -> bool:
    """The conference server says the room opened at `at` while the session is still
    scheduled (the owner did not press Démarrer): started then, through the same
    transition, when the start window allows it at that moment. False: nothing to do."""
    locked = _lock(session)
    if locked.status != LiveSessionStatus.SCHEDULED or not can_start_now(locked, now=at):
        return False
    _start_locked(locked, now=at)
    return True


@transaction.atomic
def session_end_from_server(*, session: LiveSession, at: datetime) -> bool:
    """The conference server says the room closed at `at` (everyone left). A live
    session whose scheduled end has passed by then is ended at that moment (the owner
    forgot Terminer); one closed earlier is only a pause (a lost connection, everyone
    back in a minute), which the auto-end sweep settles. False: nothing to do."""
    locked = _lock(session)
    if locked.status != LiveSessionStatus.LIVE or at < locked.scheduled_end_at:
        return False
    assert locked.actual_start_at is not None
    _end_locked(locked, now=max(at, locked.actual_start_at))
    return True


@dataclass(frozen=True)
class SessionStats:
    actual_duration_seconds: int
    participants_count: int
    average_attendance_seconds: int
    active_enrollments: int
    attended_students: int
    attendance_rate: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "actual_duration_seconds": self.actual_duration_seconds,
            "actual_duration_minutes": self.actual_duration_seconds // 60,
            "participants_count": self.participants_count,
            "average_attendance_seconds": self.average_attendance_seconds,
            "average_attendance_minutes": self.average_attendance_seconds // 60,
            "active_enrollments": self.active_enrollments,
            "attended_students": self.attended_students,
            "attendance_rate": self.attendance_rate,
        }


def recompute_attendance(
    session: LiveSession, participants: list[Participant], *, now: datetime
) -> None:
    """attendance_seconds = the union of each participant's intervals, clipped to the
    session's actual start/end (open intervals count until now), from the conference
    server's intervals once it reported on that participant, else from the heartbeats
    (selectors.intervals_by_participant). Two queries."""
    if session.actual_start_at is None:
        return
    grouped = selectors.intervals_by_participant(session=session)
    window_end = session.actual_end_at or now
    for participant in participants:
        intervals = grouped.get(participant.pk, [])
        participant.attendance_source = figure_source(intervals)
        participant.attendance_seconds = attended_seconds(
            [(i.joined_at, i.left_at) for i in intervals],
            window_start=session.actual_start_at,
            window_end=window_end,
            open_until=now,
        )
    Participant.objects.bulk_update(
        participants, ["attendance_seconds", "attendance_source", "is_present"]
    )


@transaction.atomic
def session_end(
    *, actor: User, session: LiveSession, now: datetime | None = None
) -> tuple[LiveSession, SessionStats]:
    authorize_course(actor, session.course, "manage")
    now = now or timezone.now()
    locked = _lock(session)
    if locked.status != LiveSessionStatus.LIVE:
        raise _invalid_transition(locked, "end")
    return locked, _end_locked(locked, now=now)


def _end_locked(locked: LiveSession, *, now: datetime) -> SessionStats:
    """The one end path (the owner's end and the auto-end sweep): `locked` is a live
    session row locked by the caller's transaction."""
    assert locked.actual_start_at is not None
    end_at = max(now, locked.actual_start_at)
    locked.status = LiveSessionStatus.ENDED
    locked.actual_end_at = end_at
    locked.save(update_fields=["status", "actual_end_at", "updated_at"])
    room_changed(locked.pk)
    # Never before its own start: the conference server's clock may run ahead of ours.
    closed_at = Greatest(F("joined_at"), Value(end_at))
    AttendanceInterval.objects.filter(participant__session=locked, left_at__isnull=True).update(
        left_at=closed_at, last_seen_at=closed_at
    )
    participants = list(Participant.objects.filter(session=locked))
    for participant in participants:
        participant.is_present = False
    recompute_attendance(locked, participants, now=end_at)
    students = [p for p in participants if p.role == ParticipantRole.PARTICIPANT and p.admitted_at]
    attended = [p for p in students if p.attendance_seconds > 0]
    enrollments = selectors.active_enrollment_count(course=locked.course)
    average = sum(p.attendance_seconds for p in students) // len(students) if students else 0
    rate = round(100 * len(attended) / enrollments, 2) if enrollments else 0.0
    return SessionStats(
        actual_duration_seconds=int((end_at - locked.actual_start_at).total_seconds()),
        participants_count=len(students),
        average_attendance_seconds=average,
        active_enrollments=enrollments,
        attended_students=len(attended),
        attendance_rate=rate,
    )


def qa_list_changed(session_id: int) -> None:
    """Once committed, the session's Q&A list is no longer the one its pollers hold:
    their next poll takes the full path (campus.core.polls)."""
    transaction.on_commit(partial(polls.states_changed, [selectors.qa_state_key(session_id)]))


def room_changed(*session_ids: int) -> None:
    """Once committed, the sessions' rows changed (schedule, status, deletion): what the
    waiting room and the Q&A list pollers hold is stale, their next poll takes the full
    path (campus.core.polls)."""
    keys = [
        key
        for session_id in session_ids
        for key in (selectors.qa_state_key(session_id), selectors.waiting_state_key(session_id))
    ]
    if keys:
        transaction.on_commit(partial(polls.states_changed, keys))


# --- Joining and presence -----------------------------------------------------------------


def _require_live(session: LiveSession) -> None:
    if session.status == LiveSessionStatus.SCHEDULED:
        raise Conflict(
            _("La session n'a pas encore commencé."),
            code="session_not_started",
            details={"scheduled_start_at": session.scheduled_start_at},
        )
    if session.status != LiveSessionStatus.LIVE:
        raise Conflict(
            _("Cette session est terminée ou annulée."),
            code="session_closed",
            details={"status": session.status},
        )


def _active_enrollment(actor: User, course: Course) -> Enrollment:
    enrollment = Enrollment.objects.filter(user=actor, course=course, is_active=True).first()
    if enrollment is None:
        raise Forbidden(
            _("Inscrivez-vous à ce cours pour accéder à son contenu."), code="not_enrolled"
        )
    return enrollment


def _token(actor: User, session: LiveSession, *, moderator: bool, now: datetime) -> str | None:
    """The role in the token comes from Campus only: owner and admins moderate."""
    user = jitsi.JitsiUser(
        id=actor.pk,
        name=actor.display_name,
        email=actor.email,
        avatar="",
        is_moderator=moderator,
    )
    try:
        return jitsi.issue_token(
            room_name=session.jitsi_room_name,
            user=user,
            session_end=session.scheduled_end_at,
            recording_enabled=session.is_recording_enabled,
            now=now,
        )
    except jitsi.TokenWindowClosed as exc:
        raise Conflict(
            _("Cette session est terminée ou annulée."),
            code="session_closed",
            details={"status": session.status},
        ) from exc


def _token_expiry(token: str | None) -> datetime | None:
    if token is None:
        return None
    exp = pyjwt.decode(token, options={"verify_signature": False})["exp"]
    return datetime.fromtimestamp(exp, tz=UTC)


def _access_payload(
    actor: User, session: LiveSession, *, moderator: bool, now: datetime
) -> dict[str, Any]:
    token = _token(actor, session, moderator=moderator, now=now)
    embed = jitsi.embed_config(
        room_name=session.jitsi_room_name,
        token=token,
        display_name=actor.display_name,
        email=actor.email,
    )
    return {
        "session_id": session.pk,
        "user_id": actor.pk,
        "jitsi_join_url": embed["join_url"],
        "jitsi_domain": embed["domain"],
        "jitsi_room_name": embed["roomName"],
        "jitsi_script_url": embed["script_url"],
        "jitsi_mode": embed["mode"],
        "jwt": token,
        "expires_at": _token_expiry(token),
        "jitsi_room_password": session.jitsi_room_password,
        "is_moderator": moderator,
        "display_name": actor.display_name,
    }


@transaction.atomic
def session_join(
    *, actor: User, session: LiveSession, now: datetime | None = None
) -> dict[str, Any]:
    """Admit `actor` (atomically against capacity) and open an attendance interval.

    The session row is locked while admitted students are counted, so under any
    concurrency no more than max_participants students are admitted. An admitted
    student always gets back in; owner and admins are moderators and take no seat.
    """
    authorize_course(actor, session.course, "content")
    now = now or timezone.now()
    moderator = is_owner_or_admin(actor, session.course)
    enrollment = None if moderator else _active_enrollment(actor, session.course)
    locked = _lock(session)
    _require_live(locked)
    payload = _access_payload(actor, locked, moderator=moderator, now=now)
    participant = Participant.objects.filter(session=locked, user=actor).first()
    if not moderator and (participant is None or participant.admitted_at is None):
        taken = selectors.admitted_students(session=locked).count()
        if taken >= locked.max_participants:
            raise Conflict(
                _("Cette session est complète."),
                code="session_full",
                details={"max_participants": locked.max_participants},
            )
    if moderator:
        role = (
            ParticipantRole.INSTRUCTOR
            if locked.course.instructor_id == actor.pk
            else ParticipantRole.MODERATOR
        )
    else:
        role = ParticipantRole.PARTICIPANT
    if participant is None:
        participant = Participant.objects.create(
            session=locked,
            user=actor,
            enrollment=enrollment,
            role=role,
            admitted_at=now,
            is_present=True,
        )
    else:
        participant.admitted_at = participant.admitted_at or now
        participant.is_present = True
        participant.role = role
        participant.save(update_fields=["admitted_at", "is_present", "role"])
    interval = (
        participant.intervals.filter(left_at__isnull=True, source=AttendanceSource.HEARTBEAT)
        .order_by("-joined_at")
        .first()
    )
    if interval is None:
        interval = AttendanceInterval.objects.create(
            participant=participant, joined_at=now, last_seen_at=now
        )
    else:
        interval.last_seen_at = now
        interval.save(update_fields=["last_seen_at"])
    return {**payload, "joined_at": interval.joined_at}


def session_token(
    *, actor: User, session: LiveSession, now: datetime | None = None
) -> dict[str, Any]:
    """A fresh token for someone already in: students must have been admitted by join
    (a token must never be a way around capacity); the owner and admins always."""
    authorize_course(actor, session.course, "content")
    now = now or timezone.now()
    moderator = is_owner_or_admin(actor, session.course)
    if not moderator:
        _active_enrollment(actor, session.course)
    _require_live(session)
    if not moderator and not (
        Participant.objects.filter(session=session, user=actor, admitted_at__isnull=False).exists()
    ):
        raise Conflict(_("Rejoignez d'abord la session."), code="not_joined")
    return _access_payload(actor, session, moderator=moderator, now=now)


def _own_participant(actor: User, session: LiveSession) -> Participant:
    participant = (
        Participant.objects.select_for_update().filter(session=session, user=actor).first()
    )
    if participant is None:
        raise Conflict(_("Vous n'avez pas rejoint cette session."), code="not_joined")
    return participant


@transaction.atomic
def session_leave(
    *, actor: User, session: LiveSession, now: datetime | None = None
) -> dict[str, Any]:
    """Close the open interval(s) and recompute attendance (clipped to actual start/end)."""
    authorize_course(actor, session.course, "content")
    now = now or timezone.now()
    participant = _own_participant(actor, session)
    left_at = now if session.actual_end_at is None else min(now, session.actual_end_at)
    for interval in participant.intervals.filter(
        left_at__isnull=True, source=AttendanceSource.HEARTBEAT
    ):
        interval.left_at = max(left_at, interval.joined_at)
        interval.last_seen_at = max(interval.last_seen_at, interval.left_at)
        interval.save(update_fields=["left_at", "last_seen_at"])
    participant.is_present = False
    recompute_attendance(session, [participant], now=now)
    if session.actual_start_at is None:
        participant.save(update_fields=["is_present"])
    return {
        "session_id": session.pk,
        "user_id": actor.pk,
        "left_at": left_at,
        "attendance_seconds": participant.attendance_seconds,
        "attendance_duration": participant.attendance_minutes,
    }


def session_heartbeat(
    *, actor: User, session: LiveSession, now: datetime | None = None
) -> dict[str, Any]:
    """The browser is still in the room: its open interval was seen now. One UPDATE in
    the common case (500 students send one every 30 s); the locked path only to say why
    nothing was open, or for an interval that began after `now` on another clock."""
    authorize_course(actor, session.course, "content")
    now = now or timezone.now()
    open_intervals = AttendanceInterval.objects.filter(
        participant__session=session,
        participant__user=actor,
        left_at__isnull=True,
        source=AttendanceSource.HEARTBEAT,
    )
    if open_intervals.filter(joined_at__lte=now).update(last_seen_at=now):
        return {"session_id": session.pk, "last_seen_at": now}
    return _heartbeat_locked(actor=actor, session=session, now=now)


@transaction.atomic
def _heartbeat_locked(*, actor: User, session: LiveSession, now: datetime) -> dict[str, Any]:
    participant = _own_participant(actor, session)
    interval = (
        participant.intervals.filter(left_at__isnull=True, source=AttendanceSource.HEARTBEAT)
        .order_by("-joined_at")
        .first()
    )
    if interval is None:
        raise Conflict(_("Vous n'êtes pas dans la session."), code="not_joined")
    interval.last_seen_at = max(now, interval.joined_at)
    interval.save(update_fields=["last_seen_at"])
    return {"session_id": session.pk, "last_seen_at": interval.last_seen_at}


# --- Chat (Q&A) -----------------------------------------------------------------------------


@transaction.atomic
def chat_post(
    *,
    actor: User,
    session: LiveSession,
    text: str,
    kind: str = ChatKind.MESSAGE,
    answer_to: int | None = None,
) -> ChatMessage:
    """Members, the owner and admins write while the session is live. Only the owner and
    admins answer, and an answer points at a question of the same session."""
    authorize_course(actor, session.course, "content")
    moderator = is_owner_or_admin(actor, session.course)
    if not moderator:
        _active_enrollment(actor, session.course)
    _require_live(session)
    cleaned = (text or "").strip()
    if not cleaned:
        raise field_error("text", _("Le message est vide."), "text_required")
    if len(cleaned) > CHAT_TEXT_MAX:
        raise field_error("text", _("Au plus 2000 caractères."), "string_too_long")
    if kind not in ChatKind.values:
        raise field_error("kind", _("Type de message inconnu."), "invalid_kind")
    question = None
    if kind == ChatKind.ANSWER:
        if not moderator:
            raise Forbidden(
                _(
                    "Les réponses sont réservées à la personne responsable du cours "
                    "et à l'administration."
                ),
                code="forbidden",
            )
        question = ChatMessage.objects.filter(
            pk=answer_to or 0, session=session, kind=ChatKind.QUESTION
        ).first()
        if question is None:
            raise field_error(
                "answer_to", _("Indiquez une question de cette session."), "question_not_found"
            )
    elif answer_to is not None:
        raise field_error("answer_to", _("Seule une réponse cite une question."), "not_an_answer")
    message = ChatMessage.objects.create(
        session=session, author=actor, kind=kind, text=cleaned, answer_to=question
    )
    qa_list_changed(session.pk)
    if kind == ChatKind.QUESTION:  # the course's owner is told (in-app only)
        moderation.live_question(
            actor=actor,
            course=session.course,
            session_id=session.pk,
            session_title=session.title,
            message_id=message.pk,
            text=cleaned,
        )
    return message


# --- Sweeps (Celery beat, every minute; see live/tasks.py) ----------------------------------
#
# Idempotent: what is due is computed from current rows, and each row is re-read under a
# lock (SKIP LOCKED where the database has it) with the due condition repeated, so two
# sweeps at once, a late sweep or a repeated one each do every thing exactly once.

STALE_AFTER = timedelta(minutes=2)
SWEEP_BATCH = 500


def _skip_locked() -> bool:
    """Skip rows another sweep (or a request) holds; wait instead where unsupported."""
    return bool(connection.features.has_select_for_update_skip_locked)


def attendance_close_stale(*, now: datetime | None = None) -> int:
    """Close every open interval without a heartbeat for STALE_AFTER, at its last
    heartbeat (not now), and recompute its participant's attendance. Returns how many
    intervals this run closed."""
    now = now or timezone.now()
    cutoff = now - STALE_AFTER
    due = selectors.participants_with_stale_intervals(cutoff=cutoff, limit=SWEEP_BATCH)
    return sum(_close_stale_of(participant_id, cutoff=cutoff, now=now) for participant_id in due)


@transaction.atomic
def _close_stale_of(participant_id: int, *, cutoff: datetime, now: datetime) -> int:
    # The participant row first, like heartbeat and leave, so they never cross.
    participant = (
        Participant.objects.select_for_update(skip_locked=_skip_locked())
        .filter(pk=participant_id)
        .first()
    )
    if participant is None:
        return 0  # gone, or another worker / a heartbeat holds it: the next run sees it
    stale = list(
        AttendanceInterval.objects.filter(
            participant=participant,
            left_at__isnull=True,
            last_seen_at__lt=cutoff,
            source=AttendanceSource.HEARTBEAT,  # the server's close when it says so
        )
    )
    if not stale:
        return 0  # a concurrent sweep (or a heartbeat) got there first
    for interval in stale:
        interval.left_at = max(interval.last_seen_at, interval.joined_at)
    AttendanceInterval.objects.bulk_update(stale, ["left_at"])
    participant.is_present = participant.intervals.filter(left_at__isnull=True).exists()
    session = LiveSession.objects.get(pk=participant.session_id)
    recompute_attendance(session, [participant], now=now)
    if session.actual_start_at is None:
        participant.save(update_fields=["is_present"])
    return len(stale)


def sessions_auto_end(*, now: datetime | None = None) -> list[int]:
    """End sessions still live LIVE_AUTO_END_AFTER_MINUTES after their scheduled end,
    through the owner's end path. Returns the ids this run ended."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.LIVE_AUTO_END_AFTER_MINUTES)
    due = selectors.overdue_live_session_ids(cutoff=cutoff, limit=SWEEP_BATCH)
    return [pk for pk in due if _auto_end(pk, cutoff=cutoff, now=now)]


@transaction.atomic
def _auto_end(session_id: int, *, cutoff: datetime, now: datetime) -> bool:
    locked = (
        LiveSession.objects.select_for_update(skip_locked=_skip_locked())
        .filter(pk=session_id, status=LiveSessionStatus.LIVE, scheduled_end_at__lt=cutoff)
        .first()
    )
    if locked is None:
        return False  # ended meanwhile, or being ended by another worker
    # Forgotten tabs stopped beating long ago: close those at their last heartbeat, so
    # ending at `now` credits no one for the hours after they left.
    stale = AttendanceInterval.objects.filter(
        participant__session=locked,
        left_at__isnull=True,
        last_seen_at__lt=now - STALE_AFTER,
        source=AttendanceSource.HEARTBEAT,
    )
    for interval in stale:
        interval.left_at = max(interval.last_seen_at, interval.joined_at)
        interval.save(update_fields=["left_at"])
    # The conference server said when the room emptied for good: the class ended then.
    closed_at = selectors.room_closed_at(session=locked)
    _end_locked(locked, now=min(closed_at, now) if closed_at is not None else now)
    return True


# --- Notify the session's members (owner, admin) --------------------------------------------

NOTIFY_MESSAGE_MAX = 1000
NOTIFY_LIMIT = 5
NOTIFY_WINDOW_SECONDS = 60 * 60


@transaction.atomic
def session_notify(*, actor: User, session: LiveSession, message: str, title: str = "") -> int:
    """Send the session's active members the owner's message: a notice in their inbox and
    an email (through the notifications outbox, following each member's preferences). At
    most NOTIFY_LIMIT per session an hour; bad input does not count. Returns the
    recipients."""
    authorize_course(actor, session.course, "manage")
    cleaned = (message or "").strip()
    if not cleaned:
        raise field_error("message", _("Le message est vide."), "message_required")
    check_max_length("message", cleaned, NOTIFY_MESSAGE_MAX)
    subject = (title or "").strip() or session.title
    check_max_length("title", subject, TITLE_MAX)
    ratelimit.limit_action(
        "live_notify", str(session.pk), limit=NOTIFY_LIMIT, window=NOTIFY_WINDOW_SECONDS
    )
    return live_notices.session_message(session, sender=actor, title=subject, message=cleaned)


# --- Chat moderation (owner, admin) ---------------------------------------------------------

CHAT_MODERATION: dict[str, dict[str, bool]] = {
    "pin": {"is_pinned": True},
    "unpin": {"is_pinned": False},
    "hide": {"is_hidden": True},
    "unhide": {"is_hidden": False},
}


@transaction.atomic
def chat_moderate(
    *, actor: User, session: LiveSession, message_id: int, action: str
) -> ChatMessage:
    """Pin/unpin, hide/unhide a message of this session (hidden ones only moderators
    read). Repeating an action is a no-op, not an error."""
    authorize_course(actor, session.course, "manage")
    message = ChatMessage.objects.select_for_update().filter(pk=message_id, session=session).first()
    if message is None:
        raise NotFound(_("Message introuvable."), code="message_not_found")
    changes = CHAT_MODERATION[action]
    for field, value in changes.items():
        setattr(message, field, value)
    message.updated_at = timezone.now()
    fields = [*changes, "updated_at"]
    if "is_hidden" in changes:
        message.hidden_by = actor if message.is_hidden else None
        fields.append("hidden_by")
    message.save(update_fields=fields)
    qa_list_changed(session.pk)
    return message


# --- Recording link (owner, admin; issue 4, instructor pages) -------------------------------

RECORDING_URL_MAX = 500


def _clean_recording_url(url: str) -> str:
    from django.core.exceptions import ValidationError as DjangoValidationError
    from django.core.validators import URLValidator

    cleaned = (url or "").strip()
    if not cleaned:
        return ""
    check_max_length("recording_url", cleaned, RECORDING_URL_MAX)
    try:
        URLValidator(schemes=["http", "https"])(cleaned)
    except DjangoValidationError:
        raise field_error(
            "recording_url",
            _("Adresse web invalide (http ou https)."),
            "invalid_recording_url",
        ) from None
    return cleaned


@transaction.atomic
def session_set_recording(*, actor: User, session: LiveSession, url: str) -> LiveSession:
    """Set (or, with a blank `url`, clear) the link to an ended session's recording.
    Only http(s) addresses: the link is shown to the course's members."""
    authorize_course(actor, session.course, "manage")
    locked = _lock(session)
    if locked.status != LiveSessionStatus.ENDED:
        raise Conflict(
            _("Le lien de l'enregistrement s'ajoute une fois la session terminée."),
            code="session_not_ended",
            details={"status": locked.status},
        )
    locked.recording_url = _clean_recording_url(url)
    locked.save(update_fields=["recording_url", "updated_at"])
    return locked
