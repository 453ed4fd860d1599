"""Forum search (campus/forum/search.py): the same expectations on SQLite, PostgreSQL and
MariaDB, and proof that each database answers from its full-text index.

transaction=True: InnoDB applies FULLTEXT changes at COMMIT, so on MariaDB rows written
inside a test transaction would not be searchable yet.
"""

from typing import Any

import pytest
from django.db import connection

from campus.accounts.models import User
from campus.courses.models import Course
from campus.forum.models import Forum, Reply, Topic
from campus.forum.search import (
    MAX_LIMIT,
    search_terms,
    search_topic_ids,
    search_topics,
)
from conftest import build_course

pytestmark = pytest.mark.django_db(transaction=True)


def forum_of(course: Course) -> Forum:
    forum, _ = Forum.objects.get_or_create(course=course, defaults={"title": "Forum"})
    return forum


def topic(forum: Forum, author: User, title: str, content: str = "…", **fields: Any) -> Topic:
    return Topic.objects.create(forum=forum, author=author, title=title, content=content, **fields)


def reply(to: Topic, author: User, content: str, **fields: Any) -> Reply:
    return Reply.objects.create(topic=to, author=author, content=content, **fields)


@pytest.fixture
def forum(course: Course) -> Forum:
    return forum_of(course)


def ids(forum: Forum, query: str) -> list[int]:
    return search_topic_ids(forum_id=forum.pk, query=query)


@pytest.mark.parametrize("query", ["étudiant", "etudiant", "ÉTUDIANT", "Etudiant", "eTuDiAnT"])
def test_accents_and_case_are_ignored_in_the_query(forum: Forum, member: User, query: str) -> None:
    found = topic(forum, member, "Conseils pour un étudiant pressé")
    topic(forum, member, "Autre chose", "Rien à voir.")

    assert ids(forum, query) == [found.pk]


@pytest.mark.parametrize("text", ["étudiant", "etudiant", "ÉTUDIANT", "ETUDIANT"])
def test_accents_and_case_are_ignored_in_the_text(forum: Forum, member: User, text: str) -> None:
    found = topic(forum, member, "Question", f"Je suis {text} en licence.")

    assert ids(forum, "étudiant") == [found.pk]
    assert ids(forum, "etudiant") == [found.pk]


def test_eleve_finds_élève_and_back(forum: Forum, member: User) -> None:
    found = topic(forum, member, "Un élève motivé")
    upper = topic(forum, member, "Réponse", "LE MEILLEUR ÉLÈVE")

    assert set(ids(forum, "ELEVE")) == {found.pk, upper.pk}
    assert set(ids(forum, "élève")) == {found.pk, upper.pk}


def test_a_match_in_a_reply_finds_its_topic(forum: Forum, member: User, owner: User) -> None:
    thread = topic(forum, member, "Exercice 3", "Je bloque sur l'exercice.")
    reply(thread, owner, "Pensez à la récursivité, c'est la clé.")

    assert ids(forum, "recursivite") == [thread.pk]
    assert [t.pk for t in search_topics(forum_id=forum.pk, query="RÉCURSIVITÉ")] == [thread.pk]


def test_every_word_must_match_in_the_topic_or_in_one_reply(forum: Forum, member: User) -> None:
    both = topic(forum, member, "Variables en Python", "Comment nommer une variable ?")
    only_one = topic(forum, member, "Python", "Installation.")

    assert ids(forum, "python variables") == [both.pk]
    assert only_one.pk in ids(forum, "python")


def test_title_hits_come_first(forum: Forum, member: User, owner: User) -> None:
    in_reply = topic(forum, member, "Question A", "Bonjour.")
    reply(in_reply, owner, "La compilation échoue chez moi aussi.")
    in_content = topic(forum, member, "Question B", "Ma compilation échoue.")
    in_title = topic(forum, member, "Compilation impossible", "Aidez-moi.")

    assert ids(forum, "compilation") == [in_title.pk, in_content.pk, in_reply.pk]


def test_a_topic_matched_twice_appears_once(forum: Forum, member: User, owner: User) -> None:
    thread = topic(forum, member, "Tableur", "Une formule du tableur.")
    for _ in range(3):
        reply(thread, owner, "Le tableur recalcule.")

    assert ids(forum, "tableur") == [thread.pk]


def test_hidden_and_deleted_content_is_not_found(forum: Forum, member: User, owner: User) -> None:
    topic(forum, member, "Photosynthèse cachée", is_hidden=True)
    hidden_parent = topic(forum, member, "Masqué", "…", is_hidden=True)
    reply(hidden_parent, owner, "chlorophylle")
    visible = topic(forum, member, "Biologie", "Le cours.")
    reply(visible, owner, "mitochondrie supprimée", is_deleted=True)
    reply(visible, owner, "ribosome masqué", is_hidden=True)

    assert ids(forum, "photosynthese") == []
    assert ids(forum, "chlorophylle") == []
    assert ids(forum, "mitochondrie") == []
    assert ids(forum, "ribosome") == []
    assert ids(forum, "biologie") == [visible.pk]


def test_hiding_or_editing_later_is_reflected(forum: Forum, member: User, owner: User) -> None:
    thread = topic(forum, member, "Géométrie", "Les triangles.")
    answer = reply(thread, owner, "Utilisez Pythagore.")
    assert ids(forum, "pythagore") == [thread.pk]

    Reply.objects.filter(pk=answer.pk).update(content="Utilisez Thalès.")
    assert ids(forum, "pythagore") == []
    assert ids(forum, "thales") == [thread.pk]

    Topic.objects.filter(pk=thread.pk).update(title="Algèbre")
    assert ids(forum, "geometrie") == []
    assert ids(forum, "algebre") == [thread.pk]

    Topic.objects.filter(pk=thread.pk).update(is_hidden=True)
    assert ids(forum, "algebre") == []

    Topic.objects.filter(pk=thread.pk).delete()
    assert ids(forum, "thales") == []


def test_other_forums_never_appear(forum: Forum, member: User, owner: User) -> None:
    other = forum_of(build_course(owner, title="Autre cours", modules=1, with_final=False))
    mine = topic(forum, member, "Microéconomie")
    theirs = topic(other, owner, "Microéconomie aussi")
    reply(theirs, owner, "microéconomie")

    assert ids(forum, "microeconomie") == [mine.pk]
    assert ids(other, "microeconomie") == [theirs.pk]


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"étudiant',
        "étudiant*",
        "*",
        "NEAR(étudiant cours)",
        "étudiant NEAR cours",
        "-étudiant",
        "+étudiant -cours",
        "étudiant OR cours",
        "étudiant AND NOT cours",
        "title:étudiant",
        "{title}: étudiant",
        "(étudiant",
        "étudiant)",
        "^étudiant",
        "@étudiant",
        "étudiant & cours | !x",
        "l'étudiant",
        "étudiant's",
        "'; DROP TABLE forum_topic; --",
        "%_%",
        "\\",
        "étudiant\x00",
        "<étudiant>",
        "~étudiant",
    ],
)
def test_special_characters_never_break_the_query(forum: Forum, member: User, query: str) -> None:
    found = topic(forum, member, "Guide de l'étudiant", "Un cours pour bien commencer.")

    result = ids(forum, query)

    assert set(result) <= {found.pk}
    if "étudiant" in search_terms(query) and set(search_terms(query)) <= {"étudiant", "l"}:
        assert result == [found.pk]


@pytest.mark.parametrize("query", ["", "   ", "\t\n", "!!!", '"" **', "- + ~"])
def test_an_empty_query_finds_nothing(forum: Forum, member: User, query: str) -> None:
    topic(forum, member, "Quelque chose")

    assert search_terms(query) == []
    assert ids(forum, query) == []
    assert search_topics(forum_id=forum.pk, query=query) == []


def test_the_result_is_bounded(forum: Forum, member: User) -> None:
    Topic.objects.bulk_create(
        Topic(forum=forum, author=member, title=f"Statistiques {n}", content="…") for n in range(30)
    )

    assert len(ids(forum, "statistiques")) == 20
    assert len(search_topic_ids(forum_id=forum.pk, query="statistiques", limit=5)) == 5
    assert len(search_topic_ids(forum_id=forum.pk, query="statistiques", limit=10**6)) == 30
    assert search_topic_ids(forum_id=forum.pk, query="statistiques", limit=0) == []
    assert MAX_LIMIT >= 30


def test_terms_are_bounded() -> None:
    assert search_terms("un deux trois " * 10) == ["un", "deux", "trois"]
    assert len(search_terms(" ".join(f"mot{n}" for n in range(50)))) == 8
    assert search_terms("x" * 500) == ["x" * 50]


def test_search_topics_loads_rows_in_two_queries(
    forum: Forum, member: User, django_assert_num_queries: Any
) -> None:
    for n in range(5):
        topic(forum, member, f"Réseaux {n}")

    with django_assert_num_queries(2):
        found = search_topics(forum_id=forum.pk, query="réseaux")
        assert [t.author.email for t in found] == [member.email] * 5


# --- The index is used ----------------------------------------------------------------


def explain(sql: str, params: list[Any]) -> str:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return "\n".join(" ".join(str(col) for col in row) for row in cursor.fetchall())


def test_the_full_text_index_is_used(forum: Forum, member: User) -> None:
    topic(forum, member, "Cybersécurité", "Mots de passe.")
    vendor = connection.vendor
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")
        try:
            topics = explain(
                "EXPLAIN SELECT id FROM forum_topic t WHERE to_tsvector('french_unaccent'::"
                "regconfig, t.title || ' ' || t.content) @@ plainto_tsquery("
                "'french_unaccent'::regconfig, %s)",
                ["cybersecurite"],
            )
            replies = explain(
                "EXPLAIN SELECT id FROM forum_reply r WHERE to_tsvector('french_unaccent'::"
                "regconfig, r.content) @@ plainto_tsquery('french_unaccent'::regconfig, %s)",
                ["cybersecurite"],
            )
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET enable_seqscan = on")
        assert "forum_topic_search_idx" in topics, topics
        assert "forum_reply_search_idx" in replies, replies
    elif vendor == "sqlite":
        plan = explain(
            "EXPLAIN QUERY PLAN SELECT rowid FROM forum_topic_fts WHERE forum_topic_fts MATCH %s",
            ['"cybersecurite"'],
        )
        assert "VIRTUAL TABLE INDEX" in plan, plan
    elif vendor == "mysql":
        topics = explain(
            "EXPLAIN SELECT id FROM forum_topic t "
            "WHERE MATCH(t.title, t.content) AGAINST (%s IN BOOLEAN MODE)",
            ['+"cybersecurite"'],
        )
        replies = explain(
            "EXPLAIN SELECT id FROM forum_reply r "
            "WHERE MATCH(r.content) AGAINST (%s IN BOOLEAN MODE)",
            ['+"cybersecurite"'],
        )
        assert "fulltext forum_topic_search_idx" in topics, topics
        assert "fulltext forum_reply_search_idx" in replies, replies
    else:  # pragma: no cover
        pytest.fail(f"no search index on {vendor}")
    assert ids(forum, "CYBERSECURITE") != []


def test_sqlite_triggers_dropped_by_a_table_rebuild_are_restored(
    forum: Forum, member: User
) -> None:
    from campus.forum.search import SQLITE_TRIGGERS, ensure_sqlite_search

    if connection.vendor != "sqlite":
        assert ensure_sqlite_search() == []
        return
    assert ensure_sqlite_search() == []  # everything in place: nothing done
    try:
        with connection.cursor() as cursor:
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER {name}")
        lost = topic(forum, member, "Hydrologie", "Les nappes.")
        assert ids(forum, "hydrologie") == []
    finally:
        restored = ensure_sqlite_search()

    assert sorted(restored) == sorted(SQLITE_TRIGGERS)

    assert ids(forum, "hydrologie") == [lost.pk]
    later = topic(forum, member, "Hydrologie 2")
    assert ids(forum, "hydrologie") == [later.pk, lost.pk]
