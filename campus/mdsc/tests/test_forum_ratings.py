"""The MdSC frontend's forum and ratings reading, through the public API: the fields its
components read (raw `content` as data, the authors' names, `user_id`, the caller's own
vote), what stays withheld (hidden or deleted posts, anonymous reviews), the `pinned`
sort, the forbidden actors and constant query counts on the lists."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from campus.accounts.models import Role, User
from campus.certificates.tests.helpers import complete, short_course
from campus.courses import services as course_services
from campus.courses.models import Course
from campus.forum import services as forum_services
from campus.forum.models import Forum, Topic
from campus.forum.tests.helpers import forum_of, make_reply, make_topic
from campus.ratings import services as rating_services
from campus.ratings.models import CourseRating, RatingStatus
from conftest import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def unlimited(monkeypatch: Any) -> None:
    monkeypatch.setattr(forum_services, "POST_LIMIT", 10_000)


@pytest.fixture
def forum(course: Course) -> Forum:
    return forum_of(course)


@pytest.fixture
def student2(user_factory: Callable[..., User], course: Course) -> User:
    user = user_factory(Role.STUDENT, first_name="Aminata", last_name="Deux")
    course_services.enrollment_create(actor=user, course=course)
    return user


def count_queries(call: Callable[[], Any]) -> tuple[int, Any]:
    """Queries one request makes (the log is emptied first: Django's request_started
    signal clears it mid-capture otherwise)."""
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return len(captured), result


# --- Topics ----------------------------------------------------------------------------


def test_topic_detail_gives_every_reader_the_text_and_the_author(
    api: Any, course: Course, owner: User, member: User
) -> None:
    topic = make_topic(owner, course, title="Règles", content="Soyez **courtois** <b>svp</b>")
    data = api(member).get(f"/api/topics/{topic.pk}").json_body["data"]
    assert data["content"] == "Soyez **courtois** <b>svp</b>"  # data, shown as text
    assert "<b>" not in data["content_html"]  # the rendering stays sanitized
    assert data["user_id"] == owner.pk  # the solution button compares it
    assert (data["first_name"], data["last_name"]) == ("Awa", "Formatrice")
    assert data["author"] == {"id": owner.pk, "name": "Awa Formatrice"}  # canonical kept
    assert "@" not in str(data)


def test_a_hidden_topic_stays_hidden(
    api: Any, course: Course, owner: User, member: User, forum: Forum
) -> None:
    topic = make_topic(member, course, title="Hors sujet", content="Texte masqué")
    assert api(owner).post(f"/api/topics/{topic.pk}/hide").status_code == 200
    assert_error(api(member).get(f"/api/topics/{topic.pk}"), 404, "topic_not_found")
    assert_error(api(member).get(f"/api/topics/{topic.pk}/replies"), 404, "topic_not_found")
    listed = api(member).get(f"/api/forums/{forum.pk}/topics", {"sort": "pinned"})
    assert topic.pk not in [row["id"] for row in listed.json_body["data"]]
    moderator_view = api(owner).get(f"/api/topics/{topic.pk}").json_body["data"]
    assert moderator_view["content"] == "Texte masqué" and moderator_view["is_hidden"]


@pytest.mark.parametrize(
    ("actor", "status", "code"),
    [("anonymous", 401, None), ("outsider", 403, None), ("other_instructor", 403, None)],
)
def test_forbidden_actors_read_nothing(
    api: Any,
    actors: dict,
    course: Course,
    forum: Forum,
    owner: User,
    actor: str,
    status: int,
    code: str | None,
) -> None:
    topic = make_topic(owner, course)
    make_reply(owner, topic, content="Secret du cours")
    client = api(actors[actor])
    for path in (
        f"/api/forums/{forum.pk}/topics?page=1&limit=20&sort=pinned",
        f"/api/topics/{topic.pk}",
        f"/api/topics/{topic.pk}/replies?page=1&limit=20&sort=oldest",
    ):
        body = assert_error(client.get(path), status, code)
        assert "Secret" not in str(body)


def test_topic_list_rows_carry_the_names(
    api: Any, course: Course, forum: Forum, owner: User, member: User, student2: User
) -> None:
    topic = make_topic(member, course, title="Boucles")
    make_reply(student2, topic)
    row = api(member).get(f"/api/forums/{forum.pk}/topics").json_body["data"][0]
    assert row["user_id"] == member.pk
    assert (row["first_name"], row["last_name"]) == ("Koffi", "Étudiant")
    assert row["last_reply_at"] is not None
    assert (row["last_reply_first_name"], row["last_reply_last_name"]) == ("Aminata", "Deux")
    assert row["last_reply_by"]["id"] == student2.pk  # canonical kept
    assert "content" not in row  # lists stay light


def test_topic_list_pinned_sort_and_bad_sorts(
    api: Any, course: Course, forum: Forum, owner: User, member: User
) -> None:
    old = make_topic(member, course, title="Ancien")
    rules = make_topic(owner, course, title="Règles")
    recent = make_topic(member, course, title="Récent")
    forum_services.topic_moderate(actor=owner, topic=rules, action="pin")
    client = api(member)
    path = f"/api/forums/{forum.pk}/topics"
    pinned = client.get(path, {"page": 1, "limit": 20, "sort": "pinned"})
    assert pinned.status_code == 200
    rows = pinned.json_body["data"]
    assert [row["id"] for row in rows] == [rules.pk, recent.pk, old.pk]
    assert [row["is_pinned"] for row in rows] == [True, False, False]
    # The default already puts pinned topics first: "pinned" is the same order.
    assert [row["id"] for row in client.get(path).json_body["data"]] == [r["id"] for r in rows]
    for bad in ("nope", "PINNED", "pinned;drop", "x" * 300):
        assert_error(client.get(path, {"sort": bad}), 400, "validation_error")


def test_topic_list_pinned_sort_has_keyset_pages(
    api: Any, course: Course, forum: Forum, owner: User, member: User
) -> None:
    made = [make_topic(member, course, title=f"Sujet {i}") for i in range(5)]
    forum_services.topic_moderate(actor=owner, topic=made[0], action="pin")
    seen: list[int] = []
    cursor = None
    for _ in range(4):
        params = {"sort": "pinned", "limit": 2, **({"cursor": cursor} if cursor else {})}
        body = api(member).get(f"/api/forums/{forum.pk}/topics", params).json_body
        seen += [row["id"] for row in body["data"]]
        cursor = body["pagination"]["next"]
        if cursor is None:
            break
    assert seen == [made[0].pk] + [t.pk for t in reversed(made[1:])]


def test_topic_list_costs_the_same_for_one_row_or_many(
    api: Any, course: Course, forum: Forum, owner: User, member: User, student2: User
) -> None:
    first = make_topic(member, course, title="Premier")
    make_reply(student2, first)
    client = api(member)
    path = f"/api/forums/{forum.pk}/topics"
    client.get(path)  # warm the token
    one, _ = count_queries(lambda: client.get(path, {"sort": "pinned"}))
    for i in range(8):
        topic = make_topic(student2 if i % 2 else member, course, title=f"Sujet {i}")
        make_reply(owner, topic)
    many, resp = count_queries(lambda: client.get(path, {"sort": "pinned"}))
    assert len(resp.json_body["data"]) == 9
    assert all(row["first_name"] and row["last_reply_first_name"] for row in resp.json_body["data"])
    assert many == one


# --- Replies ---------------------------------------------------------------------------


def _replies(client: Any, topic: Topic) -> list[dict]:
    resp = client.get(f"/api/topics/{topic.pk}/replies?page=1&limit=20&sort=oldest")
    assert resp.status_code == 200, resp.content
    return resp.json_body["data"]


def test_replies_carry_text_names_and_the_callers_vote(
    api: Any, course: Course, owner: User, member: User, student2: User
) -> None:
    topic = make_topic(member, course)
    first = make_reply(owner, topic, content="Utilisez `for`.")
    second = make_reply(student2, topic, content="Ou *while*.")
    nested = make_reply(owner, topic, content="Exact.", parent_id=second.pk)
    client = api(member)
    up = client.post(f"/api/replies/{first.pk}/reactions", {"reaction_type": "upvote"})
    down = client.post(f"/api/replies/{nested.pk}/reactions", {"type": "downvote"})
    assert up.status_code == down.status_code == 200
    rows = _replies(client, topic)
    top, other = rows
    assert top["content"] == "Utilisez `for`." and top["user_id"] == owner.pk
    assert (top["first_name"], top["last_name"]) == ("Awa", "Formatrice")
    assert (top["has_upvoted"], top["has_downvoted"], top["user_reaction"]) == (
        True,
        False,
        "upvote",
    )
    assert other["content"] == "Ou *while*." and other["user_id"] == student2.pk
    assert (other["has_upvoted"], other["has_downvoted"]) == (False, False)
    [child] = other["replies"]
    assert child["content"] == "Exact." and child["parent_reply_id"] == second.pk
    assert (child["has_upvoted"], child["has_downvoted"]) == (False, True)
    # Someone else's vote is theirs only.
    seen_by_owner = _replies(api(owner), topic)[0]
    assert seen_by_owner["has_upvoted"] is False and seen_by_owner["upvotes"] == 1


def test_hidden_and_deleted_replies_keep_their_text_and_author_withheld(
    api: Any, course: Course, owner: User, member: User, student2: User
) -> None:
    topic = make_topic(member, course)
    hidden = make_reply(student2, topic, content="Insulte")
    deleted = make_reply(student2, topic, content="Regret")
    assert api(owner).post(f"/api/replies/{hidden.pk}/hide").status_code == 200
    assert api(student2).delete(f"/api/replies/{deleted.pk}").status_code == 200
    for reader in (member, student2):
        for row in _replies(api(reader), topic):
            assert row["placeholder"]
            assert row["content"] is None and row["content_html"] == ""
            assert row["user_id"] is None and row["author"] is None
            assert row["first_name"] is None and row["last_name"] is None
            assert row["has_upvoted"] is False and row["has_downvoted"] is False
            assert "Insulte" not in str(row) and "Regret" not in str(row)
    # Moderators still read the hidden one; a deleted one is gone for everyone.
    hidden_row, deleted_row = _replies(api(owner), topic)
    assert hidden_row["content"] == "Insulte" and hidden_row["user_id"] == student2.pk
    assert deleted_row["content"] is None and deleted_row["user_id"] is None


def test_reply_tree_costs_the_same_for_one_reply_or_many(
    api: Any, course: Course, owner: User, member: User, student2: User
) -> None:
    small = make_topic(member, course, title="Petit")
    make_reply(owner, small)
    big = make_topic(member, course, title="Grand")
    parent = None
    for i in range(12):
        author = (owner, student2)[i % 2]
        reply = make_reply(author, big, content=f"R{i}", parent_id=parent.pk if parent else None)
        if i % 3 == 0:
            parent = reply
        api(member).post(f"/api/replies/{reply.pk}/reactions", {"type": "upvote"})
    client = api(member)
    client.get(f"/api/topics/{small.pk}/replies")  # warm the token
    one, _ = count_queries(lambda: client.get(f"/api/topics/{small.pk}/replies"))
    many, resp = count_queries(lambda: client.get(f"/api/topics/{big.pk}/replies"))
    assert many == one

    def walk(rows: list[dict]) -> list[dict]:
        return [r for row in rows for r in [row, *walk(row["replies"])]]

    every = walk(resp.json_body["data"])
    assert len(every) == 12 and all(r["has_upvoted"] and r["content"] for r in every)


# --- Ratings ---------------------------------------------------------------------------


@pytest.fixture
def rated_course(owner: User, user_factory: Callable[..., User]) -> Course:
    """A completed course with two approved reviews (one anonymous) and a pending one."""
    course = short_course(owner)
    reviewers = (("Chimène", False, True), ("Dossou", True, True), ("Pendant", False, False))
    for first, anonymous, approve in reviewers:
        user = user_factory(Role.STUDENT, first_name=first, last_name="Houngbo")
        review = rating_services.rating_create(
            actor=user, enrollment=complete(user, course), rating=4, is_anonymous=anonymous
        )
        if approve and review.status != RatingStatus.APPROVED:
            rating_services.rating_moderate(actor=owner, review=review, approve=True)
        if not approve and review.status != RatingStatus.PENDING:
            CourseRating.objects.filter(pk=review.pk).update(status=RatingStatus.PENDING)
    return course


@pytest.mark.parametrize("actor", ["anonymous", "outsider", "owner"])
def test_rating_rows_carry_names_unless_anonymous(
    api: Any, actors: dict, rated_course: Course, actor: str
) -> None:
    resp = api(actors[actor]).get(
        f"/api/courses/{rated_course.pk}/ratings?page=1&limit=10&sort=recent"
    )
    assert resp.status_code == 200
    rows = resp.json_body["data"]
    assert resp.json_body["pagination"]["total"] == 2  # approved only
    by_anonymity = {row["is_anonymous"]: row for row in rows}
    named, anonymous = by_anonymity[False], by_anonymity[True]
    assert (named["first_name"], named["last_name"]) == ("Chimène", "Houngbo")
    assert named["author"] == {"display_name": "Chimène Houngbo"}  # canonical kept
    assert anonymous["first_name"] is None and anonymous["last_name"] is None
    assert anonymous["author"] is None and "Dossou" not in str(anonymous)
    assert "@" not in str(rows) and "Pendant" not in str(rows)


def test_rating_list_bad_input(api: Any, rated_course: Course) -> None:
    path = f"/api/courses/{rated_course.pk}/ratings"
    for params in ({"sort": "nope"}, {"limit": 1000}, {"page": 0}):
        assert_error(api(None).get(path, params), 400, "validation_error")
    assert_error(api(None).get("/api/courses/999999/ratings"), 404)


def test_rating_list_costs_the_same_for_one_row_or_many(
    api: Any, owner: User, user_factory: Callable[..., User]
) -> None:
    course = short_course(owner)

    def approved_review(n: int) -> None:
        user = user_factory(Role.STUDENT, first_name=f"Nom{n}")
        review = rating_services.rating_create(
            actor=user, enrollment=complete(user, course), rating=5
        )
        if review.status != RatingStatus.APPROVED:
            rating_services.rating_moderate(actor=owner, review=review, approve=True)

    approved_review(0)
    client = api(None)
    path = f"/api/courses/{course.pk}/ratings"
    one, _ = count_queries(lambda: client.get(path))
    for n in range(1, 7):
        approved_review(n)
    many, resp = count_queries(lambda: client.get(path))
    assert len(resp.json_body["data"]) == 7 and many == one
