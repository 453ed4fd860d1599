"""Forum search: case- and accent-insensitive French, indexed on each database.

    search_topic_ids(forum_id=..., query=..., limit=20) -> list[int]   # ranked ids
    search_topics(forum_id=..., query=..., limit=20) -> list[Topic]    # same, as rows

Contract (the same on SQLite, PostgreSQL and MariaDB):

- The query is cut into words (letters and digits; everything else, FTS operators
  included, is a separator), at most `MAX_TERMS` words of at most `MAX_TERM_LENGTH`
  characters. No word (empty or punctuation-only query) → `[]`, no query run. User input
  never reaches a full-text query language unquoted, so `"`, `*`, `NEAR`, `-`, `(` …
  never raise.
- A topic matches when EVERY word is in its title + content, or every word is in one
  of its replies. Hidden topics, and hidden or deleted replies, are never searched;
  only the topics of `forum_id` are returned.
- Case and accents are ignored both ways ("etudiant", "ÉTUDIANT" and "étudiant" are the
  same word). Words match whole words (no prefix search).
- Ranking: title hits first, then topics matched in their own text, then topics matched
  through a reply; ties by latest activity, then id (newest first).
- Bounded: `limit` is capped at `MAX_LIMIT`, and at most `CANDIDATES` matching
  topics and `CANDIDATES` matching replies are considered per query (for a word that is
  in most of a huge forum, the ranking is over a sample of the matches).

Per database (the indexes are created by migration 0002_search):

- PostgreSQL: full-text search with the `french_unaccent` configuration (french, with
  `unaccent` before the French stemmer) behind GIN expression indexes on
  `to_tsvector('french_unaccent', title || ' ' || content)` (topics) and on
  `to_tsvector('french_unaccent', content)` (replies); the words go through
  `plainto_tsquery`. Also stems ("étudiants" finds "étudiant") and drops French
  stopwords ("le", "de": a query of stopwords only finds nothing).
- SQLite: FTS5 external-content tables `forum_topic_fts(title, content)` and
  `forum_reply_fts(content)` (tokenizer `unicode61 remove_diacritics 2`), kept in sync by
  triggers on forum_topic / forum_reply; each word is double-quoted in MATCH.
- MariaDB: InnoDB FULLTEXT indexes on forum_topic(title, content), forum_topic(title)
  and forum_reply(content), queried `IN BOOLEAN MODE` with `+"word"` per word. Accents
  and case are ignored by the columns' collation (utf8mb4_general_ci / _unicode_ci).
  InnoDB does not index words shorter than `innodb_ft_min_token_size` (3 by default)
  nor its stopwords: such words are dropped from the query on MariaDB (a query made only
  of them finds nothing). InnoDB applies FULLTEXT changes at COMMIT: a row is searchable
  once its transaction has committed.
"""

import re
from collections.abc import Sequence

from django.db import connection

from campus.forum.models import Topic

MAX_TERMS = 8
MAX_TERM_LENGTH = 50
MAX_LIMIT = 100
CANDIDATES = 1_000

_WORD = re.compile(r"[^\W_]+")

# MariaDB/InnoDB: the default innodb_ft_min_token_size and the default stopword list
# (INFORMATION_SCHEMA.INNODB_FT_DEFAULT_STOPWORD): a required word InnoDB did not index
# would make every query containing it find nothing.
MARIADB_MIN_TOKEN = 3
MARIADB_STOPWORDS = frozenset(
    [
        "a",
        "about",
        "an",
        "are",
        "as",
        "at",
        "be",
        "by",
        "com",
        "de",
        "en",
        "for",
        "from",
        "how",
        "i",
        "in",
        "is",
        "it",
        "la",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "was",
        "what",
        "when",
        "where",
        "who",
        "will",
        "with",
        "und",
        "www",
    ]
)


def search_terms(query: str) -> list[str]:
    """The words searched for: lowercased, deduplicated, bounded. [] = nothing to search."""
    words: list[str] = []
    for word in _WORD.findall(query or ""):
        word = word.lower()[:MAX_TERM_LENGTH]
        if word not in words:
            words.append(word)
        if len(words) == MAX_TERMS:
            break
    return words


def search_topic_ids(*, forum_id: int, query: str, limit: int = 20) -> list[int]:
    """The ids of the forum's visible topics matching `query`, best first."""
    terms = search_terms(query)
    limit = max(0, min(limit, MAX_LIMIT))
    if not terms or not limit:
        return []
    vendor = connection.vendor
    if vendor == "postgresql":
        return _postgresql(forum_id, terms, limit)
    if vendor == "sqlite":
        return _sqlite(forum_id, terms, limit)
    if vendor == "mysql":
        return _mariadb(forum_id, terms, limit)
    raise NotImplementedError(f"forum search on {vendor}")


def search_topics(*, forum_id: int, query: str, limit: int = 20) -> list[Topic]:
    """The matching topics (with author and last replier), best first. Two queries."""
    ids = search_topic_ids(forum_id=forum_id, query=query, limit=limit)
    if not ids:
        return []
    rows = Topic.objects.select_related("author", "last_reply_by").in_bulk(ids)
    return [rows[pk] for pk in ids if pk in rows]


def _fetch(sql: str, params: Sequence[str | int]) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [int(row[0]) for row in cursor.fetchall()]


# Scores: 3 = title hit, 2 = topic text hit, 1 = a reply hit. One row per topic.
_RANKED = """
    SELECT m.topic_id
    FROM ({matches}) m
    GROUP BY m.topic_id, m.activity_at
    ORDER BY MAX(m.score) DESC, m.activity_at DESC, m.topic_id DESC
    LIMIT %s
"""

# --- PostgreSQL -----------------------------------------------------------------------

PG_CONFIG = "french_unaccent"
PG_TOPIC_VECTOR = f"to_tsvector('{PG_CONFIG}'::regconfig, t.title || ' ' || t.content)"
PG_REPLY_VECTOR = f"to_tsvector('{PG_CONFIG}'::regconfig, r.content)"


def _postgresql(forum_id: int, terms: list[str], limit: int) -> list[int]:
    query = f"plainto_tsquery('{PG_CONFIG}'::regconfig, %s)"
    topics = f"""
        SELECT c.id AS topic_id, c.activity_at,
               CASE WHEN to_tsvector('{PG_CONFIG}'::regconfig, c.title) @@ {query}
                    THEN 3 ELSE 2 END AS score
        FROM (
            SELECT t.id, t.title, t.activity_at FROM forum_topic t
            WHERE {PG_TOPIC_VECTOR} @@ {query} AND t.forum_id = %s AND NOT t.is_hidden
            LIMIT {CANDIDATES}
        ) c
    """  # noqa: S608 (constants only; user input is in the parameters)
    replies = f"""
        SELECT r.topic_id, t.activity_at, 1 AS score
        FROM forum_reply r JOIN forum_topic t ON t.id = r.topic_id
        WHERE {PG_REPLY_VECTOR} @@ {query}
          AND t.forum_id = %s AND NOT t.is_hidden AND NOT r.is_hidden AND NOT r.is_deleted
        LIMIT {CANDIDATES}
    """  # noqa: S608 (constants only; user input is in the parameters)
    words = " ".join(terms)
    sql = _RANKED.format(matches=f"({topics}) UNION ALL ({replies})")
    return _fetch(sql, [words, words, forum_id, words, forum_id, limit])


# --- SQLite ---------------------------------------------------------------------------


def _fts5_phrase(terms: list[str]) -> str:
    """Each word a quoted FTS5 string: no operator, column filter or prefix can appear."""
    return " ".join('"' + term.replace('"', '""') + '"' for term in terms)


def _sqlite(forum_id: int, terms: list[str], limit: int) -> list[int]:
    match = _fts5_phrase(terms)
    topics = f"""
        SELECT t.id AS topic_id, t.activity_at,
               CASE WHEN t.id IN (
                   SELECT rowid FROM forum_topic_fts WHERE forum_topic_fts MATCH %s
               ) THEN 3 ELSE 2 END AS score
        FROM forum_topic_fts f JOIN forum_topic t ON t.id = f.rowid
        WHERE forum_topic_fts MATCH %s AND t.forum_id = %s AND NOT t.is_hidden
        LIMIT {CANDIDATES}
    """  # noqa: S608 (constants only; user input is in the parameters)
    replies = f"""
        SELECT r.topic_id AS topic_id, t.activity_at, 1 AS score
        FROM forum_reply_fts f
        JOIN forum_reply r ON r.id = f.rowid
        JOIN forum_topic t ON t.id = r.topic_id
        WHERE forum_reply_fts MATCH %s
          AND t.forum_id = %s AND NOT t.is_hidden AND NOT r.is_hidden AND NOT r.is_deleted
        LIMIT {CANDIDATES}
    """  # noqa: S608 (constants only; user input is in the parameters)
    union = f"SELECT * FROM ({topics}) UNION ALL SELECT * FROM ({replies})"  # noqa: S608
    sql = _RANKED.format(matches=union)
    title = "title : (" + match + ")"
    return _fetch(sql, [title, match, forum_id, match, forum_id, limit])


# --- MariaDB --------------------------------------------------------------------------


def _boolean_query(terms: list[str]) -> str:
    """Every word required and quoted: `+"word"`. Words InnoDB cannot find are dropped."""
    kept = [t for t in terms if len(t) >= MARIADB_MIN_TOKEN and t not in MARIADB_STOPWORDS]
    return " ".join('+"' + term.replace('"', "") + '"' for term in kept)


def _mariadb(forum_id: int, terms: list[str], limit: int) -> list[int]:
    against = _boolean_query(terms)
    if not against:
        return []
    topics = f"""
        SELECT t.id AS topic_id, t.activity_at,
               CASE WHEN MATCH(t.title) AGAINST (%s IN BOOLEAN MODE) THEN 3 ELSE 2 END AS score
        FROM forum_topic t
        WHERE MATCH(t.title, t.content) AGAINST (%s IN BOOLEAN MODE)
          AND t.forum_id = %s AND NOT t.is_hidden
        LIMIT {CANDIDATES}
    """  # noqa: S608 (constants only; user input is in the parameters)
    replies = f"""
        SELECT r.topic_id AS topic_id, t.activity_at, 1 AS score
        FROM forum_reply r JOIN forum_topic t ON t.id = r.topic_id
        WHERE MATCH(r.content) AGAINST (%s IN BOOLEAN MODE)
          AND t.forum_id = %s AND NOT t.is_hidden AND NOT r.is_hidden AND NOT r.is_deleted
        LIMIT {CANDIDATES}
    """  # noqa: S608 (constants only; user input is in the parameters)
    sql = _RANKED.format(matches=f"({topics}) UNION ALL ({replies})")
    return _fetch(sql, [against, against, forum_id, against, forum_id, limit])


# --- SQLite: triggers lost to a table rebuild -----------------------------------------

# Django rebuilds a SQLite table for many schema changes (a NOT NULL column with a
# default, an altered field...): the new table has none of the old one's triggers, and
# the FTS tables would silently stop following it. `ensure_sqlite_search` puts back the
# missing triggers and rebuilds the FTS tables from the data; run it after `migrate`
# (a post_migrate handler) — it does nothing when everything is in place.
SQLITE_TRIGGERS = {
    "forum_topic_fts_insert": """AFTER INSERT ON forum_topic BEGIN
        INSERT INTO forum_topic_fts(rowid, title, content)
        VALUES (new.id, new.title, new.content);
    END""",
    "forum_topic_fts_delete": """AFTER DELETE ON forum_topic BEGIN
        INSERT INTO forum_topic_fts(forum_topic_fts, rowid, title, content)
        VALUES ('delete', old.id, old.title, old.content);
    END""",
    "forum_topic_fts_update": """AFTER UPDATE OF title, content ON forum_topic BEGIN
        INSERT INTO forum_topic_fts(forum_topic_fts, rowid, title, content)
        VALUES ('delete', old.id, old.title, old.content);
        INSERT INTO forum_topic_fts(rowid, title, content)
        VALUES (new.id, new.title, new.content);
    END""",
    "forum_reply_fts_insert": """AFTER INSERT ON forum_reply BEGIN
        INSERT INTO forum_reply_fts(rowid, content) VALUES (new.id, new.content);
    END""",
    "forum_reply_fts_delete": """AFTER DELETE ON forum_reply BEGIN
        INSERT INTO forum_reply_fts(forum_reply_fts, rowid, content)
        VALUES ('delete', old.id, old.content);
    END""",
    "forum_reply_fts_update": """AFTER UPDATE OF content ON forum_reply BEGIN
        INSERT INTO forum_reply_fts(forum_reply_fts, rowid, content)
        VALUES ('delete', old.id, old.content);
        INSERT INTO forum_reply_fts(rowid, content) VALUES (new.id, new.content);
    END""",
}


def ensure_sqlite_search(using: str = "default", **_: object) -> list[str]:
    """On SQLite, recreate the forum search triggers a table rebuild dropped (and rebuild
    the FTS tables, which missed the changes since). Returns the triggers recreated.
    Usable as a post_migrate receiver."""
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "sqlite":
        return []
    with conn.cursor() as cursor:
        cursor.execute("SELECT type, name FROM sqlite_master WHERE name LIKE 'forum_%_fts%'")
        present = {name for _type, name in cursor.fetchall()}
        if not {"forum_topic_fts", "forum_reply_fts"} <= present:
            return []  # before migration 0002 (or after it was reversed)
        missing = [name for name in SQLITE_TRIGGERS if name not in present]
        for name in missing:
            cursor.execute(f"CREATE TRIGGER {name} {SQLITE_TRIGGERS[name]}")
        if missing:
            cursor.execute("INSERT INTO forum_topic_fts(forum_topic_fts) VALUES ('rebuild')")
            cursor.execute("INSERT INTO forum_reply_fts(forum_reply_fts) VALUES ('rebuild')")
    return missing
