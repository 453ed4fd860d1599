"""End to end in headless Chromium (issue 13): an instructor opens a weekly series from
the session manager, edits it for the future occurrences, then cancels them with one
reason. Screenshots of the manager, the series page and its forms at 1280 and 360 px
(test-artifacts/live-series-*.png); no page scrolls sideways on a 360 px phone."""

from datetime import time, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from campus.accounts.models import Role, User
from campus.courses import services as course_services
from campus.courses.models import Course
from campus.live import services
from campus.live.models import LiveSession, LiveSessionStatus, SessionSeries
from campus.live.tests.helpers import make_session
from conftest import PASSWORD, browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1280, "height": 900}
PHONE_360 = {"width": 360, "height": 780}


def shots(page: Any, name: str) -> None:
    page.set_viewport_size(WIDE)
    screenshot(page, f"{name}-1280")
    page.set_viewport_size(PHONE_360)
    screenshot(page, f"{name}-360")
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 360, f"{name}: {overflow}px wide on a 360px phone"


def weekly_with_history(owner: User, course: Course, students: list[User]) -> SessionSeries:
    """10 weekly classes from 15 days ago: two held (with attendance), one missed, 7 ahead."""
    now = timezone.now()
    first_day = (now - timedelta(days=15)).date()
    record, sessions = services.series_create(
        actor=owner,
        course=course,
        title="Atelier hebdomadaire de programmation",
        description="Exercices **pratiques** chaque semaine.",
        days_of_week=[first_day.weekday()],
        start_time=time(18, 0),
        starts_on=first_day,
        duration_minutes=90,
        count=10,
        max_participants=30,
        now=now - timedelta(days=16),
    )
    for index, session in enumerate(sessions[:2]):
        start = session.scheduled_start_at
        services.session_start(actor=owner, session=session, now=start)
        for student in students[: len(students) - index]:
            services.session_join(actor=student, session=session, now=start)
        services.session_end(actor=owner, session=session, now=start + timedelta(minutes=90))
    return record


def test_instructor_edits_and_cancels_a_series(
    live_server: Any, new_browser_page: Any, owner: User, course: Course, user_factory: Any
) -> None:
    students = []
    for n in range(3):
        student = user_factory(Role.STUDENT, first_name=f"Étudiante{n}", last_name="Houngbo")
        course_services.enrollment_create(actor=student, course=course)
        students.append(student)
    record = weekly_with_history(owner, course, students)
    make_session(owner, course, title="Séance de rattrapage", starts_in=timedelta(days=3))
    base = live_server.url
    page = new_browser_page()
    browser_login(page, base, owner.email, PASSWORD)

    page.goto(base + reverse("live:manager", kwargs={"course_id": course.pk}))
    page.get_by_text("Séries hebdomadaires").wait_for()
    assert page.get_by_text("Démarrer").count() == 0  # nothing starts within 30 minutes
    shots(page, "live-series-manager")

    page.get_by_role("link", name="Gérer la série").first.click()
    page.wait_for_load_state()
    assert "Chaque" in page.locator(".live-series-rule").inner_text()
    shots(page, "live-series-page")

    page.get_by_role("link", name="Modifier la série").click()
    page.wait_for_load_state()
    shots(page, "live-series-edit")
    page.get_by_label("Heure de début").fill("19:30")
    page.get_by_role("button", name="Enregistrer la série").click()
    page.wait_for_load_state()
    page.get_by_text("7 séances à venir modifiées").wait_for()

    page.get_by_role("link", name="Annuler les séances à venir").click()
    page.wait_for_load_state()
    shots(page, "live-series-cancel")
    page.get_by_label("Motif (facultatif)").fill("Fin du semestre avancée")
    page.get_by_role("button", name="Annuler 7 séances").click()
    page.wait_for_load_state()
    page.get_by_text("7 séances à venir annulées").wait_for()
    assert page.get_by_role("link", name="Modifier la série").count() == 0
    shots(page, "live-series-page-cancelled")

    statuses = list(
        LiveSession.objects.filter(series=record)
        .order_by("scheduled_start_at")
        .values_list("status", flat=True)
    )
    assert statuses[:2] == [LiveSessionStatus.ENDED] * 2
    assert statuses[3:] == [LiveSessionStatus.CANCELLED] * 7
