"""Every non-trivial read of live sessions, with the joins and counts it needs."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Case, Count, F, Max, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from campus.accounts.models import User
from campus.core.pagination import Page, PageQuery, paginate
from campus.core.validation import field_error
from campus.courses.models import Course, CourseStatus, Enrollment
from campus.live.attendance import attended_seconds
from campus.live.models import (
    AttendanceInterval,
    ChatKind,
    ChatMessage,
    LiveSession,
    LiveSessionStatus,
    Participant,
    ParticipantRole,
)


def session_base() -> QuerySet[LiveSession]:
    return LiveSession.objects.select_related("course", "course__instructor", "instructor")


def admitted_students(*, session: LiveSession) -> QuerySet[Participant]:
    """The seats capacity counts: admitted participants in the student role."""
    return Participant.objects.filter(
        session=session, role=ParticipantRole.PARTICIPANT, admitted_at__isnull=False
    )


def attach_participant_counts(sessions: list[LiveSession]) -> None:
    """Set `participants_count` (admitted students) with one grouped COUNT."""
    by_id = {s.pk: s for s in sessions}
    if not by_id:
        return
    counts = dict(
        Participant.objects.filter(
            session_id__in=by_id, role=ParticipantRole.PARTICIPANT, admitted_at__isnull=False
        )
        .order_by()
        .values_list("session_id")
        .annotate(n=Count("*"))
    )
    for session_id, session in by_id.items():
        session.participants_count = counts.get(session_id, 0)  # type: ignore[attr-defined]


def sessions_of_course_page(*, course: Course, status: str | None, query: PageQuery) -> Page:
    queryset = session_base().filter(course=course).order_by("scheduled_start_at", "id")
    if status:
        queryset = queryset.filter(status=status)
    result = paginate(queryset, query)
    attach_participant_counts(result.items)
    return result


def session_with_counts(*, session: LiveSession) -> LiveSession:
    attach_participant_counts([session])
    return session


def participants_page(*, session: LiveSession, query: PageQuery) -> Page:
    queryset = (
        Participant.objects.filter(session=session)
        .select_related("user")
        .order_by("admitted_at", "id")
    )
    return paginate(queryset, query)


def intervals_by_participant(*, session: LiveSession) -> dict[int, list[AttendanceInterval]]:
    grouped: dict[int, list[AttendanceInterval]] = {}
    for interval in AttendanceInterval.objects.filter(participant__session=session).order_by(
        "joined_at", "id"
    ):
        grouped.setdefault(interval.participant_id, []).append(interval)
    return grouped


def active_enrollment_count(*, course: Course) -> int:
    return Enrollment.objects.filter(course=course, is_active=True).count()


def chat_since(
    *, session: LiveSession, since: int, limit: int, moderator: bool
) -> list[ChatMessage]:
    """Messages after `since` (keyset on the (session, id) index), oldest first; hidden
    ones only for moderators."""
    queryset = ChatMessage.objects.filter(session=session, id__gt=since).select_related("author")
    if not moderator:
        queryset = queryset.filter(is_hidden=False)
    return list(queryset.order_by("id")[:limit])


def sessions_for_student(*, user: User, now: datetime, limit: int) -> dict[str, list[LiveSession]]:
    """Sessions of the courses the user is actively enrolled in: upcoming (soonest
    first), live, past (latest first). Three bounded queries."""
    base = (
        LiveSession.objects.filter(
            course__enrollments__user=user, course__enrollments__is_active=True
        )
        .select_related("course")
        .order_by()
    )
    return {
        "upcoming": list(
            base.filter(status=LiveSessionStatus.SCHEDULED, scheduled_end_at__gt=now).order_by(
                "scheduled_start_at", "id"
            )[:limit]
        ),
        "live": list(
            base.filter(status=LiveSessionStatus.LIVE).order_by("scheduled_start_at", "id")[:limit]
        ),
        "past": list(
            base.filter(
                Q(status__in=[LiveSessionStatus.ENDED, LiveSessionStatus.CANCELLED])
                | Q(status=LiveSessionStatus.SCHEDULED, scheduled_end_at__lte=now)
            ).order_by("-scheduled_start_at", "-id")[:limit]
        ),
    }


def student_home_sessions(
    *, user: User, now: datetime, live_limit: int = 3
) -> tuple[list[LiveSession], LiveSession | None]:
    """For a student's home: the classes live now in their active courses (a few) and
    the next one scheduled. Two bounded queries."""
    base = LiveSession.objects.filter(
        course__enrollments__user=user, course__enrollments__is_active=True
    ).select_related("course")
    live = list(
        base.filter(status=LiveSessionStatus.LIVE).order_by("scheduled_start_at", "id")[:live_limit]
    )
    upcoming = (
        base.filter(status=LiveSessionStatus.SCHEDULED, scheduled_end_at__gt=now)
        .order_by("scheduled_start_at", "id")
        .first()
    )
    return live, upcoming


def participants_with_stale_intervals(*, cutoff: datetime, limit: int) -> list[int]:
    """Participants with an open interval whose last heartbeat is before `cutoff` (the
    (left_at, last_seen_at) index)."""
    return list(
        AttendanceInterval.objects.filter(left_at__isnull=True, last_seen_at__lt=cutoff)
        .order_by("participant_id")
        .values_list("participant_id", flat=True)
        .distinct()[:limit]
    )


def overdue_live_session_ids(*, cutoff: datetime, limit: int) -> list[int]:
    """Sessions still live whose scheduled end is before `cutoff` (the status/end index)."""
    return list(
        LiveSession.objects.filter(status=LiveSessionStatus.LIVE, scheduled_end_at__lt=cutoff)
        .order_by("scheduled_end_at", "id")
        .values_list("id", flat=True)[:limit]
    )


@dataclass(frozen=True)
class AttendanceRow:
    user_id: int
    full_name: str
    email: str
    role: str
    admitted_at: datetime | None
    attendance_seconds: int
    is_present: bool
    intervals_count: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "full_name": self.full_name,
            "email": self.email,
            "role": self.role,
            "admitted_at": self.admitted_at,
            "attendance_seconds": self.attendance_seconds,
            "attendance_minutes": self.attendance_seconds // 60,
            "is_present": self.is_present,
            "intervals_count": self.intervals_count,
        }


def attendance_report(*, session: LiveSession, now: datetime) -> list[AttendanceRow]:
    """Per participant, attendance computed now from the intervals (the union clipped to
    the session's actual start/end, open intervals counting until now), so a live session
    reads current figures without writing. Two queries whatever the number of rows."""
    participants = list(
        Participant.objects.filter(session=session)
        .select_related("user")
        .order_by("admitted_at", "id")
    )
    grouped = intervals_by_participant(session=session)
    rows = []
    for participant in participants:
        intervals = grouped.get(participant.pk, [])
        seconds = 0
        if session.actual_start_at is not None:
            seconds = attended_seconds(
                [(i.joined_at, i.left_at) for i in intervals],
                window_start=session.actual_start_at,
                window_end=session.actual_end_at or now,
                open_until=now,
            )
        rows.append(
            AttendanceRow(
                user_id=participant.user_id,
                full_name=participant.user.full_name,
                email=participant.user.email,
                role=participant.role,
                admitted_at=participant.admitted_at,
                attendance_seconds=seconds,
                is_present=participant.is_present,
                intervals_count=len(intervals),
            )
        )
    return rows


CALENDAR_MAX_WINDOW = timedelta(days=366)


def sessions_in_window(*, user: User, start: datetime, end: datetime) -> list[LiveSession]:
    """The user's sessions that overlap [start, end): those of the published courses they
    are actively enrolled in, plus those of the courses they teach (for admins too: the
    calendar is personal, not every session on the platform). Every status, so a
    calendar can show a cancellation. Two queries (rows, then participant counts)."""
    if end <= start:
        raise field_error(
            "end", _("La fin doit suivre le début."), "end_before_start", headline=True
        )
    if end - start > CALENDAR_MAX_WINDOW:
        raise field_error(
            "end",
            _("La période demandée dépasse %(n)s jours.") % {"n": CALENDAR_MAX_WINDOW.days},
            "window_too_long",
            headline=True,
        )
    enrolled = Enrollment.objects.filter(user=user, is_active=True).values("course_id")
    sessions = list(
        session_base()
        .filter(
            Q(course_id__in=enrolled, course__status=CourseStatus.PUBLISHED)
            | Q(course__instructor=user),
            scheduled_start_at__lt=end,
            scheduled_end_at__gt=start,
        )
        .order_by("scheduled_start_at", "id")
    )
    attach_participant_counts(sessions)
    return sessions


def sessions_with_counts(sessions: list[LiveSession]) -> list[LiveSession]:
    attach_participant_counts(sessions)
    return sessions


# --- Student pages (issue 4, helper: student) -------------------------------------------


def next_course_session(*, course: Course, now: datetime) -> LiveSession | None:
    """For the course page: the session live now, else the next one still to come (one
    query). A live session past its scheduled end is still live until someone ends it."""
    return (
        LiveSession.objects.filter(
            Q(status=LiveSessionStatus.LIVE)
            | Q(status=LiveSessionStatus.SCHEDULED, scheduled_end_at__gt=now),
            course=course,
        )
        .annotate(
            live_first=Case(When(status=LiveSessionStatus.LIVE, then=Value(0)), default=Value(1))
        )
        .order_by("live_first", "scheduled_start_at", "id")
        .first()
    )


# --- Instructor pages (issue 4) --------------------------------------------------------------


def instructor_upcoming_page(*, user: User, now: datetime, query: PageQuery) -> Page:
    """Live and upcoming (scheduled, not yet ended) sessions of the courses `user` teaches
    (admins: of every course), live ones first, then soonest first. Three queries."""
    from django.db.models import Case, IntegerField, Value, When

    queryset = session_base().filter(
        Q(status=LiveSessionStatus.LIVE)
        | Q(status=LiveSessionStatus.SCHEDULED, scheduled_end_at__gt=now)
    )
    if not user.is_admin:
        queryset = queryset.filter(course__instructor=user)
    queryset = queryset.annotate(
        live_first=Case(
            When(status=LiveSessionStatus.LIVE, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("live_first", "scheduled_start_at", "id")
    result = paginate(queryset, query)
    attach_participant_counts(result.items)
    return result


@dataclass(frozen=True)
class AttendanceLine:
    """One row of the instructor's attendance table: the report plus the departure."""

    row: AttendanceRow
    role_label: str
    left_at: datetime | None


def attendance_table(*, session: LiveSession, now: datetime) -> list[AttendanceLine]:
    """attendance_report with each participant's last departure (None while present).
    Three queries whatever the number of participants."""
    from django.db.models import Max

    rows = attendance_report(session=session, now=now)
    departures = dict(
        AttendanceInterval.objects.filter(participant__session=session)
        .order_by()
        .values_list("participant__user_id")
        .annotate(last=Max("left_at"))
    )
    labels = dict(ParticipantRole.choices)
    return [
        AttendanceLine(
            row=row,
            role_label=str(labels.get(row.role, row.role)),
            left_at=None if row.is_present else departures.get(row.user_id),
        )
        for row in rows
    ]


def attendance_summary(session: LiveSession, lines: list[AttendanceLine]) -> dict[str, int]:
    """The end-of-session figures from the table already read (no query): actual
    duration, admitted students and their average attended time, in minutes."""
    students = [
        line.row
        for line in lines
        if line.row.role == ParticipantRole.PARTICIPANT and line.row.admitted_at is not None
    ]
    duration = 0
    if session.actual_start_at and session.actual_end_at:
        duration = int((session.actual_end_at - session.actual_start_at).total_seconds())
    average = sum(r.attendance_seconds for r in students) // len(students) if students else 0
    return {
        "duration_minutes": duration // 60,
        "participants": len(students),
        "average_minutes": average // 60,
    }


# --- Room: Q&A panel (helper: room) ------------------------------------------------------

QA_PANEL_QUESTIONS = 100
QA_PANEL_ANSWERS = 500


def qa_panel_version(*, session: LiveSession) -> tuple[int, int, datetime | None]:
    """(count, max id, max updated_at) of the session's chat: one aggregate that changes
    whenever a message is written, pinned, hidden or deleted (the panel's ETag)."""
    row = ChatMessage.objects.filter(session=session).aggregate(
        n=Count("id"), last_id=Max("id"), last_change=Max("updated_at")
    )
    return int(row["n"] or 0), int(row["last_id"] or 0), row["last_change"]


@dataclass(frozen=True)
class QaPanel:
    questions: list[ChatMessage]  # each with `panel_answers`, oldest answer first
    truncated: bool
    limit: int


def qa_panel(*, session: LiveSession, moderator: bool, limit: int = QA_PANEL_QUESTIONS) -> QaPanel:
    """The session's questions, pinned first then newest first, at most `limit`, with
    their answers. Hidden questions and answers only for moderators. Two queries."""
    questions_qs = ChatMessage.objects.filter(
        session=session, kind=ChatKind.QUESTION
    ).select_related("author")
    if not moderator:
        questions_qs = questions_qs.filter(is_hidden=False)
    questions = list(questions_qs.order_by("-is_pinned", "-id")[: limit + 1])
    truncated = len(questions) > limit
    questions = questions[:limit]
    by_id = {q.pk: q for q in questions}
    for question in questions:
        question.panel_answers = []  # type: ignore[attr-defined]
    if by_id:
        answers_qs = ChatMessage.objects.filter(
            session=session, kind=ChatKind.ANSWER, answer_to_id__in=by_id
        ).select_related("author")
        if not moderator:
            answers_qs = answers_qs.filter(is_hidden=False)
        for answer in answers_qs.order_by("id")[:QA_PANEL_ANSWERS]:
            by_id[answer.answer_to_id].panel_answers.append(answer)  # type: ignore[attr-defined,index]
    return QaPanel(questions=questions, truncated=truncated, limit=limit)


def course_sessions_for_students_page(
    *, course: Course, status: str | None, now: datetime, query: PageQuery
) -> Page:
    """A course's sessions in the order a student reads them: live now, then those to
    come (soonest first), then the past ones (latest first). One COUNT, one page, one
    grouped participant count."""
    upcoming = Q(status=LiveSessionStatus.SCHEDULED, scheduled_end_at__gt=now)
    queryset = (
        session_base()
        .filter(course=course)
        .annotate(
            rank=Case(
                When(status=LiveSessionStatus.LIVE, then=Value(0)),
                When(upcoming, then=Value(1)),
                default=Value(2),
            ),
            soon=Case(When(upcoming, then=F("scheduled_start_at")), default=Value(None)),
        )
        .order_by("rank", "soon", "-scheduled_start_at", "-id")
    )
    if status:
        queryset = queryset.filter(status=status)
    result = paginate(queryset, query)
    attach_participant_counts(result.items)
    return result


# --- Dashboards: the teaching dashboard, the course hub, the admin overview ---------------


def _ahead(*, now: datetime) -> QuerySet[LiveSession]:
    """Live sessions, then scheduled ones not yet over, soonest first."""
    return (
        session_base()
        .filter(
            Q(status=LiveSessionStatus.LIVE)
            | Q(status=LiveSessionStatus.SCHEDULED, scheduled_end_at__gt=now)
        )
        .annotate(
            live_first=Case(When(status=LiveSessionStatus.LIVE, then=Value(0)), default=Value(1))
        )
        .order_by("live_first", "scheduled_start_at", "id")
    )


def sessions_ahead(
    *, now: datetime, limit: int, user: User | None = None, course: Course | None = None
) -> list[LiveSession]:
    """The first `limit` live or upcoming sessions of the courses `user` teaches (admins:
    every course), or of one course, with their seat counts: two queries."""
    queryset = _ahead(now=now)
    if course is not None:
        queryset = queryset.filter(course=course)
    if user is not None and not user.is_admin:
        queryset = queryset.filter(course__instructor=user)
    sessions = list(queryset[:limit])
    attach_participant_counts(sessions)
    return sessions


def course_session_figures(*, course: Course, now: datetime) -> dict[str, int]:
    """How many of the course's sessions are upcoming, live, ended: one aggregate."""
    return LiveSession.objects.filter(course=course).aggregate(
        upcoming=Count(
            "id", filter=Q(status=LiveSessionStatus.SCHEDULED, scheduled_end_at__gt=now)
        ),
        live=Count("id", filter=Q(status=LiveSessionStatus.LIVE)),
        ended=Count("id", filter=Q(status=LiveSessionStatus.ENDED)),
    )


def recent_ended_sessions(*, course: Course, limit: int) -> list[LiveSession]:
    """The course's last ended sessions (their attendance pages), with how many students
    took part: two queries."""
    sessions = list(
        LiveSession.objects.filter(course=course, status=LiveSessionStatus.ENDED).order_by(
            "-scheduled_start_at", "-id"
        )[:limit]
    )
    attach_participant_counts(sessions)
    return sessions


def platform_live_figures(
    *, now: datetime, day_start: datetime, day_end: datetime
) -> dict[str, int]:
    """Sessions live now, and not cancelled ones overlapping [day_start, day_end): one
    aggregate (the admin overview)."""
    return LiveSession.objects.aggregate(
        live=Count("id", filter=Q(status=LiveSessionStatus.LIVE)),
        today=Count(
            "id",
            filter=Q(scheduled_start_at__lt=day_end, scheduled_end_at__gt=day_start)
            & ~Q(status=LiveSessionStatus.CANCELLED),
        ),
        upcoming=Count(
            "id", filter=Q(status=LiveSessionStatus.SCHEDULED, scheduled_end_at__gt=now)
        ),
    )
