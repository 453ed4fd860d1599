"""Every write of the agenda: study plans (generate, re-plan, settings), the hooks that
follow the course (lesson done, quiz passed), and the secret calendar-feed token.

Re-planning keeps what is behind the student: DONE and SKIPPED items stay as they were;
every other item is replaced by a fresh placement of the work still to do, from now.
Lessons already completed (and quizzes already passed) are not placed again.
"""

import secrets
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campus.accounts.models import User
from campus.agenda import planner, selectors
from campus.agenda.models import (
    MAX_MINUTES_PER_DAY,
    MIN_MINUTES_PER_DAY,
    TITLE_MAX,
    CalendarToken,
    FeedVersion,
    PlanItem,
    PlanItemKind,
    PlanItemStatus,
    StudyPlan,
)
from campus.core.errors import Forbidden, NotFound
from campus.core.validation import field_error
from campus.courses.models import Enrollment, Lesson, Quiz

KEPT_STATUSES = (PlanItemStatus.DONE, PlanItemStatus.SKIPPED)
OPEN_STATUSES = (PlanItemStatus.PENDING, PlanItemStatus.IN_PROGRESS)


def _check_own(actor: User, enrollment: Enrollment) -> None:
    if not actor.is_authenticated or enrollment.user_id != actor.pk:
        raise Forbidden(_("Seule la personne inscrite peut gérer son planning."))
    if not enrollment.is_active:
        raise NotFound(_("Inscription introuvable."), code="enrollment_not_found")


def _lock_plan(enrollment: Enrollment, actor: User, now: datetime) -> StudyPlan:
    # The enrollment row first: two plannings of one enrollment at once (the enrollment
    # task and a click on "Créer mon planning") run one after the other, so the plan is
    # created once and its items are never placed twice.
    Enrollment.objects.select_for_update().filter(pk=enrollment.pk).first()
    plan = StudyPlan.objects.select_for_update().filter(enrollment=enrollment).first()
    if plan is None:
        today = now.astimezone(ZoneInfo(actor.timezone)).date()
        plan = StudyPlan.objects.create(
            enrollment=enrollment, timezone=actor.timezone, starts_on=today, generated_at=now
        )
    return plan


def _rebuild(plan: StudyPlan, enrollment: Enrollment, now: datetime) -> StudyPlan:
    """Keep DONE/SKIPPED items, replace the others by a placement from `now`."""
    inputs = selectors.plan_inputs(enrollment=enrollment, now=now)
    items = PlanItem.objects.filter(plan=plan)
    # Work completed since the last plan is kept as done, not placed again.
    items.filter(status__in=OPEN_STATUSES, lesson_id__in=inputs.completed_lesson_ids).update(
        status=PlanItemStatus.DONE
    )
    items.filter(status__in=OPEN_STATUSES, quiz_id__in=inputs.passed_quiz_ids).update(
        status=PlanItemStatus.DONE
    )
    kept = list(items.filter(status__in=KEPT_STATUSES).values_list("kind", "lesson_id", "quiz_id"))
    kept_lessons = {lid for kind, lid, _q in kept if kind == PlanItemKind.LESSON}
    kept_quizzes = {qid for kind, _l, qid in kept if kind == PlanItemKind.QUIZ}
    items.filter(status__in=OPEN_STATUSES).delete()

    skip_lessons = inputs.completed_lesson_ids | kept_lessons
    skip_quizzes = inputs.passed_quiz_ids | kept_quizzes
    lessons = [
        planner.LessonIn(
            id=lesson.pk,
            module_id=lesson.module_id,
            title=lesson.title,
            minutes=max(1, lesson.duration_minutes),
        )
        for lesson in inputs.lessons
        if lesson.pk not in skip_lessons
    ]
    quizzes = [
        planner.QuizIn(id=quiz.pk, module_id=quiz.module_id, title=quiz.title)
        for quiz in inputs.quizzes
        if quiz.pk not in skip_quizzes
    ]
    # What is behind the student still counts in the course's milestones ("Étape : 50 %
    # du cours" is half of the whole course, not half of what is left).
    done_minutes = sum(
        max(1, lesson.duration_minutes) for lesson in inputs.lessons if lesson.pk in skip_lessons
    ) + planner.QUIZ_MINUTES * sum(1 for quiz in inputs.quizzes if quiz.pk in skip_quizzes)
    course = enrollment.course
    tz = ZoneInfo(plan.timezone)
    today = now.astimezone(tz).date()
    starts_on = max(today, course.course_start_date or today)
    result = planner.plan_course(
        lessons=lessons,
        quizzes=quizzes,
        settings=planner.Settings(
            study_days=frozenset(int(d) for d in plan.study_days),
            start_time=plan.start_time,
            minutes_per_day=plan.minutes_per_day,
            tz=plan.timezone,
        ),
        starts_on=starts_on,
        ends_on=course.course_end_date,
        busy=[planner.Interval(start=s, end=e) for s, e in inputs.busy],
        not_before=now,
        module_order=inputs.module_order,
        done_minutes=done_minutes,
    )
    first = (PlanItem.objects.filter(plan=plan).aggregate(m=Max("position"))["m"] or 0) + 1
    PlanItem.objects.bulk_create(
        [_item_row(plan, placed, first + n) for n, placed in enumerate(result.items)]
    )
    plan.starts_on = starts_on
    plan.fits = result.fits
    plan.finishes_on = result.finishes_on
    plan.needed_minutes_per_day = result.needed_minutes_per_day
    plan.generated_at = now
    plan.save()
    return plan


def _item_row(plan: StudyPlan, placed: planner.Placed, position: int) -> PlanItem:
    kind = PlanItemKind(placed.kind)
    title = placed.title
    if kind == PlanItemKind.MILESTONE:
        title = title or f"{placed.percent} %"
    return PlanItem(
        plan=plan,
        kind=kind,
        lesson_id=placed.ref_id if kind == PlanItemKind.LESSON else None,
        quiz_id=placed.ref_id if kind == PlanItemKind.QUIZ else None,
        milestone_percent=placed.percent if kind == PlanItemKind.MILESTONE else None,
        title=title[:TITLE_MAX],
        starts_at=placed.start,
        ends_at=placed.end,
        segment=placed.segment,
        segments=placed.segments,
        position=position,
    )


@transaction.atomic
def plan_generate(*, actor: User, enrollment: Enrollment, now: datetime | None = None) -> StudyPlan:
    """Create the plan if missing (in the student's zone) and (re)build it from today."""
    _check_own(actor, enrollment)
    now = now or timezone.now()
    plan = _lock_plan(enrollment, actor, now)
    if plan.timezone != actor.timezone:
        plan.timezone = actor.timezone
    return _rebuild(plan, enrollment, now)


@transaction.atomic
def plan_replan(*, actor: User, enrollment: Enrollment, now: datetime | None = None) -> StudyPlan:
    """Re-plan from now when the student falls behind: what is done stays done."""
    _check_own(actor, enrollment)
    now = now or timezone.now()
    return _rebuild(_lock_plan(enrollment, actor, now), enrollment, now)


def _check_settings(study_days: list[int], minutes_per_day: int) -> list[int]:
    if not study_days:
        raise field_error(
            "study_days", _("Choisissez au moins un jour d'étude."), "study_days_required"
        )
    if any(isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6 for d in study_days):
        raise field_error(
            "study_days",
            _("Les jours vont de 0 (lundi) à 6 (dimanche)."),
            "study_day_invalid",
        )
    if len(set(study_days)) != len(study_days):
        raise field_error(
            "study_days", _("Chaque jour ne peut figurer qu'une fois."), "study_day_duplicate"
        )
    if not MIN_MINUTES_PER_DAY <= minutes_per_day <= MAX_MINUTES_PER_DAY:
        raise field_error(
            "minutes_per_day",
            _("Entre %(lo)s et %(hi)s minutes par jour.")
            % {"lo": MIN_MINUTES_PER_DAY, "hi": MAX_MINUTES_PER_DAY},
            "minutes_out_of_range",
        )
    return sorted(study_days)


@transaction.atomic
def plan_update_settings(
    *,
    actor: User,
    enrollment: Enrollment,
    study_days: list[int],
    start_time: time,
    minutes_per_day: int,
    now: datetime | None = None,
) -> StudyPlan:
    """Change the study days, start time and daily budget, then re-plan from now."""
    _check_own(actor, enrollment)
    days = _check_settings(study_days, minutes_per_day)
    now = now or timezone.now()
    plan = _lock_plan(enrollment, actor, now)
    plan.study_days = days
    plan.start_time = start_time.replace(second=0, microsecond=0, tzinfo=None)
    plan.minutes_per_day = minutes_per_day
    return _rebuild(plan, enrollment, now)


# --- Hooks called by the courses services (same transaction) ---------------------------


def lesson_done(*, enrollment: Enrollment, lesson: Lesson) -> int:
    """A completed lesson: its plan items (every segment) are done. One UPDATE."""
    return PlanItem.objects.filter(
        plan__enrollment=enrollment, lesson=lesson, status__in=OPEN_STATUSES
    ).update(status=PlanItemStatus.DONE, updated_at=timezone.now())


def quiz_passed(*, enrollment: Enrollment, quiz: Quiz) -> int:
    """A passed quiz: its plan item is done. One UPDATE."""
    return PlanItem.objects.filter(
        plan__enrollment=enrollment, quiz=quiz, status__in=OPEN_STATUSES
    ).update(status=PlanItemStatus.DONE, updated_at=timezone.now())


# --- Calendar-feed token ---------------------------------------------------------------


def _new_token() -> str:
    return secrets.token_urlsafe(32)  # 256 random bits


@transaction.atomic
def calendar_token(*, actor: User) -> CalendarToken:
    """The user's feed token, created on first use."""
    if not actor.is_authenticated:
        raise Forbidden()
    token, _created = CalendarToken.objects.get_or_create(
        user=actor, defaults={"token": _new_token()}
    )
    return token


@transaction.atomic
def calendar_token_regenerate(*, actor: User) -> CalendarToken:
    """A new secret: the old feed URL 404s at once."""
    if not actor.is_authenticated:
        raise Forbidden()
    token, _created = CalendarToken.objects.update_or_create(
        user=actor, defaults={"token": _new_token(), "created_at": timezone.now()}
    )
    return token


# --- Feed validators -------------------------------------------------------------------

HTTP_DATE_STEP = timedelta(seconds=1)  # HTTP dates count whole seconds


def feed_changed_at(*, user: User, scope: str, fingerprint: str, now: datetime) -> datetime:
    """The feed's Last-Modified: when this version (`fingerprint`) was first served.
    Unchanged feed: one query. A new version (an event added, edited or deleted) is
    dated `now`, and always at least a second after the previous one, so a client's
    If-Modified-Since never matches a version it has not seen."""
    seen = FeedVersion.objects.filter(user=user, scope=scope).first()
    if seen is not None and seen.fingerprint == fingerprint:
        return seen.changed_at
    changed_at = now.replace(microsecond=0)
    if seen is None:
        # A parallel first request may record it too: the first row stays (same instant).
        FeedVersion.objects.bulk_create(
            [FeedVersion(user=user, scope=scope, fingerprint=fingerprint, changed_at=changed_at)],
            ignore_conflicts=True,
        )
        return changed_at
    changed_at = max(changed_at, seen.changed_at + HTTP_DATE_STEP)
    FeedVersion.objects.filter(pk=seen.pk).update(fingerprint=fingerprint, changed_at=changed_at)
    return changed_at
