"""The room's pages: join (waiting room, embed config, closed), the waiting-room poll, the
leave beacon, the data-saver toggle and the Q&A panel (ETag, ask, answer, moderate)."""

import json
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campus.accounts.models import User
from campus.courses import services as course_services
from campus.courses.models import Course
from campus.live import services
from campus.live.models import AttendanceInterval, ChatKind, ChatMessage, LiveSession
from campus.live.tests.helpers import make_live, make_session
from conftest import build_course

pytestmark = pytest.mark.django_db

HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


def client_for(user: User | None, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    return client


def url(name: str, session: LiveSession, **extra: Any) -> str:
    return reverse(
        f"live:{name}", kwargs={"slug": session.course.slug, "session_id": session.pk, **extra}
    )


def html(response: Any, status: int = 200) -> str:
    assert response.status_code == status, (response.status_code, response.content[:400])
    return response.content.decode()


def room_config(response: Any) -> dict[str, Any]:
    match = re.search(
        r'<script id="live-room-config" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, "no room config in the page"
    return json.loads(match.group(1))


@pytest.fixture
def live(owner: User, course: Course) -> LiveSession:
    return make_live(owner, course, title="Révisions en direct")


@pytest.fixture
def scheduled(owner: User, course: Course) -> LiveSession:
    return make_session(owner, course, title="Séance à venir")


def ask(session: LiveSession, user: User, text: str = "Une question ?") -> ChatMessage:
    return services.chat_post(actor=user, session=session, text=text, kind=ChatKind.QUESTION)


def answer(session: LiveSession, user: User, question: ChatMessage, text: str) -> ChatMessage:
    return services.chat_post(
        actor=user, session=session, text=text, kind=ChatKind.ANSWER, answer_to=question.pk
    )


# --- Join page: who gets in -------------------------------------------------------------


def test_join_anonymous_goes_to_login(live: LiveSession) -> None:
    response = Client().get(url("join", live))
    assert response.status_code == 302
    assert "/accounts/login" in response["Location"]


def test_join_outsider_403_and_other_instructor_403(
    live: LiveSession, outsider: User, other_instructor: User
) -> None:
    assert client_for(outsider).get(url("join", live)).status_code == 403
    assert client_for(other_instructor).get(url("join", live)).status_code == 403


def test_join_wrong_slug_404(live: LiveSession, member: User, owner: User) -> None:
    other = build_course(owner, title="Autre cours")
    course_services.enrollment_create(actor=member, course=other)
    wrong = reverse("live:join", kwargs={"slug": other.slug, "session_id": live.pk})
    assert client_for(member).get(wrong).status_code == 404
    missing = reverse("live:join", kwargs={"slug": live.course.slug, "session_id": 999999})
    assert client_for(member).get(missing).status_code == 404


def test_join_draft_course_404_for_student(owner: User, member: User, draft_course: Course) -> None:
    session = make_session(owner, draft_course)
    assert client_for(member).get(url("join", session)).status_code == 404


@pytest.mark.parametrize("who", ["member", "owner", "admin_user"])
def test_join_live_shows_the_room(live: LiveSession, who: str, request: Any) -> None:
    user = request.getfixturevalue(who)
    response = client_for(user).get(url("join", live))
    page = html(response)
    assert "Révisions en direct" in page
    assert live.course.title in page
    assert "En direct" in page
    assert 'id="live-stage"' in page
    assert "live/room.js" in page
    assert 'id="qa-panel-' in page
    config = room_config(response)
    assert config["sessionId"] == live.pk
    assert config["urls"] == {
        "join": f"/api/live-sessions/{live.pk}/join",
        "heartbeat": f"/api/live-sessions/{live.pk}/heartbeat",
        "leave": f"/api/live-sessions/{live.pk}/leave",
        "beacon": url("leave_beacon", live),
    }
    assert config["user"] == {"displayName": user.display_name, "email": user.email}
    assert config["isModerator"] is (who != "member")
    assert config["embed"]["lang"] == "fr"
    overwrite = config["embed"]["configOverwrite"]
    assert overwrite["prejoinPageEnabled"] is True
    assert overwrite["disableDeepLinking"] is True
    assert overwrite["startWithVideoMuted"] is (who == "member")
    assert "startAudioOnly" not in overwrite
    assert config["csrfToken"]


def test_no_jwt_or_room_password_in_the_html(
    live: LiveSession, member: User, settings: Any
) -> None:
    settings.JITSI_MODE = "selfhosted"
    settings.JITSI_APP_ID = "campus-test"
    settings.JITSI_APP_SECRET = "s" * 40
    page = html(client_for(member).get(url("join", live)))
    assert live.jitsi_room_password not in page
    assert live.jitsi_room_name not in page
    assert '"jwt"' not in page
    assert "eyJ" not in page  # no JWT-looking string anywhere


def test_join_scheduled_is_the_waiting_room(scheduled: LiveSession, member: User) -> None:
    member.timezone = "Asia/Tokyo"
    member.save(update_fields=["timezone"])
    page = html(client_for(member).get(url("join", scheduled)))
    start = scheduled.scheduled_start_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert "Salle d\u2019attente" in page
    assert f"à {start:%H:%M}." in page
    assert "Programmée" in page
    assert f'hx-get="{url("waiting_status", scheduled)}?v=' in page
    assert 'hx-trigger="every 15s"' in page  # 10 minutes before the start (see test_waiting_poll)
    assert "live-room-config" not in page
    assert "live/room.js" not in page
    assert "Économiseur de données (audio seul)" in page


def test_join_ended_and_cancelled(owner: User, course: Course, member: User) -> None:
    ended = make_live(owner, course, title="Passée")
    ask(ended, member, "Question d'avant")
    services.session_end(actor=owner, session=ended)
    page = html(client_for(member).get(url("join", ended)))
    assert "Cette session est terminée." in page
    assert "Question d&#x27;avant" in page or "Question d'avant" in page
    assert "live-room-config" not in page
    assert 'hx-trigger="every' not in page  # the read-only panel does not poll
    cancelled = make_session(owner, course, title="Annulée")
    services.session_cancel(actor=owner, session=cancelled, reason="Formatrice malade")
    page = html(client_for(member).get(url("join", cancelled)))
    assert "Cette session a été annulée." in page
    assert "Formatrice malade" in page


# --- Waiting room poll ------------------------------------------------------------------


def test_waiting_status_while_scheduled_then_refresh_when_live(
    scheduled: LiveSession, member: User, owner: User
) -> None:
    client = client_for(member)
    response = client.get(url("waiting_status", scheduled), **HTMX)
    assert "En attente du début de la session" in html(response)
    assert "HX-Refresh" not in response
    services.session_start(actor=owner, session=scheduled)
    response = client.get(url("waiting_status", scheduled), **HTMX)
    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"


def test_waiting_status_stops_polling_when_cancelled_or_ended(
    owner: User, course: Course, member: User
) -> None:
    cancelled = make_session(owner, course)
    services.session_cancel(actor=owner, session=cancelled)
    response = client_for(member).get(url("waiting_status", cancelled), **HTMX)
    assert response.status_code == 286
    assert "Cette session a été annulée." in response.content.decode()
    ended = make_live(owner, course)
    services.session_end(actor=owner, session=ended)
    response = client_for(member).get(url("waiting_status", ended), **HTMX)
    assert response.status_code == 286
    assert "Cette session est terminée." in response.content.decode()


def test_waiting_status_without_htmx_redirects_and_access(
    scheduled: LiveSession, member: User, outsider: User
) -> None:
    response = client_for(member).get(url("waiting_status", scheduled))
    assert response.status_code == 302 and response["Location"] == url("join", scheduled)
    assert client_for(outsider).get(url("waiting_status", scheduled), **HTMX).status_code == 403
    anonymous = Client().get(url("waiting_status", scheduled), **HTMX)
    assert anonymous.status_code == 200 and "/accounts/login" in anonymous["HX-Redirect"]


# --- Leave beacon -----------------------------------------------------------------------


def _csrf_client(user: User, page_url: str) -> tuple[Client, str]:
    client = client_for(user, enforce_csrf_checks=True)
    client.get(page_url)
    return client, client.cookies["csrftoken"].value


def test_leave_beacon_closes_the_interval(live: LiveSession, member: User) -> None:
    services.session_join(actor=member, session=live)
    client, token = _csrf_client(member, url("join", live))
    assert client.post(url("leave_beacon", live)).status_code == 403  # no token: refused
    response = client.post(url("leave_beacon", live), {"csrfmiddlewaretoken": token})
    assert response.status_code == 204
    interval = AttendanceInterval.objects.get(participant__session=live, participant__user=member)
    assert interval.left_at is not None


def test_leave_beacon_not_joined_is_a_quiet_409(live: LiveSession, member: User) -> None:
    client, token = _csrf_client(member, url("join", live))
    response = client.post(url("leave_beacon", live), {"csrfmiddlewaretoken": token})
    assert response.status_code == 409
    assert response.content == b""


def test_leave_beacon_get_405_and_outsider_403(
    live: LiveSession, member: User, outsider: User
) -> None:
    assert client_for(member).get(url("leave_beacon", live)).status_code == 405
    assert client_for(outsider).post(url("leave_beacon", live)).status_code == 403


# --- Data saver ----------------------------------------------------------------------------


def test_data_saver_toggle_persists_and_changes_the_embed(live: LiveSession, member: User) -> None:
    client = client_for(member)
    response = client.post(url("data_saver", live), {"data_saver": "on", "next": url("join", live)})
    assert response.status_code == 302 and response["Location"] == url("join", live)
    member.refresh_from_db()
    assert member.data_saver is True
    page = client.get(url("join", live))
    overwrite = room_config(page)["embed"]["configOverwrite"]
    assert overwrite["startAudioOnly"] is True
    assert overwrite["startWithVideoMuted"] is True
    assert overwrite["resolution"] == 180
    assert 'id="live-data-saver" name="data_saver" value="on" checked' in page.content.decode()
    # Unchecked box: off again, and the options go back to normal.
    client.post(url("data_saver", live), {})
    member.refresh_from_db()
    assert member.data_saver is False
    assert (
        "startAudioOnly"
        not in room_config(client.get(url("join", live)))["embed"]["configOverwrite"]
    )


def test_data_saver_ignores_foreign_next_and_needs_access(
    live: LiveSession, member: User, outsider: User
) -> None:
    response = client_for(member).post(
        url("data_saver", live), {"data_saver": "on", "next": "https://evil.example/"}
    )
    assert response["Location"] == url("join", live)
    assert (
        client_for(outsider).post(url("data_saver", live), {"data_saver": "on"}).status_code == 403
    )
    outsider.refresh_from_db()
    assert outsider.data_saver is False
    assert client_for(member).get(url("data_saver", live)).status_code == 405


# --- Q&A panel: reading --------------------------------------------------------------------


def test_questions_pinned_first_then_newest_with_answers(
    live: LiveSession, member: User, owner: User
) -> None:
    first = ask(live, member, "Première question")
    second = ask(live, member, "Deuxième question")
    third = ask(live, member, "Troisième question")
    answer(live, owner, first, "Voici la réponse")
    services.chat_moderate(actor=owner, session=live, message_id=first.pk, action="pin")
    page = html(client_for(member).get(url("questions", live)))
    order = [page.index(t) for t in ("Première", "Troisième", "Deuxième")]
    assert order == sorted(order)
    assert "Voici la réponse" in page
    assert "Épinglée" in page
    assert member.display_name in page and owner.display_name in page
    assert member.email not in page and owner.email not in page
    assert second.pk and third.pk
    # The student sees no moderation tools.
    assert "Épingler" not in page and "Masquer" not in page and "Répondre" not in page


def test_hidden_questions_only_for_moderators(live: LiveSession, member: User, owner: User) -> None:
    hidden = ask(live, member, "Question déplacée")
    shown = ask(live, member, "Question normale")
    reply = answer(live, owner, shown, "Réponse masquée")
    services.chat_moderate(actor=owner, session=live, message_id=hidden.pk, action="hide")
    services.chat_moderate(actor=owner, session=live, message_id=reply.pk, action="hide")
    student_page = html(client_for(member).get(url("questions", live)))
    assert "Question déplacée" not in student_page
    assert "Réponse masquée" not in student_page
    assert "Question normale" in student_page
    owner_page = html(client_for(owner).get(url("questions", live)))
    assert "Question déplacée" in owner_page and "Réponse masquée" in owner_page
    assert "Masqué" in owner_page and "qa-hidden" in owner_page
    assert "Afficher" in owner_page


def test_questions_access(live: LiveSession, outsider: User) -> None:
    assert client_for(outsider).get(url("questions", live)).status_code == 403
    response = Client().get(url("questions", live))
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_questions_list_part_is_only_the_polled_list(live: LiveSession, member: User) -> None:
    ask(live, member, "Dans la liste")
    page = html(client_for(member).get(url("questions", live) + "?part=list", **HTMX))
    assert page.lstrip().startswith('<div class="qa-list"')
    assert "Dans la liste" in page
    assert "qa-ask" not in page
    assert "every 5s" in page


def test_questions_etag_304_and_changes(
    live: LiveSession, member: User, owner: User, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(member)
    question = ask(live, member)
    first = client.get(url("questions", live))
    etag = first["ETag"]
    assert etag and first["Cache-Control"] in ("private, no-cache", "no-cache, private")
    again = client.get(url("questions", live), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    # A new question, a pin and a hide each change the ETag.
    seen = {etag}
    for change in (
        lambda: ask(live, owner, "Nouvelle"),
        lambda: services.chat_moderate(
            actor=owner, session=live, message_id=question.pk, action="pin"
        ),
        lambda: services.chat_moderate(
            actor=owner, session=live, message_id=question.pk, action="hide"
        ),
    ):
        with django_capture_on_commit_callbacks(execute=True):  # as the write commits
            change()
        response = client.get(url("questions", live), HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 200
        etag = response["ETag"]
        assert etag not in seen
        seen.add(etag)
    # The moderator's view of the same chat has its own ETag.
    owner_etag = client_for(owner).get(url("questions", live))["ETag"]
    assert owner_etag not in seen


def test_questions_etag_changes_when_the_session_ends(
    live: LiveSession, member: User, owner: User, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(member)
    etag = client.get(url("questions", live))["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        services.session_end(actor=owner, session=live)
    response = client.get(url("questions", live), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert "Les questions sont ouvertes pendant la session en direct." in response.content.decode()


def test_questions_query_count_does_not_grow(
    live: LiveSession, member: User, owner: User, django_assert_num_queries: Any
) -> None:
    client = client_for(owner)
    question = ask(live, member, "Q0")
    answer(live, owner, question, "R0")
    client.get(url("questions", live))  # warm the session
    with CaptureQueriesContext(connection) as few:
        html(client.get(url("questions", live)))
    count = len(few.captured_queries)
    assert count <= 8
    for n in range(1, 20):
        question = ask(live, member, f"Q{n}")
        answer(live, owner, question, f"R{n}")
        answer(live, owner, question, f"R{n}bis")
    with django_assert_num_queries(count):
        page = html(client.get(url("questions", live)))
    assert "Q19" in page and "R19bis" in page


def test_questions_are_bounded(
    live: LiveSession, member: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from campus.live import selectors

    monkeypatch.setattr(selectors.qa_panel, "__kwdefaults__", {"limit": 3})
    for n in range(5):
        ask(live, member, f"Numéro {n}")
    page = html(client_for(member).get(url("questions", live)))
    assert "Numéro 4" in page and "Numéro 2" in page and "Numéro 1" not in page
    assert "Seules les 3 premières questions sont affichées" in page


# --- Q&A panel: asking ---------------------------------------------------------------------


def test_ask_with_htmx_returns_the_panel(live: LiveSession, member: User) -> None:
    response = client_for(member).post(
        url("questions", live), {"text": "  Et la suite ?  "}, **HTMX
    )
    page = html(response)
    assert 'class="card qa-panel"' in page and "Et la suite ?" in page
    message = ChatMessage.objects.get(session=live)
    assert message.kind == ChatKind.QUESTION and message.text == "Et la suite ?"
    assert message.author == member


def test_ask_without_js_redirects_back(live: LiveSession, member: User) -> None:
    response = client_for(member).post(url("questions", live), {"text": "Sans JS ?"})
    assert response.status_code == 302
    assert response["Location"] == url("join", live) + "#qa"
    assert ChatMessage.objects.filter(session=live, text="Sans JS ?").exists()


@pytest.mark.parametrize(
    ("text", "message"), [("   ", "Le message est vide."), ("x" * 2001, "Au plus 2000 caractères.")]
)
def test_ask_bad_text_is_400_inline(
    live: LiveSession, member: User, text: str, message: str
) -> None:
    client = client_for(member)
    page = html(client.post(url("questions", live), {"text": text}, **HTMX), 400)
    assert message in page and 'class="card qa-panel"' in page
    page = html(client.post(url("questions", live), {"text": text}), 400)
    assert message in page and "live-room-config" in page  # the join page, form inline
    if text.strip():
        assert text in page  # nothing lost
    assert not ChatMessage.objects.filter(session=live).exists()


def test_ask_while_not_live_is_409_inline(
    scheduled: LiveSession, member: User, owner: User
) -> None:
    page = html(client_for(member).post(url("questions", scheduled), {"text": "Tôt"}, **HTMX), 409)
    assert "La session n&#x27;a pas encore commencé." in page or "pas encore commencé" in page
    ended = make_live(owner, scheduled.course)
    services.session_end(actor=owner, session=ended)
    page = html(client_for(member).post(url("questions", ended), {"text": "Tard"}, **HTMX), 409)
    assert "terminée ou annulée" in page
    page = html(client_for(member).post(url("questions", ended), {"text": "Tard"}), 409)
    assert "terminée ou annulée" in page
    assert not ChatMessage.objects.exists()


def test_ask_forbidden_actors(live: LiveSession, outsider: User) -> None:
    assert client_for(outsider).post(url("questions", live), {"text": "?"}).status_code == 403
    response = Client().post(url("questions", live), {"text": "?"})
    assert response.status_code == 302 and "/accounts/login" in response["Location"]
    assert client_for(outsider).put(url("questions", live)).status_code == 405
    assert not ChatMessage.objects.exists()


# --- Q&A panel: answering and moderating ---------------------------------------------------


def test_owner_answers_from_the_panel(live: LiveSession, member: User, owner: User) -> None:
    question = ask(live, member, "Comment ?")
    client = client_for(owner)
    page = html(client.get(url("questions", live)))
    assert url("question_answer", live, message_id=question.pk) in page
    page = html(
        client.post(
            url("question_answer", live, message_id=question.pk), {"text": "Ainsi."}, **HTMX
        )
    )
    assert "Ainsi." in page
    reply = ChatMessage.objects.get(kind=ChatKind.ANSWER)
    assert reply.answer_to == question and reply.author == owner
    response = client.post(url("question_answer", live, message_id=question.pk), {"text": "Bis"})
    assert response.status_code == 302 and response["Location"].endswith("#qa")
    assert "Ainsi." in html(client_for(member).get(url("questions", live)))


def test_answer_bad_input(live: LiveSession, member: User, owner: User) -> None:
    question = ask(live, member, "Comment ?")
    client = client_for(owner)
    page = html(
        client.post(url("question_answer", live, message_id=question.pk), {"text": " "}, **HTMX),
        400,
    )
    assert "Le message est vide." in page
    long = "y" * 2001
    page = html(
        client.post(url("question_answer", live, message_id=question.pk), {"text": long}, **HTMX),
        400,
    )
    assert "Au plus 2000 caractères." in page and long in page
    # Not a question of this session: 400 with the message at the top of the panel.
    reply = answer(live, owner, question, "R")
    page = html(
        client.post(url("question_answer", live, message_id=reply.pk), {"text": "?"}, **HTMX), 400
    )
    assert "Indiquez une question de cette session." in page
    page = html(client.post(url("question_answer", live, message_id=99999), {"text": "?"}), 400)
    assert "Indiquez une question de cette session." in page
    assert ChatMessage.objects.filter(kind=ChatKind.ANSWER).count() == 1


def test_students_cannot_answer_or_moderate(
    live: LiveSession, member: User, outsider: User, other_instructor: User
) -> None:
    question = ask(live, member)
    for user in (member, outsider, other_instructor):
        client = client_for(user)
        answer_url = url("question_answer", live, message_id=question.pk)
        assert client.post(answer_url, {"text": "Moi"}, **HTMX).status_code == 403
        for action in ("pin", "hide"):
            moderate = url("question_moderate", live, message_id=question.pk, action=action)
            assert client.post(moderate, **HTMX).status_code == 403
    question.refresh_from_db()
    assert not question.is_pinned and not question.is_hidden
    assert ChatMessage.objects.filter(kind=ChatKind.ANSWER).count() == 0
    anonymous = Client().post(url("question_moderate", live, message_id=question.pk, action="pin"))
    assert anonymous.status_code == 302


def test_moderate_pin_unpin_hide_unhide(live: LiveSession, member: User, owner: User) -> None:
    question = ask(live, member, "À modérer")
    client = client_for(owner)
    for action, field, value in (
        ("pin", "is_pinned", True),
        ("unpin", "is_pinned", False),
        ("hide", "is_hidden", True),
        ("unhide", "is_hidden", False),
    ):
        moderate = url("question_moderate", live, message_id=question.pk, action=action)
        response = client.post(moderate, **HTMX)
        assert 'class="card qa-panel"' in html(response)
        question.refresh_from_db()
        assert getattr(question, field) is value
    response = client.post(url("question_moderate", live, message_id=question.pk, action="pin"))
    assert response.status_code == 302 and response["Location"] == url("join", live) + "#qa"


def test_moderate_bad_action_or_message_404(
    live: LiveSession, member: User, owner: User, course: Course
) -> None:
    question = ask(live, member)
    client = client_for(owner)
    bad = url("question_moderate", live, message_id=question.pk, action="delete")
    assert client.post(bad).status_code == 404
    assert (
        client.post(url("question_moderate", live, message_id=99999, action="pin")).status_code
        == 404
    )
    other = make_live(owner, course, title="Autre")
    other_question = ask(other, member)
    foreign = url("question_moderate", live, message_id=other_question.pk, action="hide")
    assert client.post(foreign).status_code == 404
    other_question.refresh_from_db()
    assert other_question.is_hidden is False
    assert (
        client.get(url("question_moderate", live, message_id=question.pk, action="pin")).status_code
        == 405
    )


def test_moderation_works_after_the_session_ended(
    live: LiveSession, member: User, owner: User
) -> None:
    question = ask(live, member)
    services.session_end(actor=owner, session=live)
    moderate = url("question_moderate", live, message_id=question.pk, action="hide")
    assert client_for(owner).post(moderate, **HTMX).status_code == 200
    question.refresh_from_db()
    assert question.is_hidden
    # But answering needs a live session.
    response = client_for(owner).post(
        url("question_answer", live, message_id=question.pk), {"text": "Trop tard"}, **HTMX
    )
    assert response.status_code == 409
