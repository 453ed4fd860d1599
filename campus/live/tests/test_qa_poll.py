"""The Q&A panel's poll costs nothing while nothing changes: the polled list names the
version it shows (?v=), and the server answers that version with an empty 204, which htmx
neither swaps nor stores. Any change (question, answer, pin, hide, end) gives a new list
with a new version. Measured in Chromium in test_browser_qa_cost.py."""

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campus.accounts.models import User
from campus.courses.models import Course
from campus.live import services
from campus.live.models import ChatKind, ChatMessage, LiveSession
from campus.live.tests.helpers import make_live

pytestmark = pytest.mark.django_db

HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def live(owner: User, course: Course) -> LiveSession:
    return make_live(owner, course, title="Révisions en direct")


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ask(session: LiveSession, user: User, text: str = "Une question ?") -> ChatMessage:
    return services.chat_post(actor=user, session=session, text=text, kind=ChatKind.QUESTION)


def poll_url(html: str) -> str:
    """The hx-get of the polled list, as the browser would request it."""
    match = re.search(r'<div class="qa-list"[^>]*?hx-get="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1).replace("&amp;", "&")


def join(client: Client, session: LiveSession) -> str:
    kwargs = {"slug": session.course.slug, "session_id": session.pk}
    response = client.get(reverse("live:join", kwargs=kwargs))
    assert response.status_code == 200
    return response.content.decode()


def test_an_unchanged_poll_is_an_empty_204_and_each_change_a_new_list(
    live: LiveSession, member: User, owner: User
) -> None:
    question = ask(live, member, "Première ?")
    client = client_for(member)
    url = poll_url(join(client, live))
    assert "part=list" in url and "v=" in url
    for _ in range(3):
        response = client.get(url, **HTMX)
        assert response.status_code == 204
        assert response.content == b""
        assert "csrftoken" not in response.cookies  # nothing re-sent while nothing changes
        assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]
    seen = {url}
    for change in (
        lambda: ask(live, owner, "Nouvelle"),
        lambda: services.chat_post(
            actor=owner, session=live, text="Oui", kind=ChatKind.ANSWER, answer_to=question.pk
        ),
        lambda: services.chat_moderate(
            actor=owner, session=live, message_id=question.pk, action="pin"
        ),
        lambda: services.chat_moderate(
            actor=owner, session=live, message_id=question.pk, action="hide"
        ),
    ):
        change()
        response = client.get(url, **HTMX)
        assert response.status_code == 200
        body = response.content.decode()
        assert body.lstrip().startswith('<div class="qa-list"')
        url = poll_url(body)
        assert url not in seen
        seen.add(url)
        assert client.get(url, **HTMX).status_code == 204


def test_the_version_is_per_viewer(live: LiveSession, member: User, owner: User) -> None:
    ask(live, member)
    student_url = poll_url(join(client_for(member), live))
    owner_client = client_for(owner)
    owner_url = poll_url(join(owner_client, live))
    assert student_url != owner_url
    # Someone else's version is not this viewer's: the full list comes back.
    assert owner_client.get(student_url, **HTMX).status_code == 200


def test_the_end_of_the_session_reaches_the_poll(
    live: LiveSession, member: User, owner: User
) -> None:
    client = client_for(member)
    url = poll_url(join(client, live))
    services.session_end(actor=owner, session=live)
    response = client.get(url, **HTMX)
    assert response.status_code == 200
    assert "hx-get" not in response.content.decode()  # the closed list stops polling


@pytest.mark.parametrize("version", ["", "nope", "<script>", "x" * 500, "0" * 32])
def test_a_wrong_or_odd_version_gets_the_list_never_an_error(
    live: LiveSession, member: User, version: str
) -> None:
    ask(live, member, "Visible")
    base = reverse("live:questions", kwargs={"slug": live.course.slug, "session_id": live.pk})
    response = client_for(member).get(base, {"part": "list", "v": version}, **HTMX)
    assert response.status_code == 200
    assert "Visible" in response.content.decode()


def test_an_unchanged_poll_costs_a_constant_few_queries(
    live: LiveSession, member: User, owner: User, django_assert_num_queries: Any
) -> None:
    client = client_for(member)
    ask(live, member, "Q0")
    url = poll_url(join(client, live))
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, **HTMX).status_code == 204
    count = len(few.captured_queries)
    assert count <= 6
    for n in range(1, 30):
        ask(live, member, f"Q{n}")
    url = poll_url(join(client, live))
    with django_assert_num_queries(count):
        assert client.get(url, **HTMX).status_code == 204
