"""List and detail endpoints cost a fixed number of queries, whatever the data size
(ARCHITECTURE.md quality gate: 1 row vs 50 rows)."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campus.accounts.models import User
from campus.courses import services
from campus.courses.models import Course, Lesson
from conftest import ApiClient, build_course

pytestmark = pytest.mark.django_db


def count_queries(call: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries)


def warmed(client: ApiClient, path: str, params: dict | None = None) -> Callable[[], Any]:
    """A call to repeat; made once first so one-off writes (token last-use) are out."""
    client.get(path, params)
    return lambda: client.get(path, params)


def small_course(owner: User, n: int) -> Course:
    return build_course(owner, title=f"Cours {n}", modules=0, with_final=False)


def test_catalogue_queries_do_not_grow(
    api: Any, owner: User, user_factory: Any, django_assert_num_queries: Any
) -> None:
    students = [user_factory() for _ in range(3)]
    first = small_course(owner, 0)
    services.enrollment_create(actor=students[0], course=first)
    call = warmed(api(None), "/api/courses", {"limit": 100})
    one = count_queries(call)

    for n in range(1, 50):
        course = small_course(owner, n)
        for student in students[: n % 4]:
            services.enrollment_create(actor=student, course=course)
    data = call().json_body["data"]
    assert len(data) == 50
    seats = {row["title"]: row["enrolled_count"] for row in data}
    assert seats[first.title] == 1
    assert sorted(seats.values()).count(3) == len([n for n in range(1, 50) if n % 4 == 3])

    assert count_queries(call) == one
    # COUNT + one SELECT (instructor joined) + one grouped seat count for the page.
    with django_assert_num_queries(3):
        call()


def test_catalogue_queries_for_a_logged_in_user(
    api: Any, owner: User, outsider: User, django_assert_num_queries: Any
) -> None:
    for n in range(50):
        small_course(owner, n)
    call = warmed(api(outsider), "/api/courses", {"limit": 50})
    # Token lookup + COUNT + SELECT + seat counts.
    with django_assert_num_queries(4):
        call()


def test_my_enrollments_queries_do_not_grow(
    api: Any, owner: User, outsider: User, user_factory: Any, django_assert_num_queries: Any
) -> None:
    other = user_factory()
    services.enrollment_create(actor=outsider, course=small_course(owner, 0))
    call = warmed(api(outsider), "/api/enrollments/me", {"limit": 100})
    one = count_queries(call)

    for n in range(1, 50):
        course = small_course(owner, n)
        services.enrollment_create(actor=outsider, course=course)
        if n % 2:
            services.enrollment_create(actor=other, course=course)
    data = call().json_body["data"]
    assert len(data) == 50
    assert {row["course"]["enrolled_count"] for row in data} == {1, 2}

    assert count_queries(call) == one
    # Token lookup + COUNT + SELECT (course, instructor) + seat counts for the page.
    with django_assert_num_queries(4):
        call()


@pytest.mark.parametrize("who", ["member", "owner", "outsider"])
def test_course_detail_queries_do_not_grow_with_the_outline(
    api: Any, owner: User, user_factory: Any, who: str
) -> None:
    def course_with(modules: int, lessons: int) -> tuple[Course, ApiClient]:
        course = build_course(owner, modules=modules, lessons_per_module=lessons)
        user = user_factory() if who != "owner" else owner
        if who == "member":
            services.enrollment_create(actor=user, course=course)
            for lesson in Lesson.objects.filter(course=course)[::2]:
                services.lesson_complete(actor=user, lesson=lesson)
        return course, api(user)

    small, small_client = course_with(1, 1)
    big, big_client = course_with(10, 5)
    small_call = warmed(small_client, f"/api/courses/{small.pk}")
    big_call = warmed(big_client, f"/api/courses/{big.pk}")

    if who != "outsider":
        modules = big_call().json_body["data"]["modules"]
        assert sum(len(m["lessons"]) for m in modules) == 50
    assert count_queries(big_call) == count_queries(small_call)


def test_course_detail_exact_query_count_for_a_member(
    api: Any, course: Course, member: User, django_assert_num_queries: Any
) -> None:
    call = warmed(api(member), f"/api/courses/{course.pk}")
    # token, course (+instructor, final quiz, seat count), modules, lessons, module quizzes,
    # the member's enrollment, their completed lessons.
    with django_assert_num_queries(7):
        call()


def test_lesson_and_quiz_queries_are_bounded(
    api: Any, owner: User, outsider: User, user_factory: Any
) -> None:
    course = build_course(owner, modules=1, lessons_per_module=1)
    services.enrollment_create(actor=outsider, course=course)
    lesson = Lesson.objects.filter(course=course).first()
    assert lesson is not None
    final = course.final_quiz
    client = api(outsider)
    lesson_one = count_queries(warmed(client, f"/api/lessons/{lesson.pk}"))
    quiz_one = count_queries(warmed(client, f"/api/quizzes/{final.pk}"))

    for n in range(49):
        services.question_create(
            actor=owner, quiz=final, text=f"Q{n}", choices=["a", "b"], correct_choices=[0]
        )
        services.lesson_create(actor=owner, module=lesson.module, title=f"L{n}")
    for other in (user_factory() for _ in range(5)):
        services.enrollment_create(actor=other, course=course)

    assert count_queries(lambda: client.get(f"/api/lessons/{lesson.pk}")) == lesson_one
    assert count_queries(lambda: client.get(f"/api/quizzes/{final.pk}")) == quiz_one
