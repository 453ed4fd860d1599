"""The Q&A panel's poll costs nothing while nothing changes: the polled list names the
version it shows (?v=), and the server answers that version with an empty 204, which htmx
neither swaps nor stores. Any change (question, answer, pin, hide, end) gives a new list
with a new version. Measured in Chromium in test_browser_qa_cost.py."""

import re
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campus.accounts.models import User
from campus.core import polls
from campus.courses import services as course_services
from campus.courses.models import Course, Enrollment
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


def sent_to_login(response: Any) -> bool:
    """htmx is told to go to the login page (HX-Redirect), a plain request redirected."""
    target = response.headers.get("HX-Redirect") or response.headers.get("Location", "")
    return bool(target.startswith(reverse("accounts:login")))


def join(client: Client, session: LiveSession) -> str:
    kwargs = {"slug": session.course.slug, "session_id": session.pk}
    response = client.get(reverse("live:join", kwargs=kwargs))
    assert response.status_code == 200
    return response.content.decode()


def test_an_unchanged_poll_is_an_empty_204_and_each_change_a_new_list(
    live: LiveSession, member: User, owner: User, django_capture_on_commit_callbacks: Any
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
        with django_capture_on_commit_callbacks(execute=True):  # as the write commits
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
    live: LiveSession, member: User, owner: User, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(member)
    url = poll_url(join(client, live))
    with django_capture_on_commit_callbacks(execute=True):
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


def test_an_unchanged_poll_reads_no_session_no_user_no_row(
    live: LiveSession, member: User, django_assert_num_queries: Any
) -> None:
    """campus.core.polls answers it from the shared cache before anything loads: with
    one question or thirty, not one query."""
    client = client_for(member)
    ask(live, member, "Q0")
    url = poll_url(join(client, live))
    with django_assert_num_queries(0):
        assert client.get(url, **HTMX).status_code == 204
    for n in range(1, 30):
        ask(live, member, f"Q{n}")
    url = poll_url(join(client, live))
    with django_assert_num_queries(0):
        assert client.get(url, **HTMX).status_code == 204


def test_with_the_cache_lost_an_unchanged_poll_is_still_204_through_the_full_path(
    live: LiveSession, member: User
) -> None:
    client = client_for(member)
    ask(live, member)
    url = poll_url(join(client, live))
    cache.clear()
    with CaptureQueriesContext(connection) as full:
        assert client.get(url, **HTMX).status_code == 204
    assert len(full.captured_queries) >= 3  # the session, the user, the access check
    with CaptureQueriesContext(connection) as shortcut:
        assert client.get(url, **HTMX).status_code == 204
    assert len(shortcut.captured_queries) == 0  # the full path stored the state again


def test_the_pass_is_this_browsers_only(
    live: LiveSession, member: User, course: Course, outsider: User, user_factory: Any
) -> None:
    """Another browser holding the same URL gets what its own access gives: a member
    their own list, an outsider 403, a visitor the login page; never the shortcut."""
    ask(live, member, "Visible")
    url = poll_url(join(client_for(member), live))
    classmate = user_factory(email="classmate@example.com")
    course_services.enrollment_create(actor=classmate, course=course)
    theirs = client_for(classmate).get(url, **HTMX)
    assert theirs.status_code == 200 and "Visible" in theirs.content.decode()
    assert client_for(outsider).get(url, **HTMX).status_code == 403
    visitor = Client().get(url, **HTMX)
    assert sent_to_login(visitor) and b"Visible" not in visitor.content


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("0" if token[-1] != "0" else "1"),  # forged signature
        lambda token: token.replace("live-qa-", "live-qa-9", 1),  # another session's key
        lambda token: "",
        lambda token: "x" * 500,
        lambda token: token.replace(".", "!"),
    ],
)
def test_a_forged_or_odd_pass_takes_the_full_path(
    live: LiveSession, member: User, tamper: Any
) -> None:
    ask(live, member, "Visible")
    client = client_for(member)
    url = poll_url(join(client, live))
    token = parse_qs(urlsplit(url).query)["pass"][0]
    odd = url.replace(f"pass={token}", "pass=" + quote(tamper(token)))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(odd, **HTMX)
    assert response.status_code == 200  # the list again, with a genuine pass
    assert len(queries.captured_queries) >= 3
    assert client.get(poll_url(response.content.decode()), **HTMX).status_code == 204


def test_an_expired_pass_is_renewed_by_the_full_path(live: LiveSession, member: User) -> None:
    ask(live, member)
    client = client_for(member)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        url = poll_url(join(client, live))
        traveller.shift(polls.POLL_PASS_SECONDS + 1)
        renewed = client.get(url, **HTMX)
        assert renewed.status_code == 200  # same version, but a fresh pass to poll with
        new_url = poll_url(renewed.content.decode())
        assert new_url != url
        with CaptureQueriesContext(connection) as queries:
            assert client.get(new_url, **HTMX).status_code == 204
        assert len(queries.captured_queries) == 0


def test_unenrolled_the_poll_learns_nothing_new(
    live: LiveSession,
    member: User,
    owner: User,
    course: Course,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Unenrolling ends access at once: until the next change the old pass still gets
    "nothing new" (an empty 204, no content), and the first change is refused."""
    client = client_for(member)
    url = poll_url(join(client, live))
    course_services.enrollment_deactivate(actor=member, course=course)
    assert not Enrollment.objects.filter(user=member, course=course, is_active=True).exists()
    assert client.get(url, **HTMX).content == b""
    with django_capture_on_commit_callbacks(execute=True):
        ask(live, owner, "Secret de la classe")
    refused = client.get(url, **HTMX)
    assert refused.status_code == 403
    assert "Secret de la classe" not in refused.content.decode()


def test_logged_out_the_poll_gets_the_login_page_not_the_shortcut(
    live: LiveSession, member: User
) -> None:
    client = client_for(member)
    url = poll_url(join(client, live))
    client.logout()
    assert sent_to_login(client.get(url, **HTMX))


def test_students_share_one_drawing_of_the_list_moderators_get_their_own(
    live: LiveSession,
    member: User,
    owner: User,
    course: Course,
    user_factory: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The list is drawn once per state for students (a change read by a whole class
    costs one drawing), in each reader's time zone, and never shows a hidden question
    to a student nor hides it from a moderator, whoever reads first."""
    question = ask(live, member, "Question cachée")
    ask(live, member, "Question visible")
    with django_capture_on_commit_callbacks(execute=True):
        services.chat_moderate(actor=owner, session=live, message_id=question.pk, action="hide")
    base = reverse("live:questions", kwargs={"slug": live.course.slug, "session_id": live.pk})
    list_url = f"{base}?part=list"
    first = client_for(member)
    with CaptureQueriesContext(connection) as drawn:
        first_list = first.get(list_url, **HTMX).content.decode()
    classmate = user_factory(email="classmate@example.com")
    course_services.enrollment_create(actor=classmate, course=course)
    second = client_for(classmate)
    with CaptureQueriesContext(connection) as reused:
        second_list = second.get(list_url, **HTMX).content.decode()
    assert len(reused.captured_queries) < len(drawn.captured_queries)
    assert not any("live_chatmessage" in q["sql"] for q in reused.captured_queries)
    for page in (first_list, second_list):
        assert "Question visible" in page and "Question cachée" not in page
    owner_list = client_for(owner).get(list_url, **HTMX).content.decode()
    assert "Question cachée" in owner_list and "Masqué" in owner_list
    # Another time zone: its own drawing, the times in that zone.
    tokyo = user_factory(email="tokyo@example.com", timezone="Asia/Tokyo")
    course_services.enrollment_create(actor=tokyo, course=course)
    tokyo_list = client_for(tokyo).get(list_url, **HTMX).content.decode()
    visible = ChatMessage.objects.get(text="Question visible")
    shown = timezone.localtime(visible.created_at, ZoneInfo("Asia/Tokyo")).strftime("%H:%M")
    assert shown in tokyo_list
    assert "Question cachée" not in tokyo_list
