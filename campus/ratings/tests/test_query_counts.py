"""Ratings lists cost a fixed number of queries: 1 review vs 20 (API list, moderation
queue API, the course page, all reviews, the moderation page)."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campus.accounts.models import User
from campus.courses.models import Course
from campus.ratings import services
from campus.ratings.tests.helpers import graduate
from conftest import build_course

pytestmark = pytest.mark.django_db


def count(call: Callable[[], Any]) -> int:
    call()  # warm: one-off writes (token last use, session) out of the count
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries)


def add_reviews(user_factory: Any, course: Course, n: int, *, approve_by: User | None) -> None:
    for i in range(n):
        user, enrollment = graduate(user_factory, course)
        review = services.rating_create(
            actor=user, enrollment=enrollment, rating=1 + i % 5, is_anonymous=i % 2 == 0
        )
        if approve_by is not None:
            services.rating_moderate(actor=approve_by, review=review, approve=True)


@pytest.fixture
def small(owner: User) -> Course:
    return build_course(owner, title="Petit", modules=1, lessons_per_module=1, with_final=False)


def _grows(user_factory: Any, course: Course, call: Callable[[], Any], approve_by: Any) -> None:
    add_reviews(user_factory, course, 1, approve_by=approve_by)
    one = count(call)
    add_reviews(user_factory, course, 19, approve_by=approve_by)
    assert count(call) == one


def test_api_list(api: Any, owner: User, small: Course, user_factory: Any) -> None:
    client = api(None)
    path = f"/api/courses/{small.pk}/ratings"
    _grows(user_factory, small, lambda: client.get(path, {"limit": 50}), owner)
    assert len(client.get(path, {"limit": 50}).json_body["data"]) == 20


def test_api_list_as_the_owner(api: Any, owner: User, small: Course, user_factory: Any) -> None:
    client = api(owner)
    path = f"/api/courses/{small.pk}/ratings"
    _grows(user_factory, small, lambda: client.get(path, {"limit": 50}), owner)


def test_api_moderation_queue(
    api: Any, owner: User, admin_user: User, small: Course, user_factory: Any
) -> None:
    other = build_course(owner, title="Autre", modules=1, lessons_per_module=1, with_final=False)
    add_reviews(user_factory, other, 1, approve_by=None)
    for moderator in (owner, admin_user):
        client = api(moderator)
        call = lambda c=client: c.get("/api/ratings/moderation", {"limit": 100})  # noqa: E731
        one = count(call)
        add_reviews(user_factory, small, 10, approve_by=None)
        assert count(call) == one
    assert api(owner).get("/api/ratings/moderation").json_body["pagination"]["total"] == 21


def _page(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_course_page(owner: User, small: Course, user_factory: Any) -> None:
    viewer, _ = graduate(user_factory, small)
    client = _page(viewer)
    path = reverse("courses:detail", kwargs={"slug": small.slug})
    _grows(user_factory, small, lambda: client.get(path), owner)


def test_all_reviews_page(owner: User, small: Course, user_factory: Any) -> None:
    client = _page(None)
    path = reverse("ratings:course_reviews", kwargs={"slug": small.slug})
    _grows(user_factory, small, lambda: client.get(path), owner)


def test_moderation_page(owner: User, small: Course, user_factory: Any) -> None:
    client = _page(owner)
    path = reverse("ratings:moderation")
    _grows(user_factory, small, lambda: client.get(path), None)
