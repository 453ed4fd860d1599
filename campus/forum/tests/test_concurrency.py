"""Forum counters under real concurrency, over HTTP, on whatever database the suite runs
on (SQLite: IMMEDIATE transactions serialize writers; PostgreSQL and MariaDB: row locks).

- 100 threads voting and switching on one reply: upvotes/downvotes equal the vote rows,
  one row per user, and each user's final vote is what their sequence says.
- concurrent first views of one user count once.
- concurrent replies: the topic's reply_count equals its rows.
"""

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.db import connection

from campus.accounts.models import Role, User
from campus.accounts.tokens import token_issue
from campus.courses.models import Course, Enrollment
from campus.forum import services
from campus.forum.models import Reply, Topic, TopicView, Vote
from campus.forum.tests.helpers import make_reply, make_topic
from campus.live.tests.test_concurrency import run_storm
from conftest import ApiClient

pytestmark = pytest.mark.django_db(transaction=True)

VOTERS = 100


def _max_concurrent() -> int:
    """PostgreSQL's default max_connections is 100 (and other test runs share the server):
    there the 100 threads take turns through 40 connections at once; elsewhere all
    100 run together."""
    return 40 if connection.vendor == "postgresql" else VOTERS


def run_threads(calls: list[Callable[[], Any]], timeout: float = 180) -> list[Any]:
    """All released together, at most _max_concurrent() holding a connection at once."""
    return run_storm(calls, slots=_max_concurrent(), timeout=timeout)


def members(course: Course, n: int) -> list[User]:
    users = [
        User.objects.create_user(email=f"v{i}@example.test", password=None, role=Role.STUDENT)
        for i in range(n)
    ]
    Enrollment.objects.bulk_create([Enrollment(user=u, course=course) for u in users])
    return users


def client_for(user: User) -> ApiClient:
    raw, _ = token_issue(user=user)
    return ApiClient(raw)


@pytest.fixture(autouse=True)
def unlimited(monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "POST_LIMIT", 10_000)


# Each voter's sequence, by index % 4, and the vote it leaves.
SEQUENCES: list[tuple[list[str], int | None]] = [
    (["upvote", "downvote"], -1),  # vote then switch
    (["downvote", "upvote", "upvote"], None),  # switch, then the same again removes
    (["upvote", "downvote", "upvote"], 1),  # switch twice
    (["downvote", "DELETE", "upvote"], 1),  # take back, vote again
]


def test_vote_storm_counters_equal_rows(owner: User, course: Course) -> None:
    topic = make_topic(owner, course, title="Tempête")
    reply = make_reply(owner, topic, "Votez")
    voters = members(course, VOTERS)
    clients = [client_for(u) for u in voters]
    path = f"/api/replies/{reply.pk}/reactions"

    def vote(index: int) -> list[int]:
        client = clients[index]
        statuses = []
        for step in SEQUENCES[index % 4][0]:
            if step == "DELETE":
                statuses.append(client.delete(path).status_code)
            else:
                statuses.append(client.post(path, {"type": step}).status_code)
        return statuses

    results = run_threads([partial(vote, i) for i in range(VOTERS)])

    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors[:3]
    assert all(set(statuses) == {200} for statuses in results), results
    reply.refresh_from_db()
    rows = Vote.objects.filter(reply=reply)
    assert reply.upvotes == rows.filter(value=1).count()
    assert reply.downvotes == rows.filter(value=-1).count()
    expected = {u.pk: SEQUENCES[i % 4][1] for i, u in enumerate(voters)}
    actual = dict(rows.values_list("user_id", "value"))
    assert actual == {pk: v for pk, v in expected.items() if v is not None}
    assert reply.upvotes == VOTERS // 2 and reply.downvotes == VOTERS // 4


def test_concurrent_first_views_of_one_user_count_once(member: User, course: Course) -> None:
    topic = make_topic(member, course)
    reader = members(course, 1)[0]
    clients = [client_for(reader) for _ in range(8)]
    results = run_threads([partial(c.get, f"/api/topics/{topic.pk}") for c in clients])
    assert all(not isinstance(r, BaseException) and r.status_code == 200 for r in results), results
    topic.refresh_from_db()
    assert topic.view_count == 1
    assert TopicView.objects.filter(topic=topic).count() == 1


def test_concurrent_replies_keep_the_topic_counters(member: User, course: Course) -> None:
    topic = make_topic(member, course)
    writers = members(course, 20)
    clients = [client_for(u) for u in writers]
    results = run_threads(
        [
            partial(c.post, f"/api/topics/{topic.pk}/replies", {"content": f"r{i}"})
            for i, c in enumerate(clients)
        ]
    )
    assert all(not isinstance(r, BaseException) and r.status_code == 201 for r in results), results
    topic = Topic.objects.get(pk=topic.pk)
    latest = Reply.objects.filter(topic=topic).order_by("-created_at", "-id").first()
    assert latest is not None
    assert topic.reply_count == Reply.objects.filter(topic=topic).count() == 20
    assert topic.last_reply_at == latest.created_at
    assert topic.last_reply_by_id == latest.author_id
