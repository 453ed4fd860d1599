"""End to end in headless Chromium, from the demo data: a student finds the live, the
upcoming and the past session, then a course's sessions and a session's detail."""

from typing import Any

import pytest
from django.core.management import call_command

from campus.courses.management import demo_content
from campus.courses.management.commands.demo import demo_email
from campus.courses.models import Course, Enrollment, EnrollmentStatus
from campus.live.models import LiveSession
from conftest import browser_login, screenshot_sizes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_student_finds_live_upcoming_and_past_sessions(
    live_server: Any, browser_page: Any
) -> None:
    call_command("demo", force=True, verbosity=0)
    course = Course.objects.get(title=demo_content.LIVE_COURSE.title)
    titles = {spec.state: spec.title for spec in demo_content.LIVE_SESSIONS}
    live = LiveSession.objects.get(course=course, title=titles[demo_content.LIVE])
    student = demo_content.STUDENTS[demo_content.LIVE_SESSIONS[0].attendance[0].student]
    page = browser_page
    browser_login(page, live_server.url, demo_email(student), demo_content.DEMO_PASSWORD)

    # The nav's "En direct" opens the student's sessions.
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="En direct"
    ).click()
    page.wait_for_url("**/dashboard/student/live-sessions")
    page.get_by_role("heading", level=1, name="Mes sessions en direct").wait_for()
    now_section = page.locator("section", has=page.locator("#live-now-title"))
    upcoming_section = page.locator("section", has=page.locator("#upcoming-title"))
    past_section = page.locator("section", has=page.locator("#past-title"))
    assert titles[demo_content.LIVE] in now_section.inner_text()
    assert now_section.get_by_role("link", name="Rejoindre").count() == 1
    assert titles[demo_content.UPCOMING] in upcoming_section.inner_text()
    # countdown.js rewrote the server text with the same rules ("dans … h … min").
    countdown = upcoming_section.locator("time[data-countdown]").first.inner_text()
    assert countdown.startswith("dans "), countdown
    assert titles[demo_content.PAST] in past_section.inner_text()
    assert past_section.get_by_role("link", name="Voir l'enregistrement").count() == 1
    screenshot_sizes(page, "live-student-dashboard")

    # The course page's live block, then the course's sessions.
    page.goto(f"{live_server.url}/courses/{course.slug}/")
    # This demo student has completed the course: a graduate is asked for a review
    # first (a dialog), and "Plus tard" lets them on.
    assert Enrollment.objects.filter(
        user__email=demo_email(student), course=course, status=EnrollmentStatus.COMPLETED
    ).exists()
    dialog = page.locator("dialog#rating-dialog")
    dialog.wait_for(state="visible")
    dialog.get_by_role("button", name="Plus tard").click()
    dialog.wait_for(state="hidden")
    block = page.locator("section.course-live")
    assert titles[demo_content.LIVE] in block.inner_text()
    block.scroll_into_view_if_needed()
    screenshot_sizes(page, "live-student-course-page")
    block.get_by_role("link", name="Toutes les sessions en direct").click()
    page.wait_for_url(f"**/courses/{course.slug}/live-sessions")
    page.get_by_role("heading", level=1, name="Sessions en direct").wait_for()
    text = page.locator("main").inner_text()
    for title in titles.values():
        assert title in text
    screenshot_sizes(page, "live-student-course-sessions")

    # A session's detail: the live one, with its join button.
    page.get_by_role("link", name=titles[demo_content.LIVE]).first.click()
    page.wait_for_url(f"**/courses/{course.slug}/live-sessions/{live.pk}")
    page.get_by_role("heading", level=1, name=titles[demo_content.LIVE]).wait_for()
    join = page.locator("main").get_by_role("link", name="Rejoindre")
    assert join.get_attribute("href") == f"/courses/{course.slug}/live-sessions/{live.pk}/join"
    screenshot_sizes(page, "live-student-session-live")

    # The upcoming one: its start in the student's zone and a countdown.
    upcoming = LiveSession.objects.get(course=course, title=titles[demo_content.UPCOMING])
    page.goto(f"{live_server.url}/courses/{course.slug}/live-sessions/{upcoming.pk}")
    assert "(votre fuseau : Africa/Porto-Novo)" in page.locator("main").inner_text()
    screenshot_sizes(page, "live-student-session-upcoming")

    # The past one: actual duration and the recording.
    past = LiveSession.objects.get(course=course, title=titles[demo_content.PAST])
    page.goto(f"{live_server.url}/courses/{course.slug}/live-sessions/{past.pk}")
    assert "Durée réelle : 1 h 15 min" in page.locator("main").inner_text()
    screenshot_sizes(page, "live-student-session-past")
