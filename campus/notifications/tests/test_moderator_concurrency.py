"""Reports racing on real threads (PostgreSQL and MariaDB in CI; SQLite serializes
writers): each report is one notice, and the window's digest exists once, so the owner
receives one email."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail

from campus.accounts.models import User
from campus.courses import services as course_services
from campus.courses.models import Course
from campus.courses.tests.test_concurrency import run_at_once
from campus.forum import services as forum_services
from campus.forum.models import Topic
from campus.forum.tests.helpers import make_topic
from campus.notifications import digests, services
from campus.notifications.models import Kind, Notification
from conftest import build_course

pytestmark = pytest.mark.django_db(transaction=True)

T0 = datetime(2026, 3, 10, 9, 0, 5, tzinfo=UTC)
READERS = 8


def test_reports_at_once_make_one_digest_and_one_email(
    owner: User, user_factory: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(services, "_queue_delivery", lambda: None)
    course: Course = build_course(owner, modules=0, with_final=False)
    author = user_factory()
    course_services.enrollment_create(actor=author, course=course)
    topic_id = make_topic(author, course).pk
    readers = [user_factory() for _ in range(READERS)]
    for reader in readers:
        course_services.enrollment_create(actor=reader, course=course)

    def report(reader: User) -> Any:
        def call() -> int:
            topic = Topic.objects.select_related("forum__course").get(pk=topic_id)
            with time_machine.travel(T0, tick=False):
                return forum_services.report_create(actor=reader, reason="Spam", topic=topic).pk

        return call

    results = run_at_once([report(reader) for reader in readers])
    assert not [r for r in results if isinstance(r, BaseException)], results
    mine = Notification.objects.filter(user=owner, kind=Kind.FORUM_REPORT)
    assert mine.exclude(subject_type=digests.DIGEST_SUBJECT).count() == READERS
    assert mine.filter(subject_type=digests.DIGEST_SUBJECT).count() == 1

    with time_machine.travel(T0 + timedelta(minutes=11), tick=False):
        assert services.deliver_pending().sent == 1
    [message] = [m for m in mail.outbox if m.to == [owner.email]]
    assert message.subject == f"{READERS} messages signalés dans vos cours"


def test_topics_at_once_make_one_digest(owner: User, user_factory: Any, monkeypatch: Any) -> None:
    """New topics lock nothing in common: the unique dedupe key alone keeps one digest."""
    monkeypatch.setattr(services, "_queue_delivery", lambda: None)
    services.preferences_update(actor=owner, choices={Kind.FORUM_TOPIC_NEW: {"email": True}})
    course: Course = build_course(owner, modules=0, with_final=False)
    authors = [user_factory() for _ in range(READERS)]
    for author in authors:
        course_services.enrollment_create(actor=author, course=course)

    def post(author: User) -> Any:
        def call() -> int:
            with time_machine.travel(T0, tick=False):
                return make_topic(author, course, title=f"Sujet de {author.pk}").pk

        return call

    results = run_at_once([post(author) for author in authors])
    assert not [r for r in results if isinstance(r, BaseException)], results
    mine = Notification.objects.filter(user=owner, kind=Kind.FORUM_TOPIC_NEW)
    assert mine.exclude(subject_type=digests.DIGEST_SUBJECT).count() == READERS
    assert mine.filter(subject_type=digests.DIGEST_SUBJECT).count() == 1
