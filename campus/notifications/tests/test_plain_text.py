"""A notice body is plain text (no Markdown syntax) wherever it is shown: the inbox, the
API (the bell of the original frontend), the email's text part. Bodies that quote
Markdown (a forum reply, the owner's message) are made plain where the notice is built."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from campus.accounts.models import User
from campus.courses.models import Course
from campus.courses.services import enrollment_create
from campus.forum import presenters
from campus.forum.models import Report
from campus.forum.services import report_create
from campus.forum.tests.helpers import make_reply, make_topic
from campus.live.tests.helpers import make_session
from campus.notifications import live_notices
from campus.notifications.emails import notification_email
from campus.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db

MARKDOWN = "## Rappel\n\nLisez **le chapitre 2** et testez `range(3)` :\n\n- a\n- b"
SYNTAX = ("**", "##", "`")


def assert_plain(text: str) -> None:
    for mark in SYNTAX:
        assert mark not in text, (mark, text)


def test_a_forum_reply_notice_quotes_the_reply_as_plain_text(
    owner: User, member: User, course: Course, api: Any
) -> None:
    topic = make_topic(member, course)
    make_reply(owner, topic, content=MARKDOWN)
    notice = Notification.objects.get(user=member, kind=Kind.FORUM_REPLY)
    assert notice.body == "Rappel Lisez le chapitre 2 et testez range(3) : a b"

    client = Client()
    client.force_login(member)
    inbox = client.get(reverse("notifications:inbox")).content.decode()
    assert "Lisez le chapitre 2" in inbox
    assert_plain(inbox.split("<main", 1)[1])

    data = api(member).get("/api/notifications").json_body["data"]
    assert_plain(data[0]["body"])

    message = notification_email(notice)
    assert message is not None
    assert "Lisez le chapitre 2 et testez range(3)" in message.body
    assert_plain(str(message.body))


def test_the_owner_message_keeps_its_lines_without_markdown(
    owner: User, member: User, course: Course
) -> None:
    session = make_session(owner, course)
    live_notices.session_message(session, sender=owner, title="Support", message=MARKDOWN)
    notice = Notification.objects.get(user=member, kind=Kind.SESSION_MESSAGE)
    assert notice.body.endswith("Rappel\n\nLisez le chapitre 2 et testez range(3) :\n\n• a\n• b")
    message = notification_email(notice)
    assert message is not None
    assert_plain(str(message.body))
    assert "• a\n• b" in message.body
    html_part = str(message.alternatives[0][0])
    assert "Lisez le chapitre 2" in html_part and "**" not in html_part


def test_forum_report_excerpts_are_plain_text(
    owner: User, member: User, course: Course, user_factory: Any
) -> None:
    topic = make_topic(member, course, content=MARKDOWN)
    reply = make_reply(member, topic, content="Voir **ceci** : " + "mot " * 80)
    reader = user_factory()  # a moderator does not report in their own forum
    enrollment_create(actor=reader, course=course)
    report_create(actor=reader, reason="Hors sujet", topic=topic)
    report_create(actor=reader, reason="Hors sujet", reply=reply)
    rows = [
        presenters.report_row(r)
        for r in Report.objects.select_related("topic", "reply__topic", "reporter")
    ]
    excerpts = sorted(row["target"]["excerpt"] for row in rows)
    assert excerpts[0] == "Rappel Lisez le chapitre 2 et testez range(3) : a b"
    assert excerpts[1].startswith("Voir ceci : mot") and excerpts[1].endswith("…")
    assert len(excerpts[1]) <= 200
    for text in excerpts:
        assert_plain(text)
