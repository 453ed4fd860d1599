"""Fetching an object and the viewer's membership of its course in one query: the answer
serves that viewer only, and the access rules are unchanged for every actor."""

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from campus.accounts.models import User
from campus.core.errors import Forbidden, NotAuthenticated
from campus.courses import access
from campus.courses import services as course_services
from campus.courses.models import Course
from campus.forum import access as forum_access
from campus.forum.models import Forum
from campus.live import access as live_access
from campus.live.tests.helpers import make_session

pytestmark = pytest.mark.django_db


def test_a_members_fetch_answers_membership_without_another_query(
    course: Course, member: User, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        fetched = access.get_course_for(member, course.pk, action="content")
    with django_assert_num_queries(0):
        assert access.is_member(member, fetched)


def test_the_answer_is_for_that_viewer_only(
    course: Course, member: User, outsider: User, django_assert_num_queries: Any
) -> None:
    fetched = access.get_course_for(member, course.pk, action="content")
    with django_assert_num_queries(1):
        assert not access.is_member(outsider, fetched)
    outsiders = access.get_course_for(outsider, course.pk, action="view")
    with django_assert_num_queries(1):
        assert access.is_member(member, outsiders)


@pytest.mark.parametrize("kind", ["course", "forum", "session"])
def test_each_actor_is_still_judged_by_the_rules(
    kind: str, course: Course, member: User, outsider: User, owner: User
) -> None:
    session = make_session(owner, course)

    def fetch(user: Any) -> object:
        if kind == "course":
            return access.get_course_for(user, course.pk, action="content")
        if kind == "forum":
            forum = Forum.objects.get(course=course)
            return forum_access.get_forum_for(user, forum.pk)
        return live_access.get_session_for(user, session.pk, action="view")

    assert fetch(member) is not None
    assert fetch(owner) is not None
    with pytest.raises(Forbidden):
        fetch(outsider)
    with pytest.raises(NotAuthenticated):
        fetch(AnonymousUser())
    course_services.enrollment_deactivate(actor=member, course=course)
    with pytest.raises(Forbidden):
        fetch(member)
