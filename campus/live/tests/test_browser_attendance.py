"""The attendance page after a class, in Chromium: every enrolled student, on a phone as
cards (no sideways scrolling at 360 px), on a desktop as a table."""

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from campus.accounts.models import User
from campus.live.tests.test_attendance_teaches import build_held_class
from conftest import PASSWORD, browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_attendance_after_a_class(
    live_server: Any, browser_page: Any, owner: User, user_factory: Callable[..., User]
) -> None:
    session, _ = build_held_class(owner, user_factory)
    page = browser_page
    browser_login(page, live_server.url, owner.email, PASSWORD)
    page.goto(
        live_server.url
        + reverse(
            "live:session_manage",
            kwargs={"course_id": session.course_id, "session_id": session.pk},
        )
    )
    rows = page.locator("table.live-attendance tbody tr")
    assert rows.count() == 8
    assert page.get_by_text("5 sur 8 ont assisté à la séance").count() == 1
    assert rows.first.get_by_text("Absence").count() == 1  # absences first
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "live-attendance-ended-desktop")
    page.set_viewport_size({"width": 360, "height": 800})
    screenshot(page, "live-attendance-ended-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
