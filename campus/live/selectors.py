"""Every non-trivial read of live sessions, with the joins and counts it needs."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Case, Count, Exists, F, Max, OuterRef, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from campus.accounts.models import Role, User
from campus.core.pagination import Page, PageQuery, paginate
from campus.core.validation import field_error
from campus.courses.models import Course, CourseStatus, Enrollment
from campus.live.attendance import attended_seconds, figure_intervals, figure_source
from campus.live.models import (
    AttendanceInterval,
    AttendanceSource,
    ChatKind,
    ChatMessage,
    ConferenceEvent,
    ConferenceEventKind,
    LiveSession,
    LiveSessionStatus,
    Participant,
    ParticipantRole,
    RecordingState,
    SessionRecording,
    SessionSeries,
)


def session_base() -> QuerySet[LiveSession]:
    return LiveSession.objects.select_related("course", "course__instructor", "instructor")


# What the room's pollers read (access, status, start, addresses): a poll comes every 5 s
# from every student, and building four full rows was most of its cost.
POLLED_SESSION_FIELDS = (
    "id",
    "status",
    "scheduled_start_at",
    "course_id",
    "course__id",
    "course__slug",
    "course__status",
    "course__instructor_id",
)


def polled_session() -> QuerySet[LiveSession]:
    return LiveSession.objects.select_related("course").only(*POLLED_SESSION_FIELDS)


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


def sessions_of_course_page(
    *, course: Course, status: str | None, query: PageQuery, single_only: bool = False
) -> Page:
    """A course's sessions in time order; `single_only` leaves out a series' occurrences
    (the session manager shows those under their series)."""
    queryset = session_base().filter(course=course).order_by("scheduled_start_at", "id")
    if single_only:
        queryset = queryset.filter(series__isnull=True)
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
    """Per participant, the intervals their attendance counts (`figure_intervals`: the
    conference server's when it reported on them, else the heartbeats'), in time order."""
    grouped: dict[int, list[AttendanceInterval]] = {}
    for interval in AttendanceInterval.objects.filter(participant__session=session).order_by(
        "joined_at", "id"
    ):
        grouped.setdefault(interval.participant_id, []).append(interval)
    return {pk: figure_intervals(intervals) for pk, intervals in grouped.items()}


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


def visible_recording_exists() -> Exists:
    """For a session list's `.annotate(has_recording=...)`: the session has a stored
    recording its members may watch (issue 18)."""
    return Exists(
        SessionRecording.objects.filter(
            session=OuterRef("pk"), state=RecordingState.STORED, is_hidden=False
        )
    )


def sessions_for_student(*, user: User, now: datetime, limit: int) -> dict[str, list[LiveSession]]:
    """Sessions of the courses the user is actively enrolled in: upcoming (soonest
    first), live, past (latest first), each with `participants_count`. Four bounded
    queries."""
    base: QuerySet[LiveSession] = (
        LiveSession.objects.filter(
            course__enrollments__user=user, course__enrollments__is_active=True
        )
        .select_related("course")
        .annotate(has_recording=visible_recording_exists())
        .order_by()
    )
    groups = {
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
    attach_participant_counts([s for rows in groups.values() for s in rows])
    return groups


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
    """Participants with an open heartbeat interval whose last heartbeat is before
    `cutoff` (the (left_at, last_seen_at) index). The conference server's intervals
    close when the server says so, not by silence."""
    return list(
        AttendanceInterval.objects.filter(
            left_at__isnull=True, last_seen_at__lt=cutoff, source=AttendanceSource.HEARTBEAT
        )
        .order_by("participant_id")
        .values_list("participant_id", flat=True)
        .distinct()[:limit]
    )


def room_closed_at(*, session: LiveSession) -> datetime | None:
    """When the conference server last reported the session's room empty, if it has not
    reopened since (by the server's clock); None otherwise or without such events."""
    last = (
        ConferenceEvent.objects.filter(
            session=session,
            kind__in=[ConferenceEventKind.ROOM_CREATED, ConferenceEventKind.ROOM_DESTROYED],
        )
        .order_by("-occurred_at", "-id")
        .values_list("kind", "occurred_at")
        .first()
    )
    return last[1] if last is not None and last[0] == ConferenceEventKind.ROOM_DESTROYED else None


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
    attendance_source: str  # an AttendanceSource value: who witnessed the figure

    def as_dict(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "full_name": self.full_name,
            "email": self.email,
            "role": self.role,
            "admitted_at": self.admitted_at,
            "attendance_seconds": self.attendance_seconds,
            "attendance_minutes": self.attendance_seconds // 60,
            "attendance_source": self.attendance_source,
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
                attendance_source=figure_source(intervals),
            )
        )
    return rows


CALENDAR_MAX_WINDOW = timedelta(days=366)


# What a calendar row (presenters.calendar_rows) reads: nothing else is loaded.
CALENDAR_ROW_FIELDS = (
    "id",
    "course_id",
    "course__title",
    "course__slug",
    "title",
    "status",
    "scheduled_start_at",
    "scheduled_end_at",
)


def sessions_in_window(*, user: User, start: datetime, end: datetime) -> list[LiveSession]:
    """The user's sessions that overlap [start, end): those of the published courses they
    are actively enrolled in, plus those of the courses they teach (for admins too: the
    calendar is personal, not every session on the platform). Every status, so a
    calendar can show a cancellation. One query, loading only CALENDAR_ROW_FIELDS (with
    the course's title and slug): the rows are calendar rows, not full sessions."""
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
    return list(
        LiveSession.objects.select_related("course")
        .only(*CALENDAR_ROW_FIELDS)
        .filter(
            Q(course_id__in=enrolled, course__status=CourseStatus.PUBLISHED)
            | Q(course__instructor=user),
            scheduled_start_at__lt=end,
            scheduled_end_at__gt=start,
        )
        .order_by("scheduled_start_at", "id")
    )


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


def instructor_sessions_page(*, user: User, status: str | None, query: PageQuery) -> Page:
    """Every session of the courses `user` teaches (admins: of every course), whatever
    its status unless `status` is given, latest first. Three queries, whatever the page."""
    queryset = session_base()
    if not user.is_admin:
        queryset = queryset.filter(course__instructor=user)
    if status:
        queryset = queryset.filter(status=status)
    result = paginate(queryset.order_by("-scheduled_start_at", "-id"), query)
    attach_participant_counts(result.items)
    return result


# --- Room: Q&A panel (helper: room) ------------------------------------------------------

QA_PANEL_QUESTIONS = 100
QA_PANEL_ANSWERS = 500


def qa_state_key(session_id: int) -> str:
    """The Q&A list's key in campus.core.polls: its pollers' shortcut and its stamp."""
    return f"live-qa-{session_id}"


def waiting_state_key(session_id: int) -> str:
    """The waiting room's key in campus.core.polls."""
    return f"live-waiting-{session_id}"


def waiting_room_state(*, session_id: int) -> tuple[str, datetime] | None:
    """(status, scheduled start) of the session: what its waiting room's poll answers
    from (with the time left). None for a session that does not exist."""
    row = LiveSession.objects.filter(pk=session_id).values_list("status", "scheduled_start_at")
    found = row.first()
    return (str(found[0]), found[1]) if found else None


def qa_panel_state(*, session_id: int) -> tuple[str, int, int, datetime | None] | None:
    """(status, count, max id, max updated_at) of the session and its chat, in one query:
    changes whenever a message is written, pinned, hidden or deleted, and when the
    session starts or ends. None for a session that does not exist."""
    rows = list(
        LiveSession.objects.filter(pk=session_id)
        .values("status")
        .annotate(n=Count("chat"), last_id=Max("chat__id"), last_change=Max("chat__updated_at"))
    )
    if not rows:
        return None
    row = rows[0]
    return row["status"], int(row["n"] or 0), int(row["last_id"] or 0), row["last_change"]


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
            has_recording=visible_recording_exists(),
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


# --- A weekly series as one thing (issue 13) ---------------------------------------------


def series_base() -> QuerySet[SessionSeries]:
    return SessionSeries.objects.select_related("course", "course__instructor", "instructor")


def series_occurrences(*, series: SessionSeries) -> list[LiveSession]:
    """Every occurrence of the series in time order, with seat counts: two queries."""
    sessions = list(session_base().filter(series=series).order_by("scheduled_start_at", "id"))
    attach_participant_counts(sessions)
    return sessions


def is_upcoming(session: LiveSession, *, now: datetime) -> bool:
    """Live, or scheduled and not over: what "next occurrence" means."""
    return session.status == LiveSessionStatus.LIVE or (
        session.status == LiveSessionStatus.SCHEDULED and session.scheduled_end_at > now
    )


def is_future(session: LiveSession, *, now: datetime) -> bool:
    """What a whole-series edit or cancel changes: scheduled, start after `now`."""
    return session.status == LiveSessionStatus.SCHEDULED and session.scheduled_start_at > now


@dataclass(frozen=True)
class SeriesGroup:
    """A series with its occurrences (all of them, in time order) and figures."""

    series: SessionSeries
    sessions: list[LiveSession]
    counts: dict[str, int]
    next_session: LiveSession | None
    future_count: int

    @property
    def first(self) -> LiveSession | None:
        return self.sessions[0] if self.sessions else None

    @property
    def last(self) -> LiveSession | None:
        return self.sessions[-1] if self.sessions else None


def series_group(
    series: SessionSeries, sessions: list[LiveSession], *, now: datetime
) -> SeriesGroup:
    counts = dict.fromkeys(LiveSessionStatus.values, 0)
    for session in sessions:
        counts[session.status] = counts.get(session.status, 0) + 1
    upcoming = [s for s in sessions if is_upcoming(s, now=now)]
    upcoming.sort(key=lambda s: (s.status != LiveSessionStatus.LIVE, s.scheduled_start_at))
    return SeriesGroup(
        series=series,
        sessions=sessions,
        counts=counts,
        next_session=upcoming[0] if upcoming else None,
        future_count=sum(1 for s in sessions if is_future(s, now=now)),
    )


def series_groups_of_course(*, course: Course, now: datetime) -> list[SeriesGroup]:
    """The course's series with every occurrence, for the session manager: three queries
    (series, their sessions, seat counts) whatever the number of series and sessions.
    Series with no occurrence left (all deleted) are not shown."""
    records = list(SessionSeries.objects.filter(course=course).order_by("starts_on", "id"))
    if not records:
        return []
    by_series: dict[int, list[LiveSession]] = {r.pk: [] for r in records}
    sessions = list(
        session_base().filter(series_id__in=by_series).order_by("scheduled_start_at", "id")
    )
    attach_participant_counts(sessions)
    for session in sessions:
        assert session.series_id is not None
        by_series[session.series_id].append(session)
    groups = []
    for record in records:
        record.course = course
        if by_series[record.pk]:
            groups.append(series_group(record, by_series[record.pk], now=now))
    # Series with something ahead first (soonest next occurrence), then the finished ones.
    far = datetime.max.replace(tzinfo=now.tzinfo)
    groups.sort(
        key=lambda g: (
            g.next_session is None,
            g.next_session.scheduled_start_at if g.next_session else far,
            g.series.pk,
        )
    )
    return groups


# --- Attendance that teaches (issue 13): every enrolled student, one class or a series ----

# An attendee present for less than this share of the class is marked "partial".
ATTENDANCE_PARTIAL_BELOW_PERCENT = 50


class AttendanceState:
    """What one student's line says about one class (stable API/CSV values)."""

    PRESENT = "present"  # in the room for at least ATTENDANCE_PARTIAL_BELOW_PERCENT %
    PARTIAL = "partial"  # in the room, for less than that
    ABSENT = "absent"  # expected, never in the room
    NOT_EXPECTED = "not_expected"  # enrolled only after the class ended: not counted

    ORDER = (ABSENT, PARTIAL, PRESENT, NOT_EXPECTED)  # the page lists absences first


def _roster(course: Course) -> list[Enrollment]:
    """The course's students: active enrollments, the course's instructor and admins left
    out (they join as moderators, they are not counted). One query."""
    return list(
        Enrollment.objects.filter(course=course, is_active=True)
        .exclude(user_id=course.instructor_id)
        .exclude(user__role=Role.ADMIN)
        .exclude(user__is_superuser=True)
        .select_related("user")
    )


def _name_key(user: User) -> tuple[str, str, str]:
    return (user.last_name.casefold(), user.first_name.casefold(), user.email.casefold())


def _share_percent(seconds: int, class_seconds: int) -> int | None:
    if class_seconds <= 0:
        return None
    return min(100, round(100 * seconds / class_seconds))


def _state(*, came: bool, share: int | None, expected: bool) -> str:
    """`came`: joined the room during the class, however briefly."""
    if came:
        if share is not None and share < ATTENDANCE_PARTIAL_BELOW_PERCENT:
            return AttendanceState.PARTIAL
        return AttendanceState.PRESENT
    return AttendanceState.ABSENT if expected else AttendanceState.NOT_EXPECTED


@dataclass(frozen=True)
class StudentAttendance:
    """One enrolled student's attendance of one class."""

    user_id: int
    full_name: str
    email: str
    is_enrolled: bool  # active enrollment now (False: came, then left the course)
    state: str  # an AttendanceState value
    attendance_seconds: int  # the union of their intervals within the class
    share_percent: int | None  # of the class's duration; None when it has no duration
    first_joined_at: datetime | None
    last_left_at: datetime | None  # None while still in the room
    online_now: bool | None  # None unless the class is live
    intervals_count: int
    sort_key: tuple[Any, ...]
    attendance_source: str = AttendanceSource.HEARTBEAT  # who witnessed the figure

    @property
    def attended(self) -> bool:
        return self.state in (AttendanceState.PRESENT, AttendanceState.PARTIAL)

    @property
    def expected(self) -> bool:
        return self.state != AttendanceState.NOT_EXPECTED

    @property
    def attendance_minutes(self) -> int:
        return self.attendance_seconds // 60

    def as_dict(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "full_name": self.full_name,
            "email": self.email,
            "is_enrolled": self.is_enrolled,
            "attended": self.attended,
            "attendance_status": self.state,
            "attendance_seconds": self.attendance_seconds,
            "attendance_minutes": self.attendance_minutes,
            "share_percent": self.share_percent,
            "first_joined_at": self.first_joined_at,
            "last_left_at": self.last_left_at,
            "online_now": self.online_now,
            "intervals_count": self.intervals_count,
            "attendance_source": self.attendance_source,
        }


@dataclass(frozen=True)
class TeamAttendance:
    """The course's instructor or an admin who joined (moderators: never counted)."""

    user_id: int
    full_name: str
    email: str
    role: str
    attendance_seconds: int
    online_now: bool | None

    @property
    def role_label(self) -> str:
        return str(dict(ParticipantRole.choices).get(self.role, self.role))

    @property
    def attendance_minutes(self) -> int:
        return self.attendance_seconds // 60

    def as_dict(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "full_name": self.full_name,
            "email": self.email,
            "role": self.role,
            "attendance_seconds": self.attendance_seconds,
            "attendance_minutes": self.attendance_seconds // 60,
            "online_now": self.online_now,
        }


@dataclass(frozen=True)
class SessionAttendance:
    session: LiveSession
    students: list[StudentAttendance]  # absences first, then partial, present; by name
    team: list[TeamAttendance]
    held: bool  # the class started (live or ended)
    is_live: bool
    class_seconds: int  # actual duration (so far, while live); the scheduled one if not held
    expected: int  # students counted (enrolled before the class ended, or came)
    attended: int
    partial: int
    average_seconds: int  # among those who attended
    average_share_percent: int | None  # among those who attended

    @property
    def absent(self) -> int:
        return self.expected - self.attended

    @property
    def online_now(self) -> int:
        return sum(1 for s in self.students if s.online_now)

    @property
    def class_minutes(self) -> int:
        return self.class_seconds // 60

    @property
    def average_minutes(self) -> int:
        return self.average_seconds // 60

    def summary(self) -> dict[str, Any]:
        return {
            "held": self.held,
            "is_live": self.is_live,
            "class_seconds": self.class_seconds,
            "class_minutes": self.class_minutes,
            "enrolled_students": len(self.students),
            "expected_students": self.expected,
            "attended_students": self.attended,
            "partial_students": self.partial,
            "absent_students": self.absent,
            "online_now": self.online_now if self.is_live else None,
            "average_attendance_seconds": self.average_seconds,
            "average_attendance_minutes": self.average_minutes,
            "average_share_percent": self.average_share_percent,
            "partial_below_percent": ATTENDANCE_PARTIAL_BELOW_PERCENT,
        }


def session_attendance(*, session: LiveSession, now: datetime) -> SessionAttendance:
    """Every student of the course (active enrollment) against one class, plus those who
    came and have left the course since; the instructor and admins who joined apart.

    Attended = joined the room during the class, however briefly; time present = the
    union of the intervals within the actual start and end (open ones counting until
    now); partial = attended for less than ATTENDANCE_PARTIAL_BELOW_PERCENT % of the
    class; a student who enrolled only after the class ended is listed but not counted.
    Three queries whatever the numbers.
    """
    enrollments = _roster(session.course)
    participants = {
        p.user_id: p for p in Participant.objects.filter(session=session).select_related("user")
    }
    grouped = intervals_by_participant(session=session)
    is_live = session.status == LiveSessionStatus.LIVE
    start = session.actual_start_at
    held = start is not None
    end = session.actual_end_at or now
    if start is not None:
        class_seconds = max(0, int((end - start).total_seconds()))
    else:
        class_seconds = int((session.scheduled_end_at - session.scheduled_start_at).total_seconds())

    def line(user: User, *, is_enrolled: bool, enrolled_at: datetime | None) -> StudentAttendance:
        participant = participants.get(user.pk)
        intervals = grouped.get(participant.pk, []) if participant is not None else []
        seconds = 0
        if start is not None and intervals:
            seconds = attended_seconds(
                [(i.joined_at, i.left_at) for i in intervals],
                window_start=start,
                window_end=end,
                open_until=now,
            )
        is_open = any(i.left_at is None for i in intervals)
        share = _share_percent(seconds, class_seconds) if held else None
        ended_at = session.actual_end_at
        expected = enrolled_at is None or ended_at is None or enrolled_at < ended_at
        came = held and bool(intervals)
        state = _state(came=came, share=share, expected=expected)
        return StudentAttendance(
            user_id=user.pk,
            full_name=user.full_name,
            email=user.email,
            is_enrolled=is_enrolled,
            state=state,
            attendance_seconds=seconds,
            share_percent=share,
            first_joined_at=min((i.joined_at for i in intervals), default=None),
            last_left_at=None
            if is_open
            else max((i.left_at for i in intervals if i.left_at), default=None),
            online_now=is_open if is_live else None,
            intervals_count=len(intervals),
            sort_key=(AttendanceState.ORDER.index(state), *_name_key(user)),
            attendance_source=figure_source(intervals),
        )

    students = [line(e.user, is_enrolled=True, enrolled_at=e.enrolled_at) for e in enrollments]
    listed = {e.user_id for e in enrollments}
    team = []
    for participant in participants.values():
        if participant.role != ParticipantRole.PARTICIPANT:
            intervals = grouped.get(participant.pk, [])
            team.append(
                TeamAttendance(
                    user_id=participant.user_id,
                    full_name=participant.user.full_name,
                    email=participant.user.email,
                    role=participant.role,
                    attendance_seconds=attended_seconds(
                        [(i.joined_at, i.left_at) for i in intervals],
                        window_start=start,
                        window_end=end,
                        open_until=now,
                    )
                    if start is not None
                    else 0,
                    online_now=any(i.left_at is None for i in intervals) if is_live else None,
                )
            )
        elif participant.user_id not in listed and grouped.get(participant.pk):
            # Came as a student, no longer enrolled: the record of the class keeps them.
            students.append(line(participant.user, is_enrolled=False, enrolled_at=None))
    students.sort(key=lambda s: s.sort_key)
    team.sort(key=lambda t: t.full_name.casefold())
    came = [s for s in students if s.attended]
    shares = [s.share_percent for s in came if s.share_percent is not None]
    return SessionAttendance(
        session=session,
        students=students,
        team=team,
        held=held,
        is_live=is_live,
        class_seconds=class_seconds,
        expected=sum(1 for s in students if s.expected),
        attended=len(came),
        partial=sum(1 for s in came if s.state == AttendanceState.PARTIAL),
        average_seconds=sum(s.attendance_seconds for s in came) // len(came) if came else 0,
        average_share_percent=round(sum(shares) / len(shares)) if shares else None,
    )


# --- A series: each student's attendance over the classes already held ----------------


@dataclass(frozen=True)
class SeriesCell:
    session_id: int
    state: str  # an AttendanceState value
    attendance_seconds: int
    share_percent: int | None

    @property
    def attended(self) -> bool:
        return self.state in (AttendanceState.PRESENT, AttendanceState.PARTIAL)


@dataclass(frozen=True)
class SeriesStudent:
    user_id: int
    full_name: str
    email: str
    cells: list[SeriesCell]  # one per held session, oldest first
    attended: int
    expected: int  # held sessions that count for them (enrolled before they ended)
    missed_last_two: bool
    total_seconds: int

    @property
    def rate_percent(self) -> int | None:
        return round(100 * self.attended / self.expected) if self.expected else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "full_name": self.full_name,
            "email": self.email,
            "attended_sessions": self.attended,
            "expected_sessions": self.expected,
            "attendance_rate_percent": self.rate_percent,
            "missed_last_two": self.missed_last_two,
            "total_attendance_seconds": self.total_seconds,
            "sessions": [
                {
                    "session_id": c.session_id,
                    "attendance_status": c.state,
                    "attended": c.attended,
                    "attendance_seconds": c.attendance_seconds,
                    "share_percent": c.share_percent,
                }
                for c in self.cells
            ],
        }


@dataclass(frozen=True)
class SeriesAttendance:
    series: SessionSeries
    held: list[LiveSession]  # ended occurrences, oldest first
    students: list[SeriesStudent]  # those who missed the last two first, then by name
    upcoming: int  # occurrences still scheduled or live

    @property
    def flagged(self) -> list[SeriesStudent]:
        return [s for s in self.students if s.missed_last_two]

    @property
    def average_rate_percent(self) -> int | None:
        rates = [r for s in self.students if (r := s.rate_percent) is not None]
        return round(sum(rates) / len(rates)) if rates else None

    def summary(self) -> dict[str, Any]:
        return {
            "held_sessions": len(self.held),
            "upcoming_sessions": self.upcoming,
            "students": len(self.students),
            "average_rate_percent": self.average_rate_percent,
            "missed_last_two": len(self.flagged),
            "partial_below_percent": ATTENDANCE_PARTIAL_BELOW_PERCENT,
        }


def series_attendance(*, series: SessionSeries, now: datetime) -> SeriesAttendance:
    """Each enrolled student's attendance over the series' classes that took place (ended
    occurrences): attended / held (those held after they enrolled), which ones, and a
    flag when they missed the last two held classes. Per class, the same rule as
    session_attendance, read from each participant's attendance total (recomputed when
    the class ended). Three queries whatever the number of students and classes."""
    sessions = list(
        LiveSession.objects.filter(series=series)
        .exclude(status=LiveSessionStatus.CANCELLED)
        .only(
            "id",
            "series_id",
            "course_id",
            "title",
            "status",
            "scheduled_start_at",
            "scheduled_end_at",
            "actual_start_at",
            "actual_end_at",
        )
        .order_by("scheduled_start_at", "id")
    )
    held = [
        s
        for s in sessions
        if s.status == LiveSessionStatus.ENDED
        and s.actual_start_at is not None
        and s.actual_end_at is not None
    ]
    upcoming = sum(
        1
        for s in sessions
        if s.status == LiveSessionStatus.LIVE
        or (s.status == LiveSessionStatus.SCHEDULED and s.scheduled_end_at > now)
    )
    enrollments = _roster(series.course)
    seconds: dict[tuple[int, int], int] = {}
    if held and enrollments:
        seconds = {
            (session_id, user_id): total
            for session_id, user_id, total in Participant.objects.filter(
                session__in=[s.pk for s in held],
                role=ParticipantRole.PARTICIPANT,
                admitted_at__isnull=False,
            ).values_list("session_id", "user_id", "attendance_seconds")
        }
    durations = {
        s.pk: int((s.actual_end_at - s.actual_start_at).total_seconds())  # type: ignore[operator]
        for s in held
    }
    students = []
    for enrollment in enrollments:
        user = enrollment.user
        cells = []
        for s in held:
            came = (s.pk, user.pk) in seconds
            total = seconds.get((s.pk, user.pk), 0)
            share = _share_percent(total, durations[s.pk])
            expected = enrollment.enrolled_at < s.actual_end_at  # type: ignore[operator]
            cells.append(
                SeriesCell(
                    session_id=s.pk,
                    state=_state(came=came, share=share, expected=expected),
                    attendance_seconds=total,
                    share_percent=share,
                )
            )
        counted = [c for c in cells if c.state != AttendanceState.NOT_EXPECTED]
        last_two = cells[-2:]
        students.append(
            SeriesStudent(
                user_id=user.pk,
                full_name=user.full_name,
                email=user.email,
                cells=cells,
                attended=sum(1 for c in counted if c.attended),
                expected=len(counted),
                missed_last_two=len(last_two) == 2
                and all(c.state == AttendanceState.ABSENT for c in last_two),
                total_seconds=sum(c.attendance_seconds for c in cells),
            )
        )
    names = {e.user_id: _name_key(e.user) for e in enrollments}
    students.sort(key=lambda s: (not s.missed_last_two, names[s.user_id]))
    return SeriesAttendance(series=series, held=held, students=students, upcoming=upcoming)
