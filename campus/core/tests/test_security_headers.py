"""Content-Security-Policy and Permissions-Policy (campus.core.security): every page has
both, scripts run from this site or by the request's nonce only, and only the live room
may load Jitsi and hand it the camera, the microphone and the screen."""

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from campus.accounts.models import User
from campus.courses.models import Course
from campus.live.models import LiveSession
from campus.live.tests.helpers import make_live, make_session

pytestmark = pytest.mark.django_db

JITSI = "https://meet.campus.example"
UNSAFE = ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*")


def policy(response: Any) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *sources = part.split()
        assert name not in directives, f"{name} twice in {header}"
        directives[name] = sources
    return directives


def features(response: Any) -> dict[str, str]:
    """The Permissions-Policy header as {feature: allowlist}."""
    header = response.get("Permissions-Policy")
    assert header, f"no Permissions-Policy on {response.request['PATH_INFO']}"
    return dict(rule.strip().split("=", 1) for rule in header.split(","))


def nonce_of(directives: dict[str, list[str]]) -> str:
    nonces = [s for s in directives["script-src"] if s.startswith("'nonce-")]
    assert len(nonces) == 1, directives["script-src"]
    return nonces[0].removeprefix("'nonce-").removesuffix("'")


class _Tags(HTMLParser):
    """Collects <script> tags (attributes, whether they have a body) and every attribute
    the policy refuses: inline style and on* handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.refused: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, _value in attrs:
            if name == "style" or name.startswith(("on", "hx-on", "data-hx-on")):
                self.refused.append(f"<{tag} {name}>")
        if tag == "script":
            self.scripts.append(dict(attrs))


def parsed(response: Any) -> _Tags:
    assert response.status_code == 200, response.status_code
    tags = _Tags()
    tags.feed(response.content.decode())
    return tags


def executable_inline_scripts(tags: _Tags) -> list[dict[str, str | None]]:
    # A script without src runs as code unless it is a data block (json_script).
    return [
        attrs
        for attrs in tags.scripts
        if "src" not in attrs and attrs.get("type") not in ("application/json",)
    ]


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def join_url(session: LiveSession) -> str:
    return reverse("live:join", kwargs={"slug": session.course.slug, "session_id": session.pk})


@pytest.fixture
def jitsi_server(settings: Any) -> str:
    settings.JITSI_MODE = "public"
    settings.JITSI_SERVER_URL = JITSI
    settings.JITSI_DOMAIN = "meet.campus.example"
    return JITSI


@pytest.fixture
def pages(course: Course, member: User, owner: User, jitsi_server: str) -> list[tuple[Any, str]]:
    """(client, path) of the pages every visitor meets: catalogue, login, course, a
    student's home (their courses), and the live room."""
    live = make_live(owner, course, title="Cours en direct")
    return [
        (client_for(None), reverse("courses:catalogue")),
        (client_for(None), reverse("accounts:login")),
        (client_for(member), reverse("courses:detail", kwargs={"slug": course.slug})),
        (client_for(member), reverse("courses:my_courses")),
        (client_for(member), join_url(live)),
    ]


# --- Content-Security-Policy --------------------------------------------------------------


def test_every_page_has_the_strict_policy(pages: list[tuple[Any, str]]) -> None:
    for client, path in pages:
        directives = policy(client.get(path))
        # Styles, fetches, fonts and (but in the room) frames fall back to default-src.
        assert directives["default-src"] == ["'self'"], path
        for fallback in ("style-src", "connect-src", "font-src", "child-src", "worker-src"):
            assert fallback not in directives, (path, fallback)
        assert directives["script-src"][0] == "'self'", path
        assert directives["img-src"] == ["'self'", "data:"], path
        assert directives["object-src"] == ["'none'"], path
        assert directives["base-uri"] == ["'self'"], path
        assert directives["form-action"] == ["'self'"], path
        assert directives["frame-ancestors"] == ["'none'"], path
        for name, sources in directives.items():
            assert not set(UNSAFE) & set(sources), (path, name, sources)


def test_the_nonce_is_new_on_each_request_and_on_every_script_it_guards(
    pages: list[tuple[Any, str]],
) -> None:
    seen: set[str] = set()
    for client, path in pages:
        for _attempt in range(2):
            response = client.get(path)
            nonce = nonce_of(policy(response))
            assert nonce not in seen, f"nonce reused on {path}"
            seen.add(nonce)
            tags = parsed(response)
            # The site's own scripts carry it (htmx, campus.js) ...
            assert sum(attrs.get("nonce") == nonce for attrs in tags.scripts) >= 2, path
            # ... and no inline script runs without it.
            for attrs in executable_inline_scripts(tags):
                assert attrs.get("nonce") == nonce, (path, attrs)


def test_pages_use_no_inline_style_or_handler(pages: list[tuple[Any, str]]) -> None:
    # The policy would refuse them (style-src 'self', no 'unsafe-inline'): behaviour lives
    # in campus.js behind data- attributes, styles in the stylesheets.
    for client, path in pages:
        assert parsed(client.get(path)).refused == [], path


def test_htmx_is_told_not_to_evaluate_strings_or_inject_styles(course: Course) -> None:
    page = Client().get(reverse("courses:detail", kwargs={"slug": course.slug})).content.decode()
    config = '{"allowEval": false, "includeIndicatorStyles": false}'
    assert f"<meta name=\"htmx-config\" content='{config}'>" in page


def test_only_the_room_may_load_jitsi(pages: list[tuple[Any, str]]) -> None:
    *elsewhere, (room_client, room_path) = pages
    for client, path in elsewhere:
        assert JITSI not in client.get(path)["Content-Security-Policy"], path
    directives = policy(room_client.get(room_path))
    with_jitsi = {name for name, sources in directives.items() if JITSI in sources}
    assert with_jitsi == {"script-src", "frame-src"}


def test_room_follows_the_configured_server(
    settings: Any, course: Course, member: User, owner: User
) -> None:
    """Self-hosted on another host (a stand-in in tests, plain http): its origin serves
    external_api.js; the iframe that script opens is https://<JITSI_DOMAIN>."""
    settings.JITSI_SERVER_URL = "http://127.0.0.1:8765"
    settings.JITSI_DOMAIN = "127.0.0.1:8765"
    waiting = make_session(owner, course)
    directives = policy(client_for(member).get(join_url(waiting)))
    assert directives["script-src"][-2:] == ["http://127.0.0.1:8765", "https://127.0.0.1:8765"]
    assert directives["frame-src"] == ["http://127.0.0.1:8765", "https://127.0.0.1:8765"]


def test_room_in_jaas_mode_allows_8x8(
    settings: Any, course: Course, member: User, owner: User
) -> None:
    settings.JITSI_MODE = "jaas"
    settings.JITSI_JAAS_APP_ID = "vpaas-magic-cookie-test"
    waiting = make_session(owner, course)
    response = client_for(member).get(join_url(waiting))
    directives = policy(response)
    assert directives["script-src"][-1] == "https://8x8.vc"
    assert directives["frame-src"] == ["https://8x8.vc"]
    assert features(response)["camera"] == '("https://8x8.vc")'


def test_a_refused_question_without_htmx_shows_the_room_with_jitsi_allowed(
    course: Course, member: User, owner: User, jitsi_server: str
) -> None:
    live = make_live(owner, course)
    path = reverse("live:questions", kwargs={"slug": course.slug, "session_id": live.pk})
    response = client_for(member).post(path, {"text": ""})
    assert response.status_code == 400
    assert 'id="live-room-config"' in response.content.decode()
    assert JITSI in policy(response)["script-src"]


# --- Permissions-Policy -----------------------------------------------------------------


def test_no_page_but_the_room_hands_out_camera_microphone_or_screen(
    pages: list[tuple[Any, str]],
) -> None:
    *elsewhere, _room = pages
    for client, path in elsewhere:
        allowed = features(client.get(path))
        for feature in ("camera", "microphone", "display-capture", "geolocation", "payment"):
            assert allowed[feature] == "()", (path, feature)
        assert allowed["fullscreen"] == "(self)", path
        assert allowed["usb"] == "()", path


def test_the_room_hands_camera_and_microphone_to_the_jitsi_frame_only(
    pages: list[tuple[Any, str]],
) -> None:
    room_client, room_path = pages[-1]
    allowed = features(room_client.get(room_path))
    for feature in ("camera", "microphone", "display-capture"):
        assert allowed[feature] == f'("{JITSI}")', feature  # not even this site
    assert allowed["fullscreen"] == f'(self "{JITSI}")'
    assert allowed["autoplay"] == f'(self "{JITSI}")'
    assert allowed["geolocation"] == "()"


# --- Answers that are not pages -----------------------------------------------------------


def test_an_empty_poll_answer_carries_no_policy(pages: list[tuple[Any, str]]) -> None:
    """The Q&A poll's unchanged answer is a bodiless 204 meant to cost only a few bytes:
    there is no document for a policy to protect."""
    client, room_path = pages[-1]
    room = client.get(room_path).content.decode()
    poll = re.search(r'class="qa-list"[^>]*hx-get="([^"]+)"', room)
    assert poll, "no Q&A poll on the room page"
    response = client.get(poll.group(1).replace("&amp;", "&"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert "Content-Security-Policy" not in response
    assert "Permissions-Policy" not in response


# --- API answers, API docs and the admin --------------------------------------------------


def test_json_answers_get_the_short_policy_and_no_permissions_policy(course: Course) -> None:
    for path in ("/api/courses", "/api/does-not-exist"):
        response = Client().get(path)
        assert response["Content-Type"].startswith("application/json"), path
        assert policy(response) == {"default-src": ["'none'"], "frame-ancestors": ["'none'"]}
        assert "Permissions-Policy" not in response, path


def test_api_docs_run_under_the_page_policy(db: Any) -> None:
    """The Swagger page is served from static files (ninja in INSTALLED_APPS): no
    exemption, and nothing inline that would need one."""
    response = Client().get("/api/docs")
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    tags = parsed(response)
    assert executable_inline_scripts(tags) == []
    assert all(
        re.match(r"^/static/", attrs["src"] or "") for attrs in tags.scripts if "src" in attrs
    )


def test_admin_login_runs_under_the_page_policy(db: Any) -> None:
    response = Client().get(reverse("admin:login"))
    assert policy(response)["script-src"][0] == "'self'"
    assert executable_inline_scripts(parsed(response)) == []
