"""End to end in headless Chromium: a student enrolls through the course page, opens the
calendar (month, week, day, list), filters by type, opens "Mon planning", changes the
settings, re-plans, opens the subscription panel and regenerates the link. Screenshots
at desktop and phone widths go to test-artifacts/ for a human to look at."""

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from campus.accounts.models import Role
from campus.agenda.models import CalendarToken, StudyPlan
from campus.live.tests.helpers import make_session
from conftest import PASSWORD, browser_login, build_course, make_user, screenshot_sizes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_student_calendar_plan_and_subscription(live_server: Any, new_browser_page: Any) -> None:
    owner = make_user("formatrice@example.test", Role.INSTRUCTOR, first_name="Awa")
    today = timezone.localdate(timezone=ZoneInfo("Africa/Porto-Novo"))
    course = build_course(
        owner,
        title="Introduction à Python",
        modules=3,
        lessons_per_module=3,
        course_start_date=today,
        course_end_date=today + timedelta(days=40),
    )
    session = make_session(
        owner, course, starts_in=timedelta(days=1), title="Questions-réponses en direct"
    )
    student = make_user("etudiant@example.test", Role.STUDENT, first_name="Koffi")
    base = live_server.url
    page = new_browser_page()
    browser_login(page, base, student.email, PASSWORD)

    # Enroll through the course page: the plan is generated on enrollment.
    page.goto(f"{base}/courses/{course.slug}/")
    page.get_by_role("button", name="S'inscrire à ce cours").click()
    page.get_by_text("vous suivez ce cours").wait_for()
    assert StudyPlan.objects.filter(enrollment__user=student).exists()

    # The nav's "Calendrier": the month view (a list of busy days on a phone).
    nav = page.get_by_role("navigation", name="Navigation principale")
    nav.get_by_role("link", name="Calendrier").click()
    page.wait_for_url("**/dashboard/student/calendar")
    page.get_by_role("heading", level=1, name="Mon calendrier").wait_for()
    session_day = session.scheduled_start_at.astimezone(ZoneInfo(student.timezone)).date()
    page.goto(f"{base}/dashboard/student/calendar?view=month&date={session_day.isoformat()}")
    main = page.locator("main")
    assert "Questions-réponses en direct" in main.inner_text()
    assert "Leçon 1.1" in main.inner_text()
    screenshot_sizes(page, "agenda-calendar-month")
    page.set_viewport_size({"width": 1280, "height": 900})
    # On a wide screen the grid shows 7 columns of whole weeks.
    assert page.locator(".cal-grid > li").count() % 7 == 0
    assert page.locator(".cal-weekdays").is_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    assert not page.locator(".cal-weekdays").is_visible()
    assert page.locator(".cal-grid .is-empty").first.is_hidden()

    # Week, day and list views.
    page.get_by_role("link", name="Semaine", exact=True).click()
    page.wait_for_url("**view=week**")
    assert "Questions-réponses en direct" in main.inner_text()
    screenshot_sizes(page, "agenda-calendar-week")
    page.goto(f"{base}/dashboard/student/calendar?view=day&date={session_day.isoformat()}")
    assert "Questions-réponses en direct" in main.inner_text()
    main.get_by_text("Ajouter à mon agenda").first.click()  # a disclosure per event
    assert main.get_by_role("link", name="Télécharger l'événement").first.is_visible()
    screenshot_sizes(page, "agenda-calendar-day")
    page.get_by_role("link", name="Liste", exact=True).click()
    page.wait_for_url("**view=list**")
    assert "Questions-réponses en direct" in main.inner_text()
    screenshot_sizes(page, "agenda-calendar-list")

    # Filter by type: only live sessions.
    page.get_by_text("Filtrer par type").click()
    page.get_by_label("Classes en direct").check()
    page.get_by_role("button", name="Appliquer").click()
    page.wait_for_url("**type=live_session**")
    assert "Questions-réponses en direct" in main.inner_text()
    assert "Leçon 1.1" not in main.inner_text()
    screenshot_sizes(page, "agenda-calendar-filtered")

    # An event links to its session.
    main.get_by_role("link", name="Questions-réponses en direct").first.click()
    page.wait_for_url(f"**/courses/{course.slug}/live-sessions/{session.pk}")
    assert "Ajouter à mon agenda" in main.inner_text()

    # "Mon planning" from the course page.
    page.goto(f"{base}/courses/{course.slug}/")
    main.get_by_role("link", name="Mon planning").click()
    page.wait_for_url(f"**/courses/{course.slug}/planning")
    page.get_by_role("heading", level=1, name="Mon planning").wait_for()
    assert "Leçon 1.1" in main.inner_text()
    assert "0 / " in main.inner_text()
    screenshot_sizes(page, "agenda-plan")

    # Change the settings: weekends, 08:30, 90 minutes.
    for day in ("Lun", "Mar", "Mer", "Jeu", "Ven"):
        page.get_by_label(day, exact=True).uncheck()
    page.get_by_label("Sam", exact=True).check()
    page.get_by_label("Dim", exact=True).check()
    page.get_by_label("Heure de début").fill("08:30")
    page.get_by_label("Minutes par jour").fill("90")
    page.get_by_role("button", name="Enregistrer et recalculer").click()
    page.get_by_text("Réglages enregistrés").wait_for()
    assert "samedi, dimanche, à partir de 08:30, 90 min par jour" in main.inner_text()
    plan = StudyPlan.objects.get(enrollment__user=student)
    assert plan.study_days == [5, 6] and plan.minutes_per_day == 90
    screenshot_sizes(page, "agenda-plan-saved")

    # Re-plan from today.
    page.get_by_role("button", name="Recalculer à partir d'aujourd'hui").click()
    page.get_by_text("Planning recalculé à partir d'aujourd'hui.").wait_for()

    # The subscription panel, then a new link (confirming the dialog).
    page.goto(f"{base}/dashboard/student/calendar")
    main.get_by_role("link", name="S'abonner").click()
    page.wait_for_url("**/dashboard/student/calendar/subscribe")
    old = CalendarToken.objects.get(user=student).token
    assert old in page.get_by_label("Adresse d'abonnement").input_value()
    assert page.get_by_label("Lien webcal", exact=False).input_value().startswith("webcal://")
    assert main.get_by_role("link", name="Ajouter à Google Agenda").is_visible()
    screenshot_sizes(page, "agenda-subscribe")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Régénérer le lien").click()
    page.get_by_text("Nouveau lien créé.").wait_for()
    new = CalendarToken.objects.get(user=student).token
    assert new != old
    assert new in page.get_by_label("Adresse d'abonnement").input_value()
    screenshot_sizes(page, "agenda-subscribe-regenerated")
