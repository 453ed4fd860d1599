"""Schemathesis over the whole API (`make test-apifuzz`, marker `apifuzz`).

Every operation of the OpenAPI document is called with generated requests (valid ones
and, in negative mode, invalid ones), as a demo student and as a demo instructor, on the
demo campus. Each response must not be a 5xx, must carry a documented status code and
content type, and its body must match the documented schema.

In-process (Django's WSGI handler, no server), derandomized and bounded so CI does not
flake and stays within a few minutes. Path parameters are mostly swapped for ids that
exist in the demo (see `RealIds`), otherwise every call would end in a 404.
"""

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import HealthCheck, settings

from campus.accounts.models import Role, User
from campus.accounts.tokens import token_issue
from campus.certificates.models import Certificate
from campus.core.tests.openapi_check import (
    CHECKS,
    api_schema,
    request_headers,
    requests_keep_the_test_connection,
)
from campus.courses.management.commands.demo import build_demo
from campus.courses.models import Course, Enrollment, Lesson, Quiz
from campus.forum.models import Forum, Reply, Report, Topic
from campus.live import services as live_services
from campus.live.models import ChatMessage, LiveSession, SessionSeries
from campus.notifications.models import Notification
from campus.ratings.models import CourseRating

# django_db: pytest-django creates the test database only for tests that declare it.
pytestmark = [pytest.mark.apifuzz, pytest.mark.django_db]

# Generated examples per operation and actor (valid and invalid), on top of schemathesis'
# deterministic coverage cases: about 40 requests per operation in all. The whole run (108
# operations x 2 actors, about 10,400 requests) takes under 3 minutes on the 2-core machine.
MAX_EXAMPLES = 20


@dataclass
class Actor:
    role: str
    user: User
    token: str
    real_ids: "RealIds"


@pytest.fixture(scope="module")
def demo_campus(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The demo, committed once for the whole module; each test then runs inside a
    transaction rolled back at its end, so what one operation's calls change (a course
    deleted, a token revoked) does not leak into the next operation."""
    with django_db_blocker.unblock():
        build_demo()
        _add_a_weekly_series()
        yield
        call_command("flush", "--noinput", verbosity=0)


def _add_a_weekly_series() -> None:
    """The demo has no weekly series: one on the live course, so that the series
    operations reach something besides a 404."""
    course = LiveSession.objects.order_by("pk").first().course  # type: ignore[union-attr]
    live_services.series_create(
        actor=course.instructor,
        course=course,
        title="Atelier du jeudi",
        days_of_week=[3],
        start_time=time(18, 0),
        starts_on=timezone.localdate() + timedelta(days=7),
        duration_minutes=60,
        count=4,
    )


@pytest.fixture(scope="module")
def _requests_keep_the_test_connection() -> Iterator[None]:
    with requests_keep_the_test_connection():
        yield


# One test per operation (collected from the document); see openapi_check.api_schema.
schema = api_schema()


class RealIds:
    """Ids that exist in the demo, per path parameter name, as the actor can see them
    (and a few body and query fields, see `body_values` and `query_values`).

    Three requests out of four get real ids (see `apply`); the fourth is sent as
    generated and exercises the 404 path. Pairs of parameters (a rating in its course, a
    chat message in its session) are kept consistent."""

    def __init__(self, user: User) -> None:
        own_enrollments = Enrollment.objects.filter(user=user)
        if not own_enrollments.exists():  # an instructor: the enrollments in their courses
            own_enrollments = Enrollment.objects.filter(course__instructor=user)
        self.pools: dict[str, list[Any]] = {
            "course_id": _ids(Course.objects),
            "lesson_id": _ids(Lesson.objects),
            "quiz_id": _ids(Quiz.objects),
            "session_id": _ids(LiveSession.objects),
            "series_id": _ids(SessionSeries.objects),
            "notification_id": _ids(Notification.objects.filter(user=user)),
            "enrollment_id": _ids(own_enrollments),
            "certificate_id": _ids(Certificate.objects),
            "code": list(Certificate.objects.order_by("pk").values_list("code", flat=True)),
            "forum_id": _ids(Forum.objects),
            "topic_id": _ids(Topic.objects),
            "reply_id": _ids(Reply.objects),
            "report_id": _ids(Report.objects),
        }
        self.requests = 0
        self.ratings = list(CourseRating.objects.order_by("pk").values_list("pk", "course_id"))
        self.messages = list(ChatMessage.objects.order_by("pk").values_list("pk", "session_id"))
        # Body fields that random data almost never gets right (dates in the future and
        # in order, ids of rows the actor may use): real values, so creates can succeed.
        start = timezone.now() + timedelta(days=2)
        today = timezone.localdate()
        self.body_values: dict[str, list[Any]] = {
            "scheduled_start_at": [start.isoformat()],
            "scheduled_end_at": [(start + timedelta(hours=1)).isoformat()],
            "starts_on": [(today + timedelta(days=7)).isoformat()],
            "until": [(today + timedelta(days=35)).isoformat()],
            "enrollment_deadline": [(start + timedelta(days=7)).isoformat()],
            "course_start_date": [(today + timedelta(days=14)).isoformat()],
            "course_end_date": [(today + timedelta(days=60)).isoformat()],
            "course_id": self.pools["course_id"],
            "enrollment_id": self.pools["enrollment_id"],
            "parent_reply_id": self.pools["reply_id"],
        }
        # Query windows (calendars): a month around now, in order.
        self.query_values: dict[str, list[Any]] = {
            "start": [(start - timedelta(days=3)).isoformat()],
            "end": [(start + timedelta(days=30)).isoformat()],
        }

    def apply(self, case: Any) -> None:
        """Swap path parameters, body and query fields for real values, except on one
        request in four (sent as generated: the 404 path). Counted per request, not
        drawn, so the run stays deterministic."""
        self.requests += 1
        if self.requests % 4 == 0:
            return
        if case.path_parameters:
            self._apply_to_path(case.path_parameters)
        if isinstance(case.body, dict):
            self._replace(case.body, self.body_values)
        if case.query:
            self._replace(case.query, self.query_values)

    def _apply_to_path(self, params: dict[str, Any]) -> None:
        for name, value in list(params.items()):
            pool = self.pools.get(name)
            if pool and _same_kind(value, pool[0]):
                params[name] = pool[self.requests % len(pool)]
        self._pair(params, "rating_id", "course_id", self.ratings)
        self._pair(params, "message_id", "session_id", self.messages)

    def _replace(self, fields: dict[str, Any], real: dict[str, list[Any]]) -> None:
        for name, value in list(fields.items()):
            values = real.get(name)
            if values and _same_kind(value, values[0]):
                fields[name] = values[self.requests % len(values)]

    def _pair(self, params: dict[str, Any], child: str, parent: str, rows: list[Any]) -> None:
        if rows and _same_kind(params.get(child), 0):
            params[child], params[parent] = rows[self.requests % len(rows)]


def _ids(queryset: Any) -> list[int]:
    return list(queryset.order_by("pk").values_list("pk", flat=True))


def _same_kind(value: Any, real: Any) -> bool:
    """A generated value that stands for the same kind of thing as `real`: an integer
    (or the digits schemathesis' coverage phase sends for one) for an id, a string for a
    string. Negative mode's wrong types ("AAA" for an id, null) are sent as generated."""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(real, int):
        return isinstance(value, int) or (isinstance(value, str) and value.isdigit())
    return isinstance(value, type(real))


def _demo_actor(role: str) -> Actor:
    """The instructor of the course with live sessions; a student enrolled in it who also
    has a certificate, so that every part of the API has something to show them."""
    live_course = LiveSession.objects.order_by("pk").first().course  # type: ignore[union-attr]
    if role == Role.INSTRUCTOR:
        user = live_course.instructor
    else:
        user = (
            User.objects.filter(
                role=Role.STUDENT,
                enrollments__course=live_course,
                pk__in=Certificate.objects.values("user"),
            )
            .order_by("pk")
            .first()
        )
    assert user is not None
    raw, _token = token_issue(user=user)
    return Actor(role=role, user=user, token=raw, real_ids=RealIds(user))


# Function-scoped: built once per operation (not per example), inside its transaction.
@pytest.fixture
def student(db: None, demo_campus: None, _requests_keep_the_test_connection: None) -> Actor:
    return _demo_actor(Role.STUDENT)


@pytest.fixture
def instructor(db: None, demo_campus: None, _requests_keep_the_test_connection: None) -> Actor:
    return _demo_actor(Role.INSTRUCTOR)


# role -> operation -> status codes received: the coverage summary printed at the end.
STATUSES: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))


def _fuzz_operation(case: Any, actor: Actor) -> None:
    actor.real_ids.apply(case)
    response = case.call(headers=request_headers(actor.token))
    STATUSES[actor.role][case.operation.label].append(response.status_code)
    case.validate_response(response, checks=CHECKS)


@pytest.fixture(scope="module", autouse=True)
def _coverage_summary(request: Any) -> Iterator[None]:
    """How many operations answered at least one 2xx: without real ids or rights, a run
    can pass while only ever seeing 404s and 403s."""
    yield
    lines = []
    anyone: dict[str, bool] = {}
    for role, operations in STATUSES.items():
        cases = sum(len(codes) for codes in operations.values())
        succeeded = {op for op, codes in operations.items() if any(c < 300 for c in codes)}
        for operation in operations:
            anyone[operation] = anyone.get(operation, False) or operation in succeeded
        lines.append(
            f"apifuzz {role}: {len(operations)} operations, {cases} requests, "
            f"{len(succeeded)} operations answered a 2xx"
        )
    never = sorted(operation for operation, ok in anyone.items() if not ok)
    lines.append(f"apifuzz: no 2xx for either actor ({len(never)}): {', '.join(never)}")
    # Teardown output is captured (and shown only on failure): write past the capture.
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        for line in lines:
            reporter.write_line(line)


def _bounded(test: Callable[..., None]) -> Callable[..., None]:
    return settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )(test)


@schema.parametrize()
@_bounded
def test_api_as_student(case: Any, student: Actor) -> None:
    _fuzz_operation(case, student)


@schema.parametrize()
@_bounded
def test_api_as_instructor(case: Any, instructor: Actor) -> None:
    _fuzz_operation(case, instructor)
