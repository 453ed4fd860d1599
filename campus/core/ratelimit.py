"""Windowed counters in the shared cache (database or Redis), so every web process
sees the same counts. Used for login throttling and rate-limited actions.

Anonymous endpoints count per client address (`client_address`). One address may be a
whole campus behind carrier-grade NAT, so their per-address limits are high ceilings,
and what must stay tight is counted on something narrower: the account (logins, reset
emails) or the failures (unknown certificate codes). docs/configuration.md, "Login
throttling and shared addresses", gives the trade-off.
"""

import hashlib
import ipaddress
import math
import time

from django.core.cache import cache
from django.http import HttpRequest
from django.utils.functional import Promise

from campus.core.errors import RateLimited


def client_ip(request: HttpRequest | None) -> str:
    """The connection's address (REMOTE_ADDR); never a header a client can write."""
    if request is None:
        return "-"
    return str(request.META.get("REMOTE_ADDR", "-"))


def address_ident(ip: str) -> str:
    """The throttling key of a client address: an IPv4 address as is, an IPv6 address
    by its /64 network (what one subscriber line gets, so rotating inside it does not
    escape the limit)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def client_address(request: HttpRequest | None) -> str:
    """The identity per-address limits count under: `ip:<address or /64>`."""
    return f"ip:{address_ident(client_ip(request))}"


def _base_key(scope: str, ident: str) -> str:
    # The ident can be what a client typed (a login email): a digest keeps every key short
    # and plain ASCII (the database cache's key column holds 255 characters).
    digest = hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()
    return f"rl:{scope}:{digest}"


def _current_window(scope: str, ident: str, window: int, *, open_one: bool) -> tuple[str, int]:
    """The count key of the window in force and the seconds until it closes.

    A window opens at its first event and lasts `window` seconds (not aligned on the
    clock: a burst that straddles a clock boundary is not counted twice as small, and
    Retry-After is exact). Its start, stored under the base key, names the count key, so a
    backend whose `incr` rewrites the expiry (the database cache) never carries a count
    into the next window. Without `open_one`, no window is a count of zero."""
    base = _base_key(scope, ident)
    now = time.time()
    start = cache.get(base)
    if start is None or now - float(start) >= window:
        if not open_one:
            return "", window
        if not cache.add(base, now, timeout=window):
            start = cache.get(base)  # another process opened it just now
        if start is None or now - float(start) >= window:
            cache.set(base, now, timeout=window)
            start = now
    retry_after = max(1, math.ceil(float(start) + window - now))
    return f"{base}:{float(start):.6f}", retry_after


def _count(key: str) -> int:
    return int(cache.get(key, 0)) if key else 0


def hit(scope: str, ident: str, *, window: int) -> int:
    """Record one event; return the count in the current window."""
    key, _ = _current_window(scope, ident, window, open_one=True)
    return _increment(key, window)


def _increment(key: str, window: int) -> int:
    cache.add(key, 0, timeout=window + 1)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 1)
        return 1


def reset(scope: str, ident: str, *, window: int) -> None:
    cache.delete(_base_key(scope, ident))


def ensure_below(
    scope: str, ident: str, *, limit: int, window: int, message: str | Promise | None = None
) -> None:
    """Raise RateLimited when `limit` events already happened in this window."""
    key, retry_after = _current_window(scope, ident, window, open_one=False)
    if _count(key) >= limit:
        raise RateLimited(message, retry_after=retry_after)


def limit_action(
    scope: str, ident: str, *, limit: int, window: int, message: str | Promise | None = None
) -> None:
    """Count this action and refuse it past `limit` per window."""
    key, retry_after = _current_window(scope, ident, window, open_one=True)
    if _increment(key, window) > limit:
        raise RateLimited(message, retry_after=retry_after)
