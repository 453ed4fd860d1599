"""Live session lists and details cost a fixed number of queries (1 row vs 50 rows)."""

from typing import Any

import pytest

from campus.accounts.models import User
from campus.courses.models import Course
from campus.courses.tests.test_query_counts import count_queries, warmed
from campus.live import services
from campus.live.tests.helpers import make_live, make_session

pytestmark = pytest.mark.django_db


def test_course_sessions_list_queries_do_not_grow(
    api: Any, owner: User, member: User, course: Course
) -> None:
    first = make_live(owner, course, title="S0")
    services.session_join(actor=member, session=first)
    call = warmed(api(member), f"/api/courses/{course.pk}/live-sessions", {"limit": 100})
    one = count_queries(call)
    for n in range(1, 50):
        make_session(owner, course, title=f"S{n}")
    rows = call().json_body["data"]
    assert len(rows) == 50
    assert rows[0]["participants_count"] == 1
    assert count_queries(call) == one


def test_participants_list_queries_do_not_grow(
    api: Any, owner: User, member: User, course: Course, user_factory: Any
) -> None:
    from campus.courses import services as course_services

    session = make_live(owner, course, max_participants=100)
    services.session_join(actor=member, session=session)
    path = f"/api/live-sessions/{session.pk}/participants"
    call = warmed(api(owner), path, {"limit": 100})
    one = count_queries(call)
    for _ in range(49):
        student = user_factory()
        course_services.enrollment_create(actor=student, course=course)
        services.session_join(actor=student, session=session)
    assert len(call().json_body["data"]) == 50
    assert count_queries(call) == one


def test_chat_and_student_sessions_queries_do_not_grow(
    api: Any, owner: User, member: User, course: Course
) -> None:
    session = make_live(owner, course)
    services.chat_post(actor=member, session=session, text="0")
    chat = warmed(api(member), f"/api/live-sessions/{session.pk}/chat", {"limit": 100})
    mine = warmed(api(member), "/api/student/live-sessions", {"limit": 100})
    one_chat, one_mine = count_queries(chat), count_queries(mine)
    for n in range(1, 50):
        services.chat_post(actor=owner if n % 2 else member, session=session, text=str(n))
        make_session(owner, course, title=f"S{n}")
    assert len(chat().json_body["data"]) == 50
    assert len(mine().json_body["data"]["upcoming"]) == 49
    assert count_queries(chat) == one_chat
    assert count_queries(mine) == one_mine
