"""The navigation tells instructors and admins what waits for them: a badge with the
total on "Enseigner" and per-kind counts in the account menu, from ONE query that only
pages rendering the navigation run, and only for them."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campus.accounts.models import User
from campus.courses import services as course_services
from campus.courses.models import Course
from campus.courses.tests.test_pages import client_for, html
from campus.forum import services as forum_services
from campus.forum.tests.helpers import make_reply, make_topic
from campus.notifications import selectors
from campus.ratings import services as rating_services
from campus.ratings.tests.helpers import graduate
from conftest import build_course

pytestmark = pytest.mark.django_db

NAV_QUERY = "COUNT(*) FROM ("


def add_waiting(course: Course, user_factory: Callable[..., User], n: int = 1) -> None:
    """n questions without an answer, n reports (on them), n reviews to moderate."""
    reader = user_factory()
    course_services.enrollment_create(actor=reader, course=course)
    for i in range(n):
        author = user_factory()
        course_services.enrollment_create(actor=author, course=course)
        topic = make_topic(author, course, title=f"Question {i}")
        forum_services.report_create(actor=reader, reason="Hors sujet", topic=topic)
        student, enrollment = graduate(user_factory, course)
        rating_services.rating_create(actor=student, enrollment=enrollment, rating=4)


def nav_queries(user: User) -> tuple[int, int, str]:
    """(all queries, the navigation's count queries, the page) for the inbox page."""
    client = client_for(user)
    client.get(reverse("notifications:inbox"))  # warm up (session, last login…)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 200
    ours = [q for q in ctx.captured_queries if NAV_QUERY in q["sql"]]
    return len(ctx.captured_queries), len(ours), html(response)


@pytest.fixture(autouse=True)
def _pre_moderation(settings: Any) -> None:
    settings.RATINGS_MODERATION = "pre"


def test_the_owner_sees_the_total_and_each_kind(
    owner: User, course: Course, user_factory: Any
) -> None:
    add_waiting(course, user_factory)
    _total, ours, page = nav_queries(owner)
    assert ours == 1
    assert '<span class="nav-count">3</span>' in page  # 1 question + 1 review + 1 report
    assert 'Avis à modérer <span class="menu-count">(1)</span>' in page
    assert 'Signalements <span class="menu-count">(1)</span>' in page
    assert f'href="{reverse("forum:reports_queue")}"' in page


def test_the_nav_costs_one_query_whatever_waits(
    owner: User, course: Course, user_factory: Any
) -> None:
    add_waiting(course, user_factory, n=1)
    few, ours, _page = nav_queries(owner)
    add_waiting(course, user_factory, n=15)
    many, ours_many, page = nav_queries(owner)
    assert (ours, ours_many) == (1, 1)
    assert many == few
    assert '<span class="nav-count">48</span>' in page
    assert selectors.waiting_for(user=owner) == selectors.Waiting(16, 16, 16)


def test_another_instructor_and_a_student_see_nothing_of_it(
    owner: User, course: Course, user_factory: Any, other_instructor: User, member: User
) -> None:
    add_waiting(course, user_factory)
    _total, ours, page = nav_queries(other_instructor)
    assert ours == 1 and "nav-count" not in page and "menu-count" not in page
    _total, ours, page = nav_queries(member)
    assert ours == 0  # students never pay for it
    assert "nav-count" not in page and "Signalements" not in page


def test_admins_see_every_course(
    owner: User,
    course: Course,
    user_factory: Any,
    admin_user: User,
    other_instructor: User,
) -> None:
    add_waiting(course, user_factory)
    add_waiting(build_course(other_instructor, title="Deuxième"), user_factory)
    waiting = selectors.waiting_for(user=admin_user)
    assert (waiting.questions, waiting.reports) == (2, 2) and waiting.reviews == 2
    _total, ours, page = nav_queries(admin_user)
    assert ours == 1 and '<span class="nav-count">6</span>' in page


def test_handled_items_leave_the_count(
    owner: User, course: Course, user_factory: Any, member: User
) -> None:
    add_waiting(course, user_factory)
    assert selectors.waiting_for(user=owner).total == 3
    topic = course.forum.topics.get()
    make_reply(owner, topic)  # answered
    review = course.ratings.get()
    rating_services.rating_moderate(actor=owner, review=review, approve=True)
    assert selectors.waiting_for(user=owner) == selectors.Waiting(0, 0, 1)
