"""Live chat (Q&A) and the student's own sessions over the API."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from campus.accounts.models import User
from campus.courses.models import Course
from campus.live import services
from campus.live.models import ChatMessage
from campus.live.tests.helpers import make_live, make_session
from conftest import build_course

pytestmark = pytest.mark.django_db


def chat(session: Any) -> str:
    return f"/api/live-sessions/{session.pk}/chat"


def test_question_answer_and_since_cursor(
    api: Any, owner: User, member: User, course: Course
) -> None:
    session = make_live(owner, course)
    q = api(member).post(chat(session), {"text": " Une question ? ", "kind": "question"})
    assert q.status_code == 201, q.content
    question = q.json_body["data"]
    assert question["kind"] == "question" and question["text"] == "Une question ?"
    assert "email" not in str(question) and member.email not in q.content.decode()
    a = api(owner).post(
        chat(session), {"text": "La réponse.", "kind": "answer", "answer_to": question["id"]}
    )
    assert a.status_code == 201
    assert a.json_body["data"]["answer_to_id"] == question["id"]

    page = api(member).get(chat(session))
    assert [m["kind"] for m in page.json_body["data"]] == ["question", "answer"]
    cursor = page.json_body["pagination"]["next"]
    assert cursor == str(a.json_body["data"]["id"])
    api(member).post(chat(session), {"text": "Merci"})
    newer = api(member).get(chat(session), {"since": cursor}).json_body["data"]
    assert [m["text"] for m in newer] == ["Merci"]
    empty = api(member).get(chat(session), {"since": newer[0]["id"]}).json_body
    assert empty["data"] == [] and empty["pagination"]["next"] == str(newer[0]["id"])


def test_hidden_messages_only_for_moderators(
    api: Any, owner: User, member: User, course: Course
) -> None:
    session = make_live(owner, course)
    message = services.chat_post(actor=member, session=session, text="Hors sujet")
    ChatMessage.objects.filter(pk=message.pk).update(is_hidden=True)
    assert api(member).get(chat(session)).json_body["data"] == []
    assert len(api(owner).get(chat(session)).json_body["data"]) == 1


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"text": ""}, "validation_error"),
        ({"text": "   "}, "validation_error"),
        ({"text": "x" * 2001}, "validation_error"),
        ({"text": "ok", "kind": "shout"}, "validation_error"),
        ({"text": "ok", "answer_to": 1}, "validation_error"),
    ],
)
def test_chat_bad_input(
    api: Any, owner: User, member: User, course: Course, payload: dict, code: str
) -> None:
    session = make_live(owner, course)
    response = api(member).post(chat(session), payload)
    assert response.status_code == 400 and response.json_body["error"]["code"] == code
    assert not ChatMessage.objects.exists()


def test_only_moderators_answer_and_only_questions(
    api: Any, owner: User, member: User, course: Course
) -> None:
    session = make_live(owner, course)
    plain = services.chat_post(actor=member, session=session, text="Bonjour")
    question = services.chat_post(actor=member, session=session, text="?", kind="question")
    student_answer = api(member).post(
        chat(session), {"text": "moi", "kind": "answer", "answer_to": question.pk}
    )
    assert student_answer.status_code == 403
    not_question = api(owner).post(
        chat(session), {"text": "r", "kind": "answer", "answer_to": plain.pk}
    )
    assert not_question.status_code == 400
    assert not_question.json_body["error"]["details"][0]["code"] == "question_not_found"
    no_target = api(owner).post(chat(session), {"text": "r", "kind": "answer"})
    assert no_target.status_code == 400


def test_chat_only_while_live(api: Any, owner: User, member: User, course: Course) -> None:
    session = make_session(owner, course)
    response = api(member).post(chat(session), {"text": "Trop tôt"})
    assert response.status_code == 409
    assert response.json_body["error"]["code"] == "session_not_started"


def test_student_sessions_grouped(
    api: Any, owner: User, member: User, course: Course, user_factory: Any
) -> None:
    upcoming = make_session(owner, course, title="Bientôt", starts_in=timedelta(days=1))
    live = make_live(owner, course, title="Maintenant")
    ended = make_live(owner, course, title="Finie")
    services.session_end(actor=owner, session=ended)
    other = build_course(user_factory("instructor"), title="Autre", modules=0, with_final=False)
    make_live(other.instructor, other, title="Pas à moi")
    response = api(member).get("/api/student/live-sessions")
    assert response.status_code == 200
    data = response.json_body["data"]
    assert [s["id"] for s in data["upcoming"]] == [upcoming.pk]
    assert [s["id"] for s in data["live"]] == [live.pk]
    assert [s["id"] for s in data["past"]] == [ended.pk]
    assert data["live"][0]["can_join"] is True and data["upcoming"][0]["can_join"] is False
    assert data["live"][0]["course_title"] == course.title
    assert live.jitsi_room_password not in response.content.decode()
    assert timezone.now() < upcoming.scheduled_start_at
