"""The forum API through its public surface: every endpoint's happy path, bad input,
forbidden actors, the rules (lock, solution, votes, views, rate limit) and query counts."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from campus.accounts.models import Role, User
from campus.courses import services as course_services
from campus.courses.models import Course
from campus.forum import services
from campus.forum.models import CONTENT_MAX, TITLE_MAX, Forum, Reply, Report, Topic, Vote
from campus.forum.tests.helpers import forum_of, make_reply, make_topic
from campus.notifications.models import Notification
from conftest import assert_error, build_course

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def unlimited(monkeypatch: Any) -> None:
    """Posting limits are tested on their own (test_rate_limit_429)."""
    monkeypatch.setattr(services, "POST_LIMIT", 10_000)


@pytest.fixture
def forum(course: Course) -> Forum:
    return forum_of(course)


@pytest.fixture
def topic(member: User, course: Course) -> Topic:
    return make_topic(member, course)


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


# --- Forum ---------------------------------------------------------------------------------


def test_course_gets_its_forum_when_created(owner: User) -> None:
    course = build_course(owner, modules=0, with_final=False)
    assert Forum.objects.filter(course=course).count() == 1


def test_forum_detail(api: Any, course: Course, member: User, topic: Topic) -> None:
    body = api(member).get(f"/api/courses/{course.pk}/forum").json_body
    assert body["data"]["course_id"] == course.pk
    assert body["data"]["topic_count"] == 1
    assert body["data"]["course"]["slug"] == course.slug


def test_forum_create_twice_is_409(api: Any, course: Course, owner: User) -> None:
    assert_error(api(owner).post(f"/api/courses/{course.pk}/forum", {}), 409, "forum_exists")


def test_forum_create_when_missing(api: Any, course: Course, owner: User, member: User) -> None:
    Forum.objects.filter(course=course).delete()
    assert_error(api(member).get(f"/api/courses/{course.pk}/forum"), 404, "forum_not_found")
    assert_error(api(member).post(f"/api/courses/{course.pk}/forum", {}), 403)
    resp = api(owner).post(f"/api/courses/{course.pk}/forum", {"title": "Entraide"})
    assert resp.status_code == 201, resp.content
    assert resp.json_body["data"]["title"] == "Entraide"


def test_forum_access(
    api: Any, course: Course, draft_course: Course, outsider: User, member: User
) -> None:
    assert_error(api(None).get(f"/api/courses/{course.pk}/forum"), 401)
    assert_error(api(outsider).get(f"/api/courses/{course.pk}/forum"), 403, "not_enrolled")
    assert_error(api(member).get(f"/api/courses/{draft_course.pk}/forum"), 404, "course_not_found")


def test_unenrolled_student_loses_access(api: Any, course: Course, member: User, topic: Topic):
    member.enrollments.filter(course=course).update(is_active=False)
    assert_error(api(member).get(f"/api/topics/{topic.pk}"), 403, "not_enrolled")


# --- Topics --------------------------------------------------------------------------------


def test_topic_create_and_detail(api: Any, forum: Forum, member: User, student2: User) -> None:
    resp = api(member).post(
        f"/api/forums/{forum.pk}/topics", {"title": "  Boucles  ", "content": "Aide **svp**"}
    )
    assert resp.status_code == 201, resp.content
    data = resp.json_body["data"]
    assert data["title"] == "Boucles"
    assert data["content_html"] == "<p>Aide <strong>svp</strong></p>"
    assert data["content"] == "Aide **svp**"  # the raw markdown, as data
    assert data["author"] == {"id": member.pk, "name": "Koffi Étudiant"}
    assert data["is_following"] is True  # the author follows their topic
    assert data["can"]["edit"] and not data["can"]["moderate"]
    other = api(student2).get(f"/api/topics/{data['id']}").json_body["data"]
    # Every reader gets the raw text too (shown as text); only its author may edit it.
    assert other["content"] == "Aide **svp**" and other["can"]["edit"] is False
    assert "@" not in str(other["author"])


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"title": "", "content": "x"}, "title", "title_required"),
        ({"title": "   ", "content": "x"}, "title", "title_required"),
        ({"title": "t" * (TITLE_MAX + 1), "content": "x"}, "title", "string_too_long"),
        ({"title": "Titre", "content": "  "}, "content", "content_required"),
        ({"title": "Titre", "content": "x" * (CONTENT_MAX + 1)}, "content", "string_too_long"),
        ({"content": "x"}, "title", "missing"),
        ({"title": "Titre"}, "content", "missing"),
        ({"title": 3, "content": "x"}, "title", "string_type"),
    ],
)
def test_topic_create_bad_input(
    api: Any, forum: Forum, member: User, body: dict, field: str, code: str
) -> None:
    body_out = assert_error(api(member).post(f"/api/forums/{forum.pk}/topics", body), 400)
    details = body_out["error"]["details"]
    assert any(d["field"] == field and d["code"] == code for d in details), details
    assert all(d["message"] for d in details)
    assert not Topic.objects.exists()


def test_topic_create_forbidden(
    api: Any, forum: Forum, outsider: User, other_instructor: User
) -> None:
    body = {"title": "T", "content": "C"}
    assert_error(api(None).post(f"/api/forums/{forum.pk}/topics", body), 401)
    assert_error(api(outsider).post(f"/api/forums/{forum.pk}/topics", body), 403, "not_enrolled")
    assert_error(
        api(other_instructor).post(f"/api/forums/{forum.pk}/topics", body), 403, "not_enrolled"
    )
    assert_error(api(outsider).post("/api/forums/999999/topics", body), 404, "forum_not_found")


def test_locked_forum_accepts_only_moderators(
    api: Any, forum: Forum, member: User, owner: User
) -> None:
    Forum.objects.filter(pk=forum.pk).update(is_locked=True)
    body = {"title": "T", "content": "C"}
    assert_error(api(member).post(f"/api/forums/{forum.pk}/topics", body), 403, "forum_locked")
    assert api(owner).post(f"/api/forums/{forum.pk}/topics", body).status_code == 201


def test_topic_update_own_only(
    api: Any, topic: Topic, member: User, student2: User, owner: User
) -> None:
    resp = api(member).put(f"/api/topics/{topic.pk}", {"content": "Nouveau *texte*"})
    assert resp.status_code == 200, resp.content
    assert resp.json_body["data"]["content_html"] == "<p>Nouveau <em>texte</em></p>"
    assert resp.json_body["data"]["title"] == "Une question"  # untouched
    assert_error(api(student2).put(f"/api/topics/{topic.pk}", {"title": "X"}), 403, "not_author")
    assert_error(api(owner).put(f"/api/topics/{topic.pk}", {"title": "X"}), 403, "not_author")
    assert_error(api(member).put(f"/api/topics/{topic.pk}", {"title": ""}), 400)


def test_topic_delete_rules(
    api: Any, course: Course, member: User, student2: User, owner: User
) -> None:
    lonely = make_topic(member, course, title="Seul")
    answered = make_topic(member, course, title="Répondu")
    make_reply(student2, answered)
    assert_error(api(student2).delete(f"/api/topics/{lonely.pk}"), 403, "not_author")
    assert api(member).delete(f"/api/topics/{lonely.pk}").status_code == 200
    assert not Topic.objects.filter(pk=lonely.pk).exists()
    assert_error(api(member).delete(f"/api/topics/{answered.pk}"), 409, "topic_has_replies")
    assert api(owner).delete(f"/api/topics/{answered.pk}").status_code == 200
    assert not Reply.objects.filter(topic_id=answered.pk).exists()


@pytest.mark.parametrize("action", ["pin", "unpin", "lock", "unlock", "hide", "unhide"])
def test_topic_moderation(
    api: Any, topic: Topic, member: User, owner: User, admin_user: User, action: str
) -> None:
    assert_error(api(member).post(f"/api/topics/{topic.pk}/{action}"), 403, "forbidden")
    for moderator in (owner, admin_user):
        resp = api(moderator).post(f"/api/topics/{topic.pk}/{action}")
        assert resp.status_code == 200, resp.content
    topic.refresh_from_db()
    field = {"pin": "is_pinned", "lock": "is_locked", "hide": "is_hidden"}.get(action.lstrip("un"))
    if field:
        assert getattr(topic, field) is (not action.startswith("un"))


def test_hidden_topic_only_for_moderators(
    api: Any, course: Course, forum: Forum, topic: Topic, member: User, owner: User
) -> None:
    api(owner).post(f"/api/topics/{topic.pk}/hide")
    assert_error(api(member).get(f"/api/topics/{topic.pk}"), 404, "topic_not_found")
    assert api(member).get(f"/api/forums/{forum.pk}/topics").json_body["data"] == []
    assert api(owner).get(f"/api/topics/{topic.pk}").status_code == 200
    assert len(api(owner).get(f"/api/forums/{forum.pk}/topics").json_body["data"]) == 1


def test_locked_topic(api: Any, topic: Topic, member: User, student2: User, owner: User) -> None:
    api(owner).post(f"/api/topics/{topic.pk}/lock")
    path = f"/api/topics/{topic.pk}/replies"
    assert_error(api(student2).post(path, {"content": "x"}), 403, "topic_locked")
    assert_error(api(member).post(path, {"content": "x"}), 403, "topic_locked")
    assert_error(api(member).put(f"/api/topics/{topic.pk}", {"title": "x"}), 403, "topic_locked")
    assert api(owner).post(path, {"content": "Je clôture."}).status_code == 201
    api(owner).post(f"/api/topics/{topic.pk}/unlock")
    assert api(student2).post(path, {"content": "Merci"}).status_code == 201


def test_view_counted_once_per_user(
    api: Any, topic: Topic, member: User, student2: User, owner: User
) -> None:
    for _ in range(3):
        api(student2).get(f"/api/topics/{topic.pk}")
    data = api(owner).get(f"/api/topics/{topic.pk}").json_body["data"]
    assert data["view_count"] == 2
    api(owner).get(f"/api/topics/{topic.pk}")
    topic.refresh_from_db()
    assert topic.view_count == 2


def test_follow_unfollow(api: Any, topic: Topic, forum: Forum, student2: User) -> None:
    resp = api(student2).post(f"/api/topics/{topic.pk}/follow")
    assert resp.json_body["data"] == {"id": topic.pk, "following": True}
    assert api(student2).get(f"/api/topics/{topic.pk}").json_body["data"]["is_following"]
    api(student2).post(f"/api/topics/{topic.pk}/unfollow")
    assert not api(student2).get(f"/api/topics/{topic.pk}").json_body["data"]["is_following"]
    assert api(student2).post(f"/api/forums/{forum.pk}/follow").json_body["data"]["following"]
    detail = api(student2).get(f"/api/topics/{topic.pk}").json_body["data"]
    assert detail["is_following_forum"] is True
    assert not api(student2).post(f"/api/forums/{forum.pk}/unfollow").json_body["data"]["following"]


# --- Topic list ----------------------------------------------------------------------------


def _ids(resp: Any) -> list[int]:
    return [row["id"] for row in resp.json_body["data"]]


def test_topic_list_sorts(
    api: Any, course: Course, forum: Forum, member: User, student2: User, owner: User
) -> None:
    old = make_topic(member, course, title="Ancien")
    popular = make_topic(member, course, title="Populaire")
    solved = make_topic(member, course, title="Résolu")
    pinned = make_topic(owner, course, title="Règles")
    for _ in range(2):
        make_reply(student2, popular)
    answer = make_reply(student2, solved)
    services.solution_mark(
        actor=member,
        reply=Reply.objects.select_related("topic__forum__course__instructor", "author").get(
            pk=answer.pk
        ),
    )
    services.topic_moderate(actor=owner, topic=pinned, action="pin")
    client = api(member)
    path = f"/api/forums/{forum.pk}/topics"
    assert _ids(client.get(path)) == [pinned.pk, solved.pk, popular.pk, old.pk]
    assert _ids(client.get(path, {"sort": "popular"})) == [pinned.pk, popular.pk, solved.pk, old.pk]
    assert _ids(client.get(path, {"sort": "unanswered"})) == [pinned.pk, old.pk]
    assert _ids(client.get(path, {"sort": "solved"})) == [solved.pk]
    row = client.get(path, {"sort": "solved"}).json_body["data"][0]
    assert row["is_solved"] and row["solution_reply_id"] == answer.pk
    assert row["reply_count"] == 1 and row["last_reply_by"]["id"] == student2.pk
    assert_error(client.get(path, {"sort": "nope"}), 400, "validation_error")
    assert_error(client.get(path, {"cursor": "!!!"}), 400, "invalid_cursor")
    assert_error(client.get(path, {"limit": 1000}), 400, "validation_error")


def test_topic_list_keyset_pages(api: Any, course: Course, forum: Forum, member: User) -> None:
    made = [make_topic(member, course, title=f"Sujet {i}") for i in range(7)]
    seen: list[int] = []
    cursor = None
    for _ in range(4):
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = api(member).get(f"/api/forums/{forum.pk}/topics", params).json_body
        seen += [row["id"] for row in body["data"]]
        cursor = body["pagination"]["next"]
        if cursor is None:
            break
    assert seen == [t.pk for t in reversed(made)]


@pytest.mark.django_db(transaction=True)  # MariaDB indexes FULLTEXT at COMMIT
def test_topic_list_search(api: Any, course: Course, forum: Forum, member: User) -> None:
    hit = make_topic(member, course, title="Les étudiants", content="Réviser ensemble")
    make_topic(member, course, title="Autre chose", content="Rien")
    resp = api(member).get(f"/api/forums/{forum.pk}/topics", {"search": "etudiants"})
    assert _ids(resp) == [hit.pk]


def test_topic_list_query_count_constant(
    api: Any, course: Course, forum: Forum, member: User, student2: User
) -> None:
    client = api(member)
    path = f"/api/forums/{forum.pk}/topics"
    make_topic(student2, course, title="Premier")
    client.get(path)  # warm the token
    one, _ = count_queries(lambda: client.get(path, {"limit": 5}))
    for i in range(25):
        t = make_topic(student2 if i % 2 else member, course, title=f"Sujet {i}")
        if i % 3 == 0:
            make_reply(member, t)
    first, resp = count_queries(lambda: client.get(path, {"limit": 5}))
    assert resp.status_code == 200, resp.content
    cursor = resp.json_body["pagination"]["next"]
    for _ in range(3):
        cursor = client.get(path, {"limit": 5, "cursor": cursor}).json_body["pagination"]["next"]
    deep, resp = count_queries(lambda: client.get(path, {"limit": 5, "cursor": cursor}))
    assert len(resp.json_body["data"]) == 5
    assert one == first == deep, (one, first, deep)


# --- Replies -------------------------------------------------------------------------------


def test_reply_create_nested_and_tree(
    api: Any, topic: Topic, member: User, student2: User, owner: User
) -> None:
    path = f"/api/topics/{topic.pk}/replies"
    first = api(student2).post(path, {"content": "Avec `for`"}).json_body["data"]
    child = api(member).post(path, {"content": "Merci", "parent_reply_id": first["id"]})
    assert child.status_code == 201, child.content
    grandchild = (
        api(owner)
        .post(path, {"content": "Voir aussi `while`", "parent_id": child.json_body["data"]["id"]})
        .json_body["data"]
    )
    tree = api(member).get(path).json_body["data"]
    assert [r["id"] for r in tree] == [first["id"]]
    assert tree[0]["content_html"] == "<p>Avec <code>for</code></p>"
    level2 = tree[0]["replies"][0]
    assert level2["depth"] == 1 and level2["replies"][0]["id"] == grandchild["id"]
    assert level2["replies"][0]["depth"] == 2
    topic.refresh_from_db()
    assert topic.reply_count == 3
    assert topic.last_reply_by_id == owner.pk
    assert topic.activity_at == topic.last_reply_at


def test_parent_from_another_topic_is_400(
    api: Any, course: Course, topic: Topic, member: User, student2: User
) -> None:
    other = make_topic(student2, course, title="Autre")
    foreign = make_reply(member, other)
    resp = api(member).post(
        f"/api/topics/{topic.pk}/replies", {"content": "x", "parent_reply_id": foreign.pk}
    )
    assert_error(resp, 400, "parent_not_in_topic")
    resp = api(member).post(
        f"/api/topics/{topic.pk}/replies", {"content": "x", "parent_reply_id": 99_999}
    )
    assert_error(resp, 400, "parent_not_in_topic")
    assert not Reply.objects.filter(topic=topic).exists()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"content": ""}, "content_required"),
        ({"content": "x" * (CONTENT_MAX + 1)}, "string_too_long"),
        ({}, "missing"),
        ({"content": "x", "parent_reply_id": "abc"}, "int_parsing"),
    ],
)
def test_reply_bad_input(api: Any, topic: Topic, member: User, body: dict, code: str) -> None:
    resp = assert_error(api(member).post(f"/api/topics/{topic.pk}/replies", body), 400)
    assert any(d["code"] == code for d in resp["error"]["details"]), resp


def test_reply_forbidden(api: Any, topic: Topic, outsider: User, other_instructor: User) -> None:
    path = f"/api/topics/{topic.pk}/replies"
    assert_error(api(None).post(path, {"content": "x"}), 401)
    assert_error(api(outsider).post(path, {"content": "x"}), 403, "not_enrolled")
    assert_error(api(other_instructor).get(path), 403, "not_enrolled")
    assert_error(api(outsider).get("/api/topics/999999/replies"), 404, "topic_not_found")


def test_reply_edit_and_delete(
    api: Any, topic: Topic, member: User, student2: User, owner: User
) -> None:
    reply = make_reply(student2, topic, "Version 1")
    child = make_reply(member, topic, "Réponse à la réponse", parent_id=reply.pk)
    path = f"/api/replies/{reply.pk}"
    assert_error(api(member).put(path, {"content": "pirate"}), 403, "not_author")
    assert_error(api(owner).put(path, {"content": "pirate"}), 403, "not_author")
    assert_error(api(student2).put(path, {"content": ""}), 400)
    resp = api(student2).put(path, {"content": "Version **2**"})
    assert resp.json_body["data"]["content_html"] == "<p>Version <strong>2</strong></p>"
    assert_error(api(member).delete(path), 403, "not_author")
    deleted = api(student2).delete(path).json_body["data"]
    assert deleted["is_deleted"] and deleted["placeholder"] == "message supprimé"
    assert deleted["content_html"] == "" and deleted["author"] is None
    tree = api(member).get(f"/api/topics/{topic.pk}/replies").json_body["data"]
    assert tree[0]["placeholder"] == "message supprimé"
    assert tree[0]["replies"][0]["id"] == child.pk  # the thread stays whole
    assert_error(api(student2).put(path, {"content": "retour"}), 409, "reply_deleted")
    topic.refresh_from_db()
    assert topic.reply_count == 1
    # A moderator deletes anyone's reply, the same way.
    assert api(owner).delete(f"/api/replies/{child.pk}").json_body["data"]["is_deleted"]
    topic.refresh_from_db()
    assert topic.reply_count == 0 and topic.last_reply_at is None


def test_reply_hide_unhide(
    api: Any, topic: Topic, member: User, student2: User, owner: User
) -> None:
    reply = make_reply(student2, topic, "Hors sujet")
    assert_error(api(member).post(f"/api/replies/{reply.pk}/hide"), 403, "forbidden")
    assert api(owner).post(f"/api/replies/{reply.pk}/hide").json_body["data"]["is_hidden"]
    seen = api(member).get(f"/api/topics/{topic.pk}/replies").json_body["data"][0]
    assert seen["placeholder"] == "message masqué" and seen["content_html"] == ""
    mod = api(owner).get(f"/api/topics/{topic.pk}/replies").json_body["data"][0]
    assert mod["content_html"] == "<p>Hors sujet</p>" and mod["is_hidden"]
    topic.refresh_from_db()
    assert topic.reply_count == 0
    assert not api(owner).post(f"/api/replies/{reply.pk}/unhide").json_body["data"]["is_hidden"]
    topic.refresh_from_db()
    assert topic.reply_count == 1


def test_reply_tree_query_count_constant(
    api: Any, course: Course, member: User, student2: User
) -> None:
    small = make_topic(member, course, title="Petit")
    make_reply(student2, small)
    big = make_topic(member, course, title="Grand")
    parents: list[Reply | None] = [None]
    for i in range(60):
        parent = parents[i % len(parents)] if i % 4 else (parents[-1] if i else None)
        reply = make_reply(
            student2 if i % 2 else member, big, f"r{i}", parent_id=parent.pk if parent else None
        )
        parents.append(reply)
    last = parents[-1]
    assert last is not None
    Vote.objects.create(reply=last, user=member, value=1)
    client = api(member)
    client.get(f"/api/topics/{small.pk}/replies")
    one, _ = count_queries(lambda: client.get(f"/api/topics/{small.pk}/replies"))
    many, resp = count_queries(lambda: client.get(f"/api/topics/{big.pk}/replies", {"limit": 100}))
    body = resp.json_body
    assert one == many, (one, many)

    def depth(rows: list[dict]) -> int:
        return max((1 + depth(r["replies"]) for r in rows), default=0)

    assert depth(body["data"]) >= 5


def test_reply_top_level_pages(api: Any, topic: Topic, member: User, student2: User) -> None:
    roots = [make_reply(student2, topic, f"racine {i}") for i in range(5)]
    make_reply(member, topic, "enfant", parent_id=roots[0].pk)
    client = api(member)
    body = client.get(f"/api/topics/{topic.pk}/replies", {"limit": 2}).json_body
    assert [r["id"] for r in body["data"]] == [roots[0].pk, roots[1].pk]
    assert len(body["data"][0]["replies"]) == 1
    body = client.get(
        f"/api/topics/{topic.pk}/replies", {"limit": 2, "cursor": body["pagination"]["next"]}
    ).json_body
    assert [r["id"] for r in body["data"]] == [roots[2].pk, roots[3].pk]
    assert_error(client.get(f"/api/topics/{topic.pk}/replies", {"cursor": "e30"}), 400)


# --- Solution ------------------------------------------------------------------------------


def test_solution_rules(
    api: Any,
    topic: Topic,
    member: User,
    student2: User,
    owner: User,
    admin_user: User,
    other_instructor: User,
) -> None:
    first = make_reply(student2, topic, "Réponse A")
    second = make_reply(owner, topic, "Réponse B")
    mark = f"/api/replies/{first.pk}/mark-solution"
    assert_error(api(student2).post(mark), 403, "forbidden")  # not the topic's author
    assert_error(api(other_instructor).post(mark), 403, "not_enrolled")
    resp = api(member).post(mark)  # the topic's author
    assert resp.status_code == 200 and resp.json_body["data"]["solution_reply_id"] == first.pk
    assert api(member).post(mark).status_code == 200  # again: no-op
    # Changeable: one per topic.
    api(owner).post(f"/api/replies/{second.pk}/mark-solution")
    topic.refresh_from_db()
    assert topic.solution_id == second.pk
    tree = api(member).get(f"/api/topics/{topic.pk}/replies").json_body["data"]
    assert [r["is_solution"] for r in tree] == [False, True]
    assert_error(api(member).delete(mark), 409, "not_solution")
    assert api(admin_user).delete(f"/api/replies/{second.pk}/mark-solution").status_code == 200
    topic.refresh_from_db()
    assert topic.solution_id is None
    # A deleted reply cannot be (or stay) the solution.
    api(member).post(mark)
    api(student2).delete(f"/api/replies/{first.pk}")
    topic.refresh_from_db()
    assert topic.solution_id is None
    assert_error(api(member).post(mark), 409, "reply_deleted")


# --- Votes ---------------------------------------------------------------------------------


def test_vote_toggle_and_switch(
    api: Any, topic: Topic, member: User, student2: User, owner: User
) -> None:
    reply = make_reply(student2, topic)
    path = f"/api/replies/{reply.pk}/reactions"
    client = api(member)
    assert client.post(path, {"type": "upvote"}).json_body["data"] == {
        "reply_id": reply.pk,
        "upvotes": 1,
        "downvotes": 0,
        "user_reaction": "upvote",
    }
    data = client.post(path, {"reaction_type": "downvote"}).json_body["data"]  # switch
    assert (data["upvotes"], data["downvotes"], data["user_reaction"]) == (0, 1, "downvote")
    data = client.post(path, {"type": "downvote"}).json_body["data"]  # same again: removed
    assert (data["upvotes"], data["downvotes"], data["user_reaction"]) == (0, 0, None)
    api(owner).post(path, {"type": "upvote"})
    client.post(path, {"type": "upvote"})
    assert Vote.objects.filter(reply=reply).count() == 2
    data = client.delete(path).json_body["data"]
    assert (data["upvotes"], data["downvotes"]) == (1, 0)
    tree = client.get(f"/api/topics/{topic.pk}/replies").json_body["data"]
    assert tree[0]["user_reaction"] is None and tree[0]["upvotes"] == 1
    assert_error(client.post(path, {"type": "like"}), 400, "validation_error")
    assert_error(client.post(path, {}), 400, "validation_error")
    assert_error(api(student2).post(path, {"type": "upvote"}), 403, "own_reply")


# --- Reports -------------------------------------------------------------------------------


def test_reports(
    api: Any, course: Course, topic: Topic, member: User, student2: User, owner: User
) -> None:
    reply = make_reply(member, topic)
    client = api(student2)
    resp = client.post(f"/api/topics/{topic.pk}/report", {"reason": "Spam"})
    assert resp.status_code == 201, resp.content
    assert_error(
        client.post(f"/api/topics/{topic.pk}/report", {"reason": "Spam"}), 409, "already_reported"
    )
    assert client.post(f"/api/replies/{reply.pk}/report", {"reason": "Insulte"}).status_code == 201
    assert_error(client.post(f"/api/replies/{reply.pk}/report", {"reason": " "}), 400)
    assert_error(client.get(f"/api/courses/{course.pk}/forum/reports"), 403)
    listed = api(owner).get(f"/api/courses/{course.pk}/forum/reports").json_body["data"]
    assert [r["target"]["type"] for r in listed] == ["reply", "topic"]
    report_id = listed[0]["id"]
    assert_error(client.post(f"/api/forum/reports/{report_id}/resolve"), 403)
    done = api(owner).post(f"/api/forum/reports/{report_id}/resolve").json_body["data"]
    assert done["status"] == "resolved"
    assert_error(
        api(owner).post(f"/api/forum/reports/{report_id}/resolve"), 409, "already_resolved"
    )
    assert len(api(owner).get(f"/api/courses/{course.pk}/forum/reports").json_body["data"]) == 1
    everything = api(owner).get(f"/api/courses/{course.pk}/forum/reports", {"status": "all"})
    assert len(everything.json_body["data"]) == 2
    assert Report.objects.count() == 2


# --- Rate limit ----------------------------------------------------------------------------


def test_rate_limit_429(api: Any, monkeypatch: Any, forum: Forum, topic: Topic, member: User):
    monkeypatch.setattr(services, "POST_LIMIT", 3)
    client = api(member)
    for i in range(2):
        assert (
            client.post(f"/api/topics/{topic.pk}/replies", {"content": f"r{i}"}).status_code == 201
        )
    # topic_create (the fixture) counted too: the 4th post of the minute is refused.
    resp = client.post(f"/api/forums/{forum.pk}/topics", {"title": "T", "content": "C"})
    body = assert_error(resp, 429, "rate_limited")
    assert int(resp["Retry-After"]) > 0
    assert body["error"]["details"]["retry_after"] == int(resp["Retry-After"])


# --- Notifications -------------------------------------------------------------------------


def _notices(user: User, kind: str | None = None) -> list[Notification]:
    rows = Notification.objects.filter(user=user).order_by("pk")
    return list(rows.filter(kind=kind) if kind else rows)


def test_notifications_recipients(
    api: Any,
    course: Course,
    forum: Forum,
    topic: Topic,
    member: User,
    student2: User,
    owner: User,
    user_factory: Callable[..., User],
) -> None:
    follower = user_factory(Role.STUDENT)
    course_services.enrollment_create(actor=follower, course=course)
    api(follower).post(f"/api/topics/{topic.pk}/follow")
    api(owner).post(f"/api/forums/{forum.pk}/follow")
    # student2 answers member's topic: member (author) gets forum_reply; the follower and
    # the owner (following the whole forum) get forum_activity; student2 nothing.
    first = api(student2).post(f"/api/topics/{topic.pk}/replies", {"content": "A"}).json_body
    assert [n.kind for n in _notices(member)] == ["forum_reply"]
    assert [n.kind for n in _notices(follower)] == ["forum_activity"]
    # (the owner was first told of member's new topic: forum_topic_new)
    assert [n.kind for n in _notices(owner)] == ["forum_topic_new", "forum_activity"]
    assert _notices(student2) == []
    # member answers student2's reply in member's own topic: student2 (parent's author)
    # gets one forum_reply; member (the actor, also the topic's author) nothing.
    api(member).post(
        f"/api/topics/{topic.pk}/replies",
        {"content": "B", "parent_reply_id": first["data"]["id"]},
    )
    assert [n.kind for n in _notices(student2)] == ["forum_reply"]
    assert len(_notices(member)) == 1
    # The follower follows and is also the parent's author: one notice, not two.
    follower_reply = make_reply(follower, topic, "C")
    before = len(_notices(follower))
    api(student2).post(
        f"/api/topics/{topic.pk}/replies", {"content": "D", "parent_reply_id": follower_reply.pk}
    )
    assert [n.kind for n in _notices(follower)][before:] == ["forum_reply"]
    # An unenrolled follower hears nothing more.
    follower.enrollments.update(is_active=False)
    before = len(_notices(follower))
    make_reply(student2, topic, "E")
    assert len(_notices(follower)) == before
    # Solution: the reply's author is told, once.
    api(member).post(f"/api/replies/{first['data']['id']}/mark-solution")
    api(member).delete(f"/api/replies/{first['data']['id']}/mark-solution")
    api(member).post(f"/api/replies/{first['data']['id']}/mark-solution")
    assert len(_notices(student2, "forum_solution")) == 1
    notice = _notices(student2, "forum_solution")[0]
    assert notice.url.startswith(f"/courses/{course.slug}/forum/{topic.pk}")


def test_report_list_query_count_constant(
    api: Any, course: Course, member: User, owner: User, user_factory: Callable[..., User]
) -> None:
    topic = make_topic(owner, course)
    client = api(owner)
    path = f"/api/courses/{course.pk}/forum/reports"
    services.report_create(actor=member, topic=topic, reason="Spam")
    client.get(path)
    one, _ = count_queries(lambda: client.get(path))
    for i in range(12):
        reporter = user_factory(Role.STUDENT)
        course_services.enrollment_create(actor=reporter, course=course)
        reply = make_reply(member, topic, f"r{i}")
        services.report_create(actor=reporter, reply=reply, reason="Spam")
        services.report_create(actor=reporter, topic=topic, reason="Doublon")
    many, resp = count_queries(lambda: client.get(path))
    assert len(resp.json_body["data"]) == 20
    assert one == many, (one, many)
