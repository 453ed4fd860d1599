"""Rate-limit counters are keyed on what clients type (a login email): the cache key must
stay short and plain whatever was typed. The database cache stores keys in a 255-character
column (PostgreSQL and MariaDB refuse longer ones: a 500), and Django warns about keys
that memcached-style backends would refuse. Found by the apifuzz run."""

import json
import warnings
from typing import Any

import pytest
from django.core.cache.backends.base import CacheKeyWarning

from conftest import assert_error

pytestmark = pytest.mark.django_db

TYPED_EMAILS = [
    "a" * 240 + "@example.org",  # 252 characters: allowed by the form, too long for a key
    "tab\there@example.org",  # a control character
    "ünïcödé@exämple.org",
]


@pytest.mark.parametrize("email", TYPED_EMAILS)
def test_a_failed_login_counts_under_a_safe_cache_key(api: Any, email: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        response = api(None).post(
            "/api/auth/login", raw=json.dumps({"email": email, "password": "wrong"})
        )
    assert_error(response, 401, "invalid_credentials")
