"""Reply.root (issue 17): every nested reply knows the top-level reply of its thread, so
a page of the reply tree reads its own threads only; the migration fills the column in
for the replies written before it."""

import importlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.apps import apps as global_apps
from django.db import connection, reset_queries
from django.db.models.signals import post_init
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campus.accounts.models import Role, User
from campus.core.pagination import encode_cursor
from campus.courses import services as course_services
from campus.courses.models import Course
from campus.forum import selectors, services
from campus.forum.models import Reply, Topic, Vote
from campus.forum.tests.helpers import make_reply, make_topic
from conftest import assert_error

pytestmark = pytest.mark.django_db

MIGRATION = "campus.forum.migrations.0006_reply_root"


@pytest.fixture(autouse=True)
def _no_post_limit(monkeypatch: Any) -> None:
    """Posting limits are tested on their own (test_api.test_rate_limit_429)."""
    monkeypatch.setattr(services, "POST_LIMIT", 10_000)


@pytest.fixture
def student2(user_factory: Callable[..., User], course: Course) -> User:
    user = user_factory(Role.STUDENT, first_name="Aminata", last_name="Deux")
    course_services.enrollment_create(actor=user, course=course)
    return user


def replies_path(topic: Topic) -> str:
    return f"/api/topics/{topic.pk}/replies"


def ids(rows: list[dict]) -> list[int]:
    return [row["id"] for row in rows]


def flatten(rows: list[dict]) -> Iterator[dict]:
    for row in rows:
        yield row
        yield from flatten(row["replies"])


class LoadedReplies:
    """The primary keys of the Reply rows the ORM builds while active (post_init fires
    once per row read from the database): what a request really read, nothing patched."""

    def __init__(self) -> None:
        self.pks: list[int] = []

    def _seen(self, sender: Any, instance: Reply, **kwargs: Any) -> None:
        self.pks.append(instance.pk)

    def __enter__(self) -> "LoadedReplies":
        post_init.connect(self._seen, sender=Reply)
        return self

    def __exit__(self, *exc: object) -> None:
        post_init.disconnect(self._seen, sender=Reply)


# --- The rule: a nested reply's root is its thread's top-level reply ----------------------


def test_nested_replies_get_the_root_of_their_parents_chain(
    api: Any, course: Course, member: User, student2: User
) -> None:
    topic = make_topic(member, course)
    client = api(member)

    def post(parent: int | None = None) -> Reply:
        body = {"content": "Réponse", "parent_reply_id": parent}
        resp = client.post(replies_path(topic), body)
        assert resp.status_code == 201, resp.content
        return Reply.objects.get(pk=resp.json_body["data"]["id"])

    first, second = post(), post()
    chain = [first]
    for _ in range(4):  # depth 1 .. 4 under the first thread
        chain.append(post(chain[-1].pk))
    aside = post(chain[2].pk)  # a branch in the middle of the chain
    other = post(second.pk)
    assert first.root_id is None and second.root_id is None
    assert {r.root_id for r in chain[1:]} == {first.pk}
    assert aside.root_id == first.pk
    assert other.root_id == second.pk
    # Through the service too (the pages and the MdSC face call it).
    deep = make_reply(student2, topic, "Encore", parent_id=chain[-1].pk)
    assert deep.root_id == first.pk
    assert set(first.descendants.values_list("pk", flat=True)) == {
        *(r.pk for r in chain[1:]),
        aside.pk,
        deep.pk,
    }


def test_a_parent_from_another_topic_is_still_refused(
    api: Any, course: Course, member: User
) -> None:
    topic = make_topic(member, course, title="Un")
    elsewhere = make_reply(member, make_topic(member, course, title="Deux"))
    resp = api(member).post(replies_path(topic), {"content": "x", "parent_reply_id": elsewhere.pk})
    body = assert_error(resp, 400)
    assert any(d["code"] == "parent_not_in_topic" for d in body["error"]["details"])
    assert not Reply.objects.filter(topic=topic).exists()


# --- A page reads its own threads only ------------------------------------------------------


@pytest.fixture
def big_topic(course: Course, member: User, student2: User) -> tuple[Topic, list[Reply]]:
    """100 top-level replies, each answered once; every fifth answer answered again."""
    topic = make_topic(member, course, title="Grand")
    roots = []
    for i in range(100):
        root = make_reply(student2, topic, f"racine {i}")
        child = make_reply(member, topic, f"enfant {i}", parent_id=root.pk)
        if i % 5 == 0:
            make_reply(student2, topic, f"petit-enfant {i}", parent_id=child.pk)
        roots.append(root)
    return topic, roots


def loaded(reply: Reply) -> Reply:
    return selectors.reply_base().get(pk=reply.pk)


def thread_pks(root: Reply) -> set[int]:
    return {root.pk, *Reply.objects.filter(root=root).values_list("pk", flat=True)}


def test_pages_of_the_tree_read_only_their_own_threads(
    api: Any,
    course: Course,
    member: User,
    student2: User,
    big_topic: tuple[Topic, list[Reply]],
    django_assert_num_queries: Any,
) -> None:
    topic, roots = big_topic
    client = api(member)
    small = make_topic(member, course, title="Petit")
    make_reply(student2, small, "seule", parent_id=make_reply(member, small, "racine").pk)
    Vote.objects.create(reply=roots[1], user=member, value=1)
    Vote.objects.create(reply=roots[30], user=member, value=-1)  # page 2
    client.get(replies_path(small), {"limit": 20})
    reset_queries()
    with CaptureQueriesContext(connection) as small_queries:
        client.get(replies_path(small), {"limit": 20})
    # A small topic is read whole (one query for every reply); a page of a big one reads
    # its top-level replies, then their threads: one query more, whatever the page.
    queries = len(small_queries) + 1

    reset_queries()
    with django_assert_num_queries(queries), LoadedReplies() as loaded:
        body = client.get(replies_path(topic), {"limit": 20}).json_body
    page1 = roots[:20]
    assert ids(body["data"]) == [r.pk for r in page1]
    expected = set().union(*(thread_pks(r) for r in page1))
    assert {row["id"] for row in flatten(body["data"])} == expected
    # Rows read: the page's threads, plus the next top-level reply (is there a page 2?).
    assert set(loaded.pks) == expected | {roots[20].pk}, sorted(set(loaded.pks) - expected)
    assert len(loaded.pks) == len(expected) + 1
    row = body["data"][0]
    assert row["replies"][0]["content"] == "enfant 0"
    assert row["replies"][0]["replies"][0]["content"] == "petit-enfant 0"
    assert (row["replies"][0]["depth"], row["replies"][0]["replies"][0]["depth"]) == (1, 2)
    assert body["data"][1]["has_upvoted"] is True

    reset_queries()
    with django_assert_num_queries(queries), LoadedReplies() as loaded:
        body = client.get(
            replies_path(topic), {"limit": 20, "cursor": body["pagination"]["next"]}
        ).json_body
    page2 = roots[20:40]
    assert ids(body["data"]) == [r.pk for r in page2]
    expected = set().union(*(thread_pks(r) for r in page2))
    assert {row["id"] for row in flatten(body["data"])} == expected
    assert set(loaded.pks) == expected | {roots[40].pk}
    assert body["data"][10]["has_downvoted"] is True
    assert body["data"][0]["has_upvoted"] is False

    # The last page: the rest, and no next cursor.
    seen = [r.pk for r in page1 + page2]
    cursor = body["pagination"]["next"]
    while cursor:
        body = client.get(replies_path(topic), {"limit": 20, "cursor": cursor}).json_body
        seen += ids(body["data"])
        cursor = body["pagination"]["next"]
    assert seen == [r.pk for r in roots]


def test_topic_page_reads_only_its_threads(
    member: User, course: Course, big_topic: tuple[Topic, list[Reply]]
) -> None:
    topic, roots = big_topic
    client = Client()
    client.force_login(member)
    url = reverse("forum:topic", kwargs={"slug": course.slug, "topic_id": topic.pk})
    with LoadedReplies() as loaded:
        page = client.get(url).content.decode()
    shown = roots[:50]  # the page shows 50 top-level replies, each with its thread
    expected = set().union(*(thread_pks(r) for r in shown))
    assert set(loaded.pks) == expected | {roots[50].pk}
    assert f'id="reply-{roots[49].pk}"' in page and f'id="reply-{roots[50].pk}"' not in page
    assert "cursor=" in page


def test_hidden_and_deleted_replies_keep_their_place_in_a_later_page(
    api: Any, course: Course, member: User, student2: User, owner: User
) -> None:
    topic = make_topic(member, course)
    roots = [make_reply(student2, topic, f"racine {i}") for i in range(3)]
    child = make_reply(member, topic, "enfant", parent_id=roots[2].pk)
    grandchild = make_reply(student2, topic, "petit-enfant", parent_id=child.pk)
    services.reply_moderate(actor=owner, reply=loaded(roots[2]), action="hide")
    services.reply_delete(actor=member, reply=loaded(child))
    client = api(member)
    body = client.get(replies_path(topic), {"limit": 2}).json_body
    assert ids(body["data"]) == [roots[0].pk, roots[1].pk]
    body = client.get(
        replies_path(topic), {"limit": 2, "cursor": body["pagination"]["next"]}
    ).json_body
    [hidden] = body["data"]
    assert hidden["id"] == roots[2].pk and hidden["placeholder"] == "message masqué"
    [deleted] = hidden["replies"]
    assert deleted["id"] == child.pk and deleted["placeholder"] == "message supprimé"
    assert ids(deleted["replies"]) == [grandchild.pk]
    assert body["pagination"]["next"] is None


def test_cursors_that_are_not_a_top_level_reply_of_the_topic_are_refused(
    api: Any, course: Course, member: User
) -> None:
    topic = make_topic(member, course)
    roots = [make_reply(member, topic, f"racine {i}") for i in range(3)]
    nested = make_reply(member, topic, "enfant", parent_id=roots[0].pk)
    elsewhere = make_reply(member, make_topic(member, course, title="Autre"))
    client = api(member)
    for bad in ([nested.pk], [elsewhere.pk], [10**12], [True], ["1"], [roots[0].pk, 1]):
        assert_error(
            client.get(replies_path(topic), {"cursor": encode_cursor(bad)}), 400, "invalid_cursor"
        )
    # The last top-level reply is a valid cursor: an empty last page.
    body = client.get(replies_path(topic), {"cursor": encode_cursor([roots[-1].pk])}).json_body
    assert body["data"] == [] and body["pagination"]["next"] is None
    body = client.get(replies_path(topic), {"cursor": encode_cursor([roots[0].pk])}).json_body
    assert ids(body["data"]) == [roots[1].pk, roots[2].pk]


def test_a_reply_posted_with_htmx_is_indented_at_its_depth(
    member: User, course: Course, student2: User
) -> None:
    topic = make_topic(member, course)
    chain = [make_reply(student2, topic, "racine")]
    for _ in range(2):
        chain.append(make_reply(member, topic, "suite", parent_id=chain[-1].pk))
    client = Client()
    client.force_login(member)
    url = reverse("forum:topic", kwargs={"slug": course.slug, "topic_id": topic.pk})

    def posted(parent: Reply) -> str:
        response = client.post(
            url, {"content": "Via htmx", "parent": parent.pk}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 201, response.content
        return response.content.decode()

    assert 'class="reply deep"' in posted(chain[2])  # depth 3
    assert 'class="reply"' in posted(chain[1])  # depth 2
    assert 'class="reply deep"' not in posted(chain[1])


# --- The migration's backfill ---------------------------------------------------------------


def test_the_migration_fills_in_the_roots_of_older_replies(
    course: Course, member: User, student2: User, monkeypatch: Any
) -> None:
    migration = importlib.import_module(MIGRATION)
    monkeypatch.setattr(migration, "TOPICS_PER_BATCH", 2)  # several batches of topics
    monkeypatch.setattr(migration, "ROWS_PER_UPDATE", 3)
    topics = [make_topic(member, course, title=f"Sujet {n}") for n in range(5)]
    for n, topic in enumerate(topics):
        for i in range(n):  # topic n: n threads, thread i is i + 1 replies deep
            parent = make_reply(student2, topic, f"racine {i}")
            for _ in range(i + 1):
                parent = make_reply(member, topic, "suite", parent_id=parent.pk)
    # A parent in another topic (the services refuse it; older rows could hold one).
    stray = Reply.objects.create(
        topic=topics[0], author=member, content="égarée", parent=parent, root_id=parent.root_id
    )
    roots = dict(Reply.objects.values_list("pk", "root_id"))
    assert sum(r is not None for r in roots.values()) > 20
    Reply.objects.update(root=None)

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection  # type: ignore[attr-defined]
    migration.backfill(global_apps, editor)
    assert dict(Reply.objects.values_list("pk", "root_id")) == roots
    assert Reply.objects.get(pk=stray.pk).root_id == parent.root_id
    # Idempotent: nothing left to do.
    assert migration.fill_reply_roots(Reply, connection.alias) == 0
    assert dict(Reply.objects.values_list("pk", "root_id")) == roots


def test_the_backfill_refuses_a_cycle_of_parents(course: Course, member: User) -> None:
    migration = importlib.import_module(MIGRATION)
    topic = make_topic(member, course)
    first = make_reply(member, topic, "a")
    second = make_reply(member, topic, "b", parent_id=first.pk)
    Reply.objects.filter(pk=first.pk).update(parent=second)  # only a broken database
    Reply.objects.update(root=None)
    with pytest.raises(ValueError, match="cycle"):
        migration.fill_reply_roots(Reply, connection.alias)


@pytest.mark.parametrize("limit", [1, 2, 3, 20])
def test_a_small_topic_paged_in_memory_answers_as_the_database_path(
    api: Any,
    course: Course,
    member: User,
    student2: User,
    monkeypatch: Any,
    limit: int,
) -> None:
    topic = make_topic(member, course, title="Petit fil")
    for n in range(4):
        top = make_reply(member if n % 2 else student2, topic, f"racine {n}")
        child = make_reply(student2, topic, f"enfant {n}", parent_id=top.pk)
        make_reply(member, topic, f"petit-enfant {n}", parent_id=child.pk)
    client = api(member)

    def walk() -> list[Any]:
        pages, params = [], {"limit": limit}
        while True:
            body = client.get(replies_path(topic), params).json_body
            pages.append((body["data"], body["pagination"]))
            if body["pagination"]["next"] is None:
                return pages
            params = {"limit": limit, "cursor": body["pagination"]["next"]}

    in_memory = walk()
    monkeypatch.setattr(selectors, "WHOLE_TREE_MAX_REPLIES", -1)  # always the keyset path
    assert walk() == in_memory
    assert sum(len(data) for data, _ in in_memory) == 4
