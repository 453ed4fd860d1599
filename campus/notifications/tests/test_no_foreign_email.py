"""A notification carries no one's email but its recipient's (issue 14, item 5): not the
instructor's in the stored `data`, the API, nor the inbox page. The iCalendar invitation
still has the ORGANIZER RFC 5546 requires: the platform's no-reply sender, with the
instructor's name."""

import importlib
import json
import re
from collections.abc import Callable
from datetime import time, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.core import mail
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from campus.accounts.models import Role, User
from campus.agenda.tests.interop import calendar_parts
from campus.courses import services as course_services
from campus.courses.models import Course
from campus.live import services as live_services
from campus.live.tests.helpers import make_session
from campus.notifications import invitations, services
from campus.notifications.models import Notification

pytestmark = pytest.mark.django_db

# What looks like an address; the invitations' UIDs (live-session-<id>@<host>) are not.
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
UID = re.compile(r"^live-session-\d+@")
SENDER = "no-reply@campus.example"


def addresses_in(text: str) -> set[str]:
    return {found for found in ADDRESS.findall(text) if not UID.match(found)}


@pytest.fixture
def notified(
    settings: Any, owner: User, course: Course, member: User, user_factory: Callable[..., User]
) -> dict[str, User]:
    """A member and a classmate notified of a new session, a new series, a rescheduled and
    a cancelled session (every kind whose data holds a session snapshot)."""
    settings.DEFAULT_FROM_EMAIL = f"Campus <{SENDER}>"
    classmate = user_factory(Role.STUDENT, email="camarade@example.test")
    course_services.enrollment_create(actor=classmate, course=course)
    session = make_session(owner, course, title="Séance", starts_in=timedelta(days=2))
    moved = make_session(owner, course, title="Déplacée", starts_in=timedelta(days=3))
    live_services.session_update(
        actor=owner,
        session=moved,
        scheduled_start_at=moved.scheduled_start_at + timedelta(hours=1),
        scheduled_end_at=moved.scheduled_end_at + timedelta(hours=1),
    )
    live_services.series_create(
        actor=owner,
        course=course,
        title="Série",
        days_of_week=[0, 3],
        start_time=time(18, 0),
        timezone_name="Africa/Porto-Novo",
        starts_on=(timezone.now() + timedelta(days=4)).date(),
        duration_minutes=60,
        count=2,
    )
    live_services.session_cancel(actor=owner, session=session, reason="Imprévu")
    return {"member": member, "classmate": classmate, "owner": owner}


def test_stored_notifications_hold_no_email(notified: dict[str, User]) -> None:
    member = notified["member"]
    rows = list(Notification.objects.filter(user=member))
    kinds = {row.kind for row in rows}
    assert {"session_scheduled", "session_rescheduled", "session_cancelled"} <= kinds, kinds
    assert any("event" in row.data for row in rows) and any("events" in row.data for row in rows)
    for row in rows:
        stored = json.dumps(row.data)
        assert addresses_in(stored) == set(), (row.kind, stored)
        for snapshot in [row.data.get("event"), *row.data.get("events", [])]:
            if snapshot:
                assert snapshot["organizer"] == {"name": notified["owner"].display_name}


def test_the_api_and_the_inbox_show_no_email_but_the_readers_own(
    notified: dict[str, User], api: Any
) -> None:
    member, owner = notified["member"], notified["owner"]
    response = api(member).get("/api/notifications", {"limit": 100})
    assert response.status_code == 200
    assert len(response.json_body["data"]) >= 4
    assert response.json_body["data"][0]["data"]  # the data is served, without addresses
    assert addresses_in(response.content.decode()) <= {member.email}
    assert owner.email not in response.content.decode()

    client = Client()
    client.force_login(member)
    page = client.get("/notifications/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Nouvelle session" in html
    assert addresses_in(html) <= {member.email}
    assert owner.email not in html and notified["classmate"].email not in html


def test_the_invitation_keeps_an_organizer_the_platforms_sender(
    notified: dict[str, User],
) -> None:
    member, owner = notified["member"], notified["owner"]
    mail.outbox.clear()
    services.deliver_pending()
    messages = [m for m in mail.outbox if m.to == [member.email]]
    calendars = [
        Calendar.from_ical(part.body) for message in messages for part in calendar_parts(message)
    ]
    methods = {str(c["METHOD"]) for c in calendars}
    assert {"REQUEST", "CANCEL"} <= methods, methods
    for calendar in calendars:
        for event in calendar.walk("VEVENT"):
            organizer = event["ORGANIZER"]
            assert str(organizer) == f"mailto:{SENDER}"
            assert str(organizer.params["CN"]) == owner.display_name
        text = calendar.to_ical().decode().replace("\r\n ", "")  # unfolded lines
        assert addresses_in(text) <= {SENDER, member.email}, text
        assert owner.email not in text


def test_notifications_stored_before_lose_the_organizers_email(
    notified: dict[str, User],
) -> None:
    """The data migration, run over rows written the old way; and an old snapshot still
    makes an invitation (its email is not used)."""
    member, owner = notified["member"], notified["owner"]
    migration = importlib.import_module("campus.notifications.migrations.0005_drop_organizer_email")
    old = {"name": owner.display_name, "email": owner.email}
    single = Notification.objects.filter(user=member, data__has_key="event").first()
    series = Notification.objects.filter(user=member, data__has_key="events").first()
    assert single is not None and series is not None
    single.data["event"]["organizer"] = dict(old)
    for snapshot in series.data["events"]:
        snapshot["organizer"] = dict(old)
    Notification.objects.bulk_update([single, series], ["data"])

    ics = invitations.session_invitation(single.data["event"], attendee=member, method="REQUEST")
    assert owner.email not in ics.decode()

    migration.drop_organizer_email(apps, None)
    for row in Notification.objects.all():
        assert owner.email not in json.dumps(row.data), row.data
    single.refresh_from_db()
    assert single.data["event"]["organizer"] == {"name": owner.display_name}
