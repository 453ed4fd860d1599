"""The OpenAPI document tells the truth: one schema per component name, each operation's
responses as they are sent (success and the error envelope), public operations public.

The rules themselves are in campus/core/openapi.py's docstring; these tests read the
document as a client would (/api/openapi.json) and check it against real responses."""

import enum
import typing
from collections import defaultdict
from datetime import timedelta
from typing import Any

import jsonschema_rs
import pytest
from django.test import Client
from django.utils import timezone
from pydantic import BaseModel

from campus.accounts.models import User
from campus.api import EXTRA_ERROR_STATUSES, api
from campus.core.envelope import Envelope, ErrorEnvelope, PageEnvelope, error_body
from campus.courses.models import Course, Lesson
from campus.live import services as live_services
from conftest import PASSWORD, ApiClient

ERROR_REF = "#/components/schemas/ErrorEnvelope"
WRITE_METHODS = {"post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, methods in doc["paths"].items()
        for method, operation in methods.items()
    ]


def operation(doc: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    return doc["paths"][path][method]


def component(doc: dict[str, Any], ref: str) -> dict[str, Any]:
    return doc["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def success_schema(doc: dict[str, Any], method: str, path: str, status: int = 0) -> dict:
    """The schema of a success response: `status`, or else the operation's first 2xx."""
    responses = operation(doc, method, path)["responses"]
    status = status or min(int(s) for s in responses if s.startswith("2"))
    return responses[str(status)]["content"]["application/json"]["schema"]


def data_component(doc: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    """The component the success envelope's `data` refers to (through a list if one)."""
    envelope = component(doc, success_schema(doc, method, path)["$ref"])
    data = envelope["properties"]["data"]
    return component(doc, data["items"]["$ref"] if "items" in data else data["$ref"])


def validator(doc: dict[str, Any], schema: dict[str, Any]) -> Any:
    """A validator for one of the document's schemas, its $refs resolved in the document."""
    return jsonschema_rs.Draft202012Validator({**schema, "components": doc["components"]})


# --- Component names ------------------------------------------------------------------------


def _models_in(annotation: Any) -> typing.Iterator[type]:
    """The pydantic models and enums an annotation names (through list, Optional, ...)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel | enum.Enum):
        yield annotation
        return
    for arg in typing.get_args(annotation):
        yield from _models_in(arg)


def _component_classes() -> dict[str, set[type]]:
    """Every schema class the API's operations reach (responses, parameters, bodies and
    what they nest), by the component name it gets. ninja's own wrappers (the response
    holder, the path/query/body parameter groups) are never components: start inside."""
    by_name: dict[str, set[type]] = defaultdict(set)
    to_visit: list[Any] = []
    for router in api._get_bound_routers():
        for path_view in router.path_operations.values():
            for op in path_view.operations:
                wrappers = [m for m in op.response_models.values() if m is not None]
                for wrapper in [*wrappers, *op.models]:
                    to_visit += [f.annotation for f in wrapper.model_fields.values()]
    seen: set[type] = set()
    while to_visit:
        for cls in _models_in(to_visit.pop()):
            if cls in seen:
                continue
            seen.add(cls)
            by_name[cls.__name__].add(cls)
            if issubclass(cls, BaseModel):
                to_visit += [f.annotation for f in cls.model_fields.values()]
    return by_name


def test_every_schema_class_has_its_own_component_name() -> None:
    """Two classes with one name would share one component, the last one written winning:
    forum's PersonOut documented live's chat authors, agenda's ProgressOut a completed
    lesson. Rename one (its app's prefix) when this fails."""
    by_name = _component_classes()
    assert "SessionOut" in by_name and "ErrorEnvelope" not in by_name  # the walk reaches in
    shared = {
        name: sorted(f"{c.__module__}.{c.__qualname__}" for c in classes)
        for name, classes in by_name.items()
        if len(classes) > 1
    }
    assert not shared


def test_no_component_name_is_given_two_definitions() -> None:
    """The same check on the document itself: also catches one class documented two ways
    (as a body and as a response)."""
    schema = api.get_openapi_schema(path_prefix="/api/")
    assert schema.conflicts == {}


def test_an_envelope_is_named_for_what_it_carries() -> None:
    from campus.live.schemas import SessionOut
    from campus.notifications.schemas import PreferenceOut

    assert Envelope(list[SessionOut]).__name__ == "SessionOutListEnvelope"
    assert Envelope(list[PreferenceOut]).__name__ == "PreferenceOutListEnvelope"
    assert Envelope(SessionOut).__name__ == "SessionOutEnvelope"
    assert Envelope(dict).__name__ == "ObjectEnvelope"
    assert PageEnvelope(SessionOut).__name__ == "SessionOutPage"


# --- The operations of issue 14 reference the right schemas ---------------------------------


@pytest.mark.parametrize(
    ("method", "path", "row"),
    [
        ("get", "/api/student/calendar/live-sessions", "CalendarSessionOut"),
        ("patch", "/api/live-sessions/{session_id}/series", "SessionOut"),
    ],
)
def test_lists_of_live_sessions_are_documented_as_such(
    doc: dict[str, Any], method: str, path: str, row: str
) -> None:
    envelope = component(doc, success_schema(doc, method, path)["$ref"])
    data = envelope["properties"]["data"]
    assert data["type"] == "array"
    assert data["items"]["$ref"].endswith(f"/{row}")


def test_notification_preferences_are_a_list_of_preferences(doc: dict[str, Any]) -> None:
    for method in ("get", "put"):
        data = component(doc, success_schema(doc, method, "/api/notifications/preferences")["$ref"])
        assert data["properties"]["data"]["items"]["$ref"].endswith("/PreferenceOut")


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/api/courses/{course_id}/live-sessions", "SessionOut"),
        ("get", "/api/live-sessions/{session_id}", "SessionDetailOut"),
        ("post", "/api/live-sessions/{session_id}/cancel", "SessionOut"),
        ("put", "/api/live-sessions/{session_id}/recording", "SessionOut"),
        ("get", "/api/live-sessions/{session_id}/chat", "ChatMessageOut"),
        ("post", "/api/live-sessions/{session_id}/chat", "ChatMessageOut"),
        ("post", "/api/live-sessions/{session_id}/chat/{message_id}/pin", "ChatMessageOut"),
        ("post", "/api/live-sessions/{session_id}/chat/{message_id}/unhide", "ChatMessageOut"),
    ],
)
def test_live_operations_carry_live_schemas(
    doc: dict[str, Any], method: str, path: str, data: str
) -> None:
    assert data_component(doc, method, path)["title"] == data


def test_live_people_and_course_references_are_live_schemas(doc: dict[str, Any]) -> None:
    from campus.live.schemas import LiveCourseRefOut, LivePersonOut

    session = data_component(doc, "get", "/api/live-sessions/{session_id}")
    instructor = component(doc, session["properties"]["instructor"]["$ref"])
    course = component(doc, session["properties"]["course"]["$ref"])
    assert set(instructor["properties"]) == set(LivePersonOut.model_fields)
    assert "full_name" in instructor["properties"]
    assert set(course["properties"]) == set(LiveCourseRefOut.model_fields)
    for method, path in [
        ("get", "/api/live-sessions/{session_id}/chat"),
        ("post", "/api/live-sessions/{session_id}/chat/{message_id}/hide"),
    ]:
        message = data_component(doc, method, path)
        author = component(doc, message["properties"]["author"]["$ref"])
        assert set(author["properties"]) == set(LivePersonOut.model_fields)


def test_lesson_completion_is_documented_as_what_it_returns(doc: dict[str, Any]) -> None:
    from campus.agenda.schemas import PlanProgressOut
    from campus.courses.schemas import ProgressOut

    documented = data_component(doc, "post", "/api/lessons/{lesson_id}/complete")
    assert set(documented["properties"]) == set(ProgressOut.model_fields)
    assert set(documented["properties"]) != set(PlanProgressOut.model_fields)


def test_created_resources_are_documented_201(doc: dict[str, Any]) -> None:
    for method, path in [
        ("post", "/api/courses"),
        ("post", "/api/courses/{course_id}/live-sessions"),
        ("post", "/api/courses/{course_id}/ratings"),
        ("post", "/api/topics/{topic_id}/replies"),
    ]:
        codes = {int(s) for s in operation(doc, method, path)["responses"] if int(s) < 400}
        assert codes == {201}, (method, path)
    certificate = operation(doc, "post", "/api/enrollments/{enrollment_id}/certificate")
    assert {"200", "201"} <= set(certificate["responses"])


def test_the_certificate_download_is_documented_as_a_pdf(doc: dict[str, Any]) -> None:
    ok = operation(doc, "get", "/api/certificates/{certificate_id}/pdf")["responses"]["200"]
    assert set(ok["content"]) == {"application/pdf"}


# --- Public operations ----------------------------------------------------------------------

ANONYMOUS_ALLOWED = [
    "/api/courses",
    "/api/courses/{course_id}",
    "/api/courses/{course_id}/ratings",
    "/api/courses/{course_id}/ratings/stats",
    "/api/courses/{course_id}/ratings/{rating_id}",
    # The MdSC frontend's public course reads (campus/mdsc/courses.py).
    "/api/courses/popular",
    "/api/courses/slug/{slug}",
    "/api/courses/instructor/{instructor_id}",
]
NO_AUTH = [
    ("get", "/api/certificates/verify/{code}"),
    ("post", "/api/auth/login"),
    # The MdSC frontend's auth calls (campus/mdsc/auth.py): before any login.
    ("post", "/api/auth/refresh-token"),
    ("post", "/api/auth/register"),
    ("post", "/api/auth/forgot-password"),
    # The conference server (campus/live/webhooks.py): its own secret header, no user.
    ("post", "/api/live/jaas/webhook"),
    *[
        ("post", f"/api/live/event-sync/events/{event}")
        for event in ("room/created", "room/destroyed", "occupant/joined", "occupant/left")
    ],
]


@pytest.mark.parametrize("path", ANONYMOUS_ALLOWED)
def test_optional_auth_operations_need_no_credentials(doc: dict[str, Any], path: str) -> None:
    security = operation(doc, "get", path)["security"]
    assert {} in security  # OpenAPI: no requirement
    assert {"BearerAuth": []} in security  # and a token, when sent, is read


@pytest.mark.parametrize(("method", "path"), NO_AUTH)
def test_operations_without_auth_say_so(doc: dict[str, Any], method: str, path: str) -> None:
    assert operation(doc, method, path)["security"] == []


def test_every_other_operation_requires_credentials(doc: dict[str, Any]) -> None:
    public = {("get", p) for p in ANONYMOUS_ALLOWED} | set(NO_AUTH)
    for method, path, op in operations(doc):
        if (method, path) not in public:
            assert op["security"] == [{"BearerAuth": []}, {"SessionCookieAuth": []}], path


@pytest.mark.django_db
def test_documented_public_operations_answer_anonymous_callers(
    doc: dict[str, Any], course: Course
) -> None:
    client = Client()
    for path in ANONYMOUS_ALLOWED:
        if "{rating_id}" in path:
            continue  # needs an approved review; the path without it is enough here
        response = client.get(
            path.format(course_id=course.pk, slug=course.slug, instructor_id=course.instructor_id)
        )
        assert response.status_code == 200, (path, response.content[:300])
        validator(doc, success_schema(doc, "get", path)).validate(response.json())
    assert client.get("/api/auth/me").status_code == 401


# --- Error responses ------------------------------------------------------------------------


def test_the_error_envelope_is_exactly_what_error_body_builds(doc: dict[str, Any]) -> None:
    schema = doc["components"]["schemas"]["ErrorEnvelope"]
    assert set(schema["required"]) == {"success", "message", "code", "error"}
    assert schema["properties"]["success"]["const"] is False
    error = component(doc, schema["properties"]["error"]["$ref"])
    assert set(error["required"]) == {"code", "details"}
    envelope = validator(doc, {"$ref": ERROR_REF})
    field_errors = [{"field": "title", "code": "too_long", "message": "Trop long."}]
    for details in (None, {"field": ["Trop long."]}, [1, 2], "texte", field_errors):
        assert envelope.is_valid(error_body("not_found", "Ressource introuvable.", details))
    assert not envelope.is_valid({"success": True, "data": {}})
    assert not envelope.is_valid(
        {"success": False, "message": "x", "code": "x", "error": {"code": "x"}}
    )
    assert set(ErrorEnvelope.model_fields) == set(error_body("c", "m", field_errors))
    # The MdSC frontend reads the code at the top level and a validation error's fields
    # as `errors`; other details stay under `error.details` only.
    assert error_body("c", "m")["code"] == "c"
    assert "errors" not in error_body("c", "m", {"field": ["x"]})
    assert error_body("c", "m", field_errors)["errors"] == field_errors


def test_every_error_response_is_the_error_envelope(doc: dict[str, Any]) -> None:
    for method, path, op in operations(doc):
        for status, response in op["responses"].items():
            if int(status) >= 400:
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": ERROR_REF}, (method, path, status)


def test_every_operation_documents_the_errors_its_shape_allows(doc: dict[str, Any]) -> None:
    """The rule of campus/core/openapi.py, read from the document's side."""
    for method, path, op in operations(doc):
        codes = {int(s) for s in op["responses"]}
        where = (method, path, sorted(codes))
        required = op["security"] and {} not in op["security"]
        if "{" in path:
            assert {400, 404} <= codes, where
        if "requestBody" in op:
            assert {400, 413} <= codes, where
        if op["security"]:
            assert 401 in codes, where
        if required and method in WRITE_METHODS:
            assert {403, 409} <= codes, where
        if not required:
            assert 403 not in codes and 409 not in codes, where  # public: 404, never 403
        assert all(200 <= c < 300 or c in {400, 401, 403, 404, 409, 413, 429} for c in codes)
        assert any(200 <= c < 300 for c in codes), where


def test_rate_limited_operations_document_429(doc: dict[str, Any]) -> None:
    for method, path in [
        ("post", "/api/auth/login"),
        ("get", "/api/certificates/verify/{code}"),
        ("post", "/api/forums/{forum_id}/topics"),
        ("post", "/api/topics/{topic_id}/replies"),
        ("post", "/api/live-sessions/{session_id}/notify"),
    ]:
        assert "429" in operation(doc, method, path)["responses"], path
    assert "429" not in operation(doc, "get", "/api/courses")["responses"]
    assert "401" in operation(doc, "post", "/api/auth/login")["responses"]  # wrong password


def test_the_extra_statuses_name_operations_of_the_api() -> None:
    views = {
        op.view_func
        for router in api._get_bound_routers()
        for path_view in router.path_operations.values()
        for op in path_view.operations
    }
    assert set(EXTRA_ERROR_STATUSES) <= views


@pytest.mark.django_db
def test_real_errors_match_the_documented_envelope(
    doc: dict[str, Any], api: Any, course: Course, outsider: User, member: User, settings: Any
) -> None:
    """A real 400, 401, 403, 404, 409, 413 and 429, each as its operation documents it."""
    lesson = Lesson.objects.filter(module__course=course).first()
    assert lesson is not None
    enroll = f"/api/courses/{course.pk}/enroll"
    cases = [
        (api(member).post(enroll), "post", "/api/courses/{course_id}/enroll", 409),
        (api(None).post("/api/auth/login", {"email": 3}), "post", "/api/auth/login", 400),
        (api(None).get("/api/auth/me"), "get", "/api/auth/me", 401),
        (
            api(outsider).get(f"/api/lessons/{lesson.pk}"),
            "get",
            "/api/lessons/{lesson_id}",
            403,
        ),
        (api(None).get("/api/courses/999999"), "get", "/api/courses/{course_id}", 404),
        (ApiClient("not-a-token").get("/api/courses"), "get", "/api/courses", 401),
    ]
    client = api(None)
    for _attempt in range(100):
        throttled = client.get("/api/certificates/verify/INCONNU")
        if throttled.status_code == 429:
            break
    cases.append((throttled, "get", "/api/certificates/verify/{code}", 429))
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    too_big = api(None).post("/api/auth/login", {"email": "a" * 200, "password": "x"})
    cases.append((too_big, "post", "/api/auth/login", 413))
    for response, method, path, status in cases:
        assert response.status_code == status, (path, response.content[:300])
        documented = operation(doc, method, path)["responses"][str(status)]
        schema = documented["content"]["application/json"]["schema"]
        validator(doc, schema).validate(response.json())
    assert "Retry-After" in throttled
    verify = operation(doc, "get", "/api/certificates/verify/{code}")
    assert "Retry-After" in verify["responses"]["429"]["headers"]


@pytest.mark.django_db
def test_real_successes_match_their_documented_schema(
    doc: dict[str, Any], api: Any, course: Course, owner: User, member: User
) -> None:
    """The operations issue 14 named, called for real and checked against the document."""
    start = timezone.now() + timedelta(minutes=10)
    session = live_services.session_create(
        actor=owner,
        course=course,
        title="Classe en direct",
        scheduled_start_at=start,
        scheduled_end_at=start + timedelta(hours=1),
    )
    live_services.session_start(actor=owner, session=session)  # the chat is open while live
    window = {
        "start": (start - timedelta(days=1)).isoformat(),
        "end": (start + timedelta(days=1)).isoformat(),
    }
    lesson = Lesson.objects.filter(module__course=course).first()
    assert lesson is not None
    calls = [
        (
            api(member).get("/api/student/calendar/live-sessions", window),
            "get",
            "/api/student/calendar/live-sessions",
            200,
        ),
        (
            api(member).get(f"/api/live-sessions/{session.pk}"),
            "get",
            "/api/live-sessions/{session_id}",
            200,
        ),
        (
            api(member).post(f"/api/live-sessions/{session.pk}/chat", {"text": "Bonjour"}),
            "post",
            "/api/live-sessions/{session_id}/chat",
            201,
        ),
        (
            api(member).get(f"/api/live-sessions/{session.pk}/chat"),
            "get",
            "/api/live-sessions/{session_id}/chat",
            200,
        ),
        (
            api(member).post(f"/api/lessons/{lesson.pk}/complete"),
            "post",
            "/api/lessons/{lesson_id}/complete",
            200,
        ),
        (
            api(member).get("/api/notifications/preferences"),
            "get",
            "/api/notifications/preferences",
            200,
        ),
        (
            api(None).post("/api/auth/login", {"email": owner.email, "password": PASSWORD}),
            "post",
            "/api/auth/login",
            200,
        ),
    ]
    for response, method, path, status in calls:
        assert response.status_code == status, (path, response.content[:300])
        validator(doc, success_schema(doc, method, path, status)).validate(response.json())
