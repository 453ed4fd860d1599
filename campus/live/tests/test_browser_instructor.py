"""End to end in headless Chromium: an instructor schedules a session through the form,
finds it in the manager, starts it and lands on the room's URL. Screenshots of every
instructor page at desktop and phone widths (test-artifacts/live-instructor-*.png)."""

import zoneinfo
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from campus.accounts.models import Role, User
from campus.courses import services as course_services
from campus.courses.models import Course
from campus.live import services
from campus.live.models import LiveSession, LiveSessionStatus
from campus.live.tests.helpers import make_live, make_session
from conftest import PASSWORD, browser_login, screenshot_sizes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _midday_zone(user: User) -> None:
    """Give the instructor a zone where it is about noon now, so the slot below is on one
    day whatever the hour the suite runs (Etc/GMT-N is UTC+N)."""
    offset = 12 - timezone.now().hour
    user.timezone = f"Etc/GMT{-offset:+d}" if offset else "UTC"
    user.save(update_fields=["timezone"])


def _local_slot(user: User) -> tuple[str, str, str]:
    """Today (in the user's zone), a start three minutes from now and an end an hour
    later."""
    now = timezone.now().astimezone(zoneinfo.ZoneInfo(user.timezone))
    start = (now + timedelta(minutes=3)).replace(second=0, microsecond=0)
    end = start + timedelta(hours=1)
    return start.date().isoformat(), start.strftime("%H:%M"), end.strftime("%H:%M")


def _with_attendance(owner: User, course: Course, user_factory: Any) -> LiveSession:
    session = make_live(owner, course, title="Atelier avec participants")
    for n in range(4):
        student = user_factory(
            Role.STUDENT,
            first_name=f"Étudiante{n}",
            last_name="Avec un nom de famille assez long",
            email=f"etudiante.numero{n}@universite-exemple.bj",
        )
        course_services.enrollment_create(actor=student, course=course)
        services.session_join(actor=student, session=session)
        if n % 2:
            services.session_leave(actor=student, session=session)
    return session


def test_instructor_schedules_and_starts_a_session(
    live_server: Any,
    new_browser_page: Any,
    owner: User,
    course: Course,
    member: User,
    user_factory: Any,
) -> None:
    base = live_server.url
    _midday_zone(owner)
    make_session(owner, course, title="Révision du module 1", starts_in=timedelta(days=2))
    ended_one = services.session_end(
        actor=owner, session=make_live(owner, course, title="Séance d'accueil")
    )[0]
    cancelled_one = make_session(owner, course, title="Séance annulée", starts_in=timedelta(days=3))
    services.session_cancel(actor=owner, session=cancelled_one, reason="Coupure d'électricité")
    page = new_browser_page()
    browser_login(page, base, owner.email, PASSWORD)

    manager = base + reverse("live:manager", kwargs={"course_id": course.pk})
    page.goto(manager)
    page.get_by_role("link", name="Nouvelle session").click()
    page.wait_for_url("**/live-sessions/new")

    day, start, end = _local_slot(owner)
    page.locator("#id_title").fill("Classe virtuelle : les boucles")
    page.get_by_label("Description").fill("Questions sur les exercices de la semaine.")
    page.get_by_label("Date").fill(day)
    page.get_by_label("Heure de début").fill(start)
    page.get_by_label("Heure de fin").fill(start)  # a mistake: ends when it starts
    page.get_by_label("Nombre maximum de participants").fill("25")
    page.get_by_role("button", name="Programmer la session").click()
    page.get_by_text("La fin doit suivre le début.").wait_for()
    assert page.locator("#id_title").input_value() == "Classe virtuelle : les boucles"
    screenshot_sizes(page, "live-instructor-form-error")

    page.get_by_label("Heure de fin").fill(end)
    page.get_by_role("button", name="Programmer la session").click()
    page.wait_for_url(manager)
    page.get_by_text("Session programmée.").wait_for()
    session = LiveSession.objects.get(title="Classe virtuelle : les boucles")
    assert session.max_participants == 25
    local = session.scheduled_start_at.astimezone(zoneinfo.ZoneInfo(owner.timezone))
    assert local.strftime("%H:%M") == start
    row = page.locator("li.live-row", has_text="Classe virtuelle : les boucles")
    row.wait_for()
    screenshot_sizes(page, "live-instructor-manager")

    row.get_by_role("button", name="Démarrer").click()
    page.wait_for_url(f"**/courses/{course.slug}/live-sessions/{session.pk}/join")
    session.refresh_from_db()
    assert session.status == LiveSessionStatus.LIVE
    assert session.actual_start_at is not None

    page.goto(base + reverse("live:series_create", kwargs={"course_id": course.pk}))
    page.locator("#id_title").fill("Cours du soir")
    page.get_by_label("Heure de début").fill("18:00")
    page.get_by_label("Nombre de séances").fill("6")
    page.get_by_role("button", name="Programmer la série").click()
    page.get_by_text("Choisissez au moins un jour.").wait_for()
    screenshot_sizes(page, "live-instructor-series-form")

    busy = _with_attendance(owner, course, user_factory)
    page.goto(
        base
        + reverse("live:session_manage", kwargs={"course_id": course.pk, "session_id": busy.pk})
    )
    page.locator("table.live-table tbody tr").first.wait_for()
    # Every enrolled student: the four who joined and `member`, who did not.
    assert page.locator("table.live-table tbody tr").count() == 5
    screenshot_sizes(page, "live-instructor-session-manage")
    wrap = page.locator(".live-table-wrap")
    box = wrap.bounding_box()
    assert box is not None and box["width"] <= 390  # the table scrolls inside, not the page
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.goto(
        base
        + reverse(
            "live:session_manage", kwargs={"course_id": course.pk, "session_id": ended_one.pk}
        )
    )
    page.get_by_text("Bilan").wait_for()
    screenshot_sizes(page, "live-instructor-session-ended")

    page.goto(base + reverse("live:instructor_upcoming"))
    page.locator("li.live-row", has_text="Atelier avec participants").wait_for()
    screenshot_sizes(page, "live-instructor-upcoming")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
