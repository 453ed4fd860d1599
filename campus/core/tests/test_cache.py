"""campus.core.cache.RedisCache: Django's Redis backend with one client per pool,
against the machine's Redis (CI has it on loopback, like the worker tests)."""

import os
import secrets
from collections.abc import Iterator

import pytest

from campus.core.cache import RedisCache

REDIS_URL = os.environ.get("CAMPUS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_cache() -> Iterator[RedisCache]:
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": f"test-{secrets.token_hex(4)}"})
    yield cache
    cache.delete_many(["a", "b", "n"])


def test_one_client_per_pool_reused_across_calls(redis_cache: RedisCache) -> None:
    backend = redis_cache._cache
    assert backend.get_client(write=True) is backend.get_client(write=False)
    assert backend.get_client("a") is backend.get_client("b", write=True)


def test_it_is_still_django_s_redis_cache(redis_cache: RedisCache) -> None:
    redis_cache.set("a", {"x": 1}, 30)
    assert redis_cache.get("a") == {"x": 1}
    assert redis_cache.add("a", "other") is False
    assert redis_cache.get_many(["a", "b"]) == {"a": {"x": 1}}
    assert redis_cache.add("n", 0, 30) is True
    assert redis_cache.incr("n") == 1
    redis_cache.set_many({"b": "deux"}, 30)
    assert redis_cache.get("b") == "deux"
    redis_cache.delete("a")
    assert redis_cache.get("a") is None
