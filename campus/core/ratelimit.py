"""Fixed-window counters in the shared cache (database or Redis), so every web process
sees the same counts. Used for login throttling and rate-limited actions.

Anonymous endpoints count per client address (`client_address`). One address may be a
whole campus behind carrier-grade NAT, so their per-address limits are high ceilings,
and what must stay tight is counted on something narrower: the account (logins, reset
emails) or the failures (unknown certificate codes). docs/configuration.md, "Login
throttling and shared addresses", gives the trade-off.
"""

import hashlib
import ipaddress
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


def _window_key(scope: str, ident: str, window: int) -> tuple[str, int]:
    bucket = int(time.time()) // window
    retry_after = window - int(time.time()) % window
    # The ident can be what a client typed (a login email): a digest keeps every key short
    # and plain ASCII (the database cache's key column holds 255 characters).
    digest = hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()
    return f"rl:{scope}:{digest}:{bucket}", retry_after


def hit(scope: str, ident: str, *, window: int) -> int:
    """Record one event; return the count in the current window."""
    key, _ = _window_key(scope, ident, window)
    cache.add(key, 0, timeout=window + 1)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 1)
        return 1


def reset(scope: str, ident: str, *, window: int) -> None:
    key, _ = _window_key(scope, ident, window)
    cache.delete(key)


def ensure_below(
    scope: str, ident: str, *, limit: int, window: int, message: str | Promise | None = None
) -> None:
    """Raise RateLimited when `limit` events already happened in this window."""
    key, retry_after = _window_key(scope, ident, window)
    if int(cache.get(key, 0)) >= limit:
        raise RateLimited(message, retry_after=retry_after)


def limit_action(
    scope: str, ident: str, *, limit: int, window: int, message: str | Promise | None = None
) -> None:
    """Count this action and refuse it past `limit` per window."""
    _key, retry_after = _window_key(scope, ident, window)
    if hit(scope, ident, window=window) > limit:
        raise RateLimited(message, retry_after=retry_after)
