"""The conference server's endpoints, over HTTP (campus/live/webhooks.py): the JaaS webhook
and Prosody's event_sync component, driven with the payloads their documentation shows
(developer.8x8.com/jaas/docs/webhooks-payload; jitsi-contrib/prosody-plugins
event_sync/README.md). What the events do to attendance, the session's state and
recordings is tested with campus/live/conference.py; here: the secrets, the bodies, the
outcomes, and that nothing is stored unless the secret is right and the event is good."""

import json
import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from campus.accounts.models import User
from campus.core.tests.openapi_check import api_schema, call_conforming
from campus.courses.models import Course
from campus.live.models import ConferenceEvent, ConferenceEventKind, LiveSession
from campus.live.tests.helpers import make_live
from conftest import assert_error

pytestmark = pytest.mark.django_db

SECRET = "jaas-webhook-secret-6f1d0c2a9b8e47d5a3c1"
TOKEN = "event-sync-token-0b7e5d3c1a2f48e69d4b"
APP_ID = "vpaas-magic-cookie-c2824d584eac4489a1e32e4e164d5a3c"

JAAS_URL = "/api/live/jaas/webhook"
SYNC_URL = "/api/live/event-sync/events/{}"
SYNC_PATHS = ("room/created", "room/destroyed", "occupant/joined", "occupant/left")

JAAS_KINDS = {
    "ROOM_CREATED": ConferenceEventKind.ROOM_CREATED,
    "ROOM_DESTROYED": ConferenceEventKind.ROOM_DESTROYED,
    "PARTICIPANT_JOINED": ConferenceEventKind.PARTICIPANT_JOINED,
    "PARTICIPANT_LEFT": ConferenceEventKind.PARTICIPANT_LEFT,
    "RECORDING_UPLOADED": ConferenceEventKind.RECORDING_UPLOADED,
    "CHAT_UPLOADED": ConferenceEventKind.CHAT_UPLOADED,
    "TRANSCRIPTION_UPLOADED": ConferenceEventKind.TRANSCRIPTION_UPLOADED,
}
SYNC_KINDS = dict(zip(SYNC_PATHS, list(JAAS_KINDS.values())[:4], strict=True))


@pytest.fixture(autouse=True)
def _secrets(settings: Any) -> None:
    settings.JITSI_WEBHOOK_SECRET = SECRET
    settings.JITSI_EVENT_SYNC_TOKEN = TOKEN


@pytest.fixture
def live(owner: User, course: Course) -> LiveSession:
    return make_live(owner, course, title="En direct")


@pytest.fixture
def at() -> datetime:
    """When the server says the event happened (whole milliseconds, as JaaS sends)."""
    return timezone.now().replace(microsecond=0) - timedelta(minutes=1)


# --- Payloads, as the servers' documentation shows them ----------------------------------


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def jaas(event_type: str, room: str, at: datetime, data: dict | None = None, **over: Any) -> dict:
    """A JaaS webhook body (developer.8x8.com/jaas/docs/webhooks-payload)."""
    return {
        "idempotencyKey": str(uuid.uuid4()),
        "customerId": "c2824d584eac4489a1e32e4e164d5a3c",
        "appId": APP_ID,
        "eventType": event_type,
        "sessionId": "c3348153-1027-4382-afad-5ae91b433c26",
        "timestamp": ms(at),
        "fqn": f"{APP_ID}/{room}",
        "data": data if data is not None else jaas_data(event_type, room),
        **over,
    }


def jaas_data(event_type: str, room: str, user: User | None = None) -> dict:
    if event_type.startswith("ROOM_"):
        return {"conference": f"{room}@conference.{APP_ID}.8x8.vc", "isBreakout": False}
    if event_type.startswith("PARTICIPANT_"):
        data = {
            "moderator": "false",
            "name": user.full_name if user else "Invité",
            "email": user.email if user else "",
            "id": str(user.pk) if user else "",
            "participantJid": f"p-{room}@{APP_ID}.8x8.vc/abc",
            "participantId": "b3f0d8a1",
            "avatar": "",
            "isBreakout": False,
        }
        if event_type == "PARTICIPANT_LEFT":
            data["disconnectReason"] = "left"
        return data
    link = "https://recordings.example.test/r/3f1c.mp4?signature=abc"
    if event_type == "RECORDING_UPLOADED":
        return {"preAuthenticatedLink": link, "share": True, "initiatorId": "x", "durationSec": 60}
    return {"preAuthenticatedLink": link}


def prosody(path_event: str, room: str, at: datetime, user: User | None = None) -> dict:
    """An event_sync body (event_sync/README.md's examples, with Campus's room and user)."""
    seconds = int(at.timestamp())
    body: dict[str, Any] = {
        "room_name": room,
        "room_jid": f"{room}@conference.meet.example.org",
        "is_breakout": False,
    }
    if path_event == "room/created":
        return {"event_name": "muc-room-created", **body, "created_at": seconds}
    if path_event == "room/destroyed":
        return {
            "event_name": "muc-room-destroyed",
            **body,
            "created_at": seconds - 600,
            "destroyed_at": seconds,
            "all_occupants": [],
        }
    occupant = {
        "name": user.full_name if user else "James Barrow",
        "email": user.email if user else "j.barrow@domain.com",
        "id": str(user.pk) if user else "00380324-a840-400d-880f-7ee0933b7556",
        "occupant_jid": "14f01c40-5195-4a4d-8efb-f58b49d18741@meet.example.org/OWhl8jSh",
        "joined_at": seconds - 300 if path_event == "occupant/left" else seconds,
    }
    if path_event == "occupant/joined":
        return {
            "event_name": "muc-occupant-joined",
            **body,
            "active_occupants_count": 4,
            "occupant": occupant,
        }
    return {
        "event_name": "muc-occupant-left",
        **body,
        "active_occupants_count": 3,
        "occupant": {**occupant, "left_at": seconds},
    }


def post(
    path: str,
    body: Any = None,
    *,
    authorization: str | None = None,
    raw: str | bytes | None = None,
    client: Client | None = None,
) -> Any:
    headers: dict[str, Any] = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    data = raw if raw is not None else json.dumps(body)
    return (client or Client()).post(path, data, content_type="application/json", **headers)


def jaas_post(body: Any = None, **kw: Any) -> Any:
    kw.setdefault("authorization", SECRET)
    return post(JAAS_URL, body, **kw)


def sync_post(path_event: str, body: Any = None, **kw: Any) -> Any:
    kw.setdefault("authorization", f"Bearer {TOKEN}")
    return post(SYNC_URL.format(path_event), body, **kw)


def outcome(response: Any) -> str:
    assert response.status_code == 200, (response.status_code, response.content[:500])
    body = response.json()
    assert body["success"] is True
    assert set(body["data"]) == {"outcome"}
    return body["data"]["outcome"]


# --- JaaS: the secret ---------------------------------------------------------------------


@pytest.mark.parametrize("event_type", list(JAAS_KINDS))
def test_jaas_stores_each_event_type(
    event_type: str, live: LiveSession, member: User, at: datetime
) -> None:
    room = live.jitsi_room_name
    body = jaas(event_type, room, at, jaas_data(event_type, room, member))
    assert outcome(jaas_post(body)) == "stored"
    event = ConferenceEvent.objects.get()
    assert (event.session_id, event.source, event.kind) == (live.pk, "jaas", JAAS_KINDS[event_type])
    assert event.idempotency_key == body["idempotencyKey"]
    assert event.occurred_at == at  # the server's timestamp (ms), not the arrival
    presence = event_type.startswith("PARTICIPANT_")
    assert event.user == (member if presence else None)  # data.id, the JWT's user id


@pytest.mark.parametrize(
    "authorization",
    ["wrong-secret", f"Bearer {SECRET}x", SECRET[:-1], f"Token {SECRET}"],
)
def test_jaas_wrong_secret_is_401_and_stores_nothing(
    authorization: str, live: LiveSession, member: User, at: datetime, caplog: Any
) -> None:
    room = live.jitsi_room_name
    body = jaas("PARTICIPANT_JOINED", room, at, jaas_data("PARTICIPANT_JOINED", room, member))
    with caplog.at_level(logging.WARNING, logger="campus.live.webhooks"):
        assert_error(jaas_post(body, authorization=authorization), 401, "webhook_unauthorized")
    assert not ConferenceEvent.objects.exists()
    assert "wrong Authorization header" in caplog.text
    assert SECRET not in caplog.text and authorization not in caplog.text
    # The control: the same body with the secret is stored.
    assert outcome(jaas_post(body)) == "stored"


def test_jaas_missing_header_is_401(live: LiveSession, at: datetime, caplog: Any) -> None:
    with caplog.at_level(logging.WARNING, logger="campus.live.webhooks"):
        response = jaas_post(jaas("ROOM_CREATED", live.jitsi_room_name, at), authorization=None)
    assert_error(response, 401, "webhook_unauthorized")
    assert "no Authorization header" in caplog.text
    assert not ConferenceEvent.objects.exists()


@pytest.mark.parametrize("authorization", ["", "Bearer ", "Bearer", None])
def test_jaas_unset_secret_refuses_everything(
    authorization: str | None, settings: Any, live: LiveSession, at: datetime
) -> None:
    settings.JITSI_WEBHOOK_SECRET = ""
    body = jaas("ROOM_CREATED", live.jitsi_room_name, at)
    assert_error(jaas_post(body, authorization=authorization), 401, "webhook_unauthorized")
    assert not ConferenceEvent.objects.exists()


@pytest.mark.parametrize(
    ("configured", "sent"),
    [
        (SECRET, SECRET),
        (SECRET, f"Bearer {SECRET}"),
        (SECRET, f"bearer {SECRET}"),
        (f"Bearer {SECRET}", f"Bearer {SECRET}"),
        (f"Bearer {SECRET}", SECRET),
    ],
)
def test_jaas_secret_with_or_without_bearer(
    configured: str, sent: str, settings: Any, live: LiveSession, at: datetime
) -> None:
    """The console sends what was typed there; the setting may hold either form."""
    settings.JITSI_WEBHOOK_SECRET = configured
    body = jaas("ROOM_DESTROYED", live.jitsi_room_name, at)
    assert outcome(jaas_post(body, authorization=sent)) == "stored"


def test_the_event_sync_token_does_not_open_the_jaas_webhook(
    live: LiveSession, at: datetime
) -> None:
    body = jaas("ROOM_CREATED", live.jitsi_room_name, at)
    assert_error(jaas_post(body, authorization=f"Bearer {TOKEN}"), 401, "webhook_unauthorized")
    assert_error(jaas_post(body, authorization=TOKEN), 401, "webhook_unauthorized")
    assert not ConferenceEvent.objects.exists()


def test_a_user_session_neither_opens_nor_blocks_the_webhook(
    live: LiveSession, member: User, at: datetime
) -> None:
    """No cookie is read: a logged-in browser without the secret is refused, and a
    request with the secret needs no CSRF token even when it carries a session."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    body = jaas("ROOM_CREATED", live.jitsi_room_name, at)
    assert_error(jaas_post(body, authorization=None, client=client), 401, "webhook_unauthorized")
    assert not ConferenceEvent.objects.exists()
    assert outcome(jaas_post(body, client=client)) == "stored"


# --- JaaS: outcomes -----------------------------------------------------------------------


def test_jaas_unknown_room_is_200_and_stores_nothing(live: LiveSession, at: datetime) -> None:
    body = jaas("PARTICIPANT_JOINED", "campus-unknown-room", at)
    assert outcome(jaas_post(body)) == "unknown_room"
    assert not ConferenceEvent.objects.exists()


def test_jaas_same_idempotency_key_twice_is_one_row(
    live: LiveSession, member: User, at: datetime
) -> None:
    room = live.jitsi_room_name
    body = jaas("PARTICIPANT_JOINED", room, at, jaas_data("PARTICIPANT_JOINED", room, member))
    assert outcome(jaas_post(body)) == "stored"
    assert outcome(jaas_post(body)) == "duplicate"
    assert ConferenceEvent.objects.count() == 1
    # Another key is another event.
    assert outcome(jaas_post({**body, "idempotencyKey": str(uuid.uuid4())})) == "stored"
    assert ConferenceEvent.objects.count() == 2


@pytest.mark.parametrize("event_type", ["RECORDING_STARTED", "FEEDBACK", "SOMETHING_NEW"])
def test_jaas_unknown_event_type_is_200_ignored(
    event_type: str, live: LiveSession, at: datetime
) -> None:
    body = jaas(event_type, live.jitsi_room_name, at, data={"anything": 1})
    assert outcome(jaas_post(body)) == "ignored"
    assert not ConferenceEvent.objects.exists()


def test_jaas_a_participant_id_that_is_not_a_campus_id_is_stored_without_a_user(
    live: LiveSession, at: datetime
) -> None:
    """A guest or anything else the token did not name: stored, matched to no one (and
    never a 500, whatever the text)."""
    room = live.jitsi_room_name
    for weird in ("", "guest", "²", "١٢", "-3", 12.5, None, ["1"]):
        data = {**jaas_data("PARTICIPANT_JOINED", room), "id": weird}
        assert outcome(jaas_post(jaas("PARTICIPANT_JOINED", room, at, data))) == "stored", weird
    assert set(ConferenceEvent.objects.values_list("user", flat=True)) == {None}


# --- Malformed bodies ---------------------------------------------------------------------


def _without(body: dict, *keys: str) -> dict:
    return {k: v for k, v in body.items() if k not in keys}


BIG = 64 * 1024


@pytest.mark.parametrize(
    ("name", "make", "status", "code"),
    [
        ("not JSON", lambda b: "{not json", 400, "malformed_body"),
        ("empty", lambda b: "", 400, "malformed_body"),
        ("not UTF-8", lambda b: b'{"eventType": "\xff"}', 400, "malformed_body"),
        ("NaN", lambda b: json.dumps({**b, "timestamp": float("nan")}), 400, "malformed_body"),
        ("nested too deep", lambda b: "[" * 50_000, 400, "malformed_body"),
        ("array", lambda b: json.dumps([b]), 400, "body_not_object"),
        ("null", lambda b: "null", 400, "body_not_object"),
        ("number", lambda b: "42", 400, "body_not_object"),
        ("no eventType", lambda b: json.dumps(_without(b, "eventType")), 400, "invalid_event"),
        ("no timestamp", lambda b: json.dumps(_without(b, "timestamp")), 400, "invalid_event"),
        ("no fqn", lambda b: json.dumps(_without(b, "fqn")), 400, "invalid_event"),
        ("no key", lambda b: json.dumps(_without(b, "idempotencyKey")), 400, "invalid_event"),
        (
            "timestamp text",
            lambda b: json.dumps({**b, "timestamp": "1600951800112"}),
            400,
            "invalid_event",
        ),
        ("timestamp huge", lambda b: json.dumps({**b, "timestamp": 10**30}), 400, "invalid_event"),
        (
            "timestamp 1e400",
            lambda b: json.dumps(b).replace(str(b["timestamp"]), "1e400"),
            400,
            "invalid_event",
        ),
        ("data a list", lambda b: json.dumps({**b, "data": []}), 400, "invalid_event"),
        ("eventType a number", lambda b: json.dumps({**b, "eventType": 3}), 400, "invalid_event"),
        ("too big", lambda b: json.dumps({**b, "pad": "x" * BIG}), 413, "payload_too_large"),
        ("far too big", lambda b: json.dumps({**b, "pad": "x" * 2**21}), 413, "payload_too_large"),
    ],
)
def test_jaas_malformed_bodies_are_400_or_413_never_500(
    name: str, make: Any, status: int, code: str, live: LiveSession, member: User, at: datetime
) -> None:
    room = live.jitsi_room_name
    good = jaas("PARTICIPANT_JOINED", room, at, jaas_data("PARTICIPANT_JOINED", room, member))
    body = assert_error(jaas_post(raw=make(good)), status, code)
    assert not ConferenceEvent.objects.exists()
    if code == "invalid_event":  # the validation envelope names the field
        assert body["errors"] and body["errors"][0]["code"] == "invalid_event"
    assert outcome(jaas_post(good)) == "stored"  # the control: the good body is taken


def test_a_body_just_under_the_bound_is_read(live: LiveSession, at: datetime) -> None:
    body = jaas("ROOM_CREATED", live.jitsi_room_name, at)
    pad = BIG - len(json.dumps({**body, "pad": ""}))
    assert outcome(jaas_post({**body, "pad": "x" * pad})) == "stored"


def test_the_secret_is_checked_before_the_body(live: LiveSession) -> None:
    """An unauthenticated caller learns nothing about what a good body would be."""
    for raw in ("{not json", "[]", json.dumps({"eventType": 3}), "x" * (BIG + 1)):
        assert_error(jaas_post(raw=raw, authorization="wrong"), 401, "webhook_unauthorized")
        assert_error(sync_post("room/created", raw=raw, authorization="Bearer wrong"), 401)


# --- Prosody event_sync -------------------------------------------------------------------


@pytest.mark.parametrize("path_event", SYNC_PATHS)
def test_event_sync_stores_each_path(
    path_event: str, live: LiveSession, member: User, at: datetime
) -> None:
    body = prosody(path_event, live.jitsi_room_name, at, member)
    assert outcome(sync_post(path_event, body)) == "stored"
    event = ConferenceEvent.objects.get()
    assert (event.session_id, event.source, event.kind) == (
        live.pk,
        "prosody",
        SYNC_KINDS[path_event],
    )
    assert event.occurred_at == at  # seconds since the epoch
    assert event.user == (member if path_event.startswith("occupant/") else None)
    # Prosody sends no key: the same delivery again (its retry) is the same event.
    assert outcome(sync_post(path_event, body)) == "duplicate"
    assert ConferenceEvent.objects.count() == 1


@pytest.mark.parametrize("path_event", SYNC_PATHS)
def test_event_sync_readme_examples_for_an_unknown_room(path_event: str, at: datetime) -> None:
    """The README's own examples (room "catchup", a UUID user id): no such session."""
    assert outcome(sync_post(path_event, prosody(path_event, "catchup", at))) == "unknown_room"
    assert not ConferenceEvent.objects.exists()


@pytest.mark.parametrize(
    "authorization",
    [f"Bearer {TOKEN}x", "Bearer wrong", TOKEN, f"Token {TOKEN}", f"Basic {TOKEN}", SECRET, ""],
)
def test_event_sync_wrong_token_is_401_and_stores_nothing(
    authorization: str, live: LiveSession, member: User, at: datetime, caplog: Any
) -> None:
    body = prosody("occupant/joined", live.jitsi_room_name, at, member)
    with caplog.at_level(logging.WARNING, logger="campus.live.webhooks"):
        response = sync_post("occupant/joined", body, authorization=authorization)
    assert_error(response, 401, "webhook_unauthorized")
    assert not ConferenceEvent.objects.exists()
    assert TOKEN not in caplog.text and "event_sync" in caplog.text
    assert outcome(sync_post("occupant/joined", body)) == "stored"  # the control


@pytest.mark.parametrize("path_event", SYNC_PATHS)
def test_event_sync_missing_header_is_401(path_event: str, live: LiveSession, at: datetime) -> None:
    body = prosody(path_event, live.jitsi_room_name, at)
    assert_error(sync_post(path_event, body, authorization=None), 401, "webhook_unauthorized")
    assert not ConferenceEvent.objects.exists()


@pytest.mark.parametrize("authorization", ["", "Bearer ", "Bearer", None])
def test_event_sync_unset_token_refuses_everything(
    authorization: str | None, settings: Any, live: LiveSession, at: datetime
) -> None:
    settings.JITSI_EVENT_SYNC_TOKEN = ""
    body = prosody("room/created", live.jitsi_room_name, at)
    assert_error(sync_post("room/created", body, authorization=authorization), 401)
    assert not ConferenceEvent.objects.exists()


@pytest.mark.parametrize(
    ("name", "mutate"),
    [
        ("no room_name", lambda b: _without(b, "room_name")),
        ("no occupant", lambda b: _without(b, "occupant")),
        ("occupant a string", lambda b: {**b, "occupant": "x"}),
        (
            "joined_at text",
            lambda b: {**b, "occupant": {**b["occupant"], "joined_at": "1625823996"}},
        ),
        ("no occupant_jid", lambda b: {**b, "occupant": _without(b["occupant"], "occupant_jid")}),
    ],
)
def test_event_sync_malformed_bodies_are_400(
    name: str, mutate: Any, live: LiveSession, member: User, at: datetime
) -> None:
    body = prosody("occupant/joined", live.jitsi_room_name, at, member)
    assert_error(sync_post("occupant/joined", mutate(body)), 400, "invalid_event")
    assert_error(sync_post("occupant/joined", raw="[]"), 400, "body_not_object")
    assert_error(sync_post("occupant/joined", raw="{"), 400, "malformed_body")
    too_big = {**body, "pad": "x" * BIG}
    assert_error(sync_post("occupant/joined", too_big), 413, "payload_too_large")
    assert not ConferenceEvent.objects.exists()


# --- The OpenAPI document -----------------------------------------------------------------

ROUTES = [JAAS_URL] + [SYNC_URL.format(p) for p in SYNC_PATHS]


@pytest.mark.parametrize("path", ROUTES)
def test_the_routes_are_documented_without_user_auth(path: str) -> None:
    operation = api_schema().raw_schema["paths"][path]["post"]
    assert operation["security"] == []  # no user credentials: the header is the secret
    assert {"200", "400", "401", "413"} <= set(operation["responses"])
    assert "Authorization" in operation["description"]


def test_real_answers_conform_to_the_document(
    live: LiveSession, member: User, at: datetime
) -> None:
    """call_conforming sends `Authorization: Bearer <token>`: the JaaS secret is accepted
    with the prefix, the event_sync token needs it."""
    room = live.jitsi_room_name
    body = jaas("PARTICIPANT_JOINED", room, at, jaas_data("PARTICIPANT_JOINED", room, member))
    assert call_conforming("post", JAAS_URL, token=SECRET, body=body).status_code == 200
    assert call_conforming("post", JAAS_URL, token="wrong", body=body).status_code == 401
    bad = {**body, "timestamp": "x"}
    assert call_conforming("post", JAAS_URL, token=SECRET, body=bad).status_code == 400
    for path_event in SYNC_PATHS:
        path = SYNC_URL.format(path_event)
        sync = prosody(path_event, room, at, member)
        assert call_conforming("post", path, token=TOKEN, body=sync).status_code == 200
        assert call_conforming("post", path, token=SECRET, body=sync).status_code == 401
