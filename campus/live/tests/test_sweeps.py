"""The beat sweeps: stale attendance closed at the last heartbeat, forgotten sessions
auto-ended. Both idempotent: a second run (or a concurrent one) changes nothing."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
import time_machine

from campus.accounts.models import Role, User
from campus.courses import services as course_services
from campus.courses.models import Course
from campus.courses.tests.test_concurrency import run_at_once
from campus.live import services, tasks
from campus.live.models import AttendanceInterval, LiveSession, LiveSessionStatus, Participant
from campus.live.tests.helpers import make_live
from conftest import build_course

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def enrolled(user_factory: Callable[..., User], course: Course) -> User:
    student = user_factory(Role.STUDENT)
    course_services.enrollment_create(actor=student, course=course)
    return student


def live_at_t0(owner: User, course: Course, **fields: Any) -> LiveSession:
    """A one-hour session scheduled T0+10 min -> T0+70 min, started at T0."""
    with time_machine.travel(T0, tick=False):
        return make_live(owner, course, **fields)


def interval_of(user: User, session: LiveSession) -> AttendanceInterval:
    return AttendanceInterval.objects.get(participant__user=user, participant__session=session)


@pytest.mark.django_db
def test_stale_interval_closes_at_last_seen_fresh_one_stays_open(
    owner: User, member: User, course: Course, user_factory: Callable[..., User]
) -> None:
    session = live_at_t0(owner, course)
    fresh = enrolled(user_factory, course)
    services.session_join(actor=member, session=session, now=at(0))
    services.session_heartbeat(actor=member, session=session, now=at(1))
    services.session_join(actor=fresh, session=session, now=at(0))
    services.session_heartbeat(actor=fresh, session=session, now=at(4))

    with time_machine.travel(at(5), tick=False):
        assert tasks.close_stale_attendance() == 1

    stale = interval_of(member, session)
    assert stale.left_at == at(1) and stale.last_seen_at == at(1)
    participant = Participant.objects.get(session=session, user=member)
    assert participant.attendance_seconds == 60 and participant.is_present is False
    open_one = interval_of(fresh, session)
    assert open_one.left_at is None
    assert Participant.objects.get(session=session, user=fresh).is_present is True


@pytest.mark.django_db
def test_stale_sweep_twice_changes_nothing_the_second_time(
    owner: User, member: User, course: Course
) -> None:
    session = live_at_t0(owner, course)
    services.session_join(actor=member, session=session, now=at(0))
    services.session_heartbeat(actor=member, session=session, now=at(3))
    assert services.attendance_close_stale(now=at(6)) == 1
    before = list(AttendanceInterval.objects.values().order_by("id"))
    seconds = Participant.objects.get(session=session, user=member).attendance_seconds

    assert services.attendance_close_stale(now=at(6)) == 0
    assert services.attendance_close_stale(now=at(30)) == 0

    assert list(AttendanceInterval.objects.values().order_by("id")) == before
    assert Participant.objects.get(session=session, user=member).attendance_seconds == seconds
    assert seconds == 180


@pytest.mark.django_db
def test_exactly_two_minutes_without_heartbeat_is_not_yet_stale(
    owner: User, member: User, course: Course
) -> None:
    session = live_at_t0(owner, course)
    services.session_join(actor=member, session=session, now=at(0))
    assert services.attendance_close_stale(now=at(2)) == 0
    assert interval_of(member, session).left_at is None


@pytest.mark.django_db
def test_forgotten_session_is_auto_ended_and_its_intervals_closed(
    owner: User, member: User, course: Course, user_factory: Callable[..., User], settings: Any
) -> None:
    settings.LIVE_AUTO_END_AFTER_MINUTES = 120
    session = live_at_t0(owner, course)
    present = enrolled(user_factory, course)
    services.session_join(actor=member, session=session, now=at(0))
    services.session_heartbeat(actor=member, session=session, now=at(20))
    services.session_join(actor=present, session=session, now=at(0))
    # Scheduled end T0+70; auto-end is due after T0+190. `present` still beats.
    services.session_heartbeat(actor=present, session=session, now=at(191))

    with time_machine.travel(at(191), tick=False):
        assert tasks.auto_end_sessions() == 1

    session.refresh_from_db()
    assert session.status == LiveSessionStatus.ENDED
    assert session.actual_end_at == at(191)
    assert not AttendanceInterval.objects.filter(left_at__isnull=True).exists()
    assert interval_of(member, session).left_at == at(20)  # its last heartbeat
    assert interval_of(present, session).left_at == at(191)
    by_user = {p.user_id: p for p in Participant.objects.filter(session=session)}
    assert by_user[member.pk].attendance_seconds == 20 * 60
    assert by_user[present.pk].attendance_seconds == 191 * 60
    assert not any(p.is_present for p in by_user.values())

    assert services.sessions_auto_end(now=at(300)) == []  # a second run: nothing to do
    session.refresh_from_db()
    assert session.actual_end_at == at(191)


@pytest.mark.django_db
def test_session_within_its_allowance_is_untouched(
    owner: User, member: User, course: Course, settings: Any
) -> None:
    settings.LIVE_AUTO_END_AFTER_MINUTES = 120
    session = live_at_t0(owner, course)
    services.session_join(actor=member, session=session, now=at(0))
    services.session_heartbeat(actor=member, session=session, now=at(189))

    assert services.sessions_auto_end(now=at(189)) == []  # due after T0+190

    session.refresh_from_db()
    assert session.status == LiveSessionStatus.LIVE and session.actual_end_at is None
    assert interval_of(member, session).left_at is None


@pytest.mark.django_db
def test_scheduled_and_ended_sessions_are_never_auto_ended(
    owner: User, course: Course, settings: Any
) -> None:
    settings.LIVE_AUTO_END_AFTER_MINUTES = 120
    ended = live_at_t0(owner, course, title="Finie")
    services.session_end(actor=owner, session=ended, now=at(60))
    with time_machine.travel(T0, tick=False):
        scheduled = services.session_create(
            actor=owner,
            course=course,
            title="Jamais démarrée",
            scheduled_start_at=at(10),
            scheduled_end_at=at(70),
        )
    assert services.sessions_auto_end(now=at(600)) == []
    scheduled.refresh_from_db()
    ended.refresh_from_db()
    assert scheduled.status == LiveSessionStatus.SCHEDULED
    assert ended.actual_end_at == at(60)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_auto_end_sweeps_end_once(owner: User, member: User) -> None:
    course = build_course(owner, modules=0, with_final=False)
    course_services.enrollment_create(actor=member, course=course)
    session = live_at_t0(owner, course)
    services.session_join(actor=member, session=session, now=at(0))

    results = run_at_once([partial(services.sessions_auto_end, now=at(400)) for _ in range(2)])

    assert not any(isinstance(r, BaseException) for r in results), results
    assert sorted(len(r) for r in results) == [0, 1], results
    session.refresh_from_db()
    assert session.status == LiveSessionStatus.ENDED and session.actual_end_at == at(400)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_stale_sweeps_close_once(owner: User, member: User) -> None:
    course = build_course(owner, modules=0, with_final=False)
    course_services.enrollment_create(actor=member, course=course)
    session = live_at_t0(owner, course)
    services.session_join(actor=member, session=session, now=at(0))
    services.session_heartbeat(actor=member, session=session, now=at(1))

    results = run_at_once([partial(services.attendance_close_stale, now=at(10)) for _ in range(2)])

    assert not any(isinstance(r, BaseException) for r in results), results
    assert sorted(results) == [0, 1], results
    assert interval_of(member, session).left_at == at(1)
