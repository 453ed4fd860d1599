"""Issue 12 point 5: live classes are easy to find in the calendar and easy to add to
one's own agenda.

- the calendar shows live classes as their own type ("Classe en direct": colour, mark,
  label), in the legend and the filters, linking to the session (the room while live);
- the API keeps its shape and types (`live_session`);
- "Ajouter à mon agenda" buttons on the session page and the day view;
- a downloaded single event carries reminders (VALARM), the subscription feeds none.
"""

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from campus.accounts.models import Role, User
from campus.agenda import services
from campus.agenda.models import PlanItem, PlanItemKind
from campus.courses import services as course_services
from campus.courses.models import Course, Enrollment
from campus.live import services as live_services
from campus.live.models import LiveSession
from campus.live.tests.helpers import make_session
from conftest import build_course

pytestmark = pytest.mark.django_db

# Monday 2 March 2026, 08:00 UTC (09:00 in Porto-Novo).
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def html(response: Any, status: int = 200) -> str:
    assert response.status_code == status, (response.status_code, response.content[:300])
    return response.content.decode()


def event_item(body: str, title: str) -> str:
    """The <li> of the calendar event titled `title` (its own closing tag starts a line;
    the add-to-calendar buttons inside it are a nested, indented list)."""
    found = re.search(
        r'<li class="cal-event[^"]*">(?:(?!</li>).)*?' + re.escape(title) + r".*?\n</li>",
        body,
        flags=re.S,
    )
    assert found, f"no event {title!r}"
    return found.group(0)


def detail_url(session: LiveSession) -> str:
    return reverse(
        "live:session_detail", kwargs={"slug": session.course.slug, "session_id": session.pk}
    )


def ics_url(key: str) -> str:
    return reverse("agenda:event_ics", kwargs={"key": key})


def generate(user: User, course: Course) -> None:
    enrollment = Enrollment.objects.get(user=user, course=course)
    services.plan_generate(actor=user, enrollment=enrollment, now=NOW)


def alarms(body: bytes) -> list[tuple[timedelta, str, str]]:
    """(trigger, action, description) of each VALARM of a one-event file."""
    calendar = Calendar.from_ical(body)
    (event,) = calendar.walk("VEVENT")
    return [
        (a.decoded("trigger"), str(a["action"]), str(a["description"]))
        for a in event.walk("VALARM")
    ]


# --- The calendar page ------------------------------------------------------------------


def test_live_classes_have_their_own_type_legend_and_filter(
    owner: User, member: User, course: Course
) -> None:
    session = make_session(owner, course, starts_in=timedelta(days=1), title="Révision en direct")
    generate(member, course)
    body = html(client_for(member).get(reverse("agenda:calendar")))
    # The legend: its own entry, first, with its colour class (and mark, in CSS).
    legend = re.search(r'<ul class="cal-legend".*?</ul>', body, flags=re.S)
    assert legend is not None
    entries = re.findall(r'<li class="cal-([a-z]+)">.*?</span>\s*([^<]+)</li>', legend.group(0))
    assert entries[0] == ("live", "Classe en direct")
    assert ("cours", "Leçon") in entries
    # The event: its colour class, the type's class and the label in words.
    item = event_item(body, "Révision en direct")
    assert "cal-live" in item and "cal-type-live_session" in item
    assert '<span class="cal-kind">Classe en direct</span>' in item
    assert f'href="{detail_url(session)}"' in item
    assert "Cours / leçon" not in body
    # A plan lesson is a "Leçon", not a live class.
    lesson = event_item(body, "Leçon 1.1")
    assert '<span class="cal-kind">Leçon</span>' in lesson and "cal-live" not in lesson
    # The filter offers live classes, with the legend's mark.
    checkbox = re.search(
        r'<label class="cal-check cal-live"><input type="checkbox" name="type" '
        r'value="live_session">\s*<span class="cal-mark" aria-hidden="true"></span>\s*'
        r"Classes en direct</label>",
        body,
    )
    assert checkbox is not None


def test_filtering_on_live_classes(owner: User, member: User, course: Course) -> None:
    make_session(owner, course, starts_in=timedelta(days=1), title="Révision en direct")
    generate(member, course)
    client = client_for(member)
    only_live = html(client.get(reverse("agenda:calendar") + "?type=live_session"))
    assert "Révision en direct" in only_live and "Leçon 1.1" not in only_live
    assert re.search(r'value="live_session"\s+checked', only_live)
    no_live = html(client.get(reverse("agenda:calendar") + "?type=lesson&type=quiz"))
    assert "Révision en direct" not in no_live and "Leçon 1.1" in no_live
    assert not re.search(r'value="live_session"\s+checked', no_live)


def test_a_class_that_is_live_links_to_its_room(owner: User, member: User, course: Course) -> None:
    upcoming = make_session(owner, course, starts_in=timedelta(hours=3), title="Plus tard")
    now_on = make_session(owner, course, starts_in=timedelta(minutes=5), title="Maintenant")
    now_on = live_services.session_start(actor=owner, session=now_on)
    body = html(client_for(member).get(reverse("agenda:calendar") + "?view=day&date=2026-03-02"))
    room = reverse("live:join", kwargs={"slug": course.slug, "session_id": now_on.pk})
    live_item = event_item(body, "Maintenant")
    assert f'href="{room}"' in live_item and "Rejoindre la classe" in live_item
    assert "En direct" in live_item  # the status badge, in words
    later = event_item(body, "Plus tard")
    assert f'href="{detail_url(upcoming)}"' in later and "Rejoindre" not in later


def test_day_view_offers_add_to_my_calendar_buttons(
    owner: User, member: User, course: Course
) -> None:
    session = make_session(owner, course, starts_in=timedelta(days=1), title="Révision")
    body = html(client_for(member).get(reverse("agenda:calendar") + "?view=day&date=2026-03-03"))
    item = event_item(body, "Révision")
    assert "<summary>Ajouter à mon agenda</summary>" in item
    assert f'href="{ics_url(f"live_session-{session.pk}")}" download' in item
    assert "Télécharger l'événement" in item and "(Apple, autres agendas)" in item
    assert ">Google Agenda<" in item and ">Outlook<" in item
    assert "fichier .ics" not in body
    assert "deux rappels : la veille et 30 minutes avant" in item


# --- The API ----------------------------------------------------------------------------


def test_api_keeps_its_shape_and_types_live_classes(
    api: Any, owner: User, member: User, course: Course
) -> None:
    session = make_session(owner, course, starts_in=timedelta(days=1))
    generate(member, course)
    response = api(member).get("/api/calendar/events", {"start": "2026-03-01", "end": "2026-03-31"})
    assert response.status_code == 200
    events = response.json_body["data"]["events"]
    live = [e for e in events if e["type"] == "live_session"]
    assert [e["key"] for e in live] == [f"live_session-{session.pk}"]
    # Backward compatible: the same fields as before, no more, no fewer.
    assert set(live[0]) == {
        "key",
        "uid",
        "type",
        "title",
        "start",
        "end",
        "all_day",
        "status",
        "url",
        "course_id",
        "course_title",
        "description",
        "sequence",
        "ics_url",
    }
    assert live[0]["url"] == detail_url(session)
    only = api(member).get("/api/calendar", {"type": "live_session"}).json_body["data"]
    assert {e["type"] for e in only} == {"live_session"}


# --- The reminders of a downloaded event --------------------------------------------------


def test_downloaded_live_class_has_two_french_reminders(
    owner: User, member: User, course: Course
) -> None:
    session = make_session(owner, course, starts_in=timedelta(days=1), title="Révision")
    response = client_for(member).get(ics_url(f"live_session-{session.pk}"))
    assert response.status_code == 200
    found = alarms(response.content)
    assert [(trigger, action) for trigger, action, _d in found] == [
        (timedelta(days=-1), "DISPLAY"),
        (timedelta(minutes=-30), "DISPLAY"),
    ]
    descriptions = [d for _t, _a, d in found]
    assert descriptions == [
        "Classe en direct demain à la même heure : Révision — Introduction à Python",
        "Classe en direct dans 30 minutes : Révision — Introduction à Python",
    ]
    text = response.content.decode()
    assert "TRIGGER:-P1D" in text and "TRIGGER:-PT30M" in text


def test_reminders_fit_each_kind_of_event(owner: User, member: User, course: Course) -> None:
    generate(member, course)
    client = client_for(member)
    lesson = PlanItem.objects.filter(
        plan__enrollment__user=member, kind=PlanItemKind.LESSON
    ).first()
    milestone = PlanItem.objects.filter(
        plan__enrollment__user=member, kind=PlanItemKind.MILESTONE
    ).first()
    assert lesson is not None and milestone is not None
    found = alarms(client.get(ics_url(f"plan_item-{lesson.pk}")).content)
    assert [(t, a) for t, a, _d in found] == [(timedelta(minutes=-30), "DISPLAY")]
    assert found[0][2].startswith("Dans 30 minutes : ")
    # A milestone is a marker, not an appointment: no reminder.
    assert alarms(client.get(ics_url(f"plan_item-{milestone.pk}")).content) == []
    # A course's first day (all day): that morning at 9:00.
    Course.objects.filter(pk=course.pk).update(course_start_date=date(2026, 3, 10))
    found = alarms(client.get(ics_url(f"course_start-{course.pk}")).content)
    assert [(t, a) for t, a, _d in found] == [(timedelta(hours=9), "DISPLAY")]
    assert found[0][2].startswith("Aujourd'hui : Début du cours")


def test_a_cancelled_class_has_no_reminder(owner: User, member: User, course: Course) -> None:
    session = make_session(owner, course, starts_in=timedelta(days=1))
    live_services.session_cancel(actor=owner, session=session, reason="Grève")
    body = client_for(member).get(ics_url(f"live_session-{session.pk}")).content
    assert alarms(body) == []
    assert "STATUS:CANCELLED" in body.decode()


def test_subscription_feeds_carry_no_reminders(owner: User, member: User, course: Course) -> None:
    make_session(owner, course, starts_in=timedelta(days=1))
    generate(member, course)
    token = services.calendar_token(actor=member).token
    for path in (
        reverse("agenda:feed", kwargs={"token": token}),
        reverse("agenda:course_feed", kwargs={"token": token, "course_id": course.pk}),
    ):
        body = Client().get(path).content
        calendar = Calendar.from_ical(body)
        assert len(calendar.walk("VEVENT")) > 1
        assert calendar.walk("VALARM") == []
        assert b"VALARM" not in body


def test_the_reminders_change_the_single_events_etag(
    owner: User, member: User, course: Course, monkeypatch: Any
) -> None:
    """A client that kept the file from before the reminders gets the new one."""
    from campus.agenda import feeds

    session = make_session(owner, course, starts_in=timedelta(days=1))
    client = client_for(member)
    path = ics_url(f"live_session-{session.pk}")
    etag = client.get(path)["ETag"]
    assert client.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304
    monkeypatch.setattr(feeds, "ALARMS_VERSION", "alarms-2")
    assert client.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 200


# --- The session page's buttons -----------------------------------------------------------


def test_session_page_buttons_for_members(owner: User, member: User, course: Course) -> None:
    session = make_session(owner, course, starts_in=timedelta(days=1), title="Révision")
    body = html(client_for(member).get(detail_url(session)))
    block = re.search(r'<div class="add-cal".*?</div>', body, flags=re.S)
    assert block is not None
    group = block.group(0)
    assert f'aria-labelledby="add-cal-live_session-{session.pk}"' in group
    assert ">Ajouter à mon agenda</h3>" in group
    buttons = re.findall(r'<a class="button button-secondary add-cal-button" href="([^"]+)"', group)
    assert len(buttons) == 3
    ics, google, outlook = (b.replace("&amp;", "&") for b in buttons)
    assert ics == ics_url(f"live_session-{session.pk}")
    assert "Télécharger l'événement" in group and "(Apple, autres agendas)" in group
    assert "fichier .ics" not in body
    parts = urlsplit(google)
    assert parts.netloc == "calendar.google.com" and parts.path == "/calendar/render"
    query = parse_qs(parts.query)
    assert query["action"] == ["TEMPLATE"] and query["text"] == ["Révision"]
    start = session.scheduled_start_at.astimezone(UTC)
    end = session.scheduled_end_at.astimezone(UTC)
    assert query["dates"] == [f"{start:%Y%m%dT%H%M%SZ}/{end:%Y%m%dT%H%M%SZ}"]
    outlook_query = parse_qs(urlsplit(outlook).query)
    assert urlsplit(outlook).netloc == "outlook.live.com"
    assert outlook_query["startdt"] == [f"{start:%Y-%m-%dT%H:%M:%SZ}"]
    assert "deux rappels : la veille et 30 minutes avant" in group
    # The file behind the first button is this session, with its reminders.
    download = client_for(member).get(ics)
    (event,) = Calendar.from_ical(download.content).walk("VEVENT")
    assert str(event["UID"]).startswith(f"live-session-{session.pk}@")
    assert event.decoded("dtstart") == session.scheduled_start_at
    assert len(event.walk("VALARM")) == 2


def test_session_page_buttons_only_for_an_upcoming_class(
    owner: User, member: User, course: Course
) -> None:
    client = client_for(member)
    live = live_services.session_start(
        actor=owner, session=make_session(owner, course, starts_in=timedelta(minutes=5))
    )
    cancelled = make_session(owner, course, starts_in=timedelta(days=2))
    cancelled = live_services.session_cancel(actor=owner, session=cancelled, reason="")
    never_held = make_session(
        owner, course, starts_in=timedelta(0), now=NOW - timedelta(days=3), title="Oubliée"
    )
    for session in (live, cancelled, never_held):
        assert "add-cal" not in html(client.get(detail_url(session))), session.status


def test_outsiders_and_anonymous_get_no_buttons(
    owner: User, outsider: User, course: Course
) -> None:
    session = make_session(owner, course, starts_in=timedelta(days=1))
    forbidden = client_for(outsider).get(detail_url(session))
    assert forbidden.status_code == 403
    assert b"add-cal" not in forbidden.content
    anonymous = Client().get(detail_url(session))
    assert anonymous.status_code == 302 and reverse("accounts:login") in anonymous["Location"]
    # Nor the file: someone else's session is not in one's calendar.
    assert client_for(outsider).get(ics_url(f"live_session-{session.pk}")).status_code == 404


# --- Query counts -------------------------------------------------------------------------


def _count(client: Client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_stay_constant(
    owner: User, member: User, course: Course, user_factory: Any
) -> None:
    client = client_for(member)
    session = make_session(owner, course, starts_in=timedelta(days=1), title="Première")
    urls = [
        detail_url(session),
        reverse("agenda:calendar"),
        reverse("agenda:calendar") + "?view=day&date=2026-03-03",
        reverse("agenda:calendar") + "?view=week&date=2026-03-03&type=live_session",
    ]
    before = [_count(client, url) for url in urls]
    for n in range(15):
        make_session(owner, course, starts_in=timedelta(days=1, hours=n + 2), title=f"S{n}")
    started = make_session(owner, course, starts_in=timedelta(minutes=5), title="En cours")
    live_services.session_start(actor=owner, session=started)
    other = build_course(owner, title="Autre cours")
    course_services.enrollment_create(actor=member, course=other)
    make_session(owner, other, starts_in=timedelta(days=1, hours=1), title="Autre séance")
    for _ in range(3):
        course_services.enrollment_create(actor=user_factory(Role.STUDENT), course=course)
    after = [_count(client, url) for url in urls]
    assert before == after
    day = html(client.get(urls[2]))
    assert day.count('class="add-cal add-cal-folded"') == 15
