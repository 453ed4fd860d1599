"""A delivery worker process killed (SIGKILL) in the middle of a batch: the next run
sends the rest, and at most the email in flight goes twice. Run by `make test-worker`."""

import asyncio
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.utils import timezone

from campus.accounts.models import User
from campus.courses import services as course_services
from campus.courses.models import Course
from campus.live.tests.helpers import make_session
from campus.notifications import live_notices, services
from campus.notifications.models import EmailState, Kind, Notification
from campus.notifications.tests.conftest import free_port

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

MEMBERS = 8
SMTP_DELAY_SECONDS = 0.4


class SlowSink:
    """Accepts each message after a pause, so the worker is caught mid-batch."""

    def __init__(self) -> None:
        self.recipients: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(SMTP_DELAY_SECONDS)
        self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def slow_sink(settings: Any) -> Iterator[tuple[SlowSink, int]]:
    sink = SlowSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = False
    yield sink, controller.port
    controller.stop()


def _worker(port: int, var_dir: Path) -> subprocess.Popen[bytes]:
    database = connection.settings_dict["NAME"]
    assert connection.vendor == "sqlite", "the worker test runs on the SQLite test file"
    code = (
        "import django; django.setup(); "
        "from campus.notifications import services; services.deliver_pending()"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "campus.settings",
        "DEBUG": "1",
        "CAMPUS_VAR_DIR": str(var_dir),
        "DATABASE_URL": f"sqlite:///{database}",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
    }
    return subprocess.Popen(
        [sys.executable, "-c", code], env=env, cwd=Path(__file__).resolve().parents[3]
    )


def _wait_for(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def test_a_killed_worker_loses_nothing_and_duplicates_at_most_one(
    slow_sink: tuple[SlowSink, int],
    owner: User,
    course: Course,
    member: User,
    user_factory: Callable[..., User],
    tmp_path: Path,
    monkeypatch: Any,
) -> None:
    sink, port = slow_sink
    monkeypatch.setattr(services, "_queue_delivery", lambda: None)  # the worker sends
    for _ in range(MEMBERS - 1):
        course_services.enrollment_create(actor=user_factory(), course=course)
    make_session(owner, course, starts_in=timedelta(hours=3))
    Notification.objects.update(email_state=EmailState.SENT)  # the "new session" notices
    assert live_notices.reminders_sweep() == MEMBERS

    worker = _worker(port, tmp_path)
    try:
        _wait_for(lambda: len(sink.recipients) >= 3)
        worker.kill()  # SIGKILL: no clean-up, no rollback handler, mid-batch
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    reminders = Notification.objects.filter(kind=Kind.SESSION_REMINDER_24H)
    assert reminders.filter(email_state=EmailState.PENDING).exists()  # really mid-batch

    report = services.deliver_pending(now=timezone.now())
    assert report.failed == 0

    counts = Counter(sink.recipients)
    assert len(counts) == MEMBERS  # everyone got it
    assert sum(counts.values()) <= MEMBERS + 1  # at most the one in flight, twice
    assert reminders.filter(email_state=EmailState.SENT).count() == MEMBERS
