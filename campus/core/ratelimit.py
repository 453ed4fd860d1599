"""Fixed-window counters in the shared cache (database or Redis), so every web process
sees the same counts. Used for login throttling and rate-limited actions.
"""

import time

from django.core.cache import cache

from campus.core.errors import RateLimited


def _window_key(scope: str, ident: str, window: int) -> tuple[str, int]:
    bucket = int(time.time()) // window
    retry_after = window - int(time.time()) % window
    return f"rl:{scope}:{ident}:{bucket}", retry_after


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


def ensure_below(scope: str, ident: str, *, limit: int, window: int) -> None:
    """Raise RateLimited when `limit` events already happened in this window."""
    key, retry_after = _window_key(scope, ident, window)
    if int(cache.get(key, 0)) >= limit:
        raise RateLimited(retry_after=retry_after)


def limit_action(scope: str, ident: str, *, limit: int, window: int) -> None:
    """Count this action and refuse it past `limit` per window."""
    _key, retry_after = _window_key(scope, ident, window)
    if hit(scope, ident, window=window) > limit:
        raise RateLimited(retry_after=retry_after)
