"""End to end in headless Chromium, from the demo data: a student logs in, opens a
course and completes a lesson."""

from typing import Any

import pytest
from django.core.management import call_command

from campus.courses.management import demo_content
from campus.courses.models import Enrollment, Lesson, LessonCompletion
from conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _student_with_an_open_lesson() -> tuple[Enrollment, Lesson]:
    for enrollment in Enrollment.objects.filter(
        is_active=True, user__role="student", status__in=["enrolled", "in_progress"]
    ).select_related("user", "course"):
        done = LessonCompletion.objects.filter(enrollment=enrollment).values("lesson_id")
        lesson = (
            Lesson.objects.filter(course=enrollment.course)
            .exclude(pk__in=done)
            .order_by("module__position", "position")
            .first()
        )
        if lesson is not None:
            return enrollment, lesson
    raise AssertionError("the demo has no student with a lesson left to do")


def test_demo_student_logs_in_opens_a_course_and_completes_a_lesson(
    live_server: Any, browser_page: Any
) -> None:
    call_command("demo", force=True, verbosity=0)
    enrollment, lesson = _student_with_an_open_lesson()
    page = browser_page

    page.goto(f"{live_server.url}/accounts/login/")
    screenshot(page, "login-phone")
    page.get_by_label("Adresse e-mail").fill(enrollment.user.email)
    page.get_by_label("Mot de passe").fill(demo_content.DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/dashboard/student/courses")
    screenshot(page, "my-courses-phone")

    page.get_by_role("link", name=enrollment.course.title).first.click()
    page.wait_for_url(f"**/courses/{enrollment.course.slug}/")
    screenshot(page, "course-member-phone")

    page.get_by_role("link", name=lesson.title).first.click()
    page.wait_for_url(f"**/lessons/{lesson.pk}/")
    page.get_by_role("button", name="Marquer comme terminée").click()
    page.get_by_text("Leçon terminée").wait_for()
    screenshot(page, "lesson-done-phone")

    assert LessonCompletion.objects.filter(enrollment=enrollment, lesson=lesson).exists()
    enrollment.refresh_from_db()
    assert enrollment.progress_percentage > 0
