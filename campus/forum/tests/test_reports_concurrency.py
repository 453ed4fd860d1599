"""Report decisions under real concurrency (issue 13): moderators deciding on the same
reported post at once, over HTTP. Exactly one decision wins and settles every report of
the post; every other moderator gets 409 `already_resolved`, never a 500 or a second
decision. Real row locks on PostgreSQL and MariaDB (SQLite's IMMEDIATE transactions
serialize the writers, so it holds there too)."""

from typing import Any

import pytest

from campus.accounts.models import Role, User
from campus.accounts.tokens import token_issue
from campus.courses.models import Course, Enrollment
from campus.forum import services
from campus.forum.models import Reply, Report, ReportStatus, Topic
from campus.forum.tests.helpers import make_reply, make_topic
from campus.live.tests.test_concurrency import run_storm
from conftest import ApiClient

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]

MODERATORS = 12
REPORTERS = 6


@pytest.fixture(autouse=True)
def unlimited(monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "POST_LIMIT", 10_000)


def client_for(user: User) -> ApiClient:
    raw, _ = token_issue(user=user)
    return ApiClient(raw)


def reported_post(owner: User, course: Course) -> tuple[Topic, Reply, list[Report]]:
    author = User.objects.create_user(email="auteur@example.test", password=None)
    Enrollment.objects.create(user=author, course=course)
    topic = make_topic(owner, course, title="Annonce")
    reply = make_reply(author, topic, "Du spam")
    reports = []
    for i in range(REPORTERS):
        reporter = User.objects.create_user(email=f"r{i}@example.test", password=None)
        Enrollment.objects.create(user=reporter, course=course)
        reports.append(services.report_create(actor=reporter, reply=reply, reason=f"Spam {i}"))
    return topic, reply, reports


@pytest.mark.parametrize("actions", [("hide",), ("hide", "dismiss", "lock")])
def test_two_moderators_at_once_one_wins(
    owner: User, course: Course, actions: tuple[str, ...]
) -> None:
    topic, reply, reports = reported_post(owner, course)
    admins = [
        User.objects.create_user(email=f"a{i}@example.test", password=None, role=Role.ADMIN)
        for i in range(MODERATORS - 1)
    ]
    moderators = [owner, *admins]
    clients = [client_for(m) for m in moderators]

    def decide(index: int) -> tuple[int, str | None]:
        report = reports[index % len(reports)]  # each clicks one of the post's reports
        action = actions[index % len(actions)]
        response = clients[index].post(f"/api/forum/reports/{report.pk}/handle", {"action": action})
        body = response.json()
        code = None if body.get("success") else body["error"]["code"]
        return response.status_code, code

    results = run_storm(
        [lambda i=i: decide(i) for i in range(MODERATORS)],  # type: ignore[misc]
        slots=MODERATORS,
    )
    assert not [r for r in results if isinstance(r, BaseException)], results
    statuses = sorted(results)
    assert statuses.count((200, None)) == 1, statuses
    assert statuses.count((409, "already_resolved")) == MODERATORS - 1, statuses
    winner = moderators[results.index((200, None))]
    settled = list(Report.objects.filter(reply=reply))
    assert all(r.status == ReportStatus.RESOLVED for r in settled)
    assert {(r.resolution, r.resolved_by_id, r.resolved_at) for r in settled} == {
        (settled[0].resolution, winner.pk, settled[0].resolved_at)
    }
    reply.refresh_from_db()
    topic.refresh_from_db()
    assert reply.is_hidden == (settled[0].resolution == "hidden")
    assert topic.is_locked == (settled[0].resolution == "locked")
