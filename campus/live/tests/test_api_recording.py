"""The recording link of an ended session: service and PUT /api/live-sessions/{id}/recording
(owner, admin; only once ended; http(s) links only)."""

from typing import Any

import pytest

from campus.accounts.models import User
from campus.core.errors import Conflict, Forbidden, ValidationFailed
from campus.courses.models import Course
from campus.live import services
from campus.live.models import LiveSession
from campus.live.tests.helpers import make_live, make_session
from conftest import assert_error

pytestmark = pytest.mark.django_db

LINK = "https://video.example.org/seance-1"


def ended(owner: User, course: Course) -> LiveSession:
    return services.session_end(actor=owner, session=make_live(owner, course))[0]


def path(session: LiveSession) -> str:
    return f"/api/live-sessions/{session.pk}/recording"


def test_owner_sets_then_clears_the_link(api: Any, owner: User, course: Course) -> None:
    session = ended(owner, course)
    response = api(owner).put(path(session), {"recording_url": f"  {LINK} "})
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["id"] == session.pk and data["recording_url"] == LINK
    assert data["status"] == "ended" and "jitsi_room_password" not in data
    session.refresh_from_db()
    assert session.recording_url == LINK

    response = api(owner).put(path(session), {"recording_url": ""})
    assert response.status_code == 200 and response.json()["data"]["recording_url"] == ""
    session.refresh_from_db()
    assert session.recording_url == ""


def test_admin_sets_the_link(api: Any, owner: User, course: Course, admin_user: User) -> None:
    session = ended(owner, course)
    response = api(admin_user).put(path(session), {"recording_url": "http://example.org/v"})
    assert response.status_code == 200
    assert response.json()["data"]["recording_url"] == "http://example.org/v"


@pytest.mark.parametrize("make", ["scheduled", "live", "cancelled"])
def test_only_an_ended_session(api: Any, owner: User, course: Course, make: str) -> None:
    if make == "scheduled":
        session = make_session(owner, course)
    elif make == "live":
        session = make_live(owner, course)
    else:
        session = services.session_cancel(actor=owner, session=make_session(owner, course))
    body = assert_error(
        api(owner).put(path(session), {"recording_url": LINK}), 409, "session_not_ended"
    )
    assert "terminée" in body["message"]
    session.refresh_from_db()
    assert session.recording_url == ""


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://example.org/video.mp4",
        "data:text/html,<b>x</b>",
        "pas une adresse",
        "https://" + "a" * 490 + ".org",
        "//example.org/sans-schema",
    ],
    ids=["javascript", "ftp", "data", "text", "too-long", "no-scheme"],
)
def test_bad_links_are_refused(api: Any, owner: User, course: Course, url: str) -> None:
    session = ended(owner, course)
    body = assert_error(api(owner).put(path(session), {"recording_url": url}), 400)
    fields = {item["field"] for item in body["error"]["details"]}
    assert fields == {"recording_url"}
    session.refresh_from_db()
    assert session.recording_url == ""


@pytest.mark.parametrize("who", ["outsider", "member", "other_instructor"])
def test_forbidden_actors(api: Any, actors: dict[str, User], course: Course, who: str) -> None:
    session = ended(actors["owner"], course)
    assert_error(api(actors[who]).put(path(session), {"recording_url": LINK}), 403, "forbidden")
    assert_error(api(None).put(path(session), {"recording_url": LINK}), 401, "not_authenticated")
    session.refresh_from_db()
    assert session.recording_url == ""


def test_unknown_session(api: Any, owner: User) -> None:
    assert_error(
        api(owner).put("/api/live-sessions/987654/recording", {"recording_url": LINK}),
        404,
        "session_not_found",
    )


def test_service_rules(owner: User, course: Course, outsider: User) -> None:
    session = ended(owner, course)
    assert services.session_set_recording(actor=owner, session=session, url=LINK).recording_url
    with pytest.raises(Forbidden):
        services.session_set_recording(actor=outsider, session=session, url=LINK)
    with pytest.raises(ValidationFailed) as exc:
        services.session_set_recording(actor=owner, session=session, url="https://" + "a" * 500)
    assert exc.value.details[0]["code"] == "string_too_long"
    with pytest.raises(Conflict):
        services.session_set_recording(actor=owner, session=make_session(owner, course), url=LINK)
