"""Email delivery over a real SMTP exchange (aiosmtpd): the iCalendar parts, retries
when the server is down, and a worker killed mid-batch."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.core.mail import EmailMultiAlternatives
from icalendar import Calendar

from campus.accounts.models import User
from campus.courses import services as course_services
from campus.courses.models import Course
from campus.live import services as live_services
from campus.live.models import LiveSession
from campus.live.tests.helpers import make_session
from campus.notifications import live_notices, services
from campus.notifications.invitations import session_uid
from campus.notifications.models import EmailState, Kind, Notification
from campus.notifications.tests.conftest import Inbox, text_of

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
CREATED = START - timedelta(days=3)


@pytest.fixture
def session(owner: User, course: Course, member: User) -> LiveSession:
    with time_machine.travel(CREATED, tick=False):
        session = make_session(owner, course, starts_in=START - CREATED, now=CREATED)
    # Its "new session" notice went out three days ago.
    Notification.objects.update(email_state=EmailState.SENT)
    return session


def deliver_at(moment: datetime) -> services.DeliveryReport:
    with time_machine.travel(moment, tick=False):
        return services.deliver_pending()


def calendar_of(message: EmailMessage) -> Calendar:
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, [p.get_content_type() for p in message.walk()]
    payload = parts[0].get_payload(decode=True)
    assert isinstance(payload, bytes)
    return Calendar.from_ical(payload)


def event_of(calendar: Calendar) -> Any:
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def test_a_reminder_arrives_with_a_request_invitation(
    smtp_server: Inbox, session: LiveSession, member: User
) -> None:
    with time_machine.travel(START - timedelta(hours=3), tick=False):
        live_notices.reminders_sweep()
    report = deliver_at(START - timedelta(hours=3))
    assert report.sent == 1

    [message] = smtp_server.to(member.email)
    assert message["Subject"] == "Demain : Séance 1"
    calendar = calendar_of(message)
    assert str(calendar["METHOD"]) == "REQUEST"
    event = event_of(calendar)
    assert str(event["UID"]) == session_uid(session)
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == START
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["ATTENDEE"]) == f"mailto:{member.email}"
    assert "/notifications/preferences" in text_of(message)  # every email links to the choices
    notice = Notification.objects.get(user=member, kind=Kind.SESSION_REMINDER_24H)
    assert notice.email_state == EmailState.SENT and notice.email_attempts == 1


def test_reschedule_and_cancel_update_the_same_calendar_event(
    smtp_server: Inbox, session: LiveSession, member: User, owner: User
) -> None:
    moment = START - timedelta(days=2)
    new_start = START + timedelta(hours=2)
    with time_machine.travel(moment, tick=False):
        session = live_services.session_update(
            actor=owner,
            session=session,
            scheduled_start_at=new_start,
            scheduled_end_at=new_start + timedelta(hours=1),
        )
        live_notices.session_rescheduled(session, old_start=START)
    deliver_at(moment)
    with time_machine.travel(moment + timedelta(hours=1), tick=False):
        session = live_services.session_cancel(actor=owner, session=session, reason="Grève")
        live_notices.session_cancelled(session)
    deliver_at(moment + timedelta(hours=1))

    rescheduled, cancelled = smtp_server.to(member.email)
    request = calendar_of(rescheduled)
    cancel = calendar_of(cancelled)
    assert str(request["METHOD"]) == "REQUEST"
    assert str(cancel["METHOD"]) == "CANCEL"
    assert str(event_of(request)["UID"]) == str(event_of(cancel)["UID"]) == session_uid(session)
    assert int(event_of(request)["SEQUENCE"]) == 1
    assert int(event_of(cancel)["SEQUENCE"]) >= 1
    assert event_of(request).decoded("DTSTART") == new_start
    assert str(event_of(cancel)["STATUS"]) == "CANCELLED"


def test_email_is_in_the_recipients_language(
    smtp_server: Inbox, session: LiveSession, course: Course, user_factory: Callable[..., User]
) -> None:
    english = user_factory(language="en", first_name="Ada")
    course_services.enrollment_create(actor=english, course=course)
    with time_machine.travel(START - timedelta(hours=3), tick=False):
        live_notices.reminders_sweep()
    deliver_at(START - timedelta(hours=3))
    [message] = smtp_server.to(english.email)
    assert "Hello Ada" in text_of(message)


def test_smtp_down_retries_later_and_loses_nothing(
    smtp_down: None, session: LiveSession, member: User, settings: Any
) -> None:
    with time_machine.travel(START - timedelta(hours=3), tick=False):
        live_notices.reminders_sweep()
    moment = START - timedelta(hours=3)
    report = deliver_at(moment)
    assert report.retried == 1 and report.sent == 0
    notice = Notification.objects.get(user=member, kind=Kind.SESSION_REMINDER_24H)
    assert notice.email_state == EmailState.PENDING
    assert notice.email_attempts == 1
    assert notice.email_next_attempt_at == moment + services.retry_delay(1)
    assert "Connection" in notice.email_last_error or "refused" in notice.email_last_error

    # Not due yet: nothing tried.
    assert deliver_at(moment + timedelta(seconds=30)).handled == 0


def test_smtp_back_up_delivers_what_was_waiting(
    smtp_down: None, session: LiveSession, member: User, settings: Any, request: Any
) -> None:
    with time_machine.travel(START - timedelta(hours=3), tick=False):
        live_notices.reminders_sweep()
    deliver_at(START - timedelta(hours=3))
    inbox = request.getfixturevalue("smtp_server")  # the server comes back
    report = deliver_at(START - timedelta(hours=2))
    assert report.sent == 1
    assert len(inbox.to(member.email)) == 1
    assert (
        Notification.objects.get(user=member, kind=Kind.SESSION_REMINDER_24H).email_state
        == EmailState.SENT
    )


def test_after_the_last_attempt_the_email_is_failed_and_stays_visible(
    smtp_down: None, session: LiveSession, member: User
) -> None:
    with time_machine.travel(START - timedelta(hours=3), tick=False):
        live_notices.reminders_sweep()
    moment = START - timedelta(hours=3)
    for _ in range(services.MAX_ATTEMPTS):
        deliver_at(moment)
        moment += timedelta(hours=3)
    notice = Notification.objects.get(user=member, kind=Kind.SESSION_REMINDER_24H)
    assert notice.email_state == EmailState.FAILED
    assert notice.email_attempts == services.MAX_ATTEMPTS
    assert deliver_at(moment + timedelta(days=1)).handled == 0
    # The inbox copy is untouched.
    assert notice.in_app and notice.read_at is None


def test_a_worker_killed_mid_batch_resumes_without_duplicates(
    smtp_server: Inbox, session: LiveSession, course: Course, user_factory: Callable[..., User]
) -> None:
    """Killed right after the SMTP server accepted the 3rd email, before that row was
    marked sent: the next run resends that one email only."""
    for _ in range(5):
        course_services.enrollment_create(actor=user_factory(), course=course)
    with time_machine.travel(START - timedelta(hours=3), tick=False):
        live_notices.reminders_sweep()
    real_send = EmailMultiAlternatives.send
    calls = {"n": 0}

    def send_then_die(self: EmailMultiAlternatives, fail_silently: bool = False) -> int:
        sent = real_send(self, fail_silently)
        calls["n"] += 1
        if calls["n"] == 3:
            raise SystemExit("worker killed")
        return sent

    with (
        mock.patch.object(EmailMultiAlternatives, "send", send_then_die),
        pytest.raises(SystemExit),
    ):
        deliver_at(START - timedelta(hours=3))
    assert len(smtp_server.messages) == 3
    reminders = Notification.objects.filter(kind=Kind.SESSION_REMINDER_24H)
    assert reminders.filter(email_state=EmailState.SENT).count() == 2

    deliver_at(START - timedelta(hours=3))
    recipients = [m["To"] for m in smtp_server.messages]
    assert len(recipients) == 6 + 1  # 6 members, the one in flight twice
    assert len(set(recipients)) == 6
    assert reminders.filter(email_state=EmailState.SENT).count() == 6


def test_an_inactive_user_is_skipped(
    smtp_server: Inbox, session: LiveSession, member: User
) -> None:
    with time_machine.travel(START - timedelta(hours=3), tick=False):
        live_notices.reminders_sweep()
    User.objects.filter(pk=member.pk).update(is_active=False)
    report = deliver_at(START - timedelta(hours=3))
    assert report.skipped == 1 and smtp_server.messages == []
    assert (
        Notification.objects.get(user=member, kind=Kind.SESSION_REMINDER_24H).email_state
        == EmailState.SKIPPED
    )


def test_the_owner_message_has_no_invitation(
    smtp_server: Inbox, session: LiveSession, member: User, owner: User
) -> None:
    live_notices.session_message(session, sender=owner, title="Support", message="Lisez le ch. 2")
    services.deliver_pending()
    [message] = smtp_server.to(member.email)
    assert message["Subject"] == f"{session.course.title} — Support"
    assert "Lisez le ch. 2" in text_of(message)
    assert not [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert Notification.objects.filter(user=member, kind=Kind.SESSION_MESSAGE).count() == 1


def test_a_batch_uses_one_smtp_connection(
    smtp_server: Inbox, session: LiveSession, course: Course, user_factory: Callable[..., User]
) -> None:
    for _ in range(4):
        course_services.enrollment_create(actor=user_factory(), course=course)
    with time_machine.travel(START - timedelta(hours=3), tick=False):
        live_notices.reminders_sweep()
    assert deliver_at(START - timedelta(hours=3)).sent == 5
    assert len(smtp_server.messages) == 5
    assert smtp_server.connections == 1
