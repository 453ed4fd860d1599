"""Events from the conference server (issue 18): the JaaS webhook and the self-hosted
Prosody `event_sync` component. docs/jitsi.md, "Attendance and recordings from the server".

Server to server: no session, no user, no CSRF (`auth=None`, nothing read from cookies).
Each route checks its own secret header, in constant time, before it reads the body: an
unset secret, a missing or wrong header is 401 (logged, the secret never). Then the body
(a JSON object of at most MAX_BODY_BYTES) goes to campus.live.conference, which reads it
(`parse_jaas`, `parse_prosody`) and stores it once (`ingest`). JaaS retries whatever is
not a 2xx, so only a refused secret and a malformed body are errors: an event Campus
ignores, a duplicate, or a room Campus does not know are a 200 that says which.
"""

import json
import logging
from typing import Any, Literal, NoReturn

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema

from campus.core.envelope import Envelope, ok
from campus.core.errors import NotAuthenticated, ValidationFailed
from campus.core.openapi import ExtraErrorStatuses
from campus.live import conference

logger = logging.getLogger(__name__)

# An event is a few hundred bytes (a RECORDING_UPLOADED with its participants, a few KB).
MAX_BODY_BYTES = 64 * 1024

router = Router(tags=["conference server"], auth=None)

Outcome = Literal["stored", "duplicate", "unknown_room", "ignored"]


class ConferenceEventOut(Schema):
    """What became of the event: `stored` (new), `duplicate` (already stored under its
    idempotency key: nothing changed), `unknown_room` (no Campus session has this room:
    nothing stored), `ignored` (an event type Campus does not use)."""

    outcome: Outcome


class WebhookUnauthorized(NotAuthenticated):
    code = "webhook_unauthorized"
    default_message = _("Secret du serveur de visioconférence manquant ou invalide.")


def _refuse(request: HttpRequest, source: str, reason: str) -> NoReturn:
    # The reason and the caller's address; never the header's value or the secret.
    logger.warning(
        "Refused %s event on %s from %s: %s",
        source,
        request.path,
        request.META.get("REMOTE_ADDR", "?"),
        reason,
    )
    raise WebhookUnauthorized


def _without_bearer(value: str) -> str:
    scheme, _space, rest = value.strip().partition(" ")
    return rest.strip() if scheme.lower() == "bearer" and rest else value.strip()


def check_jaas_secret(request: HttpRequest) -> None:
    """The JaaS console sends, as the Authorization header, the text typed there: the
    secret, with or without a "Bearer " prefix (on either side)."""
    secret = _without_bearer(settings.JITSI_WEBHOOK_SECRET or "")
    if not secret:
        _refuse(request, "JaaS", "JITSI_WEBHOOK_SECRET is not set")
    header = request.headers.get("Authorization")
    if header is None:
        _refuse(request, "JaaS", "no Authorization header")
    if not constant_time_compare(_without_bearer(header), secret):
        _refuse(request, "JaaS", "wrong Authorization header")


def check_event_sync_token(request: HttpRequest) -> None:
    """event_sync's `api_headers`: `Authorization: Bearer <JITSI_EVENT_SYNC_TOKEN>`."""
    token = (settings.JITSI_EVENT_SYNC_TOKEN or "").strip()
    if not token:
        _refuse(request, "event_sync", "JITSI_EVENT_SYNC_TOKEN is not set")
    header = request.headers.get("Authorization")
    if header is None:
        _refuse(request, "event_sync", "no Authorization header")
    scheme, _space, sent = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        _refuse(request, "event_sync", "Authorization is not a bearer token")
    if not constant_time_compare(sent.strip(), token):
        _refuse(request, "event_sync", "wrong bearer token")


def _no_constants(name: str) -> NoReturn:
    raise ValueError(name)  # NaN, Infinity: not JSON


def read_object(request: HttpRequest) -> dict[str, Any]:
    """The body as a JSON object, bounded before it is read (Content-Length) and after."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    # Answered like any body over Django's own limit (campus/api.py: 413 payload_too_large).
    if declared > MAX_BODY_BYTES:
        raise RequestDataTooBig
    raw = request.body
    if len(raw) > MAX_BODY_BYTES:
        raise RequestDataTooBig
    try:
        data = json.loads(raw, parse_constant=_no_constants)
    except (ValueError, RecursionError):  # not UTF-8, not JSON, nested too deep
        raise ValidationFailed(
            _("Le corps de la requête n'est pas un JSON valide."), code="malformed_body"
        ) from None
    if not isinstance(data, dict):
        raise ValidationFailed(
            _("Le corps de la requête doit être un objet JSON."), code="body_not_object"
        )
    return data


def _outcome(event: conference.ServerEvent | None) -> dict[str, Any]:
    outcome = "ignored" if event is None else conference.ingest(event)
    return ok({"outcome": outcome})


def _bad_event(exc: conference.BadEvent) -> ValidationFailed:
    """The validation envelope, naming the field the parser refused (BadEvent's text)."""
    message = _("L'événement reçu est invalide.")
    field = str(exc) or "body"
    return ValidationFailed(
        message,
        code="invalid_event",
        details=[{"field": field, "code": "invalid_event", "message": str(message)}],
    )


# The body is read by hand, after the secret check (so ninja neither parses it first nor
# documents it: the descriptions say what it is); 400 and 413 are in EXTRA_ERROR_STATUSES.
RESPONSES = {200: Envelope(ConferenceEventOut)}


@router.post(
    "/live/jaas/webhook",
    response=RESPONSES,
    auth=None,
    summary="JaaS webhook (8x8): header Authorization = JITSI_WEBHOOK_SECRET",
    description=(
        "Called by JaaS, not by users. The `Authorization` header must be the secret set "
        "for the webhook in the JaaS console (JITSI_WEBHOOK_SECRET, with or without "
        "`Bearer `): anything else is 401 `webhook_unauthorized`. Handles ROOM_CREATED, "
        "ROOM_DESTROYED, PARTICIPANT_JOINED, PARTICIPANT_LEFT, RECORDING_UPLOADED, "
        "CHAT_UPLOADED, TRANSCRIPTION_UPLOADED; other event types are a 200 `ignored`. "
        "Body: 8x8's webhook payload, a JSON object of at most 64 KB (idempotencyKey, "
        "eventType, sessionId, timestamp in ms, fqn `<AppID>/<room>`, data)."
    ),
)
def jaas_webhook(request: HttpRequest) -> dict[str, Any]:
    check_jaas_secret(request)
    payload = read_object(request)
    try:
        event = conference.parse_jaas(payload)
    except conference.BadEvent as exc:
        raise _bad_event(exc) from None
    return _outcome(event)


def _event_sync(request: HttpRequest, path_event: str) -> dict[str, Any]:
    check_event_sync_token(request)
    payload = read_object(request)
    try:
        event = conference.parse_prosody(path_event, payload)
    except conference.BadEvent as exc:
        raise _bad_event(exc) from None
    return _outcome(event)


EVENT_SYNC_DESCRIPTION = (
    "Called by the Prosody `event_sync` component (jitsi-contrib prosody-plugins) with "
    "`api_prefix` = https://<campus>/api/live/event-sync, not by users. Header "
    "`Authorization: Bearer <JITSI_EVENT_SYNC_TOKEN>`: anything else is 401 "
    "`webhook_unauthorized`. Body: event_sync's JSON object (times in seconds), at most "
    "64 KB."
)


@router.post(
    "/live/event-sync/events/room/created",
    response=RESPONSES,
    auth=None,
    summary="Prosody event_sync: room created",
    description=EVENT_SYNC_DESCRIPTION,
)
def event_sync_room_created(request: HttpRequest) -> dict[str, Any]:
    return _event_sync(request, "room/created")


@router.post(
    "/live/event-sync/events/room/destroyed",
    response=RESPONSES,
    auth=None,
    summary="Prosody event_sync: room destroyed",
    description=EVENT_SYNC_DESCRIPTION,
)
def event_sync_room_destroyed(request: HttpRequest) -> dict[str, Any]:
    return _event_sync(request, "room/destroyed")


@router.post(
    "/live/event-sync/events/occupant/joined",
    response=RESPONSES,
    auth=None,
    summary="Prosody event_sync: occupant joined",
    description=EVENT_SYNC_DESCRIPTION,
)
def event_sync_occupant_joined(request: HttpRequest) -> dict[str, Any]:
    return _event_sync(request, "occupant/joined")


@router.post(
    "/live/event-sync/events/occupant/left",
    response=RESPONSES,
    auth=None,
    summary="Prosody event_sync: occupant left",
    description=EVENT_SYNC_DESCRIPTION,
)
def event_sync_occupant_left(request: HttpRequest) -> dict[str, Any]:
    return _event_sync(request, "occupant/left")


# The error statuses campus.core.openapi cannot infer (no ninja auth, no ninja body):
# the secret (401), a malformed body (400), a body over MAX_BODY_BYTES (413).
EXTRA_ERROR_STATUSES: ExtraErrorStatuses = {
    view: {400, 401, 413}
    for view in (
        jaas_webhook,
        event_sync_room_created,
        event_sync_room_destroyed,
        event_sync_occupant_joined,
        event_sync_occupant_left,
    )
}
