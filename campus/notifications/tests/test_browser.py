"""In headless Chromium from the demo data: a student sees the bell's count, opens the
inbox, follows a notice and changes a preference."""

from typing import Any

import pytest
from django.core.management import call_command

from campus.accounts.models import User
from campus.courses.management import demo_content
from campus.courses.management.commands.demo import demo_email
from campus.notifications.models import Kind, Notification, Preference
from conftest import browser_login, screenshot_sizes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_student_reads_notifications_and_changes_preferences(
    live_server: Any, browser_page: Any
) -> None:
    call_command("demo", force=True, verbosity=0)
    student = demo_content.STUDENTS[demo_content.LIVE_SESSIONS[0].attendance[0].student]
    user = User.objects.get(email=demo_email(student))
    unread = Notification.objects.filter(user=user, in_app=True, read_at__isnull=True).count()
    assert unread > 0  # the demo's sessions were announced to their members
    page = browser_page
    browser_login(page, live_server.url, user.email, demo_content.DEMO_PASSWORD)

    bell = page.locator("a.bell")
    assert bell.locator(".bell-count").inner_text() == str(unread)
    bell.click()
    page.wait_for_url("**/notifications/")
    page.get_by_role("heading", level=1, name="Notifications").wait_for()
    screenshot_sizes(page, "notifications-inbox")

    first = page.locator(".notification-title").first
    first.click()
    page.wait_for_load_state()
    assert "/live-sessions/" in page.url or "/notifications/" in page.url
    assert page.locator("a.bell .bell-count").inner_text() == str(unread - 1)

    page.goto(f"{live_server.url}/notifications/preferences")
    page.get_by_label("Session en direct — Par e-mail").uncheck()
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Préférences enregistrées.").wait_for()
    screenshot_sizes(page, "notifications-preferences")
    assert Preference.objects.filter(user=user, kind=Kind.SESSION_STARTED, email=False).exists()
