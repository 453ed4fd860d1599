"""Concurrency rules proven with real threads over HTTP, on whatever database the suite
runs on (SQLite: IMMEDIATE transactions serialize writers; PostgreSQL and MariaDB: row
locks). Each thread has its own client and its own database connection, closed at the end.
"""

import threading
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.db import connection

from campus.accounts.models import Role, User
from campus.accounts.tokens import token_issue
from campus.courses import services
from campus.courses.models import Course, Enrollment, Quiz, QuizAttempt
from conftest import ApiClient, build_course

pytestmark = pytest.mark.django_db(transaction=True)


def run_at_once(calls: list[Callable[[], Any]], timeout: float = 120) -> list[Any]:
    """Start every call on its own thread behind a barrier; return results in order.
    An exception in a thread is returned as the result, never swallowed."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def worker(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=timeout)
            results[index] = call()
        except BaseException as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results


def outcome(response: Any) -> tuple[int, str | None]:
    assert not isinstance(response, BaseException), repr(response)
    body = response.json_body or {}
    code = (body.get("error") or {}).get("code")
    return response.status_code, code


def students(n: int) -> list[User]:
    return [
        User.objects.create_user(email=f"s{i}@example.test", password=None, role=Role.STUDENT)
        for i in range(n)
    ]


def client_for(user: User) -> ApiClient:
    raw, _ = token_issue(user=user)
    return ApiClient(raw)


def test_capacity_holds_when_sixty_students_enroll_at_once(owner: User) -> None:
    course = build_course(owner, max_students=20, modules=1, lessons_per_module=1)
    clients = [client_for(s) for s in students(60)]
    path = f"/api/courses/{course.pk}/enroll"

    responses = run_at_once([partial(c.post, path) for c in clients])

    outcomes = Counter(outcome(r) for r in responses)
    assert outcomes == {(201, None): 20, (409, "course_full"): 40}, outcomes
    assert Enrollment.objects.filter(course=course, is_active=True).count() == 20


def test_seed_style_enroll_holds_capacity_too(owner: User) -> None:
    course = build_course(owner, max_students=5, modules=0, with_final=False)
    clients = [client_for(s) for s in students(15)]

    responses = run_at_once(
        [partial(c.post, "/api/enrollments", {"course_id": course.pk}) for c in clients]
    )

    outcomes = Counter(outcome(r) for r in responses)
    assert outcomes == {(201, None): 5, (409, "course_full"): 10}, outcomes
    assert Enrollment.objects.filter(course=course, is_active=True).count() == 5


def test_one_student_double_enrolling_gets_one_enrollment(owner: User) -> None:
    course = build_course(owner, modules=0, with_final=False)
    [student] = students(1)
    clients = [client_for(student) for _ in range(4)]

    responses = run_at_once([partial(c.post, f"/api/courses/{course.pk}/enroll") for c in clients])

    outcomes = Counter(outcome(r) for r in responses)
    assert outcomes == {(201, None): 1, (409, "already_enrolled"): 3}, outcomes
    assert Enrollment.objects.filter(course=course, user=student).count() == 1


def test_double_submitted_attempt_with_one_attempt_allowed(owner: User) -> None:
    course = build_course(owner, modules=1, lessons_per_module=1)
    final = Quiz.objects.get(final_for=course)
    services.quiz_update(actor=owner, quiz=final, max_attempts=1)
    [student] = students(1)
    services.enrollment_create(actor=student, course=course)
    question = final.questions.get()
    body = {"answers": {str(question.pk): question.correct_choices}}
    clients = [client_for(student), client_for(student)]

    responses = run_at_once(
        [partial(c.post, f"/api/quizzes/{final.pk}/attempts", body) for c in clients]
    )

    outcomes = sorted(outcome(r) for r in responses)
    assert outcomes[0] == (201, None), outcomes
    assert outcomes[1][0] == 409 and outcomes[1][1] in {"no_attempts_left", "attempt_conflict"}
    assert QuizAttempt.objects.filter(quiz=final).count() == 1


def test_many_simultaneous_attempts_respect_max_attempts(owner: User) -> None:
    course = build_course(owner, modules=1, lessons_per_module=1)
    final = Quiz.objects.get(final_for=course)  # max_attempts=3
    [student] = students(1)
    services.enrollment_create(actor=student, course=course)
    clients = [client_for(student) for _ in range(8)]

    responses = run_at_once(
        [partial(c.post, f"/api/quizzes/{final.pk}/attempts", {"answers": {}}) for c in clients]
    )

    statuses = Counter(outcome(r)[0] for r in responses)
    assert statuses == {201: 3, 409: 5}, statuses
    numbers = sorted(
        QuizAttempt.objects.filter(quiz=final).values_list("attempt_number", flat=True)
    )
    assert numbers == [1, 2, 3]


def test_same_title_created_at_once_never_500(owner: User) -> None:
    clients = [client_for(owner) for _ in range(6)]

    responses = run_at_once(
        [partial(c.post, "/api/courses", {"title": "Même titre"}) for c in clients]
    )

    assert Counter(outcome(r)[0] for r in responses) == {201: 6}
    slugs = set(Course.objects.values_list("slug", flat=True))
    assert len(slugs) == 6 and "meme-titre" in slugs
