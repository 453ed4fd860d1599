"""Forum search indexes (campus/forum/search.py), one kind per database.

- PostgreSQL: the `unaccent` extension, a `french_unaccent` text search configuration
  (french, words unaccented before the French stemmer) and GIN expression indexes.
- SQLite: FTS5 external-content tables over forum_topic and forum_reply (tokenizer
  unicode61 remove_diacritics 2), filled from the existing rows and kept in sync by
  triggers.
- MariaDB: InnoDB FULLTEXT indexes.

Any other database: nothing. Reversible on each.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'french_unaccent') THEN
            CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = french);
            ALTER TEXT SEARCH CONFIGURATION french_unaccent
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
        END IF;
    END $$""",
    """CREATE INDEX forum_topic_search_idx ON forum_topic USING GIN
        (to_tsvector('french_unaccent'::regconfig, title || ' ' || content))""",
    """CREATE INDEX forum_reply_search_idx ON forum_reply USING GIN
        (to_tsvector('french_unaccent'::regconfig, content))""",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS forum_reply_search_idx",
    "DROP INDEX IF EXISTS forum_topic_search_idx",
    # The configuration (and the extension) may serve other tables: kept.
]

SQLITE = [
    """CREATE VIRTUAL TABLE forum_topic_fts USING fts5(
        title, content, content='forum_topic', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE VIRTUAL TABLE forum_reply_fts USING fts5(
        content, content='forum_reply', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER forum_topic_fts_insert AFTER INSERT ON forum_topic BEGIN
        INSERT INTO forum_topic_fts(rowid, title, content)
        VALUES (new.id, new.title, new.content);
    END""",
    """CREATE TRIGGER forum_topic_fts_delete AFTER DELETE ON forum_topic BEGIN
        INSERT INTO forum_topic_fts(forum_topic_fts, rowid, title, content)
        VALUES ('delete', old.id, old.title, old.content);
    END""",
    # Only when the text changes: counters and flags are updated all the time.
    """CREATE TRIGGER forum_topic_fts_update AFTER UPDATE OF title, content ON forum_topic
    BEGIN
        INSERT INTO forum_topic_fts(forum_topic_fts, rowid, title, content)
        VALUES ('delete', old.id, old.title, old.content);
        INSERT INTO forum_topic_fts(rowid, title, content)
        VALUES (new.id, new.title, new.content);
    END""",
    """CREATE TRIGGER forum_reply_fts_insert AFTER INSERT ON forum_reply BEGIN
        INSERT INTO forum_reply_fts(rowid, content) VALUES (new.id, new.content);
    END""",
    """CREATE TRIGGER forum_reply_fts_delete AFTER DELETE ON forum_reply BEGIN
        INSERT INTO forum_reply_fts(forum_reply_fts, rowid, content)
        VALUES ('delete', old.id, old.content);
    END""",
    """CREATE TRIGGER forum_reply_fts_update AFTER UPDATE OF content ON forum_reply BEGIN
        INSERT INTO forum_reply_fts(forum_reply_fts, rowid, content)
        VALUES ('delete', old.id, old.content);
        INSERT INTO forum_reply_fts(rowid, content) VALUES (new.id, new.content);
    END""",
    # Rows that existed before the migration.
    "INSERT INTO forum_topic_fts(forum_topic_fts) VALUES ('rebuild')",
    "INSERT INTO forum_reply_fts(forum_reply_fts) VALUES ('rebuild')",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS forum_reply_fts_update",
    "DROP TRIGGER IF EXISTS forum_reply_fts_delete",
    "DROP TRIGGER IF EXISTS forum_reply_fts_insert",
    "DROP TRIGGER IF EXISTS forum_topic_fts_update",
    "DROP TRIGGER IF EXISTS forum_topic_fts_delete",
    "DROP TRIGGER IF EXISTS forum_topic_fts_insert",
    "DROP TABLE IF EXISTS forum_reply_fts",
    "DROP TABLE IF EXISTS forum_topic_fts",
]

MYSQL = [
    "CREATE FULLTEXT INDEX forum_topic_search_idx ON forum_topic (title, content)",
    "CREATE FULLTEXT INDEX forum_topic_title_search_idx ON forum_topic (title)",
    "CREATE FULLTEXT INDEX forum_reply_search_idx ON forum_reply (content)",
]
MYSQL_REVERSE = [
    "DROP INDEX forum_reply_search_idx ON forum_reply",
    "DROP INDEX forum_topic_title_search_idx ON forum_topic",
    "DROP INDEX forum_topic_search_idx ON forum_topic",
    # Rebuild without InnoDB's hidden FTS_DOC_ID column: on MariaDB 10.11, FULLTEXT
    # indexes created again over the leftover column find none of the existing rows.
    "ALTER TABLE forum_reply FORCE",
    "ALTER TABLE forum_topic FORCE",
]

FORWARD = {"postgresql": POSTGRESQL, "sqlite": SQLITE, "mysql": MYSQL}
BACKWARD = {"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE, "mysql": MYSQL_REVERSE}


def _run(statements: dict[str, list[str]], schema_editor: BaseDatabaseSchemaEditor) -> None:
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql, params=None)


def forward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(FORWARD, schema_editor)


def backward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(BACKWARD, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("forum", "0001_initial"),
    ]

    operations = [
        # Not wrapped in its own atomic block: MariaDB cannot run DDL inside one (PostgreSQL
        # and SQLite still run the whole migration in a transaction).
        migrations.RunPython(forward, backward, atomic=False, elidable=False),
    ]
