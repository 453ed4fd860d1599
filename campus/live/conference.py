"""What the conference server says about a session's room: attendance, start and end,
recordings (issue 18; docs/jitsi.md, "Attendance and recordings from the server").

Two sources speak the same language once parsed: JaaS (8x8) webhooks and the Prosody
`event_sync` component of a self-hosted Jitsi (jitsi-contrib/prosody-plugins). Each
delivery becomes a `ServerEvent`; `ingest` stores it once (the source's idempotency key
is unique: retries change nothing) and then derives its consequences from the stored
events, ordered by the server's own clock, never by arrival: a participant's server
intervals are rebuilt from all of their events each time, so duplicated, late and
reordered deliveries give the same rows.

Participants are matched by the identity Campus put in their Jitsi token
(`context.user.id`, the user's id), never by display name.
"""

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from campus.accounts.models import User
from campus.core import dates
from campus.core.errors import DomainError
from campus.courses.access import authorize_course, is_owner_or_admin
from campus.courses.models import Enrollment
from campus.live import services
from campus.live.models import (
    EXTERNAL_LINK_MAX,
    IDEMPOTENCY_KEY_MAX,
    OCCUPANT_KEY_MAX,
    ROOM_NAME_MAX,
    AttendanceInterval,
    AttendanceSource,
    ConferenceEvent,
    ConferenceEventKind,
    ConferenceSource,
    LiveSession,
    Participant,
    ParticipantRole,
    RecordingKind,
    SessionRecording,
)

logger = logging.getLogger(__name__)

PRESENCE_KINDS = (ConferenceEventKind.PARTICIPANT_JOINED, ConferenceEventKind.PARTICIPANT_LEFT)
UPLOAD_KINDS = {
    ConferenceEventKind.RECORDING_UPLOADED: RecordingKind.VIDEO,
    ConferenceEventKind.CHAT_UPLOADED: RecordingKind.CHAT,
    ConferenceEventKind.TRANSCRIPTION_UPLOADED: RecordingKind.TRANSCRIPTION,
}


class BadEvent(ValueError):
    """A delivery that is not what its source documents: answered 400, stored nowhere."""


@dataclass(frozen=True)
class ServerEvent:
    source: str
    idempotency_key: str
    kind: str
    room: str
    occurred_at: datetime
    user_id: int | None = None
    occupant: str = ""
    # A departure's own record of the arrival (Prosody sends it): closes the interval
    # even when the arrival's delivery was lost.
    joined_at: datetime | None = None
    link: str = ""
    payload: Mapping[str, Any] = field(default_factory=dict)


# --- Parsing ---------------------------------------------------------------------------

JAAS_KINDS = {
    "ROOM_CREATED": ConferenceEventKind.ROOM_CREATED,
    "ROOM_DESTROYED": ConferenceEventKind.ROOM_DESTROYED,
    "PARTICIPANT_JOINED": ConferenceEventKind.PARTICIPANT_JOINED,
    "PARTICIPANT_LEFT": ConferenceEventKind.PARTICIPANT_LEFT,
    "RECORDING_UPLOADED": ConferenceEventKind.RECORDING_UPLOADED,
    "CHAT_UPLOADED": ConferenceEventKind.CHAT_UPLOADED,
    "TRANSCRIPTION_UPLOADED": ConferenceEventKind.TRANSCRIPTION_UPLOADED,
}

PROSODY_KINDS = {
    "room/created": ConferenceEventKind.ROOM_CREATED,
    "room/destroyed": ConferenceEventKind.ROOM_DESTROYED,
    "occupant/joined": ConferenceEventKind.PARTICIPANT_JOINED,
    "occupant/left": ConferenceEventKind.PARTICIPANT_LEFT,
}


def parse_jaas(payload: object) -> ServerEvent | None:
    """A JaaS webhook body (developer.8x8.com/jaas/docs/webhooks-payload); None for an
    event type Campus does not use (answered 200, so JaaS does not retry it)."""
    body = _object(payload, "body")
    event_type = body.get("eventType")
    if not isinstance(event_type, str):
        raise BadEvent("eventType")
    kind = JAAS_KINDS.get(event_type)
    if kind is None:
        return None
    data = _object(body.get("data", {}), "data")
    return ServerEvent(
        source=ConferenceSource.JAAS,
        idempotency_key=_text(body, "idempotencyKey", IDEMPOTENCY_KEY_MAX),
        kind=kind,
        room=_jaas_room(_text(body, "fqn", ROOM_NAME_MAX * 2)),
        occurred_at=_instant(body.get("timestamp"), "timestamp", milliseconds=True),
        user_id=_user_id(data.get("id")) if kind in PRESENCE_KINDS else None,
        occupant=_occupant(data) if kind in PRESENCE_KINDS else "",
        link=_link(data) if kind in UPLOAD_KINDS else "",
        payload=body,
    )


def parse_prosody(path_event: str, payload: object) -> ServerEvent | None:
    """A Prosody event_sync body posted to `{api_prefix}/events/<path_event>`; None for a
    path Campus does not use."""
    kind = PROSODY_KINDS.get(path_event)
    if kind is None:
        return None
    body = _object(payload, "body")
    room = _text(body, "room_name", ROOM_NAME_MAX).lower()
    breakout = str(body.get("breakout_room_id") or "") if body.get("is_breakout") else ""
    if kind in PRESENCE_KINDS:
        occupant = _object(body.get("occupant"), "occupant")
        jid = _text(occupant, "occupant_jid", OCCUPANT_KEY_MAX)
        joined_at = _instant(occupant.get("joined_at"), "occupant.joined_at")
        left = kind == ConferenceEventKind.PARTICIPANT_LEFT
        occurred_at = _instant(occupant.get("left_at"), "occupant.left_at") if left else joined_at
        return ServerEvent(
            source=ConferenceSource.PROSODY,
            # Prosody sends no key; a retried delivery repeats these exactly.
            idempotency_key=_derived_key(path_event, room, breakout, jid, occurred_at),
            kind=kind,
            room=room,
            occurred_at=occurred_at,
            user_id=_user_id(occupant.get("id")),
            occupant=jid,
            joined_at=joined_at,
            payload=body,
        )
    moment = "destroyed_at" if kind == ConferenceEventKind.ROOM_DESTROYED else "created_at"
    occurred_at = _instant(body.get(moment), moment)
    return ServerEvent(
        source=ConferenceSource.PROSODY,
        idempotency_key=_derived_key(path_event, room, breakout, "", occurred_at),
        kind=kind,
        room=room,
        occurred_at=occurred_at,
        payload=body,
    )


def _object(value: object, name: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise BadEvent(name)
    return value


def _text(body: Mapping[str, Any], name: str, max_length: int) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        raise BadEvent(name)
    return value.strip()


def _instant(value: object, name: str, *, milliseconds: bool = False) -> datetime:
    """A Unix time from the server (JaaS: milliseconds; Prosody: seconds), within the
    dates Campus accepts anywhere."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadEvent(name)
    seconds = value / 1000 if milliseconds else value
    try:
        moment = datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise BadEvent(name) from exc
    if not dates.in_range(moment):
        raise BadEvent(name)
    return moment


def _jaas_room(fqn: str) -> str:
    """`<AppID>/<room>` → the room name Campus gave the session (lower case, as Jitsi
    treats room names)."""
    return fqn.rsplit("/", 1)[-1].lower()


def _user_id(value: object) -> int | None:
    """The Campus user the token named (`context.user.id`, the user's id as text); None
    for a guest or anything else."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def _occupant(data: Mapping[str, Any]) -> str:
    """JaaS's name for one presence: its participantId (its JID when absent)."""
    names = ("participantId", "participantJid")
    for name in names:
        value = data.get(name)
        if isinstance(value, str) and value.strip():
            if len(value) > OCCUPANT_KEY_MAX:
                raise BadEvent(name)
            return value.strip()
    raise BadEvent(names[0])


def _link(data: Mapping[str, Any]) -> str:
    return _text(data, "preAuthenticatedLink", EXTERNAL_LINK_MAX)


def _derived_key(*parts: object) -> str:
    return hashlib.sha256(json.dumps([str(p) for p in parts]).encode()).hexdigest()


# --- Ingestion -------------------------------------------------------------------------

STORED, DUPLICATE, UNKNOWN_ROOM = "stored", "duplicate", "unknown_room"


def ingest(event: ServerEvent) -> str:
    """Store `event` once for the session whose room it names, then apply it. Returns
    "stored", "duplicate" (this delivery was seen before: nothing changes) or
    "unknown_room" (no session has that room: nothing is stored)."""
    session_id = (
        LiveSession.objects.filter(jitsi_room_name=event.room).values_list("pk", flat=True).first()
    )
    if session_id is None:
        return UNKNOWN_ROOM
    with transaction.atomic():
        # One session's events apply one at a time, and after the joins and the end that
        # lock the same row first: each sees the rows the previous one committed (on
        # MariaDB too, whose snapshot begins at the first plain read, after this lock).
        session = (
            LiveSession.objects.select_for_update().select_related("course").get(pk=session_id)
        )
        try:
            with transaction.atomic():  # a savepoint: the duplicate's error stays here
                stored = ConferenceEvent.objects.create(
                    session=session,
                    source=event.source,
                    idempotency_key=event.idempotency_key,
                    kind=event.kind,
                    occurred_at=event.occurred_at,
                    user=_known_user(event.user_id),
                    occupant=event.occupant,
                    payload=dict(event.payload),
                )
        except IntegrityError:
            return DUPLICATE
        _apply(stored, session, event)
    return STORED


def _known_user(user_id: int | None) -> User | None:
    return User.objects.filter(pk=user_id).first() if user_id is not None else None


def _apply(stored: ConferenceEvent, session: LiveSession, event: ServerEvent) -> None:
    if stored.kind == ConferenceEventKind.ROOM_CREATED:
        services.session_start_from_server(session=session, at=stored.occurred_at)
    elif stored.kind == ConferenceEventKind.ROOM_DESTROYED:
        services.session_end_from_server(session=session, at=stored.occurred_at)
    elif stored.kind in PRESENCE_KINDS and stored.user is not None:
        _presence_changed(session, stored.user)
    elif stored.kind in UPLOAD_KINDS:
        _upload_received(stored, session, event.link)


def _presence_changed(session: LiveSession, user: User) -> None:
    """Rebuild `user`'s server intervals in `session` (read under the caller's lock, so
    its start and end are current) from every presence event stored for them, then their
    attendance. The participant row is locked too, as heartbeat, leave and the sweeps
    lock it before its intervals."""
    participant = _participant_for(session, user)
    if participant is None:
        return  # not someone the room is for (any more): their events stay stored only
    events = list(
        ConferenceEvent.objects.filter(
            session=session, user=user, kind__in=PRESENCE_KINDS
        ).order_by("occurred_at", "id")
    )
    intervals = server_intervals(events, closed_at=session.actual_end_at)
    AttendanceInterval.objects.filter(
        participant=participant, source=AttendanceSource.WEBHOOK
    ).delete()
    AttendanceInterval.objects.bulk_create(
        AttendanceInterval(
            participant=participant,
            joined_at=joined,
            left_at=left,
            last_seen_at=left or joined,
            source=AttendanceSource.WEBHOOK,
        )
        for joined, left in intervals
    )
    participant.is_present = any(left is None for _joined, left in intervals)
    services.recompute_attendance(session, [participant], now=timezone.now())
    if session.actual_start_at is None:
        participant.save(update_fields=["is_present"])


def server_intervals(
    events: list[ConferenceEvent], *, closed_at: datetime | None = None
) -> list[tuple[datetime, datetime | None]]:
    """(joined, left) per presence the server reported, from its events in any order:
    an arrival opens the presence it names, the departure with the same name closes it
    (at its own time, never before the arrival). A departure whose arrival never came
    uses the arrival time it carries (Prosody) or is dropped (JaaS sends none). With
    `closed_at` (the session has ended), a presence still open is closed then, as the
    end closed every open interval."""
    by_occupant: dict[str, dict[str, datetime]] = {}
    for event in sorted(events, key=lambda e: (e.occurred_at, e.pk or 0)):
        times = by_occupant.setdefault(event.occupant or f"user-{event.user_id}", {})
        if event.kind == ConferenceEventKind.PARTICIPANT_JOINED:
            times.setdefault("joined", event.occurred_at)
        else:
            times["left"] = event.occurred_at
            carried = _carried_arrival(event)
            if carried is not None:
                times.setdefault("joined", carried)
    intervals: list[tuple[datetime, datetime | None]] = []
    for times in by_occupant.values():
        joined = times.get("joined")
        if joined is None:
            continue
        left = times.get("left", closed_at)
        intervals.append((joined, max(left, joined) if left is not None else None))
    return sorted(intervals, key=lambda pair: pair[0])


def _carried_arrival(event: ConferenceEvent) -> datetime | None:
    occupant = event.payload.get("occupant") if isinstance(event.payload, dict) else None
    value = occupant.get("joined_at") if isinstance(occupant, dict) else None
    try:
        return _instant(value, "occupant.joined_at")
    except BadEvent:
        return None


def _participant_for(session: LiveSession, user: User) -> Participant | None:
    """`user`'s participant row in `session`, locked; made when the server saw them in
    the room before Campus did (they reached it another way), if the room is for them:
    a member, the owner or an admin. The seat they took is theirs: they are in."""
    participant = Participant.objects.select_for_update().filter(session=session, user=user).first()
    if participant is not None:
        return participant
    try:
        authorize_course(user, session.course, "content")
    except DomainError:
        return None
    moderator = is_owner_or_admin(user, session.course)
    if moderator:
        owner = session.course.instructor_id == user.pk
        role = ParticipantRole.INSTRUCTOR if owner else ParticipantRole.MODERATOR
    else:
        role = ParticipantRole.PARTICIPANT
    enrollment = (
        None
        if moderator
        else Enrollment.objects.filter(user=user, course=session.course, is_active=True).first()
    )
    return Participant.objects.create(
        session=session,
        user=user,
        enrollment=enrollment,
        role=role,
        admitted_at=timezone.now(),
    )


def _upload_received(stored: ConferenceEvent, session: LiveSession, link: str) -> None:
    """A file the server made (recording, chat, transcription): recorded now, fetched by
    the worker once this commits (JaaS keeps it 24 hours)."""
    from campus.live import tasks  # tasks import services: imported when needed

    duration = stored.payload.get("data", {}).get("durationSec") if stored.payload else None
    recording = SessionRecording.objects.create(
        session=session,
        event=stored,
        kind=UPLOAD_KINDS[ConferenceEventKind(stored.kind)],
        source_url=link,
        duration_seconds=int(duration) if isinstance(duration, int) and duration >= 0 else None,
    )
    transaction.on_commit(partial(tasks.recording_fetch.delay, recording.pk))
    logger.info("Session %s: the server announced a %s file.", session.pk, recording.kind)
