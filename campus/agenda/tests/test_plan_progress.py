""" "Mon planning" shows the course's progress (one notion, the courses app's): a plan
made after part of the course was done, or one holding module quizzes, agrees with the
course page, "Mes cours" and the API."""

import re
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from campus.accounts.models import User
from campus.agenda import services
from campus.courses import services as course_services
from campus.courses.models import Course, Enrollment, Lesson, Quiz

pytestmark = pytest.mark.django_db


def text(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def percent_on_course_page(client: Client, course: Course) -> str:
    page = text(client, reverse("courses:detail", kwargs={"slug": course.slug}))
    found = re.search(r"Votre progression (\d+) %", page)
    assert found, page[:500]
    return found.group(1)


def test_a_plan_made_at_partial_progress_agrees_with_the_course(
    member: User, course: Course, api: Any
) -> None:
    # 4 required lessons + the final evaluation = 5 units. Three lessons done and the
    # first module's quiz passed (a module quiz is not a unit of course progress) before
    # the plan exists: the plan places only what is left.
    lessons = list(Lesson.objects.filter(course=course).order_by("module__position", "position"))
    for lesson in lessons[:3]:
        course_services.lesson_complete(actor=member, lesson=lesson)
    quiz = Quiz.objects.get(course=course, title="Quiz 1")
    course_services.quiz_submit(
        actor=member, quiz=quiz, answers={str(quiz.questions.get().pk): [1]}
    )
    enrollment = Enrollment.objects.get(user=member, course=course)
    services.plan_generate(actor=member, enrollment=enrollment)
    assert enrollment.study_plan.items.filter(status="done").count() == 0

    client = Client()
    client.force_login(member)
    plan_url = reverse("agenda:plan", kwargs={"slug": course.slug})
    assert percent_on_course_page(client, course) == "60"
    assert "3 / 5 faits (60 %)" in text(client, plan_url)
    assert "60 %" in text(client, reverse("courses:my_courses"))
    data = api(member).get(f"/api/enrollments/{enrollment.pk}/schedule").json_body["data"]
    assert data["progress"] == {"done": 3, "total": 5, "percent": 60}

    # One more lesson: both move together.
    course_services.lesson_complete(actor=member, lesson=lessons[3])
    assert percent_on_course_page(client, course) == "80"
    assert "4 / 5 faits (80 %)" in text(client, plan_url)

    # The final evaluation completes the course: 100 % on both.
    final = Quiz.objects.get(final_for=course)
    course_services.quiz_submit(
        actor=member, quiz=final, answers={str(final.questions.get().pk): [1]}
    )
    assert percent_on_course_page(client, course) == "100"
    assert "5 / 5 faits (100 %)" in text(client, plan_url)


def test_progress_rounds_like_the_course_page(member: User, course: Course) -> None:
    # A third of the units (1 of 3): 33.33 % stored, "33 %" on every page.
    Lesson.objects.filter(course=course, title__in=["Leçon 2.1", "Leçon 2.2"]).update(
        is_required=False
    )
    lesson = Lesson.objects.get(course=course, title="Leçon 1.1")
    course_services.lesson_complete(actor=member, lesson=lesson)
    enrollment = Enrollment.objects.get(user=member, course=course)
    services.plan_generate(actor=member, enrollment=enrollment)
    client = Client()
    client.force_login(member)
    assert percent_on_course_page(client, course) == "33"
    assert "1 / 3 faits (33 %)" in text(
        client, reverse("agenda:plan", kwargs={"slug": course.slug})
    )


def test_milestones_count_the_work_already_done() -> None:
    """80 minutes done, 80 to place: 25 % and 50 % of the course are behind the student,
    75 % falls 40 minutes into what is left, 100 % at its end."""
    from datetime import UTC, date, datetime, time
    from zoneinfo import ZoneInfo

    from campus.agenda.planner import LessonIn, QuizIn, Settings, plan_course

    monday = date(2026, 3, 2)

    def at(hour: int, minute: int) -> datetime:
        return datetime.combine(monday, time(hour, minute), tzinfo=ZoneInfo("Africa/Porto-Novo"))

    plan = plan_course(
        lessons=[LessonIn(1, 1, "Leçon 1", 30), LessonIn(2, 1, "Leçon 2", 30)],
        quizzes=[QuizIn(9, None, "Évaluation finale")],
        settings=Settings(
            study_days=frozenset(range(5)),
            start_time=time(18),
            minutes_per_day=120,
            tz="Africa/Porto-Novo",
        ),
        starts_on=monday,
        ends_on=None,
        done_minutes=80,
    )
    milestones = [(x.percent, x.start) for x in plan.items if x.kind == "milestone"]
    assert milestones == [(75, at(18, 40).astimezone(UTC)), (100, at(19, 20).astimezone(UTC))]
    with pytest.raises(ValueError):
        plan_course(
            lessons=[],
            quizzes=[],
            settings=Settings(
                study_days=frozenset({0}), start_time=time(18), minutes_per_day=60, tz="UTC"
            ),
            starts_on=monday,
            ends_on=None,
            done_minutes=-1,
        )


def test_a_plan_made_late_keeps_only_the_milestones_ahead(member: User, course: Course) -> None:
    lessons = list(Lesson.objects.filter(course=course).order_by("module__position", "position"))
    for lesson in lessons[:3]:
        course_services.lesson_complete(actor=member, lesson=lesson)
    enrollment = Enrollment.objects.get(user=member, course=course)
    plan = services.plan_generate(actor=member, enrollment=enrollment)
    percents = list(
        plan.items.filter(kind="milestone")
        .order_by("starts_at")
        .values_list("milestone_percent", flat=True)
    )
    # 3 lessons of 15 min done, of 4 lessons (60) + 3 quizzes of 20 (60): 37.5 % of 120.
    assert percents == [50, 75, 100]
