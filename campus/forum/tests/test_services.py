"""Forum services and selectors called directly (the pages call these): the forum made
with the course, the migration for older courses, counters, views, the tree, follows."""

import importlib
from typing import Any

import pytest
from django.apps import apps as global_apps
from django.db import connection

from campus.accounts.models import Role, User
from campus.core.errors import Conflict, Forbidden, NotAuthenticated, NotFound, ValidationFailed
from campus.core.pagination import CursorQuery
from campus.courses import services as course_services
from campus.courses.models import Course
from campus.forum import access, selectors, services
from campus.forum.models import Follow, Forum, Reply, Topic, TopicView
from campus.forum.tests.helpers import forum_of, make_reply, make_topic
from conftest import build_course

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def unlimited(monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "POST_LIMIT", 10_000)


def _fresh(reply: Reply) -> Reply:
    return selectors.reply_base().get(pk=reply.pk)


def test_forum_ensure_is_idempotent(course: Course) -> None:
    first = services.forum_ensure(course=course)
    assert services.forum_ensure(course=course) == first
    assert Forum.objects.filter(course=course).count() == 1


def test_migration_creates_forums_for_existing_courses(course: Course, owner: User) -> None:
    other = build_course(owner, title="Ancien", modules=0, with_final=False)
    Forum.objects.filter(course__in=[course, other]).delete()
    migration = importlib.import_module("campus.forum.migrations.0003_forums_for_existing_courses")

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection  # type: ignore[attr-defined]
    migration.create_missing_forums(global_apps, editor)
    migration.create_missing_forums(global_apps, editor)  # twice: still one each
    assert Forum.objects.filter(course=course).count() == 1
    assert Forum.objects.get(course=other).title == "Ancien"


def test_forum_create_refuses_a_second(course: Course, owner: User) -> None:
    with pytest.raises(Conflict) as exc:
        services.forum_create(actor=owner, course=course)
    assert exc.value.code == "forum_exists"


def test_access_helpers(course: Course, member: User, outsider: User, owner: User) -> None:
    topic = make_topic(member, course)
    assert access.get_topic_for(member, topic.pk) == topic
    with pytest.raises(Forbidden):
        access.get_topic_for(outsider, topic.pk)
    with pytest.raises(NotFound):
        access.get_topic_for(member, 987_654)
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotAuthenticated):
        access.get_topic_for(AnonymousUser(), topic.pk)
    assert access.get_course_forum_for(member, course) == forum_of(course)
    with pytest.raises(Forbidden):
        access.get_topic_for(member, topic.pk, action="moderate")
    assert access.is_moderator(owner, course) and not access.is_moderator(member, course)


def test_counters_follow_visible_replies(course: Course, member: User, owner: User) -> None:
    topic = make_topic(member, course)
    first = make_reply(owner, topic, "un")
    second = make_reply(owner, topic, "deux")
    topic.refresh_from_db()
    assert (topic.reply_count, topic.last_reply_at) == (2, second.created_at)
    services.reply_moderate(actor=owner, reply=_fresh(second), action="hide")
    topic.refresh_from_db()
    assert (topic.reply_count, topic.last_reply_at) == (1, first.created_at)
    services.reply_delete(actor=owner, reply=_fresh(first))
    topic.refresh_from_db()
    assert (topic.reply_count, topic.last_reply_at, topic.last_reply_by_id) == (0, None, None)
    assert topic.activity_at == topic.created_at
    assert Reply.objects.get(pk=first.pk).content == ""


def test_topic_view_once(course: Course, member: User, owner: User) -> None:
    topic = make_topic(member, course)
    assert services.topic_view(user=owner, topic=topic) is True
    assert services.topic_view(user=owner, topic=topic) is False
    topic.refresh_from_db()
    assert topic.view_count == 1 == TopicView.objects.filter(topic=topic).count()


def test_topic_author_follows(course: Course, member: User) -> None:
    topic = make_topic(member, course)
    assert Follow.objects.filter(topic=topic, user=member).exists()
    state = selectors.follow_state(user=member, topic=topic)
    assert state.topic and not state.forum


def test_reply_tree_very_deep_is_iterative(course: Course, member: User, owner: User) -> None:
    topic = make_topic(member, course)
    parent = None
    for i in range(40):
        parent = make_reply(
            owner if i % 2 else member, topic, f"n{i}", parent_id=parent and parent.pk
        )
    tree = selectors.reply_tree(topic=topic, viewer=member)
    node = tree.roots[0]
    while node.children:
        node = node.children[0]
    assert node.depth == 39 and tree.total == 40


def test_reply_tree_bad_cursor(course: Course, member: User) -> None:
    topic = make_topic(member, course)
    make_reply(member, topic)
    with pytest.raises(ValidationFailed):
        selectors.reply_tree(
            topic=topic, viewer=member, query=CursorQuery(cursor="WzEyMzRd", limit=20)
        )


def test_topics_page_rejects_unknown_sort(course: Course) -> None:
    with pytest.raises(ValidationFailed):
        selectors.topics_page(
            forum=forum_of(course), sort="nope", query=CursorQuery(cursor=None, limit=20)
        )


def test_forums_for_user(course: Course, member: User, owner: User, user_factory: Any) -> None:
    make_topic(member, course)
    other = build_course(owner, title="Autre", modules=0, with_final=False)
    course_services.enrollment_create(actor=member, course=other)
    stranger = user_factory(Role.STUDENT)
    forums = selectors.forums_for_user(user=member)
    assert [f.course_id for f in forums] == [other.pk, course.pk]  # by course title
    assert [f.topic_count for f in forums] == [0, 1]  # type: ignore[attr-defined]
    assert len(selectors.forums_for_user(user=owner)) == 2
    assert selectors.forums_for_user(user=stranger) == []


def test_topic_in_locked_forum_and_markdown_limits(course: Course, member: User) -> None:
    forum = forum_of(course)
    with pytest.raises(ValidationFailed):
        services.topic_create(actor=member, forum=forum, title="T", content="")
    Forum.objects.filter(pk=forum.pk).update(is_locked=True)
    forum.refresh_from_db()
    with pytest.raises(Forbidden) as exc:
        services.topic_create(actor=member, forum=forum, title="T", content="C")
    assert exc.value.code == "forum_locked"
    assert not Topic.objects.exists()
