"""The reminder sweep and the session notices, with frozen time: windows, catch-up
without stale reminders, reschedule (fresh reminders for the new sequence), cancel."""

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
import time_machine

from campus.accounts.models import User
from campus.courses import services as course_services
from campus.courses.models import Course
from campus.live import services as live_services
from campus.live.models import LiveSession
from campus.live.tests.helpers import make_session
from campus.notifications import live_notices, services
from campus.notifications.invitations import session_uid
from campus.notifications.models import EmailState, Kind, Notification

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
REMINDERS = [Kind.SESSION_REMINDER_24H, Kind.SESSION_REMINDER_1H]


@pytest.fixture
def session(owner: User, course: Course, member: User) -> LiveSession:
    """Scheduled for START, created three days before."""
    created = START - timedelta(days=3)
    with time_machine.travel(created, tick=False):
        session = make_session(
            owner, course, starts_in=START - created, length=timedelta(hours=1), now=created
        )
    # Its "new session" notice went out three days ago.
    Notification.objects.update(email_state=EmailState.SENT)
    return session


def reminders_of(user: User, session: LiveSession) -> list[tuple[str, str]]:
    return list(
        Notification.objects.filter(user=user, subject_id=session.pk, kind__in=REMINDERS)
        .order_by("created_at", "id")
        .values_list("kind", "dedupe_key")
    )


def sweep_at(moment: datetime) -> int:
    with time_machine.travel(moment, tick=False):
        return live_notices.reminders_sweep()


def test_nothing_is_due_more_than_24_hours_before(session: LiveSession, member: User) -> None:
    assert sweep_at(START - timedelta(hours=24, minutes=1)) == 0
    assert reminders_of(member, session) == []


def test_the_24h_reminder_opens_at_24_hours_and_is_sent_once(
    session: LiveSession, member: User
) -> None:
    assert sweep_at(START - timedelta(hours=24)) == 1
    assert sweep_at(START - timedelta(hours=23)) == 0  # already there: not again
    assert reminders_of(member, session) == [
        (Kind.SESSION_REMINDER_24H, f"live:{session.pk}:0:{Kind.SESSION_REMINDER_24H}")
    ]


def test_the_1h_reminder_replaces_the_24h_one_in_the_last_hour(
    session: LiveSession, member: User
) -> None:
    sweep_at(START - timedelta(hours=20))
    sweep_at(START - timedelta(minutes=59))
    assert [kind for kind, _key in reminders_of(member, session)] == REMINDERS


def test_a_sweep_down_for_3_hours_catches_up_without_stale_reminders(
    session: LiveSession, member: User
) -> None:
    """Down from start-4h to start-30min: the 24 h reminder's window has closed, so only
    the 1 h reminder goes out (never "tomorrow" thirty minutes before)."""
    sweep_at(START - timedelta(minutes=30))
    assert [kind for kind, _key in reminders_of(member, session)] == [Kind.SESSION_REMINDER_1H]


def test_no_reminder_once_the_session_has_started(session: LiveSession, member: User) -> None:
    assert sweep_at(START) == 0
    assert sweep_at(START + timedelta(minutes=5)) == 0
    assert reminders_of(member, session) == []


def test_reminders_speak_the_recipients_language_and_time_zone(
    session: LiveSession, user_factory: Callable[..., User], course: Course
) -> None:
    tokyo = user_factory(language="en", timezone="Asia/Tokyo")
    course_services.enrollment_create(actor=tokyo, course=course)
    sweep_at(START - timedelta(hours=2))
    notice = Notification.objects.get(user=tokyo, kind=Kind.SESSION_REMINDER_24H)
    assert notice.title.startswith("Tomorrow")
    assert "10 March 2026 at 18:00" in notice.body  # 09:00 UTC in Tokyo
    french = Notification.objects.exclude(user=tokyo).get(kind=Kind.SESSION_REMINDER_24H)
    assert french.title.startswith("Demain")
    assert "10 mars 2026 à 10:00" in french.body  # 09:00 UTC in Porto-Novo


def test_inactive_members_and_unenrolled_students_get_nothing(
    session: LiveSession, member: User, course: Course, user_factory: Callable[..., User]
) -> None:
    left = user_factory()
    course_services.enrollment_create(actor=left, course=course)
    course_services.enrollment_deactivate(actor=left, course=course)
    blocked = user_factory()
    course_services.enrollment_create(actor=blocked, course=course)
    User.objects.filter(pk=blocked.pk).update(is_active=False)
    sweep_at(START - timedelta(hours=2))
    recipients = set(
        Notification.objects.filter(kind=Kind.SESSION_REMINDER_24H).values_list(
            "user_id", flat=True
        )
    )
    assert recipients == {member.pk}


def test_reschedule_makes_fresh_reminders_and_stops_the_old_ones(
    session: LiveSession, member: User, owner: User
) -> None:
    sweep_at(START - timedelta(hours=3))  # the 24 h reminder for the old time
    old = Notification.objects.get(user=member, kind=Kind.SESSION_REMINDER_24H)
    assert old.email_state == EmailState.PENDING

    new_start = START + timedelta(days=1)
    with time_machine.travel(START - timedelta(hours=2, minutes=30), tick=False):
        session = live_services.session_update(
            actor=owner,
            session=session,
            scheduled_start_at=new_start,
            scheduled_end_at=new_start + timedelta(hours=1),
        )
        live_notices.session_rescheduled(session, old_start=START)
    assert session.sequence == 1
    old.refresh_from_db()
    assert old.email_state == EmailState.SKIPPED  # its email would announce the old time

    assert sweep_at(START - timedelta(hours=1)) == 0  # the old time means nothing now
    sweep_at(new_start - timedelta(hours=23))
    keys = [key for _kind, key in reminders_of(member, session)]
    assert keys == [
        f"live:{session.pk}:0:{Kind.SESSION_REMINDER_24H}",
        f"live:{session.pk}:1:{Kind.SESSION_REMINDER_24H}",
    ]
    rescheduled = Notification.objects.get(user=member, kind=Kind.SESSION_RESCHEDULED)
    assert "10:00" in rescheduled.body and "11 mars" in rescheduled.body


def test_cancel_stops_pending_reminders_and_the_sweep(
    session: LiveSession, member: User, owner: User
) -> None:
    sweep_at(START - timedelta(hours=5))
    with time_machine.travel(START - timedelta(hours=4), tick=False):
        session = live_services.session_cancel(actor=owner, session=session, reason="Grève")
        live_notices.session_cancelled(session)
    reminder = Notification.objects.get(user=member, kind=Kind.SESSION_REMINDER_24H)
    assert reminder.email_state == EmailState.SKIPPED
    assert sweep_at(START - timedelta(minutes=30)) == 0
    cancelled = Notification.objects.get(user=member, kind=Kind.SESSION_CANCELLED)
    assert "Grève" in cancelled.body
    assert cancelled.email_state == EmailState.PENDING


def test_preferences_decide_inbox_and_email(session: LiveSession, member: User) -> None:
    services.preferences_update(
        actor=member,
        choices={
            Kind.SESSION_REMINDER_24H: {"in_app": True, "email": False},
            Kind.SESSION_REMINDER_1H: {"in_app": False, "email": False},
        },
    )
    sweep_at(START - timedelta(hours=3))
    sweep_at(START - timedelta(minutes=30))
    day_before = Notification.objects.get(user=member, kind=Kind.SESSION_REMINDER_24H)
    assert (day_before.in_app, day_before.email_state) == (True, EmailState.SKIPPED)
    last_hour = Notification.objects.get(user=member, kind=Kind.SESSION_REMINDER_1H)
    # Recorded (so no later sweep redoes it) but neither shown nor mailed.
    assert (last_hour.in_app, last_hour.email_state) == (False, EmailState.SKIPPED)
    assert sweep_at(START - timedelta(minutes=20)) == 0


def test_preferences_refuse_an_unknown_kind(member: User) -> None:
    from campus.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        services.preferences_update(actor=member, choices={"nope": {"email": False}})


def test_the_sweep_covers_many_sessions_with_a_query_count_independent_of_members(
    owner: User, course: Course, user_factory: Callable[..., User], django_assert_num_queries: Any
) -> None:
    created = START - timedelta(days=3)
    with time_machine.travel(created, tick=False):
        for _ in range(3):
            make_session(owner, course, starts_in=START - created, now=created)
    for _ in range(30):
        course_services.enrollment_create(actor=user_factory(), course=course)
    # 2 windows x 1 query, then per due session: preferences + recipients + insert
    with (
        time_machine.travel(START - timedelta(hours=2), tick=False),
        django_assert_num_queries(2 + 3 * 3),
    ):
        assert live_notices.reminders_sweep() == 3 * 30


# --- Notices from the live services -----------------------------------------------------


def test_scheduling_a_session_tells_the_members(
    owner: User, course: Course, member: User, outsider: User
) -> None:
    session = make_session(owner, course, title="Révisions")
    notice = Notification.objects.get(kind=Kind.SESSION_SCHEDULED)
    assert notice.user == member
    assert notice.title == "Nouvelle session : Révisions"
    assert notice.url == f"/courses/{course.slug}/live-sessions/{session.pk}"
    assert notice.data["event"]["uid"].startswith(f"live-session-{session.pk}@")


def test_starting_tells_the_members_and_stops_pending_reminders(
    session: LiveSession, member: User, owner: User
) -> None:
    sweep_at(START - timedelta(minutes=40))
    with time_machine.travel(START - timedelta(minutes=10), tick=False):
        live_services.session_start(actor=owner, session=session)
    started = Notification.objects.get(user=member, kind=Kind.SESSION_STARTED)
    assert started.title == "En direct : Séance 1"
    reminder = Notification.objects.get(user=member, kind=Kind.SESSION_REMINDER_1H)
    assert reminder.email_state == EmailState.SKIPPED


def test_a_new_series_is_one_notice_with_every_occurrence(
    owner: User, course: Course, member: User
) -> None:
    with time_machine.travel(START - timedelta(days=1), tick=False):
        _series, sessions = live_services.series_create(
            actor=owner,
            course=course,
            title="Atelier",
            days_of_week=[1, 3],
            start_time=time(18, 0),
            starts_on=START.date(),
            duration_minutes=60,
            count=4,
        )
    notice = Notification.objects.get(user=member, kind=Kind.SESSION_SCHEDULED)
    assert notice.title == "Nouvelle série de sessions : Atelier"
    assert "4 sessions" in notice.body
    assert [e["uid"] for e in notice.data["events"]] == [session_uid(s) for s in sessions]


def test_moving_a_session_tells_the_members_once_per_change(
    session: LiveSession, member: User, owner: User
) -> None:
    later = START + timedelta(hours=3)
    with time_machine.travel(START - timedelta(days=2), tick=False):
        session = live_services.session_update(
            actor=owner,
            session=session,
            scheduled_start_at=later,
            scheduled_end_at=later + timedelta(hours=1),
        )
        live_services.session_update(actor=owner, session=session, title="Séance 1 bis")
    assert Notification.objects.filter(user=member, kind=Kind.SESSION_RESCHEDULED).count() == 1


def test_deleting_a_scheduled_session_cancels_it_in_calendars(
    session: LiveSession, member: User, owner: User
) -> None:
    with time_machine.travel(START - timedelta(days=2), tick=False):
        live_services.session_delete(actor=owner, session=session)
    notice = Notification.objects.get(user=member, kind=Kind.SESSION_CANCELLED)
    assert notice.data["event"]["sequence"] == 1
    assert notice.email_state == EmailState.PENDING
