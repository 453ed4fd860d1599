"""Two (or more) certificate requests at once give one certificate, never a 500: real
threads over HTTP, on whatever database the suite runs on (SQLite, PostgreSQL, MariaDB)."""

from collections import Counter
from functools import partial

import pytest

from campus.accounts.models import Role, User
from campus.certificates.models import Certificate
from campus.certificates.tests.helpers import complete, short_course
from campus.courses.tests.test_concurrency import client_for, outcome, run_at_once
from campus.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("requests", [2, 8])
def test_concurrent_requests_give_one_certificate(owner: User, requests: int) -> None:
    student = User.objects.create_user(
        email="concurrent@example.test", password=None, role=Role.STUDENT
    )
    enrollment = complete(student, short_course(owner))
    clients = [client_for(student) for _ in range(requests)]
    path = f"/api/enrollments/{enrollment.pk}/certificate"

    responses = run_at_once([partial(c.post, path) for c in clients])

    outcomes = Counter(outcome(r) for r in responses)
    assert outcomes == {(201, None): 1, (200, None): requests - 1}, outcomes
    assert len({r.json_body["data"]["id"] for r in responses}) == 1
    assert Certificate.objects.filter(user=student).count() == 1
    assert Notification.objects.filter(user=student, kind=Kind.CERTIFICATE_ISSUED).count() == 1


@pytest.mark.parametrize("requests", [2, 6])
def test_concurrent_rate_then_certificate_gives_one_review_and_one_certificate(
    owner: User, requests: int
) -> None:
    """The review form submitted several times at once (double tap, two tabs): one
    review, one certificate, every request lands on it."""
    from django.test import Client

    from campus.ratings.models import CourseRating

    student = User.objects.create_user(
        email="double-tap@example.test", password=None, role=Role.STUDENT
    )
    enrollment = complete(student, short_course(owner))
    clients = []
    for _ in range(requests):
        client = Client()
        client.force_login(student)
        clients.append(client)
    path = f"/dashboard/student/certificates/enrollments/{enrollment.pk}/rate"
    data = {"rating": "5", "comment": "Parfait", "next": "/dashboard/student/certificates"}

    responses = run_at_once([partial(c.post, path, data) for c in clients])

    for response in responses:
        assert not isinstance(response, BaseException), repr(response)
    certificate = Certificate.objects.get(user=student)
    assert {r.status_code for r in responses} == {302}
    pk = certificate.pk
    expected = f"/dashboard/student/certificates?issued={pk}"
    assert {r["Location"] for r in responses} == {expected}
    assert CourseRating.objects.filter(enrollment=enrollment).count() == 1
    assert Notification.objects.filter(user=student, kind=Kind.CERTIFICATE_ISSUED).count() == 1
