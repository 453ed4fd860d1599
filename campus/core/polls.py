"""Polled fragments that cost nearly nothing while nothing changes.

A page that polls a fragment (the live class's Q&A list) names in the poll's URL the
version it shows (`v`) and carries a *poll pass* (`pass`): an HMAC, issued with the
fragment, over the URL's path, that version, the browser's session and CSRF cookies and
the time of issue. `PollShortcutMiddleware` sits before the session is read: when the
pass is genuine, recent and this browser's, and the shared cache says the state is still
the one the version names, it answers an empty 204 at once: no session row, no user, no
query. Anything else (a change, a cache miss, an old or foreign pass) goes on to the
view, which checks access as always and answers with the fragment and a new pass.

A 204 says only "nothing new since the version you hold", and only to the browser the
pass was issued to, for at most POLL_PASS_SECONDS: content always takes the full,
authorized path, so unenrolling still ends access to it at once.

Freshness across processes: each polled state has a *stamp* in the shared cache (Redis,
or the database cache of the embedded set-up, never process memory), replaced by a new
random one when a write commits (`states_changed`, from `transaction.on_commit`). A
reader that computes the state from the database reads the stamp first, then stores
(stamp, state); the shortcut trusts a stored state only while its stamp is the current
one. A write that commits while a reader is between the two therefore leaves that
reader's entry under a stamp already replaced: never served.
"""

import hashlib
import secrets
import time
from collections.abc import Callable
from typing import TypeVar, cast

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_cache_control
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import base36_to_int, int_to_base36

PASS_PARAM = "pass"  # noqa: S105 (a query parameter's name)
VERSION_PARAM = "v"
# A pass older than this takes the full path, which hands out a new one.
POLL_PASS_SECONDS = 600
# Stamps and states outlive any class; a lost one only costs a full path.
STATE_SECONDS = 6 * 3600
_SALT = "campus.core.polls.pass"
_VERSION_SEPARATOR = "."
T = TypeVar("T")


def _stamp_key(key: str) -> str:
    return f"polls:stamp:{key}"


def _state_key(key: str) -> str:
    return f"polls:state:{key}"


def states_changed(keys: list[str]) -> None:
    """The states behind `keys` changed: new stamps, so every stored state is stale.
    Call it from `transaction.on_commit`, so that a reader that sees a new stamp reads
    the committed rows."""
    cache.set_many({_stamp_key(key): secrets.token_hex(8) for key in keys}, STATE_SECONDS)


def _current_stamp(key: str) -> str:
    stamp = cache.get(_stamp_key(key))
    if stamp is None:
        cache.add(_stamp_key(key), secrets.token_hex(8), STATE_SECONDS)
        stamp = cache.get(_stamp_key(key))
    return str(stamp)


def current_state(
    key: str, compute: Callable[[], str], *, request: HttpRequest | None = None
) -> str:
    """The state's digest: the stored one while its stamp is current, else `compute()`
    (from the database), stored under the stamp read *before* computing. With the
    request, a state the shortcut middleware already read for it is not read again."""
    known = _read_in_request(request, key) or known_state(key)
    if known is not None:
        return known
    stamp = _current_stamp(key)
    state = compute()
    cache.set(_state_key(key), (stamp, state), STATE_SECONDS)
    return state


def stamped_value(key: str, variant: str, compute: Callable[[], T]) -> T:
    """A value derived from the state behind `key` (one page of a list, say), kept per
    `variant` under the same rule as the state: served while the stamp it was computed
    under is the current one, else `compute()` again. One cache round trip on a hit."""
    value_key = f"polls:value:{key}:{variant}"
    found = cache.get_many([_stamp_key(key), value_key])
    stamp, entry = found.get(_stamp_key(key)), found.get(value_key)
    if stamp is not None and isinstance(entry, tuple) and len(entry) == 2 and entry[0] == stamp:
        return cast(T, entry[1])
    stamp = stamp if stamp is not None else _current_stamp(key)
    value = compute()
    cache.set(value_key, (stamp, value), STATE_SECONDS)
    return value


def known_state(key: str) -> str | None:
    """The stored digest of `key` if its stamp is still the current one (one cache
    round trip), else None."""
    found = cache.get_many([_stamp_key(key), _state_key(key)])
    stamp, entry = found.get(_stamp_key(key)), found.get(_state_key(key))
    if stamp is None or not isinstance(entry, tuple) or len(entry) != 2 or entry[0] != stamp:
        return None
    return str(entry[1])


def _read_in_request(request: HttpRequest | None, key: str) -> str | None:
    states: dict[str, str] = getattr(request, "_poll_states", {})
    return states.get(key)


def version(state: str, viewer: str) -> str:
    """What a poll's `v` holds: the shared state's digest, then the viewer's (language,
    time zone, role…), which only the full path can check."""
    return f"{state}{_VERSION_SEPARATOR}{viewer}"


def _state_of(version_value: str) -> str:
    return version_value.split(_VERSION_SEPARATOR, 1)[0]


def _signature(request: HttpRequest, path: str, key: str, version_value: str, expires: str) -> str:
    bound = "|".join(
        (
            path,
            key,
            version_value,
            expires,
            _session_key(request),
            _csrf_secret(request),
        )
    )
    return salted_hmac(_SALT, bound, algorithm="sha256").hexdigest()[:32]


def _session_key(request: HttpRequest) -> str:
    """The browser's session cookie: as it will be on the next poll when the session is
    already loaded (a login in this request gives a new one), as sent otherwise."""
    session = getattr(request, "session", None)
    key = session.session_key if session is not None else None
    return key or request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")


def _csrf_secret(request: HttpRequest) -> str:
    """The CSRF cookie as the browser will send it next: a secret created or rotated in
    this request is in META until the response sets it."""
    return str(
        request.META.get("CSRF_COOKIE") or request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    )


def page_csrf_secret(request: HttpRequest) -> str:
    """The CSRF secret of a page that hands out a pass (its forms carry it, and the pass
    binds to it): made now if the browser has none. One the browser already has is left
    alone, so an unchanged poll does not re-send the cookie."""
    if "CSRF_COOKIE" not in request.META:
        get_token(request)
    return _csrf_secret(request)


def issue_pass(
    request: HttpRequest,
    *,
    path: str,
    key: str,
    version_value: str,
    valid_for: float = POLL_PASS_SECONDS,
) -> str:
    """A pass for this browser to poll `path` at `version_value` for `valid_for` seconds
    (at most POLL_PASS_SECONDS): the state's key, the end of its validity (base 36) and
    the HMAC. Keys hold no dot."""
    page_csrf_secret(request)
    lifetime = max(1, int(min(valid_for, POLL_PASS_SECONDS)))
    expires = int_to_base36(int(time.time()) + lifetime)
    return f"{key}.{expires}.{_signature(request, path, key, version_value, expires)}"


def pass_is_valid(request: HttpRequest, version_value: str) -> str | None:
    """The state key of the request's pass when it is genuine, this browser's, for this
    path and version, and not expired; else None."""
    token = request.GET.get(PASS_PARAM, "")
    parts = token.rsplit(".", 2)
    if len(parts) != 3 or len(token) > 200:
        return None
    key, expires, signature = parts
    try:
        left = base36_to_int(expires) - time.time()
    except ValueError:
        return None
    if not 0 <= left <= POLL_PASS_SECONDS:
        return None
    expected = _signature(request, request.path, key, version_value, expires)
    return key if constant_time_compare(signature, expected) else None


def unchanged_response() -> HttpResponse:
    """The poll's "nothing new": no body, and nothing for a cache to keep."""
    response = HttpResponse(status=204)
    patch_cache_control(response, private=True, no_cache=True)
    return response


def digest(*parts: object) -> str:
    """A short digest of the parts, as text (versions, not secrets)."""
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:16]


class PollShortcutMiddleware:
    """Answers an unchanged poll before the session, the user or the database are
    touched (see the module's docstring); everything else passes through."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD") and PASS_PARAM in request.GET:
            version_value = request.GET.get(VERSION_PARAM, "")
            key = pass_is_valid(request, version_value)
            state = known_state(key) if key is not None else None
            if state is not None and state == _state_of(version_value):
                return unchanged_response()
            if key is not None and state is not None:
                # Changed: the view reads the same state (current_state), not again.
                request._poll_states = {key: state}  # type: ignore[attr-defined]
        return self.get_response(request)
