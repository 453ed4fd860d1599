"""Live session races with real threads over HTTP, on whatever database the suite runs
on (SQLite: IMMEDIATE transactions serialize writers; PostgreSQL/MariaDB: the session
row lock). The join storm runs 200 threads on PostgreSQL/MariaDB, 60 on SQLite."""

import threading
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.db import connection

from campus.accounts.models import User
from campus.courses import services as course_services
from campus.courses.tests.test_concurrency import client_for, outcome, run_at_once, students
from campus.live import services as live_services
from campus.live.models import LiveSession, LiveSessionStatus, Participant
from campus.live.tests.helpers import make_session
from conftest import build_course

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_concurrent_starts_one_wins(owner: User) -> None:
    course = build_course(owner, modules=0, with_final=False)
    session = make_session(owner, course)
    clients = [client_for(owner) for _ in range(2)]

    responses = run_at_once(
        [partial(c.post, f"/api/live-sessions/{session.pk}/start") for c in clients]
    )

    outcomes = Counter(outcome(r) for r in responses)
    assert outcomes == {(200, None): 1, (409, "invalid_transition"): 1}, outcomes
    session.refresh_from_db()
    assert session.status == LiveSessionStatus.LIVE


def run_storm(calls: list[Callable[[], Any]], *, slots: int, timeout: float = 180) -> list[Any]:
    """All calls start together behind a barrier; at most `slots` hold a database
    connection at once (like a server's worker pool: PostgreSQL allows 100 connections,
    and 200 threads would otherwise exhaust them). Each closes its connection after."""
    barrier = threading.Barrier(len(calls))
    pool = threading.BoundedSemaphore(slots)
    results: list[Any] = [None] * len(calls)

    def worker(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=timeout)
            with pool:
                try:
                    results[index] = call()
                finally:
                    connection.close()
        except BaseException as exc:
            results[index] = exc

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results


def test_join_storm_never_over_admits(owner: User) -> None:
    """200 students (60 on SQLite, where writers queue one at a time) join a session of
    capacity 50 at once: exactly 50 admitted, every other one 409 session_full, no 500."""
    threads = 200 if connection.vendor in {"postgresql", "mysql"} else 60
    course = build_course(owner, modules=0, with_final=False)
    crowd = students(threads)
    for student in crowd:
        course_services.enrollment_create(actor=student, course=course)
    session = make_session(owner, course, max_participants=50)
    live_services.session_start(actor=owner, session=session)
    clients = [client_for(s) for s in crowd]
    path = f"/api/live-sessions/{session.pk}/join"

    responses = run_storm([partial(c.post, path) for c in clients], slots=40)

    outcomes = Counter(outcome(r) for r in responses)
    assert outcomes == {(200, None): 50, (409, "session_full"): threads - 50}, outcomes
    assert admitted(session) == 50
    # An admitted student still gets back in once the session is full.
    winner = next(c for c, r in zip(clients, responses, strict=True) if r.status_code == 200)
    assert winner.post(path).status_code == 200
    assert admitted(session) == 50


def admitted(session: LiveSession) -> int:
    return Participant.objects.filter(session=session, admitted_at__isnull=False).count()
