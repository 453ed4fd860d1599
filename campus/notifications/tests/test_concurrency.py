"""Sweeps and deliveries racing on real threads (PostgreSQL and MariaDB in CI; SQLite
serializes writers): each notice is created once, each email sent once."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from campus.accounts.models import User
from campus.courses import services as course_services
from campus.courses.tests.test_concurrency import run_at_once
from campus.live.tests.helpers import make_session
from campus.notifications import live_notices, services
from campus.notifications.models import EmailState, Kind, Notification
from campus.notifications.tests.conftest import Inbox
from conftest import build_course

pytestmark = pytest.mark.django_db(transaction=True)

START = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
MEMBERS = 40


@pytest.fixture
def crowded_sessions(owner: User, user_factory: Callable[..., User]) -> list[Any]:
    course = build_course(owner, modules=0, with_final=False)
    for _ in range(MEMBERS):
        course_services.enrollment_create(actor=user_factory(), course=course)
    created = START - timedelta(days=3)
    with time_machine.travel(created, tick=False):
        return [
            make_session(owner, course, title=f"S{n}", starts_in=START - created, now=created)
            for n in range(3)
        ]


def test_four_sweeps_at_once_create_each_reminder_exactly_once(
    crowded_sessions: list[Any],
) -> None:
    def sweep() -> int:
        with time_machine.travel(START - timedelta(hours=2), tick=False):
            return live_notices.reminders_sweep()

    results = run_at_once([sweep] * 4)
    assert not [r for r in results if isinstance(r, BaseException)], results
    reminders = Notification.objects.filter(kind=Kind.SESSION_REMINDER_24H)
    assert reminders.count() == 3 * MEMBERS
    assert reminders.values("user_id", "dedupe_key").distinct().count() == 3 * MEMBERS


def test_three_delivery_workers_send_each_email_once(
    crowded_sessions: list[Any], smtp_server: Inbox, monkeypatch: Any
) -> None:
    # The fan-out's own delivery task (eager in tests) would send everything at once;
    # here the emails wait for the three workers below.
    monkeypatch.setattr(services, "_queue_delivery", lambda: None)
    Notification.objects.update(email_state=EmailState.SENT)  # the "new session" notices
    with time_machine.travel(START - timedelta(hours=2), tick=False):
        live_notices.reminders_sweep()
    pending = Notification.objects.filter(email_state=EmailState.PENDING)
    assert pending.count() == 3 * MEMBERS

    def worker() -> int:
        with time_machine.travel(START - timedelta(hours=2), tick=False):
            handled = 0
            while (report := services.deliver_pending(batch=25)).handled:
                handled += report.handled
            return handled

    results = run_at_once([worker] * 3)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sum(results) == 3 * MEMBERS
    recipients = [m["To"] for m in smtp_server.messages]
    assert len(recipients) == 3 * MEMBERS
    reminders = Notification.objects.filter(kind=Kind.SESSION_REMINDER_24H)
    assert reminders.filter(email_state=EmailState.SENT).count() == 3 * MEMBERS


def test_two_delivery_tasks_at_once_drain_the_outbox(
    crowded_sessions: list[Any], smtp_server: Inbox, monkeypatch: Any
) -> None:
    """Found by the scale-out bench: two `deliver_emails` tasks listed the same batch,
    each sent part of it, each saw less than a batch handled and stopped, and the rest
    waited for the next beat tick. Both now go on while their list was full."""
    from campus.notifications import tasks

    monkeypatch.setattr(services, "_queue_delivery", lambda: None)
    monkeypatch.setattr(services, "DELIVERY_BATCH", 10)
    Notification.objects.update(email_state=EmailState.SENT)
    with time_machine.travel(START - timedelta(hours=2), tick=False):
        live_notices.reminders_sweep()
    assert Notification.objects.filter(email_state=EmailState.PENDING).count() == 3 * MEMBERS

    def task() -> int:
        with time_machine.travel(START - timedelta(hours=2), tick=False):
            return int(tasks.deliver_emails())

    results = run_at_once([task] * 2)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert Notification.objects.filter(email_state=EmailState.PENDING).count() == 0
    assert sum(results) == 3 * MEMBERS
    assert len(smtp_server.messages) == 3 * MEMBERS
