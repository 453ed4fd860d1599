"""In headless Chromium from the demo data, as the demo's instructor: every instructor
page with the demo's live, upcoming and past sessions, then the live room."""

from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from campus.courses.management import demo_content
from campus.courses.management.commands.demo import demo_email
from campus.courses.models import Course
from campus.live.models import LiveSession
from conftest import browser_login, screenshot_sizes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_instructor_walks_through_the_live_pages(
    live_server: Any, browser_page: Any, jitsi_standin: str
) -> None:
    call_command("demo", force=True, verbosity=0)
    course = Course.objects.get(title=demo_content.LIVE_COURSE.title)
    titles = {spec.state: spec.title for spec in demo_content.LIVE_SESSIONS}
    live = LiveSession.objects.get(course=course, title=titles[demo_content.LIVE])
    past = LiveSession.objects.get(course=course, title=titles[demo_content.PAST])
    page = browser_page
    instructor = demo_content.INSTRUCTORS[0]
    browser_login(page, live_server.url, demo_email(instructor), demo_content.DEMO_PASSWORD)

    # The nav's "En direct" lists the live and upcoming sessions of her courses.
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="En direct"
    ).click()
    page.wait_for_url("**/dashboard/instructor/live-sessions")
    body = page.locator("main").inner_text()
    assert titles[demo_content.LIVE] in body and titles[demo_content.UPCOMING] in body
    assert titles[demo_content.PAST] not in body
    screenshot_sizes(page, "demo-instructor-upcoming")

    page.goto(live_server.url + reverse("live:manager", kwargs={"course_id": course.pk}))
    for title in titles.values():
        page.get_by_text(title).first.wait_for()
    screenshot_sizes(page, "demo-instructor-manager")

    # The past session's attendance: its students (and the instructor) with their times.
    page.goto(
        live_server.url
        + reverse("live:session_manage", kwargs={"course_id": course.pk, "session_id": past.pk})
    )
    table = page.locator("table").inner_text()
    for attendance in demo_content.LIVE_SESSIONS[2].attendance:
        assert demo_email(demo_content.STUDENTS[attendance.student]) in table
    assert page.get_by_role("link", name="Télécharger (CSV)").count() == 1
    screenshot_sizes(page, "demo-instructor-attendance")

    # The live session's room: the stand-in embed loads and the Q&A shows the demo's.
    page.goto(
        live_server.url + reverse("live:join", kwargs={"slug": course.slug, "session_id": live.pk})
    )
    page.wait_for_function("() => window.__jitsi && window.__jitsi.calls.length === 1")
    options = page.evaluate("() => window.__jitsi.calls[0].options")
    assert options["roomName"] == live.jitsi_room_name
    assert options["configOverwrite"]["startWithVideoMuted"] is False  # the moderator
    question = demo_content.LIVE_SESSIONS[0].questions[0].question
    page.get_by_text(question).wait_for()
    screenshot_sizes(page, "demo-instructor-room")
