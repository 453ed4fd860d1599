"""A weekly series edited and cancelled as a whole, under real concurrency over HTTP
(issue 13). Every whole-series write locks the series row, then its future occurrences in
start order: two cancels at once make one cancellation (one notice per student), the
other gets 409 series_no_future; a cancel racing an edit leaves one coherent outcome,
never a half-edited, half-cancelled series. Real row locks on PostgreSQL and MariaDB
(SQLite's IMMEDIATE transactions serialize the writers, so it holds there too)."""

from collections import Counter
from datetime import time, timedelta
from functools import partial

import pytest
from django.utils import timezone

from campus.accounts.models import User
from campus.courses import services as course_services
from campus.courses.tests.test_concurrency import client_for, outcome, run_at_once, students
from campus.live import services
from campus.live.models import LiveSession, LiveSessionStatus, SessionSeries
from campus.notifications.models import Kind, Notification
from conftest import build_course

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]

OCCURRENCES = 8
STUDENTS = 3


def weekly(owner: User) -> SessionSeries:
    course = build_course(owner, modules=0, with_final=False)
    for student in students(STUDENTS):
        course_services.enrollment_create(actor=student, course=course)
    record, _ = services.series_create(
        actor=owner,
        course=course,
        title="Atelier",
        days_of_week=[1],
        start_time=time(18, 0),
        timezone_name="Europe/Paris",
        starts_on=(timezone.now() + timedelta(days=2)).date(),
        duration_minutes=60,
        count=OCCURRENCES,
    )
    return record


def test_two_cancels_at_once_one_wins(owner: User, admin_user: User) -> None:
    record = weekly(owner)
    clients = [client_for(owner), client_for(admin_user), client_for(owner), client_for(owner)]
    path = f"/api/live-series/{record.pk}/cancel"

    responses = run_at_once([partial(c.post, path, {"reason": "Grève"}) for c in clients])

    outcomes = Counter(outcome(r) for r in responses)
    assert outcomes == {(200, None): 1, (409, "series_no_future"): 3}, outcomes
    sessions = LiveSession.objects.filter(series=record)
    assert {(s.status, s.sequence) for s in sessions} == {(LiveSessionStatus.CANCELLED, 1)}
    cancelled = Notification.objects.filter(kind=Kind.SERIES_CANCELLED)
    assert cancelled.count() == STUDENTS  # one notice per student, once
    assert not Notification.objects.filter(kind=Kind.SESSION_CANCELLED).exists()


def test_cancel_racing_an_edit_leaves_one_coherent_outcome(owner: User) -> None:
    record = weekly(owner)
    client = client_for(owner)
    base = f"/api/live-series/{record.pk}"

    edit, cancel = run_at_once(
        [
            partial(client_for(owner).patch, base, {"start_time": "19:00", "title": "Déplacé"}),
            partial(client.post, base + "/cancel", {"reason": "Annulé"}),
        ]
    )

    assert outcome(cancel) == (200, None)  # nothing can stop a cancel of a future series
    sessions = list(LiveSession.objects.filter(series=record))
    assert {s.status for s in sessions} == {LiveSessionStatus.CANCELLED}
    if outcome(edit) == (200, None):
        # The edit went first: every occurrence moved (seq 1), then all cancelled (seq 2).
        assert {(s.title, s.sequence) for s in sessions} == {("Déplacé", 2)}
        assert Notification.objects.filter(kind=Kind.SERIES_RESCHEDULED).count() == STUDENTS
    else:
        # The cancel went first: the edit found nothing ahead and wrote nothing.
        assert outcome(edit) == (409, "series_no_future")
        assert {(s.title, s.sequence) for s in sessions} == {("Atelier", 1)}
        assert not Notification.objects.filter(kind=Kind.SERIES_RESCHEDULED).exists()
    assert Notification.objects.filter(kind=Kind.SERIES_CANCELLED).count() == STUDENTS
