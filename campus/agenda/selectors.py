"""Every read of the agenda: the merged calendar, plans with their items, planner inputs.

The calendar is merged at read time from four sources, one query each whatever the
number of events or courses: live sessions, plan items, quiz deadlines, course dates.
"""

import calendar as pycalendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from campus.accounts.models import User
from campus.agenda import events as ev
from campus.agenda.events import CalendarEvent
from campus.agenda.models import (
    CalendarToken,
    PlanItem,
    PlanItemKind,
    PlanItemStatus,
    StudyPlan,
)
from campus.agenda.paths import template
from campus.core.content import plain_paragraphs
from campus.core.validation import field_error
from campus.courses import selectors as course_selectors
from campus.courses.models import (
    Course,
    CourseStatus,
    Enrollment,
    Lesson,
    LessonCompletion,
    Module,
    Quiz,
    QuizAttempt,
)
from campus.live.models import LiveSession, LiveSessionStatus
from campus.notifications.invitations import session_uid_of

MAX_WINDOW = timedelta(days=366)
# Cancelled sessions stay in calendars this long so subscribed clients remove them.
CANCELLED_KEPT = timedelta(days=30)
# The subscription feeds' window (no request parameters: calendar clients send none).
FEED_PAST = timedelta(days=60)
FEED_AHEAD = timedelta(days=400)
# A fixed DTSTAMP for rows without a modification time (never "now": renders are stable).
EPOCH = datetime(2020, 1, 1, tzinfo=ZoneInfo("UTC"))
OPEN_ITEM_STATUSES = (PlanItemStatus.PENDING, PlanItemStatus.IN_PROGRESS)
LATE = "late"


def site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "campus.local"


# --- Windows ---------------------------------------------------------------------------


def check_window(start: datetime, end: datetime, *, max_window: timedelta = MAX_WINDOW) -> None:
    if end <= start:
        raise field_error(
            "end", _("La fin doit suivre le début."), "end_before_start", headline=True
        )
    if end - start > max_window:
        raise field_error(
            "end",
            _("La période demandée dépasse %(n)s jours.") % {"n": max_window.days},
            "window_too_long",
            headline=True,
        )


def local_bound(value: date | datetime, *, tz: str, end: bool = False) -> datetime:
    """An API bound: an aware datetime as is; a date is midnight in the user's zone (for
    `end`, the midnight after it: a date range includes its last day)."""
    if isinstance(value, datetime):
        return value
    day = value + timedelta(days=1) if end else value
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(tz))


def default_window(*, user: User, now: datetime) -> tuple[datetime, datetime]:
    """The original's GET /api/calendar: the current month (user's zone) ± 7 days."""
    tz = ZoneInfo(user.timezone)
    today = now.astimezone(tz).date()
    first = today.replace(day=1)
    last = today.replace(day=pycalendar.monthrange(today.year, today.month)[1])
    start = datetime.combine(first - timedelta(days=7), time(0), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=8), time(0), tzinfo=tz)
    return start, end


def check_types(types: set[str] | None) -> set[str]:
    if types is None or not types:
        return set(ev.TYPES)
    unknown = types - set(ev.TYPES)
    if unknown:
        raise field_error(
            "type",
            _("Type inconnu : %(t)s. Types possibles : %(all)s.")
            % {"t": ", ".join(sorted(unknown)), "all": ", ".join(ev.TYPES)},
            "unknown_type",
            headline=True,
        )
    return types


# --- The merged calendar ---------------------------------------------------------------


@dataclass(frozen=True)
class _Scope:
    user: User
    start: datetime | None  # None: no window (a single event by key)
    end: datetime | None
    course_id: int | None = None
    pk: int | None = None
    now: datetime | None = None


def _active_course_ids(user_id: int) -> QuerySet[Enrollment, Any]:
    return Enrollment.objects.filter(
        user_id=user_id, is_active=True, course__status=CourseStatus.PUBLISHED
    ).values("course_id")


# The columns each source reads (rows are tuples: no model instance per row).
_SESSION_COLUMNS = (
    "id",
    "title",
    "description",
    "status",
    "cancel_reason",
    "scheduled_start_at",
    "scheduled_end_at",
    "sequence",
    "updated_at",
    "course_id",
    "course__title",
    "course__slug",
)


def _session_events(scope: _Scope) -> list[CalendarEvent]:
    now = scope.now or timezone.now()
    qs = LiveSession.objects.filter(
        Q(course_id__in=_active_course_ids(scope.user.pk)) | Q(course__instructor=scope.user)
    )
    qs = qs.exclude(status=LiveSessionStatus.CANCELLED, updated_at__lt=now - CANCELLED_KEPT)
    if scope.start is not None and scope.end is not None:
        qs = qs.filter(scheduled_start_at__lt=scope.end, scheduled_end_at__gt=scope.start)
    if scope.course_id is not None:
        qs = qs.filter(course_id=scope.course_id)
    if scope.pk is not None:
        qs = qs.filter(pk=scope.pk)
    host = site_host()
    detail_path = template("live:session_detail", "slug", "session_id")
    join_path = template("live:join", "slug", "session_id")
    live_description = _("Séance en direct : %(c)s")
    cancelled = _("Séance annulée.")
    out = []
    for (
        pk,
        title,
        text,
        status,
        cancel_reason,
        starts_at,
        ends_at,
        sequence,
        updated_at,
        course_id,
        course_title,
        slug,
    ) in qs.order_by("scheduled_start_at", "id").values_list(*_SESSION_COLUMNS):
        if status == LiveSessionStatus.CANCELLED:
            description = cancelled + (f" {cancel_reason}" if cancel_reason else "")
        else:
            description = plain_paragraphs(text) or live_description % {"c": course_title}
        out.append(
            CalendarEvent(
                key=f"live_session-{pk}",
                uid=session_uid_of(pk, host),
                type=ev.LIVE_SESSION,
                title=title,
                start=starts_at,
                end=ends_at,
                all_day=False,
                status=status,
                url=detail_path(slug, pk),
                course_id=course_id,
                course_title=course_title,
                course_slug=slug,
                description=description,
                sequence=sequence,
                updated_at=updated_at,
                join_url=join_path(slug, pk) if status == LiveSessionStatus.LIVE else "",
            )
        )
    return out


class _ItemFields(Protocol):
    """What the item helpers read: a PlanItem, or a row of `_item_events`."""

    @property
    def kind(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def ends_at(self) -> datetime: ...
    @property
    def segment(self) -> int: ...
    @property
    def segments(self) -> int: ...
    @property
    def milestone_percent(self) -> int | None: ...
    @property
    def lesson_id(self) -> int | None: ...
    @property
    def quiz_id(self) -> int | None: ...


def effective_status(item: _ItemFields, now: datetime) -> str:
    """ "late" is derived: an item still to do whose end has passed."""
    if item.status in OPEN_ITEM_STATUSES and item.ends_at < now:
        return LATE
    return str(item.status)


def item_title(item: _ItemFields) -> str:
    if item.kind == PlanItemKind.MILESTONE:
        return _("Étape : %(p)s %% du cours") % {"p": item.milestone_percent}
    if item.segments > 1:
        return f"{item.title} ({item.segment}/{item.segments})"
    return item.title


@dataclass(frozen=True)
class ItemPaths:
    """The item pages' path builders, taken once per list."""

    lesson: Callable[..., str]
    quiz: Callable[..., str]
    plan: Callable[..., str]

    @classmethod
    def now(cls) -> "ItemPaths":
        return cls(
            template("courses:lesson", "slug", "lesson_id"),
            template("courses:quiz", "slug", "quiz_id"),
            template("agenda:plan", "slug"),
        )


def item_url(item: _ItemFields, slug: str, paths: ItemPaths | None = None) -> str:
    paths = paths or ItemPaths.now()
    if item.kind == PlanItemKind.LESSON and item.lesson_id:
        return paths.lesson(slug, item.lesson_id)
    if item.kind == PlanItemKind.QUIZ and item.quiz_id:
        return paths.quiz(slug, item.quiz_id)
    return paths.plan(slug)


def item_uid(item: _ItemFields, enrollment_id: int, *, host: str | None = None) -> str:
    """Stable across re-plans (the same lesson segment keeps its UID, so a subscribed
    calendar moves the event instead of duplicating it)."""
    if item.kind == PlanItemKind.LESSON:
        ref = f"lesson-{item.lesson_id}-{item.segment}"
    elif item.kind == PlanItemKind.QUIZ:
        ref = f"quiz-{item.quiz_id}-{item.segment}"
    else:
        ref = f"milestone-{item.milestone_percent}"
    return f"plan-{enrollment_id}-{ref}@{host or site_host()}"


_ITEM_TYPES = {
    PlanItemKind.LESSON: ev.LESSON,
    PlanItemKind.QUIZ: ev.QUIZ,
    PlanItemKind.MILESTONE: ev.MILESTONE,
}


_ITEM_COLUMNS = (
    "id",
    "kind",
    "title",
    "status",
    "starts_at",
    "ends_at",
    "segment",
    "segments",
    "milestone_percent",
    "lesson_id",
    "quiz_id",
    "updated_at",
    "plan__enrollment_id",
    "plan__enrollment__course_id",
    "plan__enrollment__course__title",
    "plan__enrollment__course__slug",
)


def _item_events(scope: _Scope, kinds: set[str]) -> list[CalendarEvent]:
    now = scope.now or timezone.now()
    qs = PlanItem.objects.filter(
        plan__enrollment__user=scope.user,
        plan__enrollment__is_active=True,
        plan__enrollment__course__status=CourseStatus.PUBLISHED,
        kind__in=kinds,
    )
    if scope.start is not None and scope.end is not None:
        # Overlap; a zero-length item (a milestone) is in [start, end) when it starts there.
        qs = qs.filter(starts_at__lt=scope.end).filter(
            Q(ends_at__gt=scope.start) | Q(ends_at=F("starts_at"), starts_at__gte=scope.start)
        )
    if scope.course_id is not None:
        qs = qs.filter(plan__enrollment__course_id=scope.course_id)
    if scope.pk is not None:
        qs = qs.filter(pk=scope.pk)
    host = site_host()
    paths = ItemPaths.now()
    plan_description = _("Planning d'étude : %(c)s")
    descriptions: dict[str, str] = {}  # by course title
    out = []
    # Named rows carry the fields the item helpers read, like a PlanItem.
    rows = qs.order_by("starts_at", "position", "id").values_list(*_ITEM_COLUMNS, named=True)
    for item in rows:
        course_title = item.plan__enrollment__course__title
        description = descriptions.get(course_title)
        if description is None:
            description = descriptions[course_title] = plan_description % {"c": course_title}
        out.append(
            CalendarEvent(
                key=f"plan_item-{item.id}",
                uid=item_uid(item, item.plan__enrollment_id, host=host),
                type=_ITEM_TYPES[item.kind],
                title=item_title(item),
                start=item.starts_at,
                end=item.ends_at,
                all_day=False,
                status=effective_status(item, now),
                url=item_url(item, item.plan__enrollment__course__slug, paths),
                course_id=item.plan__enrollment__course_id,
                course_title=course_title,
                course_slug=item.plan__enrollment__course__slug,
                description=description,
                updated_at=item.updated_at,
            )
        )
    return out


def _deadline_events(scope: _Scope) -> list[CalendarEvent]:
    qs = Quiz.objects.filter(course_id__in=_active_course_ids(scope.user.pk), due_at__isnull=False)
    if scope.start is not None and scope.end is not None:
        qs = qs.filter(due_at__gte=scope.start, due_at__lt=scope.end)
    if scope.course_id is not None:
        qs = qs.filter(course_id=scope.course_id)
    if scope.pk is not None:
        qs = qs.filter(pk=scope.pk)
    host = site_host()
    quiz_path = template("courses:quiz", "slug", "quiz_id")
    title = _("Date limite : %(q)s")
    description = _("Dernier délai pour rendre « %(q)s ».")
    out = []
    for pk, quiz_title, due_at, course_id, course_title, slug, updated_at in qs.order_by(
        "due_at", "id"
    ).values_list(
        "id", "title", "due_at", "course_id", "course__title", "course__slug", "course__updated_at"
    ):
        assert due_at is not None
        out.append(
            CalendarEvent(
                key=f"quiz_due-{pk}",
                uid=f"quiz-due-{pk}@{host}",
                type=ev.DEADLINE,
                title=title % {"q": quiz_title},
                start=due_at,
                end=due_at,
                all_day=False,
                status="",
                url=quiz_path(slug, pk),
                course_id=course_id,
                course_title=course_title,
                course_slug=slug,
                description=description % {"q": quiz_title},
                updated_at=updated_at,
            )
        )
    return out


def _course_events(scope: _Scope, *, which: str | None = None) -> list[CalendarEvent]:
    tz = ZoneInfo(scope.user.timezone)
    qs = Course.objects.filter(pk__in=_active_course_ids(scope.user.pk)).filter(
        Q(course_start_date__isnull=False) | Q(course_end_date__isnull=False)
    )
    if scope.start is not None and scope.end is not None:
        # Rough date bounds in SQL (any zone is within a day), exact overlap below.
        lo, hi = scope.start.date() - timedelta(days=2), scope.end.date() + timedelta(days=2)
        qs = qs.filter(Q(course_start_date__range=(lo, hi)) | Q(course_end_date__range=(lo, hi)))
    if scope.course_id is not None:
        qs = qs.filter(pk=scope.course_id)
    if scope.pk is not None:
        qs = qs.filter(pk=scope.pk)
    host = site_host()
    detail_path = template("courses:detail", "slug")
    titles = {"start": _("Début du cours : %(c)s"), "end": _("Fin du cours : %(c)s")}
    windowed = scope.start is not None and scope.end is not None
    out = []
    rows = qs.order_by("id").values_list(
        "id", "title", "slug", "course_start_date", "course_end_date", "updated_at", named=True
    )
    for course in rows:
        for kind, day in (("start", course.course_start_date), ("end", course.course_end_date)):
            if day is None or (which is not None and kind != which):
                continue
            start = datetime.combine(day, time(0), tzinfo=tz)
            end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
            if windowed and not (start < scope.end and end > scope.start):  # type: ignore[operator]
                continue
            out.append(
                CalendarEvent(
                    key=f"course_{kind}-{course.id}",
                    uid=f"course-{kind}-{course.id}@{host}",
                    type=ev.COURSE,
                    title=titles[kind] % {"c": course.title},
                    start=start,
                    end=end,
                    all_day=True,
                    status="",
                    url=detail_path(course.slug),
                    course_id=course.id,
                    course_title=course.title,
                    course_slug=course.slug,
                    description=course.title,
                    updated_at=course.updated_at,
                )
            )
    return out


def _merge(scope: _Scope, types: set[str]) -> list[CalendarEvent]:
    found: list[CalendarEvent] = []
    if ev.LIVE_SESSION in types:
        found += _session_events(scope)
    kinds = {k for k, t in _ITEM_TYPES.items() if t in types}
    if kinds:
        found += _item_events(scope, {str(k) for k in kinds})
    if ev.DEADLINE in types:
        found += _deadline_events(scope)
    if ev.COURSE in types:
        found += _course_events(scope)
    unique = {e.key: e for e in found}
    return sorted(unique.values(), key=lambda e: (e.start, e.end, e.key))


def calendar_events(
    *,
    user: User,
    start: datetime,
    end: datetime,
    types: set[str] | None = None,
    now: datetime | None = None,
) -> list[CalendarEvent]:
    """The user's calendar overlapping [start, end) (at most 366 days), sorted by start.
    One query per source asked for, whatever the number of events or courses."""
    check_window(start, end)
    return _merge(_Scope(user=user, start=start, end=end, now=now), check_types(types))


def feed_events(*, user: User, now: datetime, course_id: int | None = None) -> list[CalendarEvent]:
    """The subscription feed's events: 60 days back to 400 days ahead."""
    scope = _Scope(
        user=user, start=now - FEED_PAST, end=now + FEED_AHEAD, course_id=course_id, now=now
    )
    return _merge(scope, set(ev.TYPES))


def calendar_event(*, user: User, key: str, now: datetime | None = None) -> CalendarEvent | None:
    """One event of the user's own calendar by its key ("plan_item-5"), else None."""
    prefix, _sep, raw_id = key.partition("-")
    if not raw_id.isdigit() or len(raw_id) > 18:
        return None
    scope = _Scope(user=user, start=None, end=None, pk=int(raw_id), now=now)
    found: list[CalendarEvent]
    if prefix == "live_session":
        found = _session_events(scope)
    elif prefix == "plan_item":
        found = _item_events(scope, set(PlanItemKind.values))
    elif prefix == "quiz_due":
        found = _deadline_events(scope)
    elif prefix in ("course_start", "course_end"):
        found = _course_events(scope, which=prefix.removeprefix("course_"))
    else:
        return None
    return found[0] if found else None


# --- Feeds -----------------------------------------------------------------------------


def user_for_token(*, token: str) -> User | None:
    if not token or len(token) > 64:
        return None
    row = (
        CalendarToken.objects.select_related("user")
        .filter(token=token, user__is_active=True)
        .first()
    )
    # Letter for letter: MariaDB's default collation would match another case.
    return row.user if row is not None and row.token == token else None


def course_for_feed(*, user: User, course_id: int) -> Course | None:
    """The course of a per-course feed: only for an active member of the published
    course, or its instructor."""
    return (
        Course.objects.filter(pk=course_id)
        .filter(
            Q(
                status=CourseStatus.PUBLISHED,
                enrollments__user=user,
                enrollments__is_active=True,
            )
            | Q(instructor=user)
        )
        .distinct()
        .first()
    )


# --- Plans -----------------------------------------------------------------------------


def plan_with_items(*, enrollment: Enrollment, now: datetime) -> StudyPlan | None:
    """The plan and its items in order (two queries); each item has `effective_status`
    (with "late") and `display_title`."""
    plan = (
        StudyPlan.objects.filter(enrollment=enrollment)
        .select_related("enrollment__course")
        .prefetch_related(
            Prefetch("items", queryset=PlanItem.objects.order_by("starts_at", "position", "id"))
        )
        .first()
    )
    if plan is None:
        return None
    for item in plan.items.all():
        item.effective_status = effective_status(item, now)  # type: ignore[attr-defined]
        item.display_title = item_title(item)  # type: ignore[attr-defined]
    return plan


def plan_progress(*, enrollment: Enrollment) -> dict[str, int]:
    """The plan shows the course's progress, not a count of its own items: a plan made
    after some lessons were done (they are not placed again) or holding module quizzes
    (not progress units) would otherwise disagree with the course page."""
    return course_selectors.enrollment_progress(enrollment=enrollment)


@dataclass
class PlanInputs:
    lessons: list[Lesson]
    quizzes: list[Quiz]
    completed_lesson_ids: set[int]
    passed_quiz_ids: set[int]
    busy: list[tuple[datetime, datetime]]
    module_order: list[int]


def plan_inputs(*, enrollment: Enrollment, now: datetime) -> PlanInputs:
    """What the planner needs, in six queries whatever the course's size."""
    lessons = list(
        Lesson.objects.filter(course_id=enrollment.course_id, is_required=True)
        .select_related("module")
        .order_by("module__position", "module_id", "position", "id")
    )
    quizzes = list(
        Quiz.objects.filter(course_id=enrollment.course_id).order_by(
            F("module__position").asc(nulls_last=True), "id"
        )
    )
    completed = set(
        LessonCompletion.objects.filter(enrollment=enrollment).values_list("lesson_id", flat=True)
    )
    passed = set(
        QuizAttempt.objects.filter(enrollment=enrollment, passed=True).values_list(
            "quiz_id", flat=True
        )
    )
    busy = list(
        LiveSession.objects.filter(
            course_id__in=_active_course_ids(enrollment.user_id),
            status__in=(LiveSessionStatus.SCHEDULED, LiveSessionStatus.LIVE),
            scheduled_end_at__gt=now,
        )
        .order_by("scheduled_start_at")
        .values_list("scheduled_start_at", "scheduled_end_at")
    )
    module_order = list(
        Module.objects.filter(course_id=enrollment.course_id)
        .order_by("position", "id")
        .values_list("id", flat=True)
    )
    return PlanInputs(lessons, quizzes, completed, passed, busy, module_order)
