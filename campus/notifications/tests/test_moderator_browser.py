"""In headless Chromium: an instructor sees what waits in the navigation (the badge on
"Enseigner", the counts in the account menu), opens the report notice from the inbox,
and finds the moderator kinds on the preferences page."""

from typing import Any

import pytest

from campus.accounts.models import User
from campus.courses import services as course_services
from campus.courses.models import Course
from campus.forum import services as forum_services
from campus.forum.tests.helpers import make_topic
from campus.ratings import services as rating_services
from campus.ratings.tests.helpers import graduate
from conftest import PASSWORD, browser_login, screenshot_sizes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_instructor_sees_what_waits(
    live_server: Any,
    browser_page: Any,
    owner: User,
    course: Course,
    member: User,
    user_factory: Any,
    settings: Any,
) -> None:
    settings.RATINGS_MODERATION = "pre"
    topic = make_topic(member, course, title="Comment installer Python ?")
    reader = user_factory()
    course_services.enrollment_create(actor=reader, course=course)
    forum_services.report_create(actor=reader, reason="Publicité", topic=topic)
    student, enrollment = graduate(user_factory, course)
    rating_services.rating_create(actor=student, enrollment=enrollment, rating=5)

    page = browser_page
    browser_login(page, live_server.url, owner.email, PASSWORD)
    page.goto(f"{live_server.url}/notifications/")
    teach = page.get_by_role("link", name="Enseigner")
    assert teach.locator(".nav-count").inner_text() == "3"
    page.locator("details.account-menu summary").click()
    assert page.get_by_role("link", name="Avis à modérer (1)").is_visible()
    reports = page.get_by_role("link", name="Signalements (1)")
    assert reports.is_visible()
    screenshot_sizes(page, "moderator-nav-menu")

    page.locator(".notification-title", has_text="Message signalé").first.click()
    page.wait_for_url(f"**/courses/{course.slug}/forum/reports")

    page.goto(f"{live_server.url}/notifications/preferences")
    page.get_by_role("row", name="Question pendant une classe en direct").wait_for()
    screenshot_sizes(page, "moderator-preferences")
