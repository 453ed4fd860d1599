"""Strict bodies (issue 14, item 3): a JSON body that is not an object is a 400
`body_not_object` on every API operation that takes a body, and nothing is done.

The operations are read from the OpenAPI document, so a new route is covered the day it
is added; its path parameters must be known to the `path_ids` fixture below (the test
fails otherwise).
"""

import json
import re
from datetime import time, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from campus.accounts.models import ApiToken, User
from campus.api import api
from campus.courses.models import Course, Enrollment, Lesson, Quiz
from conftest import assert_error

NOT_OBJECTS = ["42", '"x"', "[1]", "[]", "null", "true", "false", "1.5"]


def _operations_with_a_body() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return sorted(
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
    )


def _fingerprint() -> dict[str, list[str]]:
    """Every row of every table but the tokens (whose use is recorded on each call)."""
    return {
        model._meta.label: sorted(repr(row) for row in model._default_manager.values_list())
        for model in apps.get_models()
        if model is not ApiToken
    }


@pytest.fixture
def path_ids(course: Course, owner: User, member: User, user_factory: Any) -> dict[str, int]:
    """A real object behind every path parameter, so that a body that got through would
    act (cancel a session, delete a rating, revoke a certificate...)."""
    from campus.certificates import services as certificate_services
    from campus.certificates.tests.helpers import complete, short_course
    from campus.forum import services as forum_services
    from campus.forum.models import Forum
    from campus.live import services as live_services
    from campus.live.tests.helpers import make_live, make_session
    from campus.ratings import services as rating_services
    from campus.ratings.tests.helpers import graduate

    session = make_session(owner, course, title="Prévue")
    make_live(owner, course, title="En direct")
    series, _ = live_services.series_create(
        actor=owner,
        course=course,
        title="Série",
        days_of_week=[0, 3],
        start_time=time(18, 0),
        timezone_name="Africa/Porto-Novo",
        starts_on=(timezone.now() + timedelta(days=2)).date(),
        duration_minutes=60,
        count=3,
    )
    _, graduated = graduate(user_factory, course)
    rating = rating_services.rating_create(actor=graduated.user, enrollment=graduated, rating=3)
    done = complete(member, short_course(owner, title="Certificat"))
    certificate = certificate_services.certificate_issue(actor=member, enrollment=done)
    forum = Forum.objects.select_related("course", "course__instructor").get(course=course)
    topic = forum_services.topic_create(actor=owner, forum=forum, title="Sujet", content="?")
    reply = forum_services.reply_create(actor=member, topic=topic, content="Réponse")
    report = forum_services.report_create(actor=member, topic=topic, reason="Doublon")
    quiz = Quiz.objects.filter(course=course).order_by("id").first()
    assert quiz is not None
    return {
        "course_id": course.pk,
        "quiz_id": quiz.pk,
        "lesson_id": Lesson.objects.filter(course=course).order_by("id")[0].pk,
        "session_id": session.pk,
        "series_id": series.pk,
        "enrollment_id": Enrollment.objects.get(user=member, course=course).pk,
        "rating_id": rating.pk,
        "certificate_id": certificate.pk,
        "forum_id": forum.pk,
        "topic_id": topic.pk,
        "reply_id": reply.pk,
        "report_id": report.pk,
    }


def test_every_body_that_is_not_an_object_is_refused(
    path_ids: dict[str, int], admin_user: User, api: Any
) -> None:
    operations = _operations_with_a_body()
    # The walk is not empty, and covers the two routes the probe found open.
    assert len(operations) > 20
    assert ("PATCH", "/api/live-sessions/{session_id}") in operations
    assert ("POST", "/api/live-sessions/{session_id}/cancel") in operations

    client = api(admin_user)
    before = _fingerprint()
    for method, template in operations:
        names = re.findall(r"{(\w+)}", template)
        unknown = [name for name in names if name not in path_ids]
        assert not unknown, (
            f"{method} {template}: give the path_ids fixture an object for {unknown}"
        )
        path = template.format(**{name: path_ids[name] for name in names})
        for raw in NOT_OBJECTS:
            response = client.request(method, path, raw=raw)
            body = assert_error(response, 400, "body_not_object")
            assert body["message"] == "Le corps de la requête doit être un objet JSON.", (
                method,
                path,
                raw,
            )
    assert _fingerprint() == before, "a refused body changed something"


def test_an_object_body_still_works_and_bad_json_is_still_malformed(
    path_ids: dict[str, int], admin_user: User, api: Any
) -> None:
    """The control: the same actor and route act on an object body, so the refusals
    above are the body's doing, not a permission's."""
    from campus.live.models import LiveSession

    client = api(admin_user)
    path = f"/api/live-sessions/{path_ids['session_id']}/cancel"
    assert_error(client.post(path, raw="{"), 400, "malformed_body")
    assert_error(client.post(path, raw="42"), 400, "body_not_object")
    assert LiveSession.objects.get(pk=path_ids["session_id"]).status != "cancelled"
    response = client.post(path, {"reason": "Imprévu"})
    assert response.status_code == 200, response.content
    assert LiveSession.objects.get(pk=path_ids["session_id"]).status == "cancelled"
    assert json.loads(response.content)["success"] is True
