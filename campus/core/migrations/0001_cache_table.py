"""The database cache's table (rate limits and login throttling live in the shared cache),
so that `migrate` is all a deployment needs.

Django's own `createcachetable` does the work, for every configured `DatabaseCache` on
the database being migrated (nothing when the cache is Redis). It skips a table that
already exists, so databases set up by the old `createcachetable` step, or by Django's
test database creation, migrate without error. Unapplying leaves the table: the cache
is not part of the schema the models describe, and dropping it would only lose counters.
"""

from typing import Any

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps: Any, schema_editor: Any) -> None:
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.RunPython(create_cache_tables, migrations.RunPython.noop, elidable=False)
    ]
