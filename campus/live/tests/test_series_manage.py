"""A weekly series as one thing (issue 13): the series page, editing and cancelling all
future occurrences (API and pages), one notice per student, calendars updated through
UID/SEQUENCE/STATUS:CANCELLED, and the session manager grouping a series.

The world: a 10-session weekly series, Tuesdays at 18:00 in Paris from 3 March 2026
(across the DST change of 29 March), seen on Wednesday 18 March: the first two took
place (ended, with attendance), the third was never started (its start is past), the
other 7 are ahead.
"""

import zoneinfo
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from campus.accounts.models import Role, User
from campus.agenda import services as agenda_services
from campus.agenda.tests.interop import calendar_parts, check_part
from campus.courses import services as course_services
from campus.courses.models import Course
from campus.live import services
from campus.live.models import LiveSession, LiveSessionStatus, SessionSeries
from campus.live.tests.helpers import make_session
from campus.notifications import live_notices
from campus.notifications import services as notify_services
from campus.notifications.models import Kind, Notification
from conftest import api_for, assert_error, build_course

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
CREATED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday 2 March
NOW = datetime(2026, 3, 18, 9, 0, tzinfo=UTC)  # Wednesday 18 March, after the 3rd
PAST = 3
FUTURE = 7


def make_series(owner: User, course: Course, *, count: int = 10, **fields: Any) -> SessionSeries:
    fields.setdefault("title", "Atelier du mardi")
    record, _ = services.series_create(
        actor=owner,
        course=course,
        description="Chaque semaine.",
        days_of_week=[1],
        start_time=time(18, 0),
        timezone_name="Europe/Paris",
        starts_on=date(2026, 3, 3),
        duration_minutes=90,
        count=count,
        max_participants=25,
        now=CREATED,
        **fields,
    )
    return record


def occurrences(record: SessionSeries) -> list[LiveSession]:
    return list(LiveSession.objects.filter(series=record).order_by("scheduled_start_at"))


def hold_class(owner: User, session: LiveSession, students: list[User]) -> None:
    """Start at the scheduled start, everyone joins, end 90 minutes later."""
    start = session.scheduled_start_at
    services.session_start(actor=owner, session=session, now=start)
    for student in students:
        services.session_join(actor=student, session=session, now=start + timedelta(minutes=1))
    services.session_end(actor=owner, session=session, now=start + timedelta(minutes=90))


def row(session: LiveSession) -> tuple[Any, ...]:
    session.refresh_from_db()
    return (
        session.title,
        session.status,
        session.scheduled_start_at,
        session.scheduled_end_at,
        session.sequence,
        session.max_participants,
        session.updated_at,
    )


@pytest.fixture
def frozen() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def students(user_factory: Any, course: Course, member: User) -> list[User]:
    other = user_factory(Role.STUDENT, first_name="Afiavi", last_name="Dossou")
    course_services.enrollment_create(actor=other, course=course)
    return [member, other]


@pytest.fixture
def world(frozen: Any, owner: User, course: Course, students: list[User]) -> SessionSeries:
    record = make_series(owner, course)
    sessions = occurrences(record)
    hold_class(owner, sessions[0], students)
    hold_class(owner, sessions[1], students[:1])
    # The third one was never started: its start is past, it stays as it is.
    Notification.objects.all().delete()  # the "scheduled"/"started" notices of the setup
    return record


def feed_events(user: User) -> dict[str, Any]:
    token = agenda_services.calendar_token(actor=user).token
    response = Client().get(f"/calendar/feed/{token}.ics")
    assert response.status_code == 200
    return {str(e["UID"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}


def uid(session: LiveSession) -> str:
    return live_notices.invitations.session_uid(session)


def series_api(record: SessionSeries, suffix: str = "") -> str:
    return f"/api/live-series/{record.pk}{suffix}"


# --- The test: edit moves only the 7 future; cancel: one notice, feeds updated ---


def test_edit_then_cancel_a_series_touches_only_the_future(
    world: SessionSeries, owner: User, students: list[User]
) -> None:
    sessions = occurrences(world)
    past, future = sessions[:PAST], sessions[PAST:]
    assert [s.status for s in past] == ["ended", "ended", "scheduled"]
    assert len(future) == FUTURE
    past_rows = [row(s) for s in past]
    local_dates = [s.scheduled_start_at.astimezone(PARIS).date() for s in future]

    # Edit the series: 19:00 instead of 18:00, a new title, 60 minutes, 30 seats.
    response = api_for(owner).patch(
        series_api(world),
        {
            "start_time": "19:00",
            "title": "Atelier (nouvel horaire)",
            "duration_minutes": 60,
            "max_participants": 30,
        },
    )
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["future_count"] == FUTURE
    assert data["start_time"] == "19:00:00" and data["duration_minutes"] == 60
    assert data["rule"].startswith("Chaque mardi à 19:00")

    assert [row(s) for s in past] == past_rows  # the past never changes
    for session, day in zip(future, local_dates, strict=True):
        session.refresh_from_db()
        local = session.scheduled_start_at.astimezone(PARIS)
        assert local.date() == day and local.time() == time(19, 0)  # DST-correct: 19:00 both sides
        assert session.scheduled_end_at - session.scheduled_start_at == timedelta(minutes=60)
        assert session.title == "Atelier (nouvel horaire)" and session.max_participants == 30
        assert session.sequence == 1
    # Before and after 29 March the UTC hour differs; the wall clock does not.
    assert {s.scheduled_start_at.hour for s in future} == {18, 17}

    # ONE notice per student, with the 7 updated invitations.
    rescheduled = Notification.objects.filter(kind=Kind.SERIES_RESCHEDULED)
    assert sorted(rescheduled.values_list("user_id", flat=True)) == sorted(s.pk for s in students)
    assert not Notification.objects.filter(kind=Kind.SESSION_RESCHEDULED).exists()
    events = rescheduled.first().data["events"]  # type: ignore[union-attr]
    assert [e["uid"] for e in events] == [uid(s) for s in future]
    assert {e["sequence"] for e in events} == {1}

    before = feed_events(students[0])
    assert {before[uid(s)]["SEQUENCE"] for s in future} == {1}

    # Cancel all future occurrences with one reason.
    response = api_for(owner).post(series_api(world, "/cancel"), {"reason": "Grève des cours"})
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["counts"] == {"scheduled": 1, "live": 0, "ended": 2, "cancelled": FUTURE}
    assert data["future_count"] == 0 and data["next_session_id"] is None

    assert [row(s) for s in past] == past_rows
    for session in future:
        session.refresh_from_db()
        assert session.status == LiveSessionStatus.CANCELLED
        assert session.cancel_reason == "Grève des cours"
        assert session.sequence == 2

    # One notice per student, not seven; no per-session cancellation.
    cancelled = Notification.objects.filter(kind=Kind.SERIES_CANCELLED)
    assert sorted(cancelled.values_list("user_id", flat=True)) == sorted(s.pk for s in students)
    assert not Notification.objects.filter(kind=Kind.SESSION_CANCELLED).exists()
    notice = cancelled.get(user=students[0])
    assert "Grève des cours" in notice.body and "7" in notice.body

    # The student's feed: the 7 are CANCELLED at a higher SEQUENCE; the past 3 unchanged.
    after = feed_events(students[0])
    for session in future:
        event = after[uid(session)]
        assert str(event["STATUS"]) == "CANCELLED"
        assert event["SEQUENCE"] == 2 > before[uid(session)]["SEQUENCE"]
    for session in past:
        old, new = before[uid(session)], after[uid(session)]
        for prop in ("DTSTART", "DTEND", "SEQUENCE", "STATUS", "SUMMARY"):
            assert new[prop] == old[prop] or new[prop].to_ical() == old[prop].to_ical()
        assert str(new["STATUS"]) == "CONFIRMED" and new["SEQUENCE"] == 0


def test_the_emails_carry_one_calendar_file_for_all_occurrences(
    world: SessionSeries, owner: User, students: list[User]
) -> None:
    future = occurrences(world)[PAST:]
    services.series_update(actor=owner, series=world, start_time=time(19, 0))
    services.series_cancel(actor=owner, series=world, reason="Fin du semestre")
    mail.outbox.clear()
    report = notify_services.deliver_pending(now=NOW)
    assert report.sent == 2 * len(students)  # one per kind and student, not 7
    by_method: dict[str, list[Calendar]] = {}
    for message in mail.outbox:
        for part in calendar_parts(message):
            calendar = check_part(part)  # parsed by three readers, method header = METHOD
            by_method.setdefault(str(calendar["METHOD"]), []).append(calendar)
    assert len(by_method["REQUEST"]) == len(by_method["CANCEL"]) == len(students)
    request = by_method["REQUEST"][0].walk("VEVENT")
    assert [str(e["UID"]) for e in request] == [uid(s) for s in future]
    assert {e["SEQUENCE"] for e in request} == {1}
    cancel = by_method["CANCEL"][0].walk("VEVENT")
    assert [str(e["UID"]) for e in cancel] == [uid(s) for s in future]
    assert {(str(e["STATUS"]), e["SEQUENCE"]) for e in cancel} == {("CANCELLED", 2)}
    assert all("ATTENDEE" in e for e in cancel)  # addressed to the student


def test_reminders_of_a_cancelled_series_stop(
    world: SessionSeries, owner: User, students: list[User], frozen: Any
) -> None:
    nxt = occurrences(world)[PAST]
    # The 24 h reminder of the next occurrence went out, its email still pending.
    day_before = nxt.scheduled_start_at - timedelta(hours=20)
    frozen.move_to(day_before)
    assert live_notices.reminders_sweep(now=day_before) == len(students)
    pending = Notification.objects.filter(kind=Kind.SESSION_REMINDER_24H, email_state="pending")
    assert pending.count() == len(students)

    services.series_cancel(actor=owner, series=world, reason="")
    assert not pending.exists()  # stopped (skipped), still in the inbox
    hour_before = nxt.scheduled_start_at - timedelta(minutes=30)
    frozen.move_to(hour_before)
    assert live_notices.reminders_sweep(now=hour_before) == 0
    later = occurrences(world)[PAST + 1].scheduled_start_at - timedelta(hours=2)
    assert live_notices.reminders_sweep(now=later) == 0
    assert not Notification.objects.filter(kind=Kind.SESSION_REMINDER_1H).exists()


def test_a_title_only_edit_moves_nothing_and_a_capacity_edit_tells_nobody(
    world: SessionSeries, owner: User
) -> None:
    future = occurrences(world)[PAST:]
    starts = [s.scheduled_start_at for s in future]
    services.series_update(actor=owner, series=world, max_participants=12)
    assert not Notification.objects.exists()  # nothing a student sees changed
    services.series_update(actor=owner, series=world, title="Nouveau titre")
    assert Notification.objects.filter(kind=Kind.SERIES_RESCHEDULED).count() == 2
    for session, start in zip(future, starts, strict=True):
        session.refresh_from_db()
        assert session.scheduled_start_at == start and session.sequence == 0
        assert session.max_participants == 12 and session.title == "Nouveau titre"


def test_a_session_moved_alone_keeps_its_time_when_only_the_title_changes(
    world: SessionSeries, owner: User
) -> None:
    moved = occurrences(world)[PAST + 2]
    services.session_update(
        actor=owner,
        session=moved,
        scheduled_start_at=moved.scheduled_start_at + timedelta(hours=2),
        scheduled_end_at=moved.scheduled_end_at + timedelta(hours=2),
        now=NOW,
    )
    services.series_update(actor=owner, series=world, title="Atelier")
    moved_start = LiveSession.objects.get(pk=moved.pk).scheduled_start_at
    assert moved_start.astimezone(PARIS).time() == time(20, 0)
    # "This one and the following" still works after a whole-series edit.
    pivot = occurrences(world)[PAST + 4]
    changed = services.series_update_following(
        actor=owner, session=pivot, start_time=time(17, 0), now=NOW
    )
    assert len(changed) == FUTURE - 4
    assert all(s.scheduled_start_at.astimezone(PARIS).time() == time(17, 0) for s in changed)


# --- API: reads, bad input, conflicts ----------------------------------------------------


def test_get_series_for_members_without_secrets(world: SessionSeries, member: User) -> None:
    response = api_for(member).get(series_api(world))
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["rule"] == (
        "Chaque mardi à 18:00 (heure de Europe/Paris) pendant 1 h 30 min, 10 séances, "
        "du 3 mars 2026 au 5 mai 2026"
    )
    assert len(data["sessions"]) == 10 and data["future_count"] == FUTURE
    # The third was missed (its end is past): the next one is the fourth.
    assert data["next_session_id"] == occurrences(world)[PAST].pk
    text = response.content.decode()
    for secret in ("jitsi_room_password", "jwt", "jitsi_join_url", "jitsi_room_name"):
        assert secret not in text


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({}, "body", "nothing_to_update"),
        ({"title": ""}, None, None),
        ({"title": "x" * 300}, None, None),
        ({"duration_minutes": 0}, "duration_minutes", "series_invalid_duration"),
        ({"duration_minutes": 721}, "duration_minutes", "series_invalid_duration"),
        ({"max_participants": 0}, None, None),
        ({"start_time": "25:00"}, None, None),
        ({"start_time": "demain"}, None, None),
        ({"description": "x" * 5001}, None, None),
    ],
)
def test_patch_bad_input_is_a_400(
    world: SessionSeries, owner: User, body: dict[str, Any], field: str | None, code: str | None
) -> None:
    snapshot = [row(s) for s in occurrences(world)]
    response = api_for(owner).patch(series_api(world), body)
    error = assert_error(response, 400, code)
    assert error["message"]  # French, for a person
    assert [row(s) for s in occurrences(world)] == snapshot


@pytest.mark.parametrize("raw", ["[]", '"texte"', "42", "{not json", ""])
def test_body_not_a_json_object_is_a_400(world: SessionSeries, owner: User, raw: str) -> None:
    client = api_for(owner)
    assert_error(client.request("PATCH", series_api(world), raw=raw), 400)
    assert_error(client.request("POST", series_api(world, "/cancel"), raw=raw), 400)
    assert not LiveSession.objects.filter(status=LiveSessionStatus.CANCELLED).exists()


def test_cancel_bad_input_and_conflicts(world: SessionSeries, owner: User) -> None:
    client = api_for(owner)
    error = assert_error(client.post(series_api(world, "/cancel"), {"reason": "x" * 501}), 400)
    assert "reason" in str(error["error"]["details"])
    assert_error(client.post(series_api(world, "/cancel"), {"reason": 12}), 400)
    assert client.post(series_api(world, "/cancel"), {}).status_code == 200
    # Nothing left ahead: a second cancel and an edit are 409s, not silent successes.
    assert_error(client.post(series_api(world, "/cancel"), {}), 409, "series_no_future")
    assert_error(client.patch(series_api(world), {"title": "Trop tard"}), 409, "series_no_future")
    assert Notification.objects.filter(kind=Kind.SERIES_CANCELLED).count() == 2


def test_an_edit_that_would_put_an_occurrence_in_the_past_writes_nothing(
    world: SessionSeries, owner: User, frozen: Any
) -> None:
    nxt = occurrences(world)[PAST]
    # 30 minutes before the next class, moving the series an hour earlier would put it
    # in the past: refused as a whole.
    frozen.move_to(nxt.scheduled_start_at - timedelta(minutes=30))
    snapshot = [row(s) for s in occurrences(world)]
    response = api_for(owner).patch(series_api(world), {"start_time": "17:00"})
    assert_error(response, 400, "start_in_past")
    assert [row(s) for s in occurrences(world)] == snapshot
    assert not Notification.objects.exists()


def test_unknown_series_is_a_404(owner: User, world: SessionSeries) -> None:
    client = api_for(owner)
    missing = world.pk + 1000
    assert_error(client.get(f"/api/live-series/{missing}"), 404, "series_not_found")
    assert_error(client.patch(f"/api/live-series/{missing}", {"title": "x"}), 404)
    assert_error(client.post(f"/api/live-series/{missing}/cancel", {}), 404)


# --- Pages -------------------------------------------------------------------------------


def page_url(name: str, record: SessionSeries, course_id: int | None = None) -> str:
    return reverse(
        f"live:{name}",
        kwargs={"course_id": course_id or record.course_id, "series_id": record.pk},
    )


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("name", ["series_manage", "series_edit", "series_cancel"])
def test_series_pages_per_actor(world: SessionSeries, actors: dict, name: str) -> None:
    url = page_url(name, world)
    expected = {
        "anonymous": 302,
        "outsider": 403,
        "member": 403,
        "other_instructor": 403,
        "owner": 200,
        "admin": 200,
    }
    for actor, status in expected.items():
        response = client_for(actors[actor]).get(url)
        assert response.status_code == status, (actor, response.status_code)
        if actor == "anonymous":
            assert "/login" in response["Location"]
    # POSTs are refused the same way, and change nothing.
    for actor in ("outsider", "member", "other_instructor"):
        assert client_for(actors[actor]).post(url, {"reason": "x"}).status_code == 403
    assert not LiveSession.objects.filter(status=LiveSessionStatus.CANCELLED).exists()


def test_a_series_under_another_course_does_not_exist(world: SessionSeries, owner: User) -> None:
    other = build_course(owner, title="Autre cours", modules=0, with_final=False)
    response = client_for(owner).get(page_url("series_manage", world, course_id=other.pk))
    assert response.status_code == 404


def test_series_page_shows_the_rule_the_occurrences_and_allowed_actions(
    world: SessionSeries, owner: User, frozen: Any
) -> None:
    sessions = occurrences(world)
    body = client_for(owner).get(page_url("series_manage", world)).content.decode()
    assert "Chaque mardi à 18:00" in body and "10 séances" in body
    assert "7 séances à venir" in body
    assert page_url("series_edit", world) in body and page_url("series_cancel", world) in body
    for session in sessions:
        assert (
            reverse(
                "live:session_manage",
                kwargs={"course_id": world.course_id, "session_id": session.pk},
            )
            in body
        )
    # The next class is days away: no "Démarrer" anywhere.
    assert "Démarrer" not in body
    start_url = reverse(
        "live:session_start",
        kwargs={"course_id": world.course_id, "session_id": sessions[PAST].pk},
    )
    # From 30 minutes before it, "Démarrer" is offered for that one only.
    frozen.move_to(sessions[PAST].scheduled_start_at - timedelta(minutes=20))
    body = client_for(owner).get(page_url("series_manage", world)).content.decode()
    assert body.count("Démarrer") == 1 and start_url in body


def test_series_page_after_cancel_offers_no_whole_series_action(
    world: SessionSeries, owner: User
) -> None:
    services.series_cancel(actor=owner, series=world, reason="Fin")
    client = client_for(owner)
    body = client.get(page_url("series_manage", world)).content.decode()
    assert page_url("series_edit", world) not in body
    assert page_url("series_cancel", world) not in body
    assert "7 annulées" in body
    # The forms say so instead of offering a form that can only fail.
    assert client.get(page_url("series_edit", world)).status_code == 409
    assert client.get(page_url("series_cancel", world)).status_code == 409


def test_edit_page_saves_for_the_future_only(world: SessionSeries, owner: User) -> None:
    past = [row(s) for s in occurrences(world)[:PAST]]
    client = client_for(owner)
    form = client.get(page_url("series_edit", world)).content.decode()
    assert 'value="18:00"' in form and 'value="90"' in form
    response = client.post(
        page_url("series_edit", world),
        {
            "title": "Atelier du mardi",
            "description": "Chaque semaine.",
            "start_time": "19:30",
            "duration_minutes": "90",
            "max_participants": "25",
        },
    )
    assert response.status_code == 302 and response["Location"] == page_url("series_manage", world)
    assert [row(s) for s in occurrences(world)[:PAST]] == past
    assert {s.scheduled_start_at.astimezone(PARIS).time() for s in occurrences(world)[PAST:]} == {
        time(19, 30)
    }
    page = client.get(response["Location"]).content.decode()
    assert "7 séances à venir modifiées" in page


def test_edit_page_bad_input_is_shown_in_french(world: SessionSeries, owner: User) -> None:
    client = client_for(owner)
    data = {
        "title": "Atelier du mardi",
        "description": "",
        "start_time": "18:00",
        "duration_minutes": "0",
        "max_participants": "25",
    }
    response = client.post(page_url("series_edit", world), data)
    assert response.status_code == 400
    assert "La durée doit être comprise entre 1 et 720 minutes." in response.content.decode()
    unchanged = {**data, "duration_minutes": "90", "description": "Chaque semaine."}
    response = client.post(page_url("series_edit", world), unchanged)
    assert response.status_code == 400
    assert "Indiquez au moins un champ à modifier." in response.content.decode()


def test_cancel_page(world: SessionSeries, owner: User) -> None:
    client = client_for(owner)
    form = client.get(page_url("series_cancel", world)).content.decode()
    assert "Annuler 7 séances" in form
    response = client.post(page_url("series_cancel", world), {"reason": "x" * 501})
    assert response.status_code == 400
    response = client.post(page_url("series_cancel", world), {"reason": "Vacances"})
    assert response.status_code == 302
    assert LiveSession.objects.filter(series=world, status="cancelled").count() == FUTURE
    assert Notification.objects.filter(kind=Kind.SERIES_CANCELLED).count() == 2


def test_manager_groups_a_series_under_it(
    world: SessionSeries, owner: User, course: Course
) -> None:
    make_session(owner, course, title="Séance de rattrapage", starts_in=timedelta(days=2))
    body = client_for(owner).get(reverse("live:manager", kwargs={"course_id": course.pk}))
    text = body.content.decode()
    assert "Séries hebdomadaires" in text and "Sessions ponctuelles" in text
    assert "Chaque mardi à 18:00" in text and page_url("series_manage", world) in text
    assert "Prochaine" in text and "7 programmées" not in text  # 8 scheduled (3rd missed)
    assert "8 programmées" in text and "2 terminées" in text
    assert "Séance de rattrapage" in text
    assert text.index("Séries hebdomadaires") < text.index("Séance de rattrapage")
    # No "Démarrer" for classes days away.
    assert "Démarrer" not in text
    # The status filter applies inside groups too.
    ended = (
        client_for(owner)
        .get(reverse("live:manager", kwargs={"course_id": course.pk}) + "?status=ended")
        .content.decode()
    )
    assert "Séries hebdomadaires" in ended and "Séance de rattrapage" not in ended


def test_session_page_links_to_its_series(world: SessionSeries, owner: User) -> None:
    session = occurrences(world)[PAST]
    body = (
        client_for(owner)
        .get(
            reverse(
                "live:session_manage",
                kwargs={"course_id": world.course_id, "session_id": session.pk},
            )
        )
        .content.decode()
    )
    assert page_url("series_manage", world) in body


# --- Query counts --------------------------------------------------------------------------


def test_series_page_queries_do_not_grow(frozen: Any, owner: User, course: Course) -> None:
    small = make_series(owner, course, count=2, title="Petite")
    big = make_series(owner, course, count=20, title="Grande")
    client = client_for(owner)
    client.get(page_url("series_manage", small))  # warm the session and caches

    counts = []
    for record in (small, big):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page_url("series_manage", record)).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts


def test_manager_queries_do_not_grow_with_series(frozen: Any, owner: User, course: Course) -> None:
    client = client_for(owner)
    url = reverse("live:manager", kwargs={"course_id": course.pk})
    make_series(owner, course, count=2, title="Une")
    make_session(owner, course, title="Seule", starts_in=timedelta(days=3))
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(4):
        make_series(owner, course, count=12, title=f"Série {n}")
        make_session(owner, course, title=f"Seule {n}", starts_in=timedelta(days=4 + n))
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(few) == len(many), (len(few), len(many))
