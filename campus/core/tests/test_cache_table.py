"""`migrate` is all a deployment needs (issue 14, item 6): the database cache's table,
where login throttling counts failures, comes from a migration.

Django's test database creation also runs `createcachetable`, which would hide a missing
migration: the test drops the table, shows a login failing without it, then unapplies
and reapplies the core migrations and logs in through the API and the login page on the
production default cache (the database), not the suite's per-test memory cache.
"""

import importlib
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from campus.accounts.models import Role
from conftest import PASSWORD, ApiClient, assert_error

TABLE = "campus_cache"


def _tables() -> list[str]:
    return connection.introspection.table_names()


def _drop_cache_table() -> None:
    if TABLE in _tables():
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {connection.ops.quote_name(TABLE)}")


@pytest.fixture
def database_cache(settings: Any) -> Any:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": TABLE,
        }
    }
    yield
    # Leave the table as the test database had it, for the tests that follow.
    call_command("createcachetable", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_migrate_alone_makes_the_cache_table_logins_need(
    database_cache: None, user_factory: Any
) -> None:
    student = user_factory(Role.STUDENT)
    _drop_cache_table()
    # Without the table, the throttle cannot count: the login is a server error.
    response = ApiClient().post("/api/auth/login", {"email": student.email, "password": "x"})
    assert_error(response, 500, "server_error")

    call_command("migrate", "core", "zero", verbosity=0)
    call_command("migrate", verbosity=0)
    assert TABLE in _tables()

    # A failure is counted in the table, and the logins go through.
    failed = ApiClient().post("/api/auth/login", {"email": student.email, "password": "x"})
    assert_error(failed, 401, "invalid_credentials")
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(TABLE)  # a constant, not input
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
        assert cursor.fetchone()[0] >= 1
    api = ApiClient().post("/api/auth/login", {"email": student.email, "password": PASSWORD})
    assert api.status_code == 200, api.content
    page = Client().post(reverse("accounts:login"), {"email": student.email, "password": PASSWORD})
    assert page.status_code == 302
    cache.clear()


@pytest.mark.django_db(transaction=True)
def test_the_migration_skips_a_table_that_exists(database_cache: None) -> None:
    """Sites set up with the old `createcachetable` step migrate without an error."""
    migration = importlib.import_module("campus.core.migrations.0001_cache_table")
    assert TABLE in _tables()
    with connection.schema_editor() as editor:
        migration.create_cache_tables(None, editor)
    assert TABLE in _tables()
