"""Concurrency with real threads over HTTP: one review per student, and statistics that
stay exact when many students rate (and moderators moderate) at once."""

from collections import Counter
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any

import pytest

from campus.accounts.models import Role, User
from campus.courses.models import Course
from campus.courses.tests.test_concurrency import client_for, outcome, run_at_once
from campus.ratings.models import CourseRating, RatingStatus
from campus.ratings.tests.helpers import complete
from conftest import build_course

pytestmark = pytest.mark.django_db(transaction=True)


def graduates(course: Course, n: int) -> list[User]:
    users = []
    for i in range(n):
        user = User.objects.create_user(
            email=f"g{i}@example.test", password=None, role=Role.STUDENT
        )
        complete(user, course)
        users.append(user)
    return users


@pytest.fixture
def small(owner: User) -> Course:
    return build_course(owner, title="Petit", modules=1, lessons_per_module=1, with_final=False)


def test_two_submissions_by_one_student_give_one_review_and_one_409(small: Course) -> None:
    (student,) = graduates(small, 1)
    clients = [client_for(student), client_for(student)]
    path = f"/api/courses/{small.pk}/ratings"
    results = run_at_once(
        [partial(c.post, path, {"rating": s}) for c, s in zip(clients, (4, 2), strict=True)]
    )
    outcomes = sorted(outcome(r) for r in results)
    assert outcomes == [(201, None), (409, "already_rated")], outcomes
    assert CourseRating.objects.count() == 1


def test_many_students_rating_at_once_keep_the_stats_exact(small: Course, settings: Any) -> None:
    settings.RATINGS_MODERATION = "post"
    students = graduates(small, 12)
    path = f"/api/courses/{small.pk}/ratings"
    stars = [1 + i % 5 for i in range(len(students))]
    calls: list[Callable[[], Any]] = [
        partial(client_for(s).post, path, {"rating": n, "would_recommend": n >= 3})
        for s, n in zip(students, stars, strict=True)
    ]
    results = run_at_once(calls)
    assert Counter(outcome(r) for r in results) == {(201, None): len(students)}
    small.refresh_from_db()
    assert small.rating_count == len(students)
    expected = (Decimal(sum(stars)) / len(stars)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert small.rating_average == expected
    assert small.rating_distribution == {str(k): stars.count(k) for k in range(1, 6)}
    assert small.rating_recommend_count == sum(1 for n in stars if n >= 3)


def test_concurrent_moderation_and_edits_keep_the_stats_exact(owner: User, small: Course) -> None:
    students = graduates(small, 8)
    ids = []
    for i, student in enumerate(students):
        response = client_for(student).post(
            f"/api/courses/{small.pk}/ratings", {"rating": 1 + i % 5}
        )
        ids.append(response.json_body["data"]["id"])
    moderator = client_for(owner)
    calls: list[Callable[[], Any]] = [
        partial(moderator.post, f"/api/ratings/{r}/approve") for r in ids[:6]
    ]
    # Meanwhile two authors edit (back to pending) and one deletes.
    calls.append(
        lambda: client_for(students[6]).put(
            f"/api/courses/{small.pk}/ratings/{ids[6]}", {"rating": 5}
        )
    )
    calls.append(
        lambda: client_for(students[7]).delete(f"/api/courses/{small.pk}/ratings/{ids[7]}")
    )
    results = run_at_once(calls)
    assert all(outcome(r)[0] == 200 for r in results), [outcome(r) for r in results]
    small.refresh_from_db()
    approved = list(
        CourseRating.objects.filter(course=small, status=RatingStatus.APPROVED).values_list(
            "rating", flat=True
        )
    )
    assert small.rating_count == len(approved) == 6
    assert small.rating_distribution == {str(k): approved.count(k) for k in range(1, 6)}
    expected = (Decimal(sum(approved)) / len(approved)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert small.rating_average == expected
