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
pass was issued to, for at most POLL_PASS_SECONDS.

A changed poll of a *shared* fragment (the students' Q&A list: the same for every student
who reads it in the same language and time zone) may be answered here too, with content,
when its pass carries a *grant*: the full path, having authorized the viewer, stored the
grant (the viewer's user id, the fragment's name, and the *access stamps* it read before
checking access: `campus.courses.grants`) and drew the fragment for the new state once,
with placeholders for the version and the pass (a *shell*). The shortcut serves the
shell, filled in, only while every access stamp is still the one the grant holds and
the browser's page session is still logged in as that user; any write that could take
access away (unenrolling, unpublishing, a role or password change, a deactivated
account, a moved or deleted session) replaces a stamp when it commits, and a logout
deletes the page session, so the next poll takes the full, authorized path: unenrolling
still ends access at once. A grant lives POLL_PASS_SECONDS, after which the full path
checks access again.

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
from dataclasses import dataclass
from importlib import import_module
from typing import Any, TypeVar, cast

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import DEFAULT_CACHE_ALIAS, cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_cache_control
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import base36_to_int, int_to_base36

from campus.core import security

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
    return _stored_state(cache.get_many([_stamp_key(key), _state_key(key)]), key)


def _read_in_request(request: HttpRequest | None, key: str) -> str | None:
    states: dict[str, str] = getattr(request, "_poll_states", {})
    return states.get(key)


def version(state: str, viewer: str) -> str:
    """What a poll's `v` holds: the shared state's digest, then the viewer's (language,
    time zone, role…), which only the full path can check."""
    return f"{state}{_VERSION_SEPARATOR}{viewer}"


def _state_of(version_value: str) -> str:
    return version_value.split(_VERSION_SEPARATOR, 1)[0]


def _viewer_of(version_value: str) -> str:
    return version_value.partition(_VERSION_SEPARATOR)[2]


def _signature(
    request: HttpRequest, path: str, key: str, version_value: str, expires: str, grant: str
) -> str:
    bound = "|".join(
        (
            path,
            key,
            version_value,
            expires,
            grant,
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
    grant: str = "",
) -> str:
    """A pass for this browser to poll `path` at `version_value` for `valid_for` seconds
    (at most POLL_PASS_SECONDS): the state's key, the end of its validity (base 36), the
    grant's id if any (`grant_shared`), and the HMAC. Keys hold no dot."""
    page_csrf_secret(request)
    lifetime = max(1, int(min(valid_for, POLL_PASS_SECONDS)))
    expires = int_to_base36(int(time.time()) + lifetime)
    return _pass(request, path, key, version_value, expires, grant)


def _pass(
    request: HttpRequest, path: str, key: str, version_value: str, expires: str, grant: str
) -> str:
    signature = _signature(request, path, key, version_value, expires, grant)
    return ".".join(part for part in (key, expires, grant, signature) if part)


@dataclass(frozen=True)
class _Pass:
    key: str
    expires: str
    grant: str


def _valid_pass(request: HttpRequest, version_value: str) -> _Pass | None:
    """The request's pass when it is genuine, this browser's, for this path and version,
    and not expired; else None."""
    token = request.GET.get(PASS_PARAM, "")
    parts = token.split(".")
    if len(parts) not in (3, 4) or len(token) > 200:
        return None
    key, expires, signature = parts[0], parts[1], parts[-1]
    grant = parts[2] if len(parts) == 4 else ""
    try:
        left = base36_to_int(expires) - time.time()
    except ValueError:
        return None
    if not 0 <= left <= POLL_PASS_SECONDS:
        return None
    expected = _signature(request, request.path, key, version_value, expires, grant)
    return _Pass(key, expires, grant) if constant_time_compare(signature, expected) else None


def pass_is_valid(request: HttpRequest, version_value: str) -> str | None:
    """The state key of the request's pass when it is genuine, this browser's, for this
    path and version, and not expired; else None."""
    found = _valid_pass(request, version_value)
    return found.key if found is not None else None


# --- Shared fragments served to granted viewers -----------------------------------------


def current_stamps(keys: list[str]) -> dict[str, str]:
    """The current stamps of `keys` (made where missing), to hold in a grant. Read them
    *before* checking access: a write that commits after the check replaces one."""
    found = cache.get_many([_stamp_key(key) for key in keys])
    return {key: str(found.get(_stamp_key(key)) or _current_stamp(key)) for key in keys}


def grant_shared(request: HttpRequest, *, user_id: int, stamps: dict[str, str], shell: str) -> str:
    """Records that the full path just authorized `user_id` (logged in with this
    browser's page session) to read the shared fragment named `shell`, under `stamps`
    (from `current_stamps`, read before the check); returns the grant's id, for the pass.
    Only for a fragment that is the same for every viewer the shell's name covers."""
    grant = secrets.token_hex(8)
    entry = {"user": str(user_id), "stamps": stamps, "shell": shell}
    cache.set(_grant_key(grant), entry, POLL_PASS_SECONDS)
    return grant


@dataclass(frozen=True)
class Shell:
    """A shared fragment as drawn for one state, with placeholders where each viewer's
    version and pass go (random, so no posted text can name them)."""

    html: str
    version_mark: str
    pass_mark: str

    def filled(self, version_value: str, pass_value: str) -> str:
        # The placeholders sit in the fragment's own attributes, before any posted text.
        html = self.html.replace(self.version_mark, version_value, 1)
        return html.replace(self.pass_mark, pass_value, 1)


def shell_marks() -> tuple[str, str]:
    """Placeholders for a shell's version and pass: values a version and a pass could
    hold (so the template escapes nothing), that no one else can guess."""
    return f"v{secrets.token_hex(12)}", f"p{secrets.token_hex(12)}"


def store_shell(name: str, state: str, shell: Shell) -> None:
    cache.set(_shell_key(name, state), shell, STATE_SECONDS)


def shared_response(html: str) -> HttpResponse:
    """A shared fragment, filled in for one viewer: for that viewer only, and, opened by
    itself, a document that may load nothing nor be framed."""
    response = HttpResponse(html)
    patch_cache_control(response, private=True, no_cache=True)
    response["Content-Security-Policy"] = security.FRAGMENT_POLICY_HEADER
    return response


def _grant_key(grant: str) -> str:
    return f"polls:grant:{grant}"


def _shell_key(name: str, state: str) -> str:
    return f"polls:shell:{name}:{state}"


def _stored_state(found: dict[str, Any], key: str) -> str | None:
    stamp, entry = found.get(_stamp_key(key)), found.get(_state_key(key))
    if stamp is None or not isinstance(entry, tuple) or len(entry) != 2 or entry[0] != stamp:
        return None
    return str(entry[1])


def serves_shared() -> bool:
    """Whether the shortcut can serve shared fragments here: only where page sessions
    sit in the shared cache (`cached_db`, `cache`: with CACHE_URL), so that it sees a
    logout in the same round trip. Elsewhere granting would be wasted work."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    return settings.SESSION_CACHE_ALIAS == DEFAULT_CACHE_ALIAS and hasattr(store_class, "cache_key")


def _page_session_cache_key(request: HttpRequest) -> str | None:
    """Where the browser's page session sits in the shared cache; None when sessions are
    kept elsewhere or the browser sent none."""
    if not serves_shared():
        return None
    store = import_module(settings.SESSION_ENGINE).SessionStore(
        request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    )
    return str(store.cache_key) if store.session_key is not None else None


def _granted_fragment(
    request: HttpRequest, held: _Pass, entry: object, state: str, version_value: str
) -> HttpResponse | None:
    """The shared fragment for `state`, filled in for this viewer, when the grant still
    holds (see the module's docstring); None sends the poll to the full path."""
    if not isinstance(entry, dict) or not isinstance(entry.get("stamps"), dict):
        return None
    session_key = _page_session_cache_key(request)
    if session_key is None:
        return None
    stamps: dict[str, str] = entry["stamps"]
    shell_key = _shell_key(str(entry.get("shell")), state)
    found = cache.get_many([*map(_stamp_key, stamps), shell_key, session_key])
    if any(found.get(_stamp_key(key)) != value for key, value in stamps.items()):
        return None
    page_session, shell = found.get(session_key), found.get(shell_key)
    if not isinstance(page_session, dict) or page_session.get(SESSION_KEY) != entry.get("user"):
        return None
    if not isinstance(shell, Shell):
        return None
    new_version = version(state, _viewer_of(version_value))
    new_pass = _pass(request, request.path, held.key, new_version, held.expires, held.grant)
    return shared_response(shell.filled(new_version, new_pass))


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
            response = self._shortcut(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _shortcut(self, request: HttpRequest) -> HttpResponse | None:
        version_value = request.GET.get(VERSION_PARAM, "")
        held = _valid_pass(request, version_value)
        if held is None:
            return None
        wanted = [_stamp_key(held.key), _state_key(held.key)]
        if held.grant:
            wanted.append(_grant_key(held.grant))
        found = cache.get_many(wanted)
        state = _stored_state(found, held.key)
        if state is None:
            return None
        if state == _state_of(version_value):
            return unchanged_response()
        if held.grant:
            entry = found.get(_grant_key(held.grant))
            response = _granted_fragment(request, held, entry, state, version_value)
            if response is not None:
                return response
        # Changed: the view reads the same state (current_state), not again.
        request._poll_states = {held.key: state}  # type: ignore[attr-defined]
        return None
