"""The database refuses impossible rows on every backend (SQLite, PostgreSQL, MariaDB)."""

from datetime import date, time, timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from campus.live.models import (
    AttendanceInterval,
    ChatKind,
    ChatMessage,
    LiveSession,
    LiveSessionStatus,
    Participant,
    ParticipantRole,
    SessionSeries,
)

pytestmark = pytest.mark.django_db


def make_session(course: Any, owner: Any, **fields: Any) -> LiveSession:
    start = timezone.now() + timedelta(days=1)
    values: dict[str, Any] = {
        "course": course,
        "instructor": owner,
        "title": "Séance 1",
        "scheduled_start_at": start,
        "scheduled_end_at": start + timedelta(hours=1),
        "jitsi_room_name": f"campus-course-{course.pk}-session-x-{timezone.now().timestamp()}",
        "jitsi_server_url": "https://meet.jit.si",
    }
    values.update(fields)
    return LiveSession.objects.create(**values)


def refused(create: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_valid_session_and_defaults(course: Any, owner: Any) -> None:
    session = make_session(course, owner)
    assert session.status == LiveSessionStatus.SCHEDULED
    assert session.sequence == 0
    assert session.max_participants == 50
    assert str(session) == "Séance 1"
    assert LiveSessionStatus.LIVE.label == "En direct"


@pytest.mark.parametrize("delta", [timedelta(0), timedelta(minutes=-5)])
def test_end_must_follow_start(course: Any, owner: Any, delta: timedelta) -> None:
    start = timezone.now()
    refused(
        lambda: make_session(
            course, owner, scheduled_start_at=start, scheduled_end_at=start + delta
        )
    )


@pytest.mark.parametrize("capacity", [0, 10_001])
def test_capacity_bounds(course: Any, owner: Any, capacity: int) -> None:
    refused(lambda: make_session(course, owner, max_participants=capacity))


@pytest.mark.parametrize("capacity", [1, 10_000])
def test_capacity_bounds_inclusive(course: Any, owner: Any, capacity: int) -> None:
    assert make_session(course, owner, max_participants=capacity).pk


def test_status_must_be_known(course: Any, owner: Any) -> None:
    refused(lambda: make_session(course, owner, status="paused"))


def test_actual_end_not_before_actual_start(course: Any, owner: Any) -> None:
    now = timezone.now()
    refused(
        lambda: make_session(
            course, owner, actual_start_at=now, actual_end_at=now - timedelta(seconds=1)
        )
    )
    assert make_session(course, owner, jitsi_room_name="r2", actual_start_at=now).pk


def test_room_name_unique(course: Any, owner: Any) -> None:
    make_session(course, owner, jitsi_room_name="same-room")
    refused(lambda: make_session(course, owner, jitsi_room_name="same-room"))


def test_participant_unique_per_session(course: Any, owner: Any, member: Any) -> None:
    session = make_session(course, owner)
    participant = Participant.objects.create(session=session, user=member)
    assert participant.role == ParticipantRole.PARTICIPANT
    refused(lambda: Participant.objects.create(session=session, user=member))
    participant.attendance_seconds = 185
    assert participant.attendance_minutes == 3


def test_attendance_interval_order(course: Any, owner: Any, member: Any) -> None:
    participant = Participant.objects.create(session=make_session(course, owner), user=member)
    now = timezone.now()
    refused(
        lambda: AttendanceInterval.objects.create(
            participant=participant,
            joined_at=now,
            left_at=now - timedelta(seconds=1),
            last_seen_at=now,
        )
    )
    open_interval = AttendanceInterval.objects.create(
        participant=participant, joined_at=now, last_seen_at=now
    )
    assert open_interval.left_at is None and str(open_interval)


def test_chat_answer_links_only_from_answers(course: Any, owner: Any, member: Any) -> None:
    session = make_session(course, owner)
    question = ChatMessage.objects.create(
        session=session, author=member, kind=ChatKind.QUESTION, text="Pourquoi ?"
    )
    answer = ChatMessage.objects.create(
        session=session, author=owner, kind=ChatKind.ANSWER, text="Parce que.", answer_to=question
    )
    assert list(question.answers.all()) == [answer]
    refused(
        lambda: ChatMessage.objects.create(
            session=session, author=member, kind=ChatKind.MESSAGE, text="x", answer_to=question
        )
    )
    refused(lambda: ChatMessage.objects.create(session=session, author=member, kind="shout"))


def series_values(course: Any, owner: Any, **fields: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "course": course,
        "instructor": owner,
        "title": "Mardis",
        "days_of_week": [1],
        "start_time": time(10, 0),
        "timezone": "Africa/Porto-Novo",
        "starts_on": date(2026, 3, 2),
        "duration_minutes": 90,
        "count": 10,
    }
    values.update(fields)
    return values


def test_series_valid(course: Any, owner: Any) -> None:
    series = SessionSeries.objects.create(**series_values(course, owner))
    session = make_session(course, owner, series=series)
    assert list(series.sessions.all()) == [session]
    assert str(series) == "Mardis"


@pytest.mark.parametrize(
    "fields",
    [
        {"count": None, "until": None},
        {"count": 5, "until": date(2026, 6, 1)},
        {"count": 0},
        {"count": 201},
        {"duration_minutes": 0},
        {"duration_minutes": 721},
        {"max_participants": 0},
        {"count": None, "until": date(2026, 3, 1)},
    ],
    ids=[
        "neither",
        "both",
        "count-zero",
        "count-over-cap",
        "duration-zero",
        "duration-over-12h",
        "capacity-zero",
        "until-before-start",
    ],
)
def test_series_constraints(course: Any, owner: Any, fields: dict[str, Any]) -> None:
    refused(lambda: SessionSeries.objects.create(**series_values(course, owner, **fields)))
