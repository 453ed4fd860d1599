"""The owner's message to a session's members (inbox + email, rate-limited) and chat moderation
(pin, unpin, hide, unhide)."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from campus.accounts.models import Role, User
from campus.courses import services as course_services
from campus.courses.models import Course
from campus.live import services
from campus.live.models import ChatMessage
from campus.live.tests.helpers import make_live, make_session
from campus.notifications import services as notification_services
from campus.notifications.models import EmailState, Kind, Notification
from conftest import assert_error, build_course

pytestmark = pytest.mark.django_db


def notify(session: Any) -> str:
    return f"/api/live-sessions/{session.pk}/notify"


def enrolled(user_factory: Callable[..., User], course: Course) -> User:
    student = user_factory(Role.STUDENT)
    course_services.enrollment_create(actor=student, course=course)
    return student


# --- notify ---------------------------------------------------------------------------------
#
# The message goes through the notifications outbox: a notice in each member's inbox and
# an email. Sessions made by the tests also notify their members ("scheduled"), so
# emails are picked by their subject.


def messages_about(subject_end: str) -> list[Any]:
    return [m for m in mail.outbox if m.subject.endswith(subject_end)]


def test_notify_emails_each_active_member_once(
    api: Any,
    owner: User,
    member: User,
    outsider: User,
    course: Course,
    user_factory: Callable[..., User],
    django_capture_on_commit_callbacks: Any,
) -> None:
    second = enrolled(user_factory, course)
    gone = enrolled(user_factory, course)
    course_services.enrollment_deactivate(actor=gone, course=course)
    session = make_session(owner, course, title="Séance de révision")

    with django_capture_on_commit_callbacks(execute=True):
        response = api(owner).post(
            notify(session), {"title": "Changement de salle", "message": "Rendez-vous <ici>."}
        )

    assert response.status_code == 200, response.content
    assert response.json_body["data"] == {"recipients": 2}
    sent = messages_about("Changement de salle")
    assert sorted(m.to[0] for m in sent) == sorted([member.email, second.email])
    email = sent[0]
    assert email.subject == f"{course.title} — Changement de salle"
    assert "Rendez-vous <ici>." in email.body and "Séance de révision" in email.body
    assert owner.display_name in email.body
    assert isinstance(email, EmailMultiAlternatives)
    html = str(email.alternatives[0][0])
    assert "Rendez-vous &lt;ici&gt;." in html and "<ici>" not in html
    assert not {gone.email, outsider.email, owner.email} & {m.to[0] for m in sent}
    inbox = Notification.objects.filter(kind=Kind.SESSION_MESSAGE)
    assert sorted(inbox.values_list("user_id", flat=True)) == sorted([member.pk, second.pk])


def test_notify_title_defaults_to_the_session_title(
    api: Any,
    admin_user: User,
    owner: User,
    member: User,
    course: Course,
    django_capture_on_commit_callbacks: Any,
) -> None:
    session = make_session(owner, course, title="Atelier")
    with django_capture_on_commit_callbacks(execute=True):
        response = api(admin_user).post(notify(session), {"message": "À tout à l'heure"})
    assert response.json_body["data"] == {"recipients": 1}
    assert [m.subject for m in messages_about("— Atelier")] == [f"{course.title} — Atelier"]


def test_notify_without_members_sends_nothing(
    api: Any, owner: User, django_capture_on_commit_callbacks: Any
) -> None:
    empty = build_course(owner, title="Sans inscrits", modules=0, with_final=False)
    session = make_session(owner, empty)
    with django_capture_on_commit_callbacks(execute=True):
        response = api(owner).post(notify(session), {"message": "Bonjour"})
    assert response.json_body["data"] == {"recipients": 0} and mail.outbox == []


def test_member_who_leaves_before_delivery_gets_no_email(
    api: Any, owner: User, member: User, course: Course
) -> None:
    session = make_session(owner, course)
    assert api(owner).post(notify(session), {"message": "m"}).status_code == 200
    course_services.enrollment_deactivate(actor=member, course=course)
    report = notification_services.deliver_pending()
    assert report.sent == 0 and mail.outbox == []
    notice = Notification.objects.get(user=member, kind=Kind.SESSION_MESSAGE)
    assert notice.email_state == EmailState.SKIPPED


def test_sixth_notify_in_an_hour_is_429_with_retry_after(
    api: Any,
    owner: User,
    member: User,
    course: Course,
    django_capture_on_commit_callbacks: Any,
) -> None:
    session = make_session(owner, course)
    other = make_session(owner, course, title="Autre")
    client = api(owner)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            assert client.post(notify(session), {"message": "Rappel"}).status_code == 200
        response = client.post(notify(session), {"message": "Encore"})
        # The limit is per session.
        assert client.post(notify(other), {"message": "Autre séance"}).status_code == 200

    body = assert_error(response, 429, "rate_limited")
    assert int(response["Retry-After"]) > 0
    assert body["error"]["details"]["retry_after"] == int(response["Retry-After"])
    # Five for `session`, one for `other`, none for the sixth.
    assert Notification.objects.filter(kind=Kind.SESSION_MESSAGE).count() == 6
    assert len(messages_about("— Séance 1")) == 5 and len(messages_about("— Autre")) == 1


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({}, "message", "missing"),
        ({"message": ""}, "message", "string_too_short"),
        ({"message": "   "}, "message", "message_required"),
        ({"message": "x" * 1001}, "message", "string_too_long"),
        ({"message": "ok", "title": "t" * 201}, "title", "string_too_long"),
        ({"message": 12}, "message", "string_type"),
    ],
)
def test_notify_bad_input(
    api: Any,
    owner: User,
    member: User,
    course: Course,
    payload: dict,
    field: str,
    code: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    session = make_session(owner, course)
    with django_capture_on_commit_callbacks(execute=True):
        response = api(owner).post(notify(session), payload)
    body = assert_error(response, 400, "validation_error")
    assert [(d["field"], d["code"]) for d in body["error"]["details"]] == [(field, code)]
    assert not Notification.objects.filter(kind=Kind.SESSION_MESSAGE).exists()
    # Bad input does not use up the hourly allowance.
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            assert api(owner).post(notify(session), {"message": "ok"}).status_code == 200


def test_students_cannot_notify(api: Any, owner: User, member: User, course: Course) -> None:
    session = make_session(owner, course)
    assert_error(api(member).post(notify(session), {"message": "Salut"}), 403, "forbidden")
    assert not Notification.objects.filter(kind=Kind.SESSION_MESSAGE).exists()


# --- chat moderation ------------------------------------------------------------------------


def moderate(session: Any, message: ChatMessage, action: str) -> str:
    return f"/api/live-sessions/{session.pk}/chat/{message.pk}/{action}"


def chat(session: Any) -> str:
    return f"/api/live-sessions/{session.pk}/chat"


def test_hide_and_unhide(api: Any, owner: User, member: User, course: Course) -> None:
    session = make_live(owner, course)
    message = services.chat_post(actor=member, session=session, text="Hors sujet")

    hidden = api(owner).post(moderate(session, message, "hide"))
    assert hidden.status_code == 200, hidden.content
    assert hidden.json_body["data"]["is_hidden"] is True
    message.refresh_from_db()
    assert message.is_hidden and message.hidden_by == owner
    assert api(member).get(chat(session)).json_body["data"] == []
    seen = api(owner).get(chat(session)).json_body["data"]
    assert [(m["id"], m["is_hidden"]) for m in seen] == [(message.pk, True)]
    # Hiding twice is harmless.
    assert api(owner).post(moderate(session, message, "hide")).status_code == 200

    shown = api(owner).post(moderate(session, message, "unhide"))
    assert shown.json_body["data"]["is_hidden"] is False
    message.refresh_from_db()
    assert not message.is_hidden and message.hidden_by is None
    assert [m["id"] for m in api(member).get(chat(session)).json_body["data"]] == [message.pk]


def test_pin_and_unpin(
    api: Any, admin_user: User, owner: User, member: User, course: Course
) -> None:
    session = make_live(owner, course)
    message = services.chat_post(
        actor=member, session=session, text="Bonne question", kind="question"
    )

    pinned = api(admin_user).post(moderate(session, message, "pin"))
    assert pinned.status_code == 200 and pinned.json_body["data"]["is_pinned"] is True
    assert api(member).get(chat(session)).json_body["data"][0]["is_pinned"] is True

    unpinned = api(owner).post(moderate(session, message, "unpin"))
    assert unpinned.json_body["data"]["is_pinned"] is False
    message.refresh_from_db()
    assert message.is_pinned is False


@pytest.mark.parametrize("action", ["pin", "unpin", "hide", "unhide"])
def test_message_of_another_session_is_404(
    api: Any, owner: User, member: User, course: Course, action: str
) -> None:
    session = make_live(owner, course, title="Une")
    other = make_live(owner, course, title="Autre")
    foreign = services.chat_post(actor=member, session=other, text="Ailleurs")

    assert_error(api(owner).post(moderate(session, foreign, action)), 404, "message_not_found")
    missing = f"/api/live-sessions/{session.pk}/chat/987654/{action}"
    assert_error(api(owner).post(missing), 404, "message_not_found")
    foreign.refresh_from_db()
    assert not foreign.is_pinned and not foreign.is_hidden


@pytest.mark.parametrize("action", ["pin", "unpin", "hide", "unhide"])
def test_students_and_other_instructors_cannot_moderate(
    api: Any, owner: User, member: User, other_instructor: User, course: Course, action: str
) -> None:
    session = make_live(owner, course)
    message = services.chat_post(actor=member, session=session, text="Texte")
    assert_error(api(member).post(moderate(session, message, action)), 403, "forbidden")
    assert_error(api(other_instructor).post(moderate(session, message, action)), 403, "forbidden")
    message.refresh_from_db()
    assert not message.is_pinned and not message.is_hidden
