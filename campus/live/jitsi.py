"""Jitsi rooms, passwords, JWTs and embed settings (docs/jitsi.md).

Pure functions: they read settings and the `now` they are given, never the database or
the clock, so the session services decide *who* gets *what role* and this module only
turns that decision into what Jitsi understands. Three modes (settings.JITSI_MODE):

- public: an open server (meet.jit.si by default); no token at all.
- selfhosted: prosody token auth, HS256 with JITSI_APP_ID / JITSI_APP_SECRET.
- jaas: 8x8 Jitsi as a Service, RS256 with the JaaS key pair, on 8x8.vc.
"""

import base64
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import jwt
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class Mode(StrEnum):
    PUBLIC = "public"
    SELFHOSTED = "selfhosted"
    JAAS = "jaas"


MODES = tuple(mode.value for mode in Mode)
JAAS_DOMAIN = "8x8.vc"
# HS256 is only as strong as its secret: 32 characters is the floor the check enforces.
MIN_SECRET_LENGTH = 32
# Room tokens: 20 random bytes = 160 bits (the issue asks for at least 128).
ROOM_TOKEN_BYTES = 20
# Clock skew between Campus and the Jitsi server: the token is valid from a minute ago.
NOT_BEFORE_SKEW = timedelta(seconds=60)


class TokenWindowClosed(ValueError):
    """The session's end plus grace is already past: any token would be born expired."""


@dataclass(frozen=True)
class JitsiUser:
    """Who joins, and with which role. The role comes from Campus only, never a client."""

    id: int | str
    name: str
    email: str
    avatar: str
    is_moderator: bool


# --- Rooms and passwords ---------------------------------------------------------------


def _room_prefix() -> str:
    # Operators write the prefix; keep room names URL-safe whatever they type.
    prefix = re.sub(r"[^a-z0-9]+", "-", settings.JITSI_ROOM_PREFIX.lower()).strip("-")
    return prefix or "campus"


def new_room_name(*, course_id: int, session_id: int) -> str:
    """`<prefix>-course-<c>-session-<s>-<160 random bits>`: unguessable, URL-safe, lowercase.

    The ids only help a human reading the Jitsi logs; the random part is what keeps
    outsiders out of a public-mode room (where the name is the only secret).
    """
    random_part = base64.b32encode(secrets.token_bytes(ROOM_TOKEN_BYTES)).decode("ascii")
    token = random_part.rstrip("=").lower()  # base32: a-z and 2-7 only
    return f"{_room_prefix()}-course-{int(course_id)}-session-{int(session_id)}-{token}"


def new_room_password() -> str:
    """A 24-character URL-safe password (144 random bits)."""
    return secrets.token_urlsafe(18)


# --- Tokens ----------------------------------------------------------------------------


def _require_aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def _token_window(*, session_end: datetime, now: datetime) -> tuple[int, int, int]:
    """(iat, nbf, exp) as epoch seconds.

    exp is the earlier of the session's end + grace (no lingering access after class) and
    now + max hours (a leaked token dies soon even for a long or mis-scheduled session).
    """
    _require_aware("now", now)
    _require_aware("session_end", session_end)
    grace = timedelta(minutes=settings.JITSI_TOKEN_GRACE_MINUTES)
    cap = timedelta(hours=settings.JITSI_TOKEN_MAX_HOURS)
    expires = min(session_end + grace, now + cap)
    if expires <= now:
        raise TokenWindowClosed("the session is over: no token can be issued")
    # iat = nbf: verifiers that also reject an iat "in the future" get the same skew margin.
    not_before = int((now - NOT_BEFORE_SKEW).timestamp())
    return not_before, not_before, int(expires.timestamp())


def _flag(value: bool) -> str:
    # Jitsi and JaaS read context flags as the strings "true"/"false".
    return "true" if value else "false"


def _features(*, user: JitsiUser, recording_enabled: bool, screen_sharing: bool) -> dict[str, str]:
    """Moderators: recording per the session, no livestreaming, screen sharing.

    Students get every feature explicitly "false" rather than omitted: Jitsi's default for
    a missing key has changed across versions, an explicit "false" has not.
    """
    mod = user.is_moderator
    features = {
        "recording": _flag(mod and recording_enabled),
        "livestreaming": _flag(False),
    }
    if screen_sharing:
        features["screen-sharing"] = _flag(mod)
    return features


def _context_user(user: JitsiUser) -> dict[str, str]:
    # Everything as strings: prosody's token plugins reject other types in context.user.
    return {
        "id": str(user.id),
        "name": user.name,
        "email": user.email,
        "avatar": user.avatar,
        "moderator": _flag(user.is_moderator),
    }


def _check_room(room_name: str) -> None:
    # A "*" (or empty) room claim would let the token into every room on the server.
    if not room_name or "*" in room_name:
        raise ValueError("a token must be bound to one exact room name")


def _selfhosted_token(
    *, room_name: str, user: JitsiUser, recording_enabled: bool, window: tuple[int, int, int]
) -> str:
    iat, nbf, exp = window
    context_user = _context_user(user) | {
        "affiliation": "owner" if user.is_moderator else "member",
    }
    claims: dict[str, Any] = {
        "iss": settings.JITSI_APP_ID,
        "aud": settings.JITSI_AUDIENCE,
        "sub": settings.JITSI_SUBJECT,
        "room": room_name,
        "iat": iat,
        "nbf": nbf,
        "exp": exp,
        # Three spellings of one fact, because the common moderator plugins each read one:
        # top-level boolean, context.user.moderator string, context.user.affiliation.
        "moderator": user.is_moderator,
        "context": {
            "user": context_user,
            "features": _features(
                user=user, recording_enabled=recording_enabled, screen_sharing=True
            ),
        },
    }
    return jwt.encode(claims, settings.JITSI_APP_SECRET, algorithm="HS256")


def jaas_key_id() -> str:
    """JaaS wants kid = "AppID/keyId"; accept the key id with or without its AppID."""
    app_id, key_id = settings.JITSI_JAAS_APP_ID, settings.JITSI_JAAS_KEY_ID
    return key_id if key_id.startswith(f"{app_id}/") else f"{app_id}/{key_id}"


def _jaas_token(
    *, room_name: str, user: JitsiUser, recording_enabled: bool, window: tuple[int, int, int]
) -> str:
    iat, nbf, exp = window
    claims: dict[str, Any] = {
        "iss": "chat",  # fixed by JaaS
        "aud": "jitsi",  # fixed by JaaS
        "sub": settings.JITSI_JAAS_APP_ID,
        "room": room_name,  # the plain name; the AppID/ prefix is only in the embed
        "iat": iat,
        "nbf": nbf,
        "exp": exp,
        "context": {
            "user": _context_user(user),
            "features": _features(
                user=user, recording_enabled=recording_enabled, screen_sharing=False
            ),
        },
    }
    headers = {"kid": jaas_key_id(), "typ": "JWT"}
    return jwt.encode(claims, settings.JITSI_JAAS_PRIVATE_KEY, algorithm="RS256", headers=headers)


def issue_token(
    *,
    room_name: str,
    user: JitsiUser,
    session_end: datetime,
    recording_enabled: bool,
    now: datetime,
) -> str | None:
    """The JWT for `user` in `room_name`, or None in public mode (no auth there).

    Raises TokenWindowClosed when session_end + grace is already past.
    """
    mode = settings.JITSI_MODE
    if mode == Mode.PUBLIC:
        return None
    _check_room(room_name)
    window = _token_window(session_end=session_end, now=now)
    if mode == Mode.SELFHOSTED:
        return _selfhosted_token(
            room_name=room_name, user=user, recording_enabled=recording_enabled, window=window
        )
    if mode == Mode.JAAS:
        return _jaas_token(
            room_name=room_name, user=user, recording_enabled=recording_enabled, window=window
        )
    raise ImproperlyConfigured(f"JITSI_MODE={mode!r} is unknown")


# --- Embedding -------------------------------------------------------------------------


def embed_config(
    *, room_name: str, token: str | None, display_name: str = "", email: str = ""
) -> dict[str, Any]:
    """What the page's JitsiMeetExternalAPI needs, and a plain join link as a fallback.

    JaaS runs on 8x8.vc with rooms named "AppID/room" and serves its script per tenant
    (https://8x8.vc/<AppID>/external_api.js); the other modes load it from
    JITSI_SERVER_URL (so tests can point it at a stand-in server) and pass its domain.
    """
    if settings.JITSI_MODE == Mode.JAAS:
        domain = JAAS_DOMAIN
        full_room = f"{settings.JITSI_JAAS_APP_ID}/{room_name}"
        script_url = f"https://{domain}/{quote(settings.JITSI_JAAS_APP_ID)}/external_api.js"
    else:
        domain = settings.JITSI_DOMAIN
        full_room = room_name
        script_url = f"{settings.JITSI_SERVER_URL}/external_api.js"
    base_url = (
        f"https://{domain}" if settings.JITSI_MODE == Mode.JAAS else settings.JITSI_SERVER_URL
    )
    join_url = f"{base_url}/{quote(full_room)}"
    if token:
        join_url += "?" + urlencode({"jwt": token})
    config: dict[str, Any] = {
        "mode": settings.JITSI_MODE,
        "domain": domain,
        "roomName": full_room,
        "script_url": script_url,
        "join_url": join_url,
        "userInfo": {"displayName": display_name, "email": email},
    }
    if token:
        config["jwt"] = token
    return config


def embed_origins() -> tuple[str, ...]:
    """The origins the room page loads Jitsi from, for its Content-Security-Policy and
    Permissions-Policy: where external_api.js comes from (embed_config's script_url) and
    the iframe it opens, which external_api.js builds as https://<domain>/ (Campus never
    asks it for plain http)."""
    if settings.JITSI_MODE == Mode.JAAS:
        return (f"https://{JAAS_DOMAIN}",)
    server = urlsplit(settings.JITSI_SERVER_URL)
    script_origin = f"{server.scheme}://{server.netloc}"
    frame_origin = f"https://{settings.JITSI_DOMAIN}"
    return tuple(dict.fromkeys((script_origin, frame_origin)))


# Data saver: for slow or costly connections. Audio only at first, and if the user turns
# video on anyway, at most 180p and only the speaker's video comes down.
DATA_SAVER_HEIGHT = 180


def embed_options(*, moderator: bool, data_saver: bool) -> dict[str, Any]:
    """The JitsiMeetExternalAPI options Campus decides (configOverwrite and friends).

    Prejoin on (people check camera and microphone first), deep linking off (phones stay
    in the page instead of being sent to the app store), students enter with video off.
    """
    config: dict[str, Any] = {
        "prejoinConfig": {"enabled": True},
        "prejoinPageEnabled": True,
        "disableDeepLinking": True,
        "startWithVideoMuted": not moderator,
        "enableWelcomePage": False,
        "enableClosePage": False,
    }
    if data_saver:
        config.update(
            {
                "startAudioOnly": True,
                "startWithVideoMuted": True,
                "resolution": DATA_SAVER_HEIGHT,
                "constraints": {
                    "video": {"height": {"ideal": DATA_SAVER_HEIGHT, "max": DATA_SAVER_HEIGHT}}
                },
                "channelLastN": 1,
                "disableSimulcast": False,
            }
        )
    return {"lang": "fr", "configOverwrite": config}
