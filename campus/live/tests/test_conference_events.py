"""Attendance, start and end from the conference server's own events (issue 18):
campus.live.conference, driven with the documented payloads of JaaS webhooks and of
Prosody's event_sync component. The HTTP endpoints are test_webhooks_api.py's."""

import csv
import io
import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from campus.accounts.models import Role, User
from campus.courses.models import Course
from campus.live import conference, presenters, selectors, services
from campus.live.attendance import attended_seconds
from campus.live.models import (
    AttendanceSource,
    ConferenceEvent,
    LiveSession,
    LiveSessionStatus,
    Participant,
    SessionRecording,
)
from campus.live.tests.helpers import make_session

pytestmark = pytest.mark.django_db

APP_ID = "vpaas-magic-cookie-c2824d584eac4489a1e32e4e164d5a3c"


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def jaas(
    session: LiveSession,
    event_type: str,
    at: datetime,
    *,
    data: dict[str, Any] | None = None,
    key: str | None = None,
) -> dict[str, Any]:
    """A JaaS webhook body as documented (developer.8x8.com/jaas/docs/webhooks-payload)."""
    return {
        "idempotencyKey": key or str(uuid.uuid4()),
        "customerId": "c2824d584eac4489a1e32e4e164d5a3c",
        "appId": APP_ID,
        "eventType": event_type,
        "sessionId": "c3348153-1027-4382-afad-5ae91b433c26",
        "timestamp": ms(at),
        "fqn": f"{APP_ID}/{session.jitsi_room_name}",
        "data": data if data is not None else {"conference": session.jitsi_room_name},
    }


def presence(user: User | None, occupant: str, **extra: Any) -> dict[str, Any]:
    data = {
        "moderator": "false",
        "name": user.display_name if user else "Invité",
        "email": user.email if user else "",
        "participantJid": f"{occupant}@meet.jitsi/abc",
        "participantId": occupant,
        **extra,
    }
    if user is not None:
        data["id"] = str(user.pk)
    return data


def deliver(body: dict[str, Any]) -> str:
    event = conference.parse_jaas(body)
    assert event is not None
    return conference.ingest(event)


def prosody(session: LiveSession, path: str, **body: Any) -> str:
    payload = {
        "event_name": "muc-" + path.replace("/", "-"),
        "room_name": session.jitsi_room_name,
        "room_jid": f"{session.jitsi_room_name}@conference.meet.example.org",
        "is_breakout": False,
        **body,
    }
    event = conference.parse_prosody(path, payload)
    assert event is not None
    return conference.ingest(event)


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(datetime(2026, 12, 3, 9, 0, tzinfo=UTC), tick=False) as t:
        yield t


@pytest.fixture
def live(owner: User, course: Course, clock: Any) -> LiveSession:
    """A class scheduled 9:00 to 10:00, started by its owner at 9:00."""
    session = make_session(owner, course, starts_in=timedelta(0), length=timedelta(hours=1))
    return services.session_start(actor=owner, session=session)


def at(session: LiveSession, minutes: float) -> datetime:
    assert session.actual_start_at is not None
    return session.actual_start_at + timedelta(minutes=minutes)


def participant(session: LiveSession, user: User) -> Participant:
    return Participant.objects.get(session=session, user=user)


def csv_rows(session: LiveSession) -> dict[str, dict[str, str]]:
    report = selectors.session_attendance(session=session, now=timezone.now())
    text = presenters.attendance_csv(report).content.decode()
    return {row["email"]: row for row in csv.DictReader(io.StringIO(text))}


def test_a_student_whose_browser_died_still_gets_the_minutes_the_server_saw(
    live: LiveSession, member: User, owner: User, clock: Any
) -> None:
    clock.move_to(at(live, 1))
    services.session_join(actor=member, session=live)
    assert deliver(jaas(live, "PARTICIPANT_JOINED", at(live, 1), data=presence(member, "p1"))) == (
        "stored"
    )
    # The phone drops the page: no heartbeat, no beacon. The sweep closes the browser's
    # interval at its last signal; the server still sees the student in the room.
    clock.move_to(at(live, 10))
    services.attendance_close_stale()
    assert deliver(jaas(live, "PARTICIPANT_LEFT", at(live, 50), data=presence(member, "p1")))
    clock.move_to(at(live, 60))
    services.session_end(actor=owner, session=live)
    row = participant(live, member)
    assert row.attendance_seconds == 49 * 60
    assert row.attendance_source == AttendanceSource.WEBHOOK
    line = csv_rows(LiveSession.objects.get(pk=live.pk))[member.email]
    assert line["attendance_seconds"] == str(49 * 60)
    assert line["attendance_source"] == "webhook"


def test_a_tab_that_never_reached_the_conference_counts_nothing_once_the_server_speaks(
    live: LiveSession, member: User, user_factory: Any, owner: User, clock: Any
) -> None:
    """The server reported on the class (another student) but never saw this one:
    their heartbeats still count (the server never spoke of them); the one it saw
    counts only what it saw, even with a tab beating all along."""
    other = user_factory(email="autre@example.test")
    from campus.courses import services as course_services

    course_services.enrollment_create(actor=other, course=live.course)
    clock.move_to(at(live, 0))
    services.session_join(actor=member, session=live)
    services.session_join(actor=other, session=live)
    deliver(jaas(live, "PARTICIPANT_JOINED", at(live, 20), data=presence(other, "o1")))
    deliver(jaas(live, "PARTICIPANT_LEFT", at(live, 30), data=presence(other, "o1")))
    for minute in range(1, 60):
        clock.move_to(at(live, minute))
        services.session_heartbeat(actor=member, session=live)
        services.session_heartbeat(actor=other, session=live)
    clock.move_to(at(live, 60))
    services.session_end(actor=owner, session=live)
    assert participant(live, other).attendance_seconds == 10 * 60
    assert participant(live, member).attendance_seconds == 60 * 60
    assert participant(live, member).attendance_source == AttendanceSource.HEARTBEAT
    # The owner's attendance page says where each figure comes from.
    client = Client()
    client.force_login(owner)
    url = reverse(
        "live:session_manage", kwargs={"course_id": live.course_id, "session_id": live.pk}
    )
    page = client.get(url).content.decode()
    rows = {
        email: page[page.index(email) : page.index("</tr>", page.index(email))]
        for email in (member.email, other.email)
    }
    assert "selon le navigateur" in rows[member.email]
    assert "selon le serveur Jitsi" in rows[other.email]


def test_the_server_intervals_are_never_closed_by_silence(
    live: LiveSession, member: User, clock: Any
) -> None:
    deliver(jaas(live, "PARTICIPANT_JOINED", at(live, 2), data=presence(member, "p1")))
    clock.move_to(at(live, 30))
    services.attendance_close_stale()
    row = participant(live, member)
    assert row.intervals.get(source=AttendanceSource.WEBHOOK).left_at is None
    assert row.is_present


def snapshot(session: LiveSession) -> list[tuple[Any, ...]]:
    """The rows a session's events produced, as offsets from its start."""
    start = LiveSession.objects.get(pk=session.pk).actual_start_at
    assert start is not None
    rows = []
    for p in Participant.objects.filter(session=session).order_by("user__email"):
        intervals = sorted(
            (
                (i.joined_at - start).total_seconds(),
                None if i.left_at is None else (i.left_at - start).total_seconds(),
            )
            for i in p.intervals.filter(source=AttendanceSource.WEBHOOK)
        )
        rows.append((p.user.email, p.attendance_seconds, p.attendance_source, intervals))
    return rows


def class_events(session: LiveSession, students: list[User]) -> list[dict[str, Any]]:
    """Two students, three presences (one reconnect), each delivery once, in order."""
    first, second = students
    return [
        jaas(session, "PARTICIPANT_JOINED", at(session, 1), data=presence(first, "a1")),
        jaas(session, "PARTICIPANT_JOINED", at(session, 3), data=presence(second, "b1")),
        jaas(session, "PARTICIPANT_LEFT", at(session, 20), data=presence(first, "a1")),
        jaas(session, "PARTICIPANT_JOINED", at(session, 22), data=presence(first, "a2")),
        jaas(session, "PARTICIPANT_LEFT", at(session, 40), data=presence(second, "b1")),
        jaas(session, "PARTICIPANT_LEFT", at(session, 55), data=presence(first, "a2")),
    ]


def test_duplicated_and_reordered_deliveries_give_the_same_rows(
    owner: User, course: Course, user_factory: Any, clock: Any
) -> None:
    students = [user_factory(email=f"s{i}@example.test") for i in range(2)]
    from campus.courses import services as course_services

    for student in students:
        course_services.enrollment_create(actor=student, course=course)
    results = []
    for shuffle in (False, True):
        session = make_session(owner, course, starts_in=timedelta(0))
        session = services.session_start(actor=owner, session=session)
        bodies = class_events(session, students)
        if shuffle:
            bodies = bodies + random.Random(7).sample(bodies, 4)  # JaaS retried four
            random.Random(3).shuffle(bodies)
        outcomes = [deliver(body) for body in bodies]
        assert outcomes.count("stored") == 6
        assert outcomes.count("duplicate") == (4 if shuffle else 0)
        clock.move_to(at(session, 60))
        services.session_end(actor=owner, session=session)
        results.append(snapshot(session))
        clock.move_to(at(session, 0))
    assert results[0] == results[1]
    assert results[0][0][1] == (19 + 33) * 60  # s0: 1→20 and 22→55
    assert results[0][1][1] == 37 * 60  # s1: 3→40


def test_an_event_for_an_unknown_room_changes_nothing(live: LiveSession, member: User) -> None:
    body = jaas(live, "PARTICIPANT_JOINED", at(live, 1), data=presence(member, "p1"))
    body["fqn"] = f"{APP_ID}/some-other-room"
    assert deliver(body) == "unknown_room"
    assert not ConferenceEvent.objects.exists()
    assert not Participant.objects.filter(session=live).exists()


def test_events_campus_does_not_use_are_ignored(live: LiveSession) -> None:
    for event_type in ("PARTICIPANT_JOINED_LOBBY", "FEEDBACK", "USAGE", "LIVE_STREAM_STARTED"):
        assert conference.parse_jaas(jaas(live, event_type, at(live, 1))) is None
    assert conference.parse_prosody("room/whatever", {"room_name": live.jitsi_room_name}) is None


@pytest.mark.parametrize(
    "change",
    [
        lambda body: body.pop("idempotencyKey"),
        lambda body: body.update(timestamp="hier"),
        lambda body: body.update(timestamp=True),
        lambda body: body.update(timestamp=10**18),
        lambda body: body.update(fqn=""),
        lambda body: body.update(data=["not", "an", "object"]),
        lambda body: body["data"].pop("participantId") and body["data"].pop("participantJid"),
        lambda body: body.update(idempotencyKey="k" * 500),
        lambda body: body.update(eventType=42),
    ],
)
def test_a_malformed_jaas_event_is_refused_whole(
    live: LiveSession, member: User, change: Any
) -> None:
    body = jaas(live, "PARTICIPANT_JOINED", at(live, 1), data=presence(member, "p1"))
    change(body)
    with pytest.raises(conference.BadEvent):
        conference.parse_jaas(body)
    odd: object
    for odd in (None, [], "text", 3):
        with pytest.raises(conference.BadEvent):
            conference.parse_jaas(odd)


def test_guests_and_outsiders_are_stored_but_get_no_seat(live: LiveSession, outsider: User) -> None:
    assert deliver(jaas(live, "PARTICIPANT_JOINED", at(live, 1), data=presence(None, "g1")))
    assert deliver(jaas(live, "PARTICIPANT_JOINED", at(live, 2), data=presence(outsider, "x1")))
    assert ConferenceEvent.objects.filter(session=live).count() == 2
    assert not Participant.objects.filter(session=live).exists()


def test_a_display_name_never_identifies_anyone(live: LiveSession, member: User) -> None:
    data = presence(member, "p1")
    data.pop("id")  # the same name and e-mail, but no identity from Campus's token
    deliver(jaas(live, "PARTICIPANT_JOINED", at(live, 1), data=data))
    assert not Participant.objects.filter(session=live).exists()


def test_a_member_the_server_saw_first_gets_a_row(
    live: LiveSession, member: User, owner: User, clock: Any
) -> None:
    """Reached the room another way (a link kept from another day): still counted."""
    deliver(jaas(live, "PARTICIPANT_JOINED", at(live, 5), data=presence(member, "p1")))
    deliver(jaas(live, "PARTICIPANT_JOINED", at(live, 6), data=presence(owner, "o1")))
    seat = participant(live, member)
    assert seat.role == "participant" and seat.admitted_at is not None and seat.is_present
    assert participant(live, owner).role == "instructor"
    clock.move_to(at(live, 15))
    services.session_end(actor=owner, session=live)
    assert participant(live, member).attendance_seconds == 10 * 60


def test_the_room_opening_starts_a_forgotten_session_at_that_moment(
    owner: User, course: Course, clock: Any
) -> None:
    session = make_session(owner, course, starts_in=timedelta(minutes=10))
    opened = timezone.now() + timedelta(minutes=8)
    deliver(jaas(session, "ROOM_CREATED", opened))
    session.refresh_from_db()
    assert session.status == LiveSessionStatus.LIVE and session.actual_start_at == opened
    # Too early (more than 30 minutes before the start): nothing.
    later = make_session(owner, course, starts_in=timedelta(hours=3))
    deliver(jaas(later, "ROOM_CREATED", timezone.now()))
    later.refresh_from_db()
    assert later.status == LiveSessionStatus.SCHEDULED


def test_the_room_closing_ends_a_forgotten_session_only_after_its_scheduled_end(
    live: LiveSession, member: User
) -> None:
    deliver(jaas(live, "PARTICIPANT_JOINED", at(live, 1), data=presence(member, "p1")))
    deliver(jaas(live, "ROOM_DESTROYED", at(live, 30)))  # everyone dropped: a pause
    live.refresh_from_db()
    assert live.status == LiveSessionStatus.LIVE
    deliver(jaas(live, "ROOM_DESTROYED", at(live, 65)))
    live.refresh_from_db()
    assert live.status == LiveSessionStatus.ENDED and live.actual_end_at == at(live, 65)
    row = participant(live, member)
    assert row.attendance_seconds == 64 * 60 and not row.is_present


def test_a_departure_delivered_after_the_end_still_counts(
    live: LiveSession, member: User, owner: User, clock: Any
) -> None:
    deliver(jaas(live, "PARTICIPANT_JOINED", at(live, 1), data=presence(member, "p1")))
    clock.move_to(at(live, 40))
    services.session_end(actor=owner, session=live)
    assert participant(live, member).attendance_seconds == 39 * 60  # closed at the end
    clock.move_to(at(live, 45))
    deliver(jaas(live, "PARTICIPANT_LEFT", at(live, 25), data=presence(member, "p1")))
    assert participant(live, member).attendance_seconds == 24 * 60


def test_prosody_events_give_the_same_attendance(
    live: LiveSession, member: User, owner: User, clock: Any
) -> None:
    occupant = {
        "name": member.display_name,
        "email": member.email,
        "id": str(member.pk),
        "occupant_jid": "14f01c40-5195@meet.example.org/OWhl8jSh",
    }
    joined = int(at(live, 1).timestamp())
    left = int(at(live, 31).timestamp())
    assert prosody(live, "occupant/joined", occupant={**occupant, "joined_at": joined}) == "stored"
    left_body = {**occupant, "joined_at": joined, "left_at": left}
    assert prosody(live, "occupant/left", occupant=left_body) == "stored"
    assert prosody(live, "occupant/left", occupant=left_body) == "duplicate"  # a retry
    # A reconnect whose arrival was lost: the departure carries it.
    lost = {**occupant, "occupant_jid": "14f01c40-5195@meet.example.org/Other"}
    back, gone = int(at(live, 40).timestamp()), int(at(live, 50).timestamp())
    prosody(live, "occupant/left", occupant={**lost, "joined_at": back, "left_at": gone})
    clock.move_to(at(live, 60))
    services.session_end(actor=owner, session=live)
    assert participant(live, member).attendance_seconds == 40 * 60
    assert participant(live, member).attendance_source == AttendanceSource.WEBHOOK


def test_an_upload_is_recorded_once_and_fetched_after_commit(
    live: LiveSession, django_capture_on_commit_callbacks: Any
) -> None:
    link = "https://storage.example.org/recording.mp4?signature=abc"
    body = jaas(
        live,
        "RECORDING_UPLOADED",
        at(live, 70),
        data={"preAuthenticatedLink": link, "share": True, "durationSec": 3600},
    )
    with django_capture_on_commit_callbacks() as callbacks:
        assert deliver(body) == "stored"
        assert deliver(body) == "duplicate"
    recording = SessionRecording.objects.get(session=live)
    assert recording.source_url == link and recording.kind == "video"
    assert recording.duration_seconds == 3600
    fetches = [c for c in callbacks if "recording_fetch" in repr(c)]
    assert len(fetches) == 1
    with pytest.raises(conference.BadEvent):
        conference.parse_jaas(jaas(live, "CHAT_UPLOADED", at(live, 70), data={}))


# --- Property: the figures agree with the event stream -----------------------------------

presences = st.lists(
    st.tuples(
        st.integers(min_value=-20, max_value=70),  # arrival, minutes from the start
        st.one_of(st.none(), st.integers(min_value=0, max_value=80)),  # stay (None: no leave)
    ),
    min_size=1,
    max_size=5,
)


@hsettings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(stays=presences, order_seed=st.integers(0, 10_000), repeats=st.integers(0, 3))
def test_figures_agree_with_the_event_stream(
    owner: User,
    course: Course,
    member: User,
    stays: list[tuple[int, int | None]],
    order_seed: int,
    repeats: int,
) -> None:
    """For any arrivals and departures of one student (overlapping tabs, reconnects,
    presences still open at the end), delivered in any order with retries: the stored
    figure, the attendance page's and the CSV's all equal the union of what the server
    reported, clipped to the class."""
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False) as clock:
        session = make_session(owner, course, starts_in=timedelta(0), length=timedelta(hours=1))
        session = services.session_start(actor=owner, session=session)
        bodies = []
        for index, (arrival, stay) in enumerate(stays):
            occupant = f"p{index}"
            joined = start + timedelta(minutes=arrival)
            bodies.append(
                jaas(session, "PARTICIPANT_JOINED", joined, data=presence(member, occupant))
            )
            if stay is not None:
                left = joined + timedelta(minutes=stay)
                bodies.append(
                    jaas(session, "PARTICIPANT_LEFT", left, data=presence(member, occupant))
                )
        shuffler = random.Random(order_seed)
        bodies += [shuffler.choice(bodies) for _ in range(repeats)]
        shuffler.shuffle(bodies)
        for body in bodies:
            deliver(body)
        end = start + timedelta(minutes=60)
        clock.move_to(end)
        services.session_end(actor=owner, session=session)
    expected = attended_seconds(
        [
            (
                start + timedelta(minutes=a),
                None if s is None else start + timedelta(minutes=a + s),
            )
            for a, s in stays
        ],
        window_start=start,
        window_end=end,
        open_until=end,
    )
    session.refresh_from_db()
    assert participant(session, member).attendance_seconds == expected
    report = selectors.session_attendance(session=session, now=end)
    (line,) = [s for s in report.students if s.user_id == member.pk]
    assert line.attendance_seconds == expected
    assert csv_rows(session)[member.email]["attendance_seconds"] == str(expected)


def test_an_admin_role_is_read_from_campus_not_from_the_event(
    live: LiveSession, user_factory: Any
) -> None:
    admin = user_factory(Role.ADMIN)
    deliver(
        jaas(live, "PARTICIPANT_JOINED", at(live, 1), data=presence(admin, "a1", moderator=True))
    )
    assert participant(live, admin).role == "moderator"


def test_the_sweep_ends_a_forgotten_class_when_its_room_emptied(
    live: LiveSession, member: User, clock: Any
) -> None:
    deliver(jaas(live, "PARTICIPANT_JOINED", at(live, 1), data=presence(member, "p1")))
    deliver(jaas(live, "ROOM_DESTROYED", at(live, 20)))  # a pause...
    deliver(jaas(live, "ROOM_CREATED", at(live, 22)))  # ...everyone back
    deliver(jaas(live, "PARTICIPANT_LEFT", at(live, 45), data=presence(member, "p1")))
    deliver(jaas(live, "ROOM_DESTROYED", at(live, 45)))  # gone for good, before the end
    clock.move_to(at(live, 60 + 121))
    assert services.sessions_auto_end() == [live.pk]
    live.refresh_from_db()
    assert live.actual_end_at == at(live, 45)
    assert participant(live, member).attendance_seconds == 44 * 60
