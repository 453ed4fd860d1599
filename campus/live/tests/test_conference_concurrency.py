"""The conference server's events under simultaneous deliveries, with real threads
(PostgreSQL and MariaDB in CI's database matrix; SQLite serializes its writers): a
retry racing its original stores one row, and events for one student racing each other
give the intervals the whole stream gives."""

import uuid
from collections import Counter
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from django.utils import timezone

from campus.accounts.models import User
from campus.courses import services as course_services
from campus.courses.tests.test_concurrency import run_at_once, students
from campus.live import conference, services
from campus.live.models import AttendanceSource, ConferenceEvent, LiveSession, Participant
from campus.live.tests.helpers import make_session
from campus.live.tests.test_conference_events import jaas, presence
from conftest import build_course

pytestmark = pytest.mark.django_db(transaction=True)


def deliver(body: dict[str, Any]) -> str:
    event = conference.parse_jaas(body)
    assert event is not None
    return conference.ingest(event)


def live_class(owner: User) -> LiveSession:
    course = build_course(owner, modules=0, with_final=False)
    session = make_session(owner, course, starts_in=timedelta(0))
    return services.session_start(actor=owner, session=session)


def test_a_retry_racing_its_original_is_stored_once(owner: User) -> None:
    session = live_class(owner)
    (student,) = students(1)
    course_services.enrollment_create(actor=student, course=session.course)
    body = jaas(
        session,
        "PARTICIPANT_JOINED",
        timezone.now(),
        data=presence(student, "p1"),
        key=str(uuid.uuid4()),
    )
    results = run_at_once([partial(deliver, dict(body)) for _ in range(6)])
    assert Counter(results) == {"stored": 1, "duplicate": 5}, results
    assert ConferenceEvent.objects.filter(session=session).count() == 1
    participant = Participant.objects.get(session=session, user=student)
    assert participant.intervals.filter(source=AttendanceSource.WEBHOOK).count() == 1


def test_one_students_events_racing_each_other_give_the_whole_streams_intervals(
    owner: User,
) -> None:
    session = live_class(owner)
    (student,) = students(1)
    course_services.enrollment_create(actor=student, course=session.course)
    assert session.actual_start_at is not None
    start = session.actual_start_at.replace(microsecond=0)  # JaaS counts milliseconds
    bodies = []
    for index in range(4):  # four reconnects, each joined and left
        occupant = f"p{index}"
        joined = start + timedelta(minutes=10 * index)
        bodies.append(jaas(session, "PARTICIPANT_JOINED", joined, data=presence(student, occupant)))
        left = joined + timedelta(minutes=5)
        bodies.append(jaas(session, "PARTICIPANT_LEFT", left, data=presence(student, occupant)))
    results = run_at_once([partial(deliver, body) for body in bodies])
    assert results == ["stored"] * len(bodies), results
    participant = Participant.objects.get(session=session, user=student)
    intervals = sorted(
        (i.joined_at, i.left_at)
        for i in participant.intervals.filter(source=AttendanceSource.WEBHOOK)
    )
    assert intervals == [
        (start + timedelta(minutes=10 * i), start + timedelta(minutes=10 * i + 5)) for i in range(4)
    ]
