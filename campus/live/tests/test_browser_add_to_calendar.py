"""End to end in headless Chromium at 360 px, from the demo data (issue 12 point 5): the
student Koffi finds tomorrow's live class in his calendar (its own type, "Classe en
direct"), opens its page, sees the "Ajouter à mon agenda" buttons, downloads the event
(a real browser download) and gets the session's UID, start and reminders; the Google
button is a prefilled "new event" link with the right dates (checked, not followed).
Screenshots at 360 and 1280 px go to test-artifacts/."""

from datetime import UTC, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from icalendar import Calendar

from campus.courses.management import demo_content
from campus.courses.management.commands.demo import demo_email
from campus.courses.models import Course
from campus.live.models import LiveSession
from campus.notifications.invitations import session_uid
from conftest import browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_360 = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}
KOFFI = "koffi.adjovi@demo.campus.local"


def test_student_adds_tomorrows_live_class_to_his_calendar(
    live_server: Any, chromium: Any, tmp_path: Path
) -> None:
    call_command("demo", force=True, verbosity=0)
    course = Course.objects.get(title="Introduction à Python")
    upcoming_title = next(
        spec.title for spec in demo_content.LIVE_SESSIONS if spec.state == demo_content.UPCOMING
    )
    session = LiveSession.objects.get(course=course, title=upcoming_title)
    assert demo_email(demo_content.STUDENTS[0]) == KOFFI
    porto_novo = ZoneInfo("Africa/Porto-Novo")
    local_start = session.scheduled_start_at.astimezone(porto_novo)
    assert (local_start.hour, local_start.minute) == (18, 0)

    context = chromium.new_context(locale="fr-FR", viewport=PHONE_360, accept_downloads=True)
    try:
        page = context.new_page()
        base = live_server.url
        browser_login(page, base, KOFFI, demo_content.DEMO_PASSWORD)

        # Today's class is live: the calendar links straight to its room.
        live_title = next(
            spec.title for spec in demo_content.LIVE_SESSIONS if spec.state == demo_content.LIVE
        )
        live = LiveSession.objects.get(course=course, title=live_title)
        page.goto(f"{base}{reverse('agenda:calendar')}?view=list")
        room = reverse("live:join", kwargs={"slug": course.slug, "session_id": live.pk})
        now_on = page.locator("main .cal-event.cal-live", has_text=live_title).first
        assert now_on.get_by_role("link").first.get_attribute("href") == room
        assert "Rejoindre la classe" in now_on.inner_text()
        screenshot(page, "add-to-calendar-list-360")
        page.set_viewport_size(DESKTOP)
        page.goto(f"{base}{reverse('agenda:calendar')}?date={local_start:%Y-%m-%d}")
        screenshot(page, "add-to-calendar-month-1280")
        page.set_viewport_size(PHONE_360)

        # The calendar's day view for tomorrow: the class is a "Classe en direct".
        page.goto(f"{base}{reverse('agenda:calendar')}?view=day&date={local_start:%Y-%m-%d}")
        main = page.locator("main")
        entry = main.locator(".cal-event.cal-live", has_text=upcoming_title)
        assert entry.count() == 1
        assert "Classe en direct" in entry.inner_text()
        legend = main.locator(".cal-legend li").first
        assert legend.inner_text().strip() == "Classe en direct"
        # The filter keeps only live classes.
        page.get_by_text("Filtrer par type").click()
        page.get_by_label("Classes en direct").check()
        page.get_by_role("button", name="Appliquer").click()
        page.wait_for_url("**type=live_session**")
        assert main.locator(".cal-event").count() == main.locator(".cal-event.cal-live").count()
        # Each event of the day folds its own "Ajouter à mon agenda" buttons.
        entry = main.locator(".cal-event.cal-live", has_text=upcoming_title)
        entry.get_by_text("Ajouter à mon agenda").click()
        folded = entry.get_by_role("link", name="Télécharger l'événement")
        assert folded.is_visible()
        box = folded.bounding_box()
        assert box is not None and box["height"] >= 44
        screenshot(page, "add-to-calendar-day-360")

        # Its page, from the calendar.
        main.get_by_role("link", name=upcoming_title).first.click()
        detail = reverse(
            "live:session_detail", kwargs={"slug": course.slug, "session_id": session.pk}
        )
        page.wait_for_url(f"**{detail}")
        group = page.get_by_role("group", name="Ajouter à mon agenda")
        group.wait_for()
        download_button = group.get_by_role("link", name="Télécharger l'événement")
        google = group.get_by_role("link", name="Google Agenda")
        outlook = group.get_by_role("link", name="Outlook")
        card = page.locator(".live-detail-status").bounding_box()
        assert card is not None
        for button in (download_button, google, outlook):
            assert button.is_visible()
            box = button.bounding_box()
            assert box is not None
            assert box["height"] >= 44, box  # a thumb-sized target
            assert box["width"] >= card["width"] - 2 * 24, (box, card)  # full width
            assert box["x"] + box["width"] <= PHONE_360["width"]  # nothing off screen
        assert "(Apple, autres agendas)" in download_button.inner_text()
        assert "la veille et 30 minutes avant" in group.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_360["width"]
        screenshot(page, "add-to-calendar-session-360")

        # The file: a real download of this session, with its reminders.
        with page.expect_download() as info:
            download_button.click()
        download = info.value
        assert download.suggested_filename == f"campus-live_session-{session.pk}.ics"
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
        calendar = Calendar.from_ical(saved.read_bytes())
        (event,) = calendar.walk("VEVENT")
        assert str(event["UID"]) == session_uid(session)
        assert event.decoded("dtstart") == session.scheduled_start_at
        assert event.decoded("dtend") == session.scheduled_end_at
        assert upcoming_title in str(event["SUMMARY"])
        triggers = sorted(alarm.decoded("trigger") for alarm in event.walk("VALARM"))
        assert triggers == [timedelta(days=-1), timedelta(minutes=-30)]
        assert {str(alarm["ACTION"]) for alarm in event.walk("VALARM")} == {"DISPLAY"}
        assert all(str(alarm["DESCRIPTION"]) for alarm in event.walk("VALARM"))

        # Google: a prefilled template with the class's UTC dates, in a new tab.
        href = google.get_attribute("href")
        assert href is not None and google.get_attribute("target") == "_blank"
        parts = urlsplit(href)
        assert (parts.scheme, parts.netloc, parts.path) == (
            "https",
            "calendar.google.com",
            "/calendar/render",
        )
        query = parse_qs(parts.query)
        start = session.scheduled_start_at.astimezone(UTC)
        end = session.scheduled_end_at.astimezone(UTC)
        assert query["action"] == ["TEMPLATE"]
        assert query["dates"] == [f"{start:%Y%m%dT%H%M%SZ}/{end:%Y%m%dT%H%M%SZ}"]
        assert query["text"] == [upcoming_title]
        assert (outlook.get_attribute("href") or "").startswith("https://outlook.live.com/")

        # The wide screen: the three buttons side by side.
        page.set_viewport_size(DESKTOP)
        boxes = [b.bounding_box() for b in (download_button, google, outlook)]
        assert all(box is not None and box["height"] >= 44 for box in boxes)
        assert len({round(box["y"]) for box in boxes if box is not None}) == 1
        screenshot(page, "add-to-calendar-session-1280")
        page.go_back()
        page.wait_for_url("**view=day**")
        screenshot(page, "add-to-calendar-day-1280")
    finally:
        context.close()
