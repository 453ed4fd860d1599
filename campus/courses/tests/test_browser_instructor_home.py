"""In headless Chromium from the demo data (issue 12): the demo's instructor logs in,
lands on the teaching dashboard, opens a course hub and schedules a session from it in
two clicks (the hub's button, then the form's submit), then sees it. Screenshots of the
dashboard, the hub, the form and the students page at 1280 and 360 px."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from campus.courses.management import demo_content
from campus.courses.management.commands.demo import demo_email
from campus.courses.models import Course
from campus.live.models import LiveSession
from conftest import browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 360)


def shots(page: Any, name: str) -> None:
    """<name>-1280.png and <name>-360.png under test-artifacts/, back at phone width."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"{name}-{width}")


def test_demo_instructor_lands_on_the_dashboard_and_schedules_from_the_hub(
    live_server: Any, browser_page: Any
) -> None:
    call_command("demo", force=True, verbosity=0)
    instructor = demo_content.INSTRUCTORS[0]
    course = Course.objects.get(title=demo_content.LIVE_COURSE.title)
    page = browser_page
    page.set_viewport_size({"width": 360, "height": 800})
    browser_login(page, live_server.url, demo_email(instructor), demo_content.DEMO_PASSWORD)

    # Login lands on the teaching dashboard: today's live class, what waits, the courses.
    page.wait_for_url("**" + reverse("courses:teaching"))
    main = page.locator("main")
    main.get_by_role("heading", name="Enseigner", level=1).wait_for()
    live_title = next(
        spec.title for spec in demo_content.LIVE_SESSIONS if spec.state == demo_content.LIVE
    )
    today = page.locator("section", has=page.get_by_role("heading", name="Aujourd'hui"))
    assert live_title in today.inner_text()
    assert today.get_by_role("link", name="Rejoindre").count() == 1
    assert main.get_by_role("heading", name="Ce qui vous attend").count() == 1
    nav = page.get_by_role("navigation", name="Navigation principale")
    assert nav.get_by_role("link", name="Enseigner").get_attribute("aria-current") == "page"
    shots(page, "instructor-home-dashboard")

    # The course hub, from the course's tile.
    tile = page.locator("li.course-tile", has_text=course.title)
    tile.get_by_role("link", name="Gérer").click()
    page.wait_for_url("**" + reverse("courses:manage", kwargs={"slug": course.slug}))
    for heading in ("Séances en direct", "Contenu", "Inscriptions et progression", "Forum"):
        main.get_by_role("heading", name=heading, level=2).wait_for()
    shots(page, "instructor-home-hub")

    # Click 1: "Programmer une séance". Click 2: the form's submit.
    page.get_by_role("link", name="Programmer une séance").click()
    page.wait_for_url("**/live-sessions/new")
    day = (timezone.localdate() + timedelta(days=7)).isoformat()
    page.locator("#id_title").fill("Atelier : les dictionnaires")
    page.get_by_label("Date").fill(day)
    page.get_by_label("Heure de début").fill("18:00")
    page.get_by_label("Heure de fin").fill("19:00")
    shots(page, "instructor-home-session-form")
    page.get_by_role("button", name="Programmer la session").click()
    page.wait_for_url("**" + reverse("live:manager", kwargs={"course_id": course.pk}))
    page.get_by_text("Session programmée.").wait_for()
    page.get_by_text("Atelier : les dictionnaires").first.wait_for()
    session = LiveSession.objects.get(course=course, title="Atelier : les dictionnaires")
    assert session.status == "scheduled"

    # Back on the hub, the new session is among the next ones, without "Démarrer" (a
    # week away); the dashboard lists it too.
    page.goto(live_server.url + reverse("courses:manage", kwargs={"slug": course.slug}))
    row = page.locator("li.session-row", has_text="Atelier : les dictionnaires")
    row.wait_for()
    assert row.get_by_role("button", name="Démarrer").count() == 0
    page.goto(live_server.url + reverse("courses:teaching"))
    page.locator("li.session-row", has_text="Atelier : les dictionnaires").wait_for()

    page.goto(live_server.url + reverse("courses:students", kwargs={"slug": course.slug}))
    page.locator("li.student-row").first.wait_for()
    shots(page, "instructor-home-students")
