"""Replays every call of the MdSC frontend's contract (contract.py) against Campus and
checks that its recorded status is true today, through the frontend's own unwrap rule.

When a status stops being true (a compatibility route now answers, or a field appeared
or vanished) the failure says which entry to flip in contract.py.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from campus.accounts.models import Role, User
from campus.accounts.tokens import token_pair_issue
from campus.agenda import services as agenda_services
from campus.certificates import services as certificate_services
from campus.certificates.tests.helpers import complete, short_course
from campus.courses.models import Course, Enrollment
from campus.forum.models import Reply, Topic
from campus.forum.tests.helpers import make_reply, make_topic
from campus.live import services as live_services
from campus.live.models import LiveSession
from campus.live.tests.helpers import make_session
from campus.mdsc.tests.contract import CALLS, HANDLE_RESPONSE, RAW_BODY, FrontendCall
from campus.ratings import services as rating_services
from conftest import PASSWORD, assert_error

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[3] / "docs" / "mdsc-frontend.md"


# --- the frontend's reading rules ------------------------------------------------------


def js_truthy(value: Any) -> bool:
    """JavaScript truthiness: an empty list or object is truthy, 0 and "" are not."""
    if value is None or value is False:
        return False
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value != 0
    if isinstance(value, str):
        return value != ""
    return True


def handle_response(body: Any) -> Any:
    """What api.ts's handleResponse hands to a service as `response.data`."""
    if not isinstance(body, dict):
        return body
    data = body.get("data")
    if isinstance(data, dict):
        unwrapped = dict(data)
        if isinstance(body.get("courses"), list):
            unwrapped["courses"] = body["courses"]
        if "count" in body:
            unwrapped["count"] = body["count"]
        return unwrapped
    if isinstance(body.get("courses"), list):
        return {"courses": body["courses"], "count": body.get("count")}
    return data if js_truthy(data) else body


UNWRAP: dict[str, Callable[[Any], Any]] = {
    HANDLE_RESPONSE: handle_response,
    RAW_BODY: lambda body: body,
}


def is_present(value: Any, read: str) -> bool:
    """A `reads` entry ("a.[].b|c") resolves to a non-null value."""

    def walk(current: Any, segments: list[str]) -> bool:
        if not segments:
            return current is not None
        head, rest = segments[0], segments[1:]
        if head == "[]":
            return (
                isinstance(current, list)
                and len(current) > 0
                and all(walk(item, rest) for item in current)
            )
        return isinstance(current, dict) and head in current and walk(current[head], rest)

    return any(walk(value, alternative.split(".")) for alternative in read.split("|"))


def absent_reads(call: FrontendCall, unwrapped: Any) -> list[str]:
    return [read for read in call.reads if not is_present(unwrapped, read)]


# --- a small world: one course with a member, a live session and a forum thread -------


@dataclass
class World:
    owner: User
    member: User
    student: User
    course: Course
    session: LiveSession
    topic: Topic
    reply: Reply
    make_graduate: Callable[[], dict[str, Any]]
    settings: Any
    _graduate: dict[str, Any] = field(default_factory=dict)
    given_values: dict[str, Any] = field(default_factory=dict)  # placeholders a GIVEN adds

    def graduate(self) -> dict[str, Any]:
        """Built only when a call needs it: a completed course and its certificate."""
        if not self._graduate:
            self._graduate = self.make_graduate()
        return self._graduate

    def user(self, actor: str) -> User | None:
        if actor == "graduate":
            return self.graduate()["user"]
        return {"anonymous": None, "student": self.student, "member": self.member}.get(
            actor, self.owner
        )

    def placeholders(self, call: FrontendCall) -> dict[str, Any]:
        member_enrollment = Enrollment.objects.get(user=self.member, course=self.course)
        values: dict[str, Any] = {
            "course_id": self.course.pk,
            "enrollment_id": member_enrollment.pk,
            "slug": self.course.slug,
            "lesson_id": self.course.lessons.order_by("pk").first().pk,  # type: ignore[union-attr]
            "instructor_id": self.owner.pk,
            "session_id": self.session.pk,
            "forum_id": self.topic.forum_id,
            "topic_id": self.topic.pk,
            "reply_id": self.reply.pk,
            "email": self.member.email,
            "password": PASSWORD,
            **self.given_values,
        }
        if call.actor == "graduate" or "certificate_" in call.path:
            graduate = self.graduate()
            values["certificate_id"] = graduate["certificate"].pk
            values["certificate_code_upper"] = graduate["certificate"].code.upper()
            if call.actor == "graduate":
                values["course_id"] = graduate["enrollment"].course_id
                values["enrollment_id"] = graduate["enrollment"].pk
                values["email"] = graduate["user"].email
        return values


@pytest.fixture
def world(
    owner: User,
    member: User,
    course: Course,
    user_factory: Callable[..., User],
    settings: Any,
) -> World:
    def make_graduate() -> dict[str, Any]:
        user = user_factory(Role.STUDENT, first_name="Chimène", last_name="Houngbo")
        enrollment = complete(user, short_course(owner))
        certificate = certificate_services.certificate_issue(actor=user, enrollment=enrollment)
        return {"user": user, "enrollment": enrollment, "certificate": certificate}

    topic = make_topic(owner, course, title="Bienvenue dans le forum")
    return World(
        owner=owner,
        member=member,
        student=user_factory(Role.STUDENT),
        course=course,
        session=make_session(owner, course),
        topic=topic,
        reply=make_reply(owner, topic, content="Présentez-vous **ici**."),
        make_graduate=make_graduate,
        settings=settings,
    )


def _session_live(world: World) -> None:
    live_services.session_start(actor=world.owner, session=world.session)


def _member_joined(world: World) -> None:
    _session_live(world)
    world.session.refresh_from_db()
    live_services.session_join(actor=world.member, session=world.session)


def _owner_joined_selfhosted(world: World) -> None:
    """The instructor's embedded player asks for a JWT only on a self-hosted Jitsi."""
    world.settings.JITSI_MODE = "selfhosted"
    world.settings.JITSI_APP_ID = "campus-test"
    world.settings.JITSI_APP_SECRET = "test-secret-for-campus-jitsi-tokens-0123456789"
    _session_live(world)
    world.session.refresh_from_db()
    live_services.session_join(actor=world.owner, session=world.session)


def _member_planned(world: World) -> None:
    """The member's study plan (made on enrollment by a task the tests do not run)."""
    enrollment = Enrollment.objects.get(user=world.member, course=world.course)
    agenda_services.plan_generate(actor=world.member, enrollment=enrollment)


def _member_refresh_token(world: World) -> None:
    """The member logged in through the API: {refresh_token} is that login's."""
    pair = token_pair_issue(user=world.member)
    world.given_values["refresh_token"] = pair.refresh_token


def _rating_approved(world: World) -> None:
    graduate = world.graduate()
    review = rating_services.rating_create(
        actor=graduate["user"], enrollment=graduate["enrollment"], rating=4, comment="Utile."
    )
    rating_services.rating_moderate(actor=world.owner, review=review, approve=True)


GIVEN: dict[str, Callable[[World], None]] = {
    "": lambda world: None,
    "session_live": _session_live,
    "member_joined": _member_joined,
    "owner_joined_selfhosted": _owner_joined_selfhosted,
    "rating_approved": _rating_approved,
    "member_refresh_token": _member_refresh_token,
    "member_planned": _member_planned,
}


def fill(template: Any, values: dict[str, Any]) -> Any:
    """Put the world's ids into a body: a whole "{name}" string becomes the raw value."""
    if isinstance(template, dict):
        return {key: fill(item, values) for key, item in template.items()}
    if isinstance(template, str) and template.startswith("{") and template.endswith("}"):
        return values[template[1:-1]]
    return template


def replay(call: FrontendCall, world: World, api: Callable[[User | None], Any]) -> Any:
    GIVEN[call.given](world)
    values = world.placeholders(call)
    path = "/api" + call.path.format_map(values)
    body = fill(call.body, values) if call.body is not None else None
    return api(world.user(call.actor)).request(call.method, path, body)


# --- the checks ------------------------------------------------------------------------


def _replayed(call: FrontendCall) -> Any:
    """A search runs committed: MariaDB's FULLTEXT index sees rows only once committed."""
    if "search=" in call.path:
        return pytest.param(call, marks=pytest.mark.django_db(transaction=True), id=call.key)
    return pytest.param(call, id=call.key)


@pytest.mark.parametrize("call", [_replayed(call) for call in CALLS])
def test_recorded_status_is_true_today(call: FrontendCall, world: World, api: Any) -> None:
    response = replay(call, world, api)
    code = response.status_code
    flip = f"{call.key}: recorded {call.status!r}"

    if call.today_http is not None:
        assert code == call.today_http, (
            f"{flip} (HTTP {call.today_http}) but Campus now answers {code}. "
            "If Campus now serves this call, update its status in contract.py."
        )
        assert_error(response, call.today_http)
        return

    assert 200 <= code < 300, f"{flip} but Campus answers {code}: {response.content[:300]!r}"
    absent = absent_reads(call, UNWRAP[call.unwrap](response.json_body))
    assert absent == list(call.today_absent), (
        f"{flip}; fields the frontend reads that are absent today: {absent}, "
        f"recorded: {list(call.today_absent)}. Update contract.py."
    )


def test_each_entry_is_coherent() -> None:
    keys = [call.key for call in CALLS]
    assert len(keys) == len(set(keys)), "two entries describe the same call"
    for call in CALLS:
        assert call.path.startswith("/") and call.unwrap in UNWRAP, call.key
        assert call.given in GIVEN, call.key
        assert set(call.today_absent) <= set(call.reads), call.key
        if call.status == "works":
            assert call.today_http is None and not call.today_absent, call.key
        elif call.status == "missing":
            assert call.today_http is not None and call.note, call.key
        else:
            assert (call.today_http is None) == bool(call.today_absent), call.key
            assert call.note, call.key


def markdown_table() -> str:
    """The call table of docs/mdsc-frontend.md, rendered from the data."""
    rows = ["| area | method | path | actor | status | note |", "|---|---|---|---|---|---|"]
    for call in CALLS:
        note = call.note.replace("|", "\\|")
        path = call.path.replace("|", "\\|")
        rows.append(
            f"| {call.area} | {call.method} | `{path}` | {call.actor} | {call.status} | {note} |"
        )
    return "\n".join(rows)


def works_count_sentence() -> str:
    working = sum(call.status == "works" for call in CALLS)
    return f"**{working} of {len(CALLS)} calls work today.**"


def test_the_doc_shows_the_table_and_the_count_of_this_data() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert works_count_sentence() in text, "update the count in docs/mdsc-frontend.md"
    assert markdown_table() in text, (
        "docs/mdsc-frontend.md's call table differs from contract.py: paste "
        "campus.mdsc.tests.test_contract_status.markdown_table() into it"
    )


def test_unwrap_rule_follows_javascript_truthiness() -> None:
    assert handle_response({"success": True, "data": []}) == []
    assert handle_response({"success": True, "data": {"a": 1}, "count": 2}) == {"a": 1, "count": 2}
    assert handle_response({"success": True, "data": None, "x": 1}) == {
        "success": True,
        "data": None,
        "x": 1,
    }
    assert is_present({"a": [{"b": 0}]}, "a.[].b")
    assert not is_present({"a": []}, "a.[].b")
    assert not is_present({"a": {"b": None}}, "a.b")
    assert is_present({"c": 1}, "a.b|c")


# --- the deliberate refusals docs/mdsc-frontend.md lists --------------------------------


def test_identity_and_role_sent_by_the_client_are_not_trusted(world: World, api: Any) -> None:
    _session_live(world)
    member = api(world.member)
    assert member.post(f"/api/live-sessions/{world.session.pk}/join").status_code == 200
    token = member.post(
        f"/api/live-sessions/{world.session.pk}/jitsi-token",
        {"user_id": world.owner.pk, "role": "moderator"},
    )
    assert token.status_code == 200
    assert token.json_body["data"]["user_id"] == world.member.pk
    assert token.json_body["data"]["is_moderator"] is False


def test_room_secrets_only_come_from_join(world: World, api: Any) -> None:
    """A student reads a live session's detail without its password, URL or token."""
    _session_live(world)
    detail = api(world.member).get(f"/api/live-sessions/{world.session.pk}").json_body["data"]
    assert not {"jitsi_room_password", "jwt", "jitsi_join_url", "jitsi_room_name"} & set(detail)


def test_markdown_reaches_the_frontend_sanitized(world: World, api: Any) -> None:
    created = api(world.member).post(
        f"/api/forums/{world.topic.forum_id}/topics",
        {"title": "Une question piégée", "content": "Bonjour <script>alert(1)</script> **toi**"},
    )
    assert created.status_code == 201
    html = created.json_body["data"]["content_html"]
    assert "<strong>toi</strong>" in html and "<script" not in html
