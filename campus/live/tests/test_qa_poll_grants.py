"""Changed Q&A polls served from a grant (campus.core.polls, campus.courses.grants).

Where page sessions sit in the shared cache (with CACHE_URL: `cached_db`), a student's
changed poll gets the new list from the shortcut, without the session row, the user or
any query, as long as the grant the full path gave holds. Here the shared cache is
Django's local-memory cache (a stand-in for Redis: the same API, no queries) and the
page sessions are `cached_db`, as in production. Every write that could take access
away must make the next changed poll take the full path, which refuses it.
"""

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campus.accounts.models import Role, User
from campus.core import polls
from campus.courses import services as course_services
from campus.courses.models import Course, Enrollment
from campus.live import services
from campus.live.models import ChatKind, ChatMessage, LiveSession
from campus.live.tests.helpers import make_live
from conftest import build_course

pytestmark = pytest.mark.django_db

HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def sessions_in_the_shared_cache(settings: Any) -> Any:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def live(owner: User, course: Course) -> LiveSession:
    return make_live(owner, course, title="Révisions en direct")


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[Callable[[], Any]], Any]:
    """Runs a write as if it committed: its on-commit work (new stamps) runs too."""

    def run(write: Callable[[], Any]) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return write()

    return run


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def poll_url(html: str) -> str:
    match = re.search(r'<div class="qa-list"[^>]*?hx-get="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1).replace("&amp;", "&")


def pass_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["pass"][0]


def ask(session: LiveSession, user: User, text: str) -> ChatMessage:
    return services.chat_post(actor=user, session=session, text=text, kind=ChatKind.QUESTION)


def granted_url(client: Client, session: LiveSession, owner: User, committed: Any) -> str:
    """The URL a student's list polls with once a change went through the full path:
    its pass carries a grant."""
    kwargs = {"slug": session.course.slug, "session_id": session.pk}
    url = poll_url(client.get(reverse("live:join", kwargs=kwargs)).content.decode())
    assert len(pass_of(url).split(".")) == 3  # the page's pass: no grant yet
    committed(lambda: ask(session, owner, "Bienvenue"))
    response = client.get(url, **HTMX)
    assert response.status_code == 200
    url = poll_url(response.content.decode())
    assert len(pass_of(url).split(".")) == 4
    return url


def test_a_granted_student_gets_each_change_without_a_query(
    live: LiveSession, member: User, owner: User, committed: Any
) -> None:
    client = client_for(member)
    url = granted_url(client, live, owner, committed)
    for n in range(3):
        committed(lambda n=n: ask(live, owner, f"Question {n}"))
        _draw_for_the_class(live)  # a classmate reads the change first: the list is drawn
        with CaptureQueriesContext(connection) as queries:
            served = client.get(url, **HTMX)
        assert served.status_code == 200
        body = served.content.decode()
        assert f"Question {n}" in body and "Bienvenue" in body
        assert queries.captured_queries == []
        assert "private" in served["Cache-Control"]
        policy = served["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
        url = poll_url(body)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, **HTMX).status_code == 204
        assert queries.captured_queries == []


def _draw_for_the_class(live: LiveSession) -> None:
    """A classmate's poll after the change, which draws the list's shell for its state."""
    classmate = User.objects.create_user(email=f"c{Enrollment.objects.count()}@x.test")
    course_services.enrollment_create(actor=classmate, course=live.course)
    base = reverse("live:questions", kwargs={"slug": live.course.slug, "session_id": live.pk})
    assert client_for(classmate).get(f"{base}?part=list", **HTMX).status_code == 200


def _unenroll(member: User, course: Course, live: LiveSession, owner: User) -> None:
    course_services.enrollment_deactivate(actor=member, course=course)


def _enrollment_deleted(member: User, course: Course, live: LiveSession, owner: User) -> None:
    Enrollment.objects.filter(user=member, course=course).delete()


def _unpublished(member: User, course: Course, live: LiveSession, owner: User) -> None:
    course_services.course_set_published(actor=owner, course=course, published=False)


def _deactivated(member: User, course: Course, live: LiveSession, owner: User) -> None:
    member.is_active = False
    member.save(update_fields=["is_active"])


def _password_changed(member: User, course: Course, live: LiveSession, owner: User) -> None:
    member.set_password("un-autre-mot-de-passe-2026")
    member.save(update_fields=["password"])


def _session_moved(member: User, course: Course, live: LiveSession, owner: User) -> None:
    live.course = build_course(owner, title="Un autre cours")
    live.save(update_fields=["course"])


def _session_deleted(member: User, course: Course, live: LiveSession, owner: User) -> None:
    LiveSession.objects.filter(pk=live.pk).delete()


@pytest.mark.parametrize(
    "take_access_away",
    [
        _unenroll,
        _enrollment_deleted,
        _unpublished,
        _deactivated,
        _password_changed,
        _session_moved,
        _session_deleted,
    ],
)
def test_a_write_that_takes_access_away_ends_the_grant_at_once(
    live: LiveSession,
    member: User,
    owner: User,
    course: Course,
    committed: Any,
    take_access_away: Callable[..., None],
) -> None:
    """The new list is drawn and the grant is in the cache: only the access stamp that
    the write replaced keeps the shortcut from serving it."""
    client = client_for(member)
    url = granted_url(client, live, owner, committed)
    secret = "Secret de la classe"
    committed(lambda: ask(live, owner, secret))
    _draw_for_the_class(live)
    committed(lambda: take_access_away(member, course, live, owner))
    refused = client.get(url, **HTMX)
    assert secret not in refused.content.decode()
    assert refused.status_code in (302, 403, 404) or refused.headers.get("HX-Redirect")


def test_logged_out_the_grant_serves_nothing(
    live: LiveSession, member: User, owner: User, committed: Any
) -> None:
    client = client_for(member)
    url = granted_url(client, live, owner, committed)
    kept = {name: client.cookies[name].value for name in ("sessionid", "csrftoken")}
    client.logout()
    committed(lambda: ask(live, owner, "Après la déconnexion"))
    _draw_for_the_class(live)
    # The same cookies replayed (a copy kept from before the logout): refused too.
    replay = Client()
    for name, value in kept.items():
        replay.cookies[name] = value
    for browser in (client, replay):
        response = browser.get(url, **HTMX)
        assert b"Apr\xc3\xa8s la d\xc3\xa9connexion" not in response.content
        assert response.status_code == 302 or response.headers.get("HX-Redirect")


def test_the_grant_is_this_browsers_only(
    live: LiveSession, member: User, owner: User, course: Course, committed: Any
) -> None:
    url = granted_url(client_for(member), live, owner, committed)
    committed(lambda: ask(live, owner, "Réservé"))
    _draw_for_the_class(live)
    outsider = User.objects.create_user(email="dehors@x.test")
    response = client_for(outsider).get(url, **HTMX)
    assert response.status_code == 403 and "Réservé" not in response.content.decode()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token.replace(token.split(".")[2], "0" * 16),  # another grant id
        lambda token: ".".join(token.split(".")[:2] + token.split(".")[3:]),  # grant dropped
    ],
)
def test_a_forged_grant_takes_the_full_path(
    live: LiveSession, member: User, owner: User, committed: Any, tamper: Any
) -> None:
    client = client_for(member)
    url = granted_url(client, live, owner, committed)
    committed(lambda: ask(live, owner, "Nouvelle"))
    _draw_for_the_class(live)
    token = pass_of(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url.replace(token, quote(tamper(token))), **HTMX)
    assert response.status_code == 200 and "Nouvelle" in response.content.decode()
    assert len(queries.captured_queries) >= 3  # the session, the user, the access check


def test_a_grant_expires_and_the_full_path_checks_access_again(
    live: LiveSession, member: User, owner: User, committed: Any
) -> None:
    client = client_for(member)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        url = granted_url(client, live, owner, committed)
        traveller.shift(polls.POLL_PASS_SECONDS + 1)
        committed(lambda: ask(live, owner, "Plus tard"))
        _draw_for_the_class(live)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, **HTMX)
        assert response.status_code == 200 and "Plus tard" in response.content.decode()
        assert len(queries.captured_queries) >= 3


def test_moderators_get_no_grant(
    live: LiveSession, owner: User, user_factory: Any, course: Course, committed: Any
) -> None:
    admin = user_factory(Role.ADMIN)
    for moderator in (owner, admin):
        client = client_for(moderator)
        kwargs = {"slug": course.slug, "session_id": live.pk}
        url = poll_url(client.get(reverse("live:join", kwargs=kwargs)).content.decode())
        committed(lambda: ask(live, owner, "Encore"))
        url = poll_url(client.get(url, **HTMX).content.decode())
        assert len(pass_of(url).split(".")) == 3


def test_without_sessions_in_the_shared_cache_no_grant_is_given(
    live: LiveSession, member: User, owner: User, committed: Any, settings: Any
) -> None:
    """The embedded default (database sessions): a logout could not be seen in one cache
    round trip, so changed polls keep the full path."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    client = client_for(member)
    kwargs = {"slug": live.course.slug, "session_id": live.pk}
    url = poll_url(client.get(reverse("live:join", kwargs=kwargs)).content.decode())
    committed(lambda: ask(live, owner, "Encore"))
    url = poll_url(client.get(url, **HTMX).content.decode())
    assert len(pass_of(url).split(".")) == 3
