"""Study plan services: generation on enrollment, hooks that follow the course, re-plan,
settings, and the calendar-feed token."""

from datetime import date, time, timedelta
from typing import Any

import pytest

from campus.accounts.models import User
from campus.agenda import planner, services
from campus.agenda.models import CalendarToken, PlanItem, PlanItemKind, PlanItemStatus, StudyPlan
from campus.agenda.tests.backend_helpers import MONDAY, enroll, enrollment_of, generate, session_at
from campus.core.errors import Forbidden, NotFound, ValidationFailed
from campus.courses import services as course_services
from campus.courses.models import Course, Lesson, Quiz
from conftest import build_course

pytestmark = pytest.mark.django_db


def test_enrolling_creates_the_plan(
    course: Course, user_factory: Any, django_capture_on_commit_callbacks: Any
) -> None:
    student = user_factory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enrollment = enroll(student, course)
    assert len(callbacks) == 1
    plan = StudyPlan.objects.get(enrollment=enrollment)
    assert plan.timezone == student.timezone
    items = list(plan.items.order_by("starts_at", "position"))
    lessons = [i.lesson_id for i in items if i.kind == PlanItemKind.LESSON and i.segment == 1]
    expected = list(
        Lesson.objects.filter(course=course, is_required=True)
        .order_by("module__position", "module_id", "position", "id")
        .values_list("id", flat=True)
    )
    assert lessons == expected
    quizzes = [i.quiz_id for i in items if i.kind == PlanItemKind.QUIZ]
    assert set(quizzes) == set(Quiz.objects.filter(course=course).values_list("id", flat=True))
    assert [i.milestone_percent for i in items if i.kind == PlanItemKind.MILESTONE] == [
        25,
        50,
        75,
        100,
    ]
    assert all(i.status == PlanItemStatus.PENDING for i in items)


def test_a_failing_planner_never_fails_the_enrollment(
    course: Course,
    user_factory: Any,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: Any,
    caplog: Any,
) -> None:
    def boom(**kwargs: Any) -> None:
        raise RuntimeError("planner down")

    monkeypatch.setattr(planner, "plan_course", boom)
    student = user_factory()
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = enroll(student, course)
    enrollment.refresh_from_db()
    assert enrollment.is_active
    assert not StudyPlan.objects.filter(enrollment=enrollment).exists()
    assert "Study plan generation failed" in caplog.text


def test_coming_back_after_unenrolling_plans_again(
    course: Course, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    course_services.enrollment_deactivate(actor=member, course=course)
    with django_capture_on_commit_callbacks(execute=True):
        enroll(member, course)
    assert StudyPlan.objects.filter(enrollment__user=member).exists()


def test_plan_starts_at_the_course_start_and_reports_when_it_does_not_fit(
    owner: User, user_factory: Any
) -> None:
    course = build_course(
        owner,
        title="Court",
        course_start_date=date(2027, 2, 1),
        course_end_date=date(2027, 2, 1),
        lessons_per_module=4,
    )
    student = user_factory()
    enroll(student, course)
    plan = generate(student, course)
    assert plan.starts_on == date(2027, 2, 1)
    assert plan.fits is False
    assert plan.needed_minutes_per_day is not None
    assert plan.needed_minutes_per_day > plan.minutes_per_day
    first = plan.items.order_by("starts_at").first()
    assert first is not None and first.starts_at.date() >= date(2027, 2, 1)


def test_plan_avoids_live_sessions(course: Course, member: User, owner: User) -> None:
    # Tonight 18:00-19:00 Porto-Novo (17:00-18:00 UTC) is a live class.
    session = session_at(owner, course, MONDAY + timedelta(hours=11))
    plan = generate(member, course)
    for item in plan.items.all():
        assert not (
            item.starts_at < session.scheduled_end_at and item.ends_at > session.scheduled_start_at
        )


def test_completing_a_lesson_marks_its_item_done(course: Course, member: User) -> None:
    generate(member, course)
    lesson = Lesson.objects.filter(course=course).order_by("module__position", "position").first()
    assert lesson is not None
    course_services.lesson_complete(actor=member, lesson=lesson)
    statuses = set(PlanItem.objects.filter(lesson=lesson).values_list("status", flat=True))
    assert statuses == {PlanItemStatus.DONE}
    others = PlanItem.objects.exclude(lesson=lesson).exclude(kind=PlanItemKind.MILESTONE)
    assert set(others.values_list("status", flat=True)) == {PlanItemStatus.PENDING}


def test_passing_a_quiz_marks_its_item_done_failing_does_not(course: Course, member: User) -> None:
    generate(member, course)
    quiz = Quiz.objects.filter(course=course, module__isnull=False).order_by("id").first()
    assert quiz is not None
    question = quiz.questions.get()
    course_services.quiz_submit(actor=member, quiz=quiz, answers={str(question.pk): [0]})
    assert PlanItem.objects.get(quiz=quiz).status == PlanItemStatus.PENDING
    course_services.quiz_submit(actor=member, quiz=quiz, answers={str(question.pk): [1]})
    assert PlanItem.objects.get(quiz=quiz).status == PlanItemStatus.DONE


def test_replan_keeps_done_items_and_replaces_the_rest_from_now(
    course: Course, member: User
) -> None:
    plan = generate(member, course)
    lessons = list(
        Lesson.objects.filter(course=course).order_by("module__position", "position", "id")
    )
    course_services.lesson_complete(actor=member, lesson=lesson_one(lessons))
    done_before = list(
        PlanItem.objects.filter(plan=plan, status=PlanItemStatus.DONE).values_list(
            "pk", "starts_at"
        )
    )
    assert done_before
    later = MONDAY + timedelta(days=10)
    plan = services.plan_replan(actor=member, enrollment=enrollment_of(member, course), now=later)
    done_after = list(
        PlanItem.objects.filter(plan=plan, status=PlanItemStatus.DONE).values_list(
            "pk", "starts_at"
        )
    )
    assert done_after == done_before
    pending = PlanItem.objects.filter(plan=plan, status=PlanItemStatus.PENDING)
    assert pending.exists()
    assert all(i.starts_at >= later for i in pending)
    placed_lessons = [
        i.lesson_id
        for i in pending.filter(kind=PlanItemKind.LESSON, segment=1).order_by("starts_at")
    ]
    assert lessons[0].pk not in placed_lessons  # done: never placed again
    assert placed_lessons == [lesson.pk for lesson in lessons[1:]]


def lesson_one(lessons: list[Lesson]) -> Lesson:
    return lessons[0]


def test_replan_marks_lessons_completed_in_the_meantime_as_done(
    course: Course, member: User
) -> None:
    plan = generate(member, course)
    lesson = Lesson.objects.filter(course=course).order_by("id").last()
    assert lesson is not None
    # Completed without the hook (e.g. before the plan existed): re-plan catches up.
    from campus.courses.models import LessonCompletion

    LessonCompletion.objects.create(enrollment=plan.enrollment, lesson=lesson)
    services.plan_replan(actor=member, enrollment=plan.enrollment, now=MONDAY)
    assert set(PlanItem.objects.filter(lesson=lesson).values_list("status", flat=True)) == {
        PlanItemStatus.DONE
    }


def test_only_the_student_manages_their_plan(
    course: Course, member: User, owner: User, admin_user: User, outsider: User
) -> None:
    enrollment = enrollment_of(member, course)
    for actor in (owner, admin_user, outsider):
        with pytest.raises(Forbidden):
            services.plan_generate(actor=actor, enrollment=enrollment, now=MONDAY)
        with pytest.raises(Forbidden):
            services.plan_replan(actor=actor, enrollment=enrollment, now=MONDAY)
        with pytest.raises(Forbidden):
            services.plan_update_settings(
                actor=actor,
                enrollment=enrollment,
                study_days=[0],
                start_time=time(8),
                minutes_per_day=60,
            )
    course_services.enrollment_deactivate(actor=member, course=course)
    enrollment.refresh_from_db()
    with pytest.raises(NotFound):
        services.plan_generate(actor=member, enrollment=enrollment, now=MONDAY)


@pytest.mark.parametrize(
    ("days", "minutes", "field", "code"),
    [
        ([], 60, "study_days", "study_days_required"),
        ([7], 60, "study_days", "study_day_invalid"),
        ([-1], 60, "study_days", "study_day_invalid"),
        ([1, 1], 60, "study_days", "study_day_duplicate"),
        ([1], 14, "minutes_per_day", "minutes_out_of_range"),
        ([1], 481, "minutes_per_day", "minutes_out_of_range"),
    ],
)
def test_settings_are_validated(
    course: Course, member: User, days: list[int], minutes: int, field: str, code: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.plan_update_settings(
            actor=member,
            enrollment=enrollment_of(member, course),
            study_days=days,
            start_time=time(8),
            minutes_per_day=minutes,
            now=MONDAY,
        )
    assert caught.value.details[0]["field"] == field
    assert caught.value.details[0]["code"] == code
    assert not StudyPlan.objects.exists()


def test_settings_are_saved_and_the_plan_follows_them(course: Course, member: User) -> None:
    plan = services.plan_update_settings(
        actor=member,
        enrollment=enrollment_of(member, course),
        study_days=[5, 6],
        start_time=time(9, 30),
        minutes_per_day=120,
        now=MONDAY,
    )
    plan.refresh_from_db()
    assert plan.study_days == [5, 6]
    assert plan.start_time == time(9, 30)
    assert plan.minutes_per_day == 120
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(member.timezone)
    for item in plan.items.exclude(kind=PlanItemKind.MILESTONE):
        local = item.starts_at.astimezone(tz)
        assert local.weekday() in (5, 6)
        assert local.time() >= time(9, 30)


def test_calendar_token_is_long_random_and_regenerates(member: User, outsider: User) -> None:
    token = services.calendar_token(actor=member)
    assert len(token.token) >= 43  # 32 random bytes, base64url
    assert services.calendar_token(actor=member).token == token.token
    assert services.calendar_token(actor=outsider).token != token.token
    fresh = services.calendar_token_regenerate(actor=member)
    assert fresh.token != token.token
    assert CalendarToken.objects.filter(user=member).count() == 1
    assert not CalendarToken.objects.filter(token=token.token).exists()


def test_generating_costs_the_same_queries_for_a_small_and_a_big_course(
    owner: User, user_factory: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for modules in (1, 6):
        course = build_course(owner, title=f"Cours {modules}", modules=modules)
        student = user_factory()
        enroll(student, course)
        enrollment = enrollment_of(student, course)
        with CaptureQueriesContext(connection) as captured:
            services.plan_generate(actor=student, enrollment=enrollment, now=MONDAY)
        counts.append(len(captured))
        assert enrollment.study_plan.items.count() > modules
    assert counts[0] == counts[1]
