"""Every read of the agenda: the merged calendar, plans with their items, planner inputs.

The calendar is merged at read time from four sources, one query each whatever the
number of events or courses: live sessions, plan items, quiz deadlines, course dates.
"""

import calendar as pycalendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F, Prefetch, Q, QuerySet
from django.urls import reverse
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
from campus.notifications.invitations import session_uid

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


def _session_events(scope: _Scope) -> list[CalendarEvent]:
    now = scope.now or timezone.now()
    qs = LiveSession.objects.select_related("course").filter(
        Q(course_id__in=_active_course_ids(scope.user.pk)) | Q(course__instructor=scope.user)
    )
    qs = qs.exclude(status=LiveSessionStatus.CANCELLED, updated_at__lt=now - CANCELLED_KEPT)
    if scope.start is not None and scope.end is not None:
        qs = qs.filter(scheduled_start_at__lt=scope.end, scheduled_end_at__gt=scope.start)
    if scope.course_id is not None:
        qs = qs.filter(course_id=scope.course_id)
    if scope.pk is not None:
        qs = qs.filter(pk=scope.pk)
    out = []
    for s in qs.order_by("scheduled_start_at", "id"):
        description = plain_paragraphs(s.description) or _("Séance en direct : %(c)s") % {
            "c": s.course.title
        }
        if s.status == LiveSessionStatus.CANCELLED:
            description = _("Séance annulée.") + (f" {s.cancel_reason}" if s.cancel_reason else "")
        out.append(
            CalendarEvent(
                key=f"live_session-{s.pk}",
                uid=session_uid(s),
                type=ev.LIVE_SESSION,
                title=s.title,
                start=s.scheduled_start_at,
                end=s.scheduled_end_at,
                all_day=False,
                status=s.status,
                url=reverse(
                    "live:session_detail", kwargs={"slug": s.course.slug, "session_id": s.pk}
                ),
                course_id=s.course_id,
                course_title=s.course.title,
                course_slug=s.course.slug,
                description=description,
                sequence=s.sequence,
                updated_at=s.updated_at,
                join_url=reverse("live:join", kwargs={"slug": s.course.slug, "session_id": s.pk})
                if s.status == LiveSessionStatus.LIVE
                else "",
            )
        )
    return out


def effective_status(item: PlanItem, now: datetime) -> str:
    """ "late" is derived: an item still to do whose end has passed."""
    if item.status in OPEN_ITEM_STATUSES and item.ends_at < now:
        return LATE
    return str(item.status)


def item_title(item: PlanItem) -> str:
    if item.kind == PlanItemKind.MILESTONE:
        return _("Étape : %(p)s %% du cours") % {"p": item.milestone_percent}
    if item.segments > 1:
        return f"{item.title} ({item.segment}/{item.segments})"
    return item.title


def item_url(item: PlanItem, slug: str) -> str:
    if item.kind == PlanItemKind.LESSON and item.lesson_id:
        return reverse("courses:lesson", kwargs={"slug": slug, "lesson_id": item.lesson_id})
    if item.kind == PlanItemKind.QUIZ and item.quiz_id:
        return reverse("courses:quiz", kwargs={"slug": slug, "quiz_id": item.quiz_id})
    return reverse("agenda:plan", kwargs={"slug": slug})


def item_uid(item: PlanItem, enrollment_id: int) -> str:
    """Stable across re-plans (the same lesson segment keeps its UID, so a subscribed
    calendar moves the event instead of duplicating it)."""
    if item.kind == PlanItemKind.LESSON:
        ref = f"lesson-{item.lesson_id}-{item.segment}"
    elif item.kind == PlanItemKind.QUIZ:
        ref = f"quiz-{item.quiz_id}-{item.segment}"
    else:
        ref = f"milestone-{item.milestone_percent}"
    return f"plan-{enrollment_id}-{ref}@{site_host()}"


_ITEM_TYPES = {
    PlanItemKind.LESSON: ev.LESSON,
    PlanItemKind.QUIZ: ev.QUIZ,
    PlanItemKind.MILESTONE: ev.MILESTONE,
}


def _item_events(scope: _Scope, kinds: set[str]) -> list[CalendarEvent]:
    now = scope.now or timezone.now()
    qs = PlanItem.objects.select_related("plan__enrollment__course").filter(
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
    out = []
    for item in qs.order_by("starts_at", "position", "id"):
        enrollment = item.plan.enrollment
        course = enrollment.course
        out.append(
            CalendarEvent(
                key=f"plan_item-{item.pk}",
                uid=item_uid(item, enrollment.pk),
                type=_ITEM_TYPES[PlanItemKind(item.kind)],
                title=item_title(item),
                start=item.starts_at,
                end=item.ends_at,
                all_day=False,
                status=effective_status(item, now),
                url=item_url(item, course.slug),
                course_id=course.pk,
                course_title=course.title,
                course_slug=course.slug,
                description=_("Planning d'étude : %(c)s") % {"c": course.title},
                updated_at=item.updated_at,
            )
        )
    return out


def _deadline_events(scope: _Scope) -> list[CalendarEvent]:
    qs = Quiz.objects.select_related("course").filter(
        course_id__in=_active_course_ids(scope.user.pk), due_at__isnull=False
    )
    if scope.start is not None and scope.end is not None:
        qs = qs.filter(due_at__gte=scope.start, due_at__lt=scope.end)
    if scope.course_id is not None:
        qs = qs.filter(course_id=scope.course_id)
    if scope.pk is not None:
        qs = qs.filter(pk=scope.pk)
    out = []
    for quiz in qs.order_by("due_at", "id"):
        assert quiz.due_at is not None
        out.append(
            CalendarEvent(
                key=f"quiz_due-{quiz.pk}",
                uid=f"quiz-due-{quiz.pk}@{site_host()}",
                type=ev.DEADLINE,
                title=_("Date limite : %(q)s") % {"q": quiz.title},
                start=quiz.due_at,
                end=quiz.due_at,
                all_day=False,
                status="",
                url=reverse("courses:quiz", kwargs={"slug": quiz.course.slug, "quiz_id": quiz.pk}),
                course_id=quiz.course_id,
                course_title=quiz.course.title,
                course_slug=quiz.course.slug,
                description=_("Dernier délai pour rendre « %(q)s ».") % {"q": quiz.title},
                updated_at=quiz.course.updated_at,
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
    out = []
    for course in qs.order_by("id"):
        for kind, day in (("start", course.course_start_date), ("end", course.course_end_date)):
            if day is None or (which is not None and kind != which):
                continue
            start = datetime.combine(day, time(0), tzinfo=tz)
            end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
            windowed = scope.start is not None and scope.end is not None
            if windowed and not (start < scope.end and end > scope.start):  # type: ignore[operator]
                continue
            title = (
                _("Début du cours : %(c)s") if kind == "start" else _("Fin du cours : %(c)s")
            ) % {"c": course.title}
            out.append(
                CalendarEvent(
                    key=f"course_{kind}-{course.pk}",
                    uid=f"course-{kind}-{course.pk}@{site_host()}",
                    type=ev.COURSE,
                    title=title,
                    start=start,
                    end=end,
                    all_day=True,
                    status="",
                    url=reverse("courses:detail", kwargs={"slug": course.slug}),
                    course_id=course.pk,
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
