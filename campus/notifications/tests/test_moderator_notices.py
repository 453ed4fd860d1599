"""What waits for an instructor (issue 13): a new topic, a report, a review to moderate
and a live question each reach the course's owner once; their emails are digests (twenty
reports in a minute send one email); a live question is in-app only; the actor and the
students are never told."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail

from campus.accounts.models import Role, User
from campus.courses import services as course_services
from campus.courses.models import Course
from campus.forum import services as forum_services
from campus.forum.tests.helpers import make_reply, make_topic
from campus.live import services as live_services
from campus.live.models import ChatKind
from campus.live.tests.helpers import make_live
from campus.notifications import digests, services
from campus.notifications.kinds import MODERATOR_KINDS
from campus.notifications.models import EmailState, Kind, Notification
from campus.ratings import services as rating_services
from campus.ratings.tests.helpers import graduate
from conftest import assert_error

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 10, 9, 0, 5, tzinfo=UTC)  # 5 s into a digest window
WINDOW_END = datetime(2026, 3, 10, 9, 10, tzinfo=UTC)


def inbox_of(user: User, kind: str) -> list[Notification]:
    return list(
        Notification.objects.filter(user=user, kind=kind)
        .exclude(subject_type=digests.DIGEST_SUBJECT)
        .order_by("id")
    )


def digests_of(user: User, kind: str) -> list[Notification]:
    return list(
        Notification.objects.filter(user=user, kind=kind, subject_type=digests.DIGEST_SUBJECT)
    )


def deliver_at(moment: datetime) -> services.DeliveryReport:
    mail.outbox.clear()
    with time_machine.travel(moment, tick=False):
        return services.deliver_pending()


def to(user: User) -> list[Any]:
    return [m for m in mail.outbox if m.to == [user.email]]


def student_in(course: Course, user_factory: Callable[..., User]) -> User:
    user = user_factory()
    course_services.enrollment_create(actor=user, course=course)
    return user


@pytest.fixture(autouse=True)
def _at_t0() -> Any:
    with time_machine.travel(T0, tick=False):
        yield


# --- A new topic ---------------------------------------------------------------------


def test_a_new_topic_reaches_the_owner_once_in_app_with_no_email_by_default(
    owner: User, member: User, course: Course, api: Any
) -> None:
    topic = make_topic(member, course, title="Boucles infinies")
    [notice] = inbox_of(owner, Kind.FORUM_TOPIC_NEW)
    assert notice.in_app and notice.url == f"/courses/{course.slug}/forum/{topic.pk}"
    assert notice.title == f"Nouveau sujet dans « {course.title} » : Boucles infinies"
    assert notice.body.startswith("Koffi Étudiant : Comment faire une boucle")  # plain text
    # New topics: email off by default, so no digest and nothing to send.
    assert notice.email_state == EmailState.SKIPPED
    assert digests_of(owner, Kind.FORUM_TOPIC_NEW) == []
    assert deliver_at(WINDOW_END + timedelta(minutes=1)).sent == 0
    # The owner's inbox (API) shows it once.
    kinds = [n["kind"] for n in api(owner).get("/api/notifications").json_body["data"]]
    assert kinds.count(Kind.FORUM_TOPIC_NEW) == 1


def test_a_new_topic_emails_the_owner_who_asked_for_it(
    owner: User, member: User, course: Course
) -> None:
    services.preferences_update(
        actor=owner, choices={Kind.FORUM_TOPIC_NEW: {"in_app": True, "email": True}}
    )
    topic = make_topic(member, course)
    assert deliver_at(WINDOW_END - timedelta(minutes=1)).sent == 0  # the window is open
    assert deliver_at(WINDOW_END + timedelta(seconds=30)).sent == 1
    [message] = to(owner)
    assert message.subject == "1 nouveau sujet dans le forum de vos cours"
    assert f"/courses/{course.slug}/forum/{topic.pk}" in message.body  # the one topic
    assert deliver_at(WINDOW_END + timedelta(minutes=5)).sent == 0  # once


def test_the_owner_posting_in_their_own_forum_is_not_told(owner: User, course: Course) -> None:
    make_topic(owner, course, title="Annonce")
    assert not Notification.objects.filter(kind__in=MODERATOR_KINDS).exists()


def test_an_admin_topic_tells_the_owner_but_admins_get_no_course_notices(
    owner: User, admin_user: User, member: User, course: Course
) -> None:
    make_topic(admin_user, course)
    make_topic(member, course)
    assert len(inbox_of(owner, Kind.FORUM_TOPIC_NEW)) == 2
    assert not Notification.objects.filter(user=admin_user, kind__in=MODERATOR_KINDS).exists()


# --- Reports -------------------------------------------------------------------------


def test_a_report_reaches_the_owner_once_and_one_email(
    owner: User, member: User, course: Course, user_factory: Any, api: Any
) -> None:
    topic = make_topic(member, course)
    reader = student_in(course, user_factory)
    response = api(reader).post(f"/api/topics/{topic.pk}/report", {"reason": "Spam **gras**"})
    assert response.status_code == 201, response.json_body
    assert_error(
        api(reader).post(f"/api/topics/{topic.pk}/report", {"reason": "Encore"}),
        409,
        "already_reported",
    )
    [notice] = inbox_of(owner, Kind.FORUM_REPORT)
    assert notice.title == f"Message signalé dans « {course.title} »"
    assert notice.body == "Motif : Spam gras"
    assert notice.url == f"/courses/{course.slug}/forum/reports"
    assert reader.full_name not in notice.title + notice.body  # who reported stays out
    assert notice.email_state == EmailState.SKIPPED  # the window's digest carries it
    [digest] = digests_of(owner, Kind.FORUM_REPORT)
    assert digest.in_app is False and digest.email_next_attempt_at == WINDOW_END

    assert deliver_at(WINDOW_END + timedelta(seconds=10)).sent == 1
    [message] = to(owner)
    assert message.subject == "1 message signalé dans vos cours"
    assert f"/courses/{course.slug}/forum/reports" in message.body
    # Nobody else is told: not the reporter, not the author, not other members.
    assert set(
        Notification.objects.filter(kind__in=MODERATOR_KINDS).values_list("user_id", flat=True)
    ) == {owner.pk}


def test_twenty_reports_in_a_minute_send_one_email(
    owner: User, member: User, course: Course, user_factory: Any
) -> None:
    topic = make_topic(member, course)
    reply = make_reply(member, topic, content="Réponse douteuse")
    readers = [student_in(course, user_factory) for _ in range(20)]
    for n, reader in enumerate(readers):
        with time_machine.travel(T0 + timedelta(seconds=3 * n), tick=False):
            target = {"topic": topic} if n % 2 else {"reply": reply}
            forum_services.report_create(actor=reader, reason=f"Motif {n}", **target)
    assert len(inbox_of(owner, Kind.FORUM_REPORT)) == 20  # each report in the inbox
    assert len(digests_of(owner, Kind.FORUM_REPORT)) == 1  # one email for the window

    assert deliver_at(WINDOW_END + timedelta(minutes=1)).sent == 1
    assert len(mail.outbox) == 1
    [message] = to(owner)
    assert message.subject == "20 messages signalés dans vos cours"
    assert message.body.count("- Message signalé") == digests.LISTED
    assert "… et 10 autres" in message.body
    assert "/dashboard/moderation/reports" in message.body  # the queue
    assert deliver_at(WINDOW_END + timedelta(minutes=2)).sent == 0


def test_reports_already_read_are_not_emailed(
    owner: User, member: User, course: Course, user_factory: Any
) -> None:
    topic = make_topic(member, course)
    forum_services.report_create(actor=student_in(course, user_factory), reason="x", topic=topic)
    services.mark_all_read(actor=owner)  # seen in Campus before the window closed
    report = deliver_at(WINDOW_END + timedelta(minutes=1))
    assert report.sent == 0 and report.skipped == 1
    assert digests_of(owner, Kind.FORUM_REPORT)[0].email_state == EmailState.SKIPPED


def test_a_report_with_email_off_is_in_the_inbox_only(
    owner: User, member: User, course: Course, user_factory: Any
) -> None:
    services.preferences_update(actor=owner, choices={Kind.FORUM_REPORT: {"email": False}})
    topic = make_topic(member, course)
    forum_services.report_create(actor=student_in(course, user_factory), reason="x", topic=topic)
    assert len(inbox_of(owner, Kind.FORUM_REPORT)) == 1
    assert digests_of(owner, Kind.FORUM_REPORT) == []


def test_the_next_window_sends_its_own_email(
    owner: User, member: User, course: Course, user_factory: Any
) -> None:
    topic = make_topic(member, course)
    forum_services.report_create(actor=student_in(course, user_factory), reason="a", topic=topic)
    with time_machine.travel(WINDOW_END + timedelta(minutes=2), tick=False):
        forum_services.report_create(
            actor=student_in(course, user_factory), reason="b", topic=topic
        )
    assert len(digests_of(owner, Kind.FORUM_REPORT)) == 2
    assert deliver_at(WINDOW_END + timedelta(minutes=30)).sent == 2
    assert sorted(m.subject for m in to(owner)) == ["1 message signalé dans vos cours"] * 2


# --- Reviews to moderate ---------------------------------------------------------------


def test_a_pending_review_reaches_the_owner_once_and_one_email(
    owner: User, course: Course, user_factory: Any, settings: Any
) -> None:
    settings.RATINGS_MODERATION = "pre"
    student, enrollment = graduate(user_factory, course)
    review = rating_services.rating_create(
        actor=student, enrollment=enrollment, rating=4, comment="Très **clair**", is_anonymous=True
    )
    [notice] = inbox_of(owner, Kind.RATING_PENDING)
    assert notice.title == f"Avis à modérer sur « {course.title} »"
    assert notice.body == "4/5 — Très clair"
    assert student.full_name not in notice.body  # an anonymous review stays anonymous
    assert notice.url == f"/dashboard/instructor/reviews?course={course.pk}"

    # Edited while still pending: the owner already knows.
    rating_services.rating_update(actor=student, review=review, rating=5)
    assert len(inbox_of(owner, Kind.RATING_PENDING)) == 1
    assert deliver_at(WINDOW_END + timedelta(minutes=1)).sent == 1
    assert [m.subject for m in to(owner)] == ["1 avis à modérer"]

    # Approved, then edited: it waits again, a new notice.
    with time_machine.travel(WINDOW_END + timedelta(minutes=2), tick=False):
        rating_services.rating_moderate(actor=owner, review=review, approve=True)
    with time_machine.travel(WINDOW_END + timedelta(minutes=3), tick=False):
        rating_services.rating_update(actor=student, review=review, comment="Encore mieux")
    assert len(inbox_of(owner, Kind.RATING_PENDING)) == 2
    assert not Notification.objects.filter(user=student, kind__in=MODERATOR_KINDS).exists()


def test_post_moderation_reviews_notify_nobody(
    owner: User, course: Course, user_factory: Any, settings: Any
) -> None:
    settings.RATINGS_MODERATION = "post"
    student, enrollment = graduate(user_factory, course)
    rating_services.rating_create(actor=student, enrollment=enrollment, rating=3)
    assert inbox_of(owner, Kind.RATING_PENDING) == []


# --- Live questions --------------------------------------------------------------------


def test_a_live_question_is_in_app_only(
    owner: User, member: User, course: Course, api: Any
) -> None:
    # Even asking for it, a live question never emails.
    response = api(owner).put(
        "/api/notifications/preferences", {Kind.LIVE_QUESTION: {"in_app": True, "email": True}}
    )
    row = {p["kind"]: p for p in response.json_body["data"]}[Kind.LIVE_QUESTION]
    assert row["email"] is False and row["email_offered"] is False
    session = make_live(owner, course)
    live_services.chat_post(actor=member, session=session, text="Et la récursion ?")
    live_services.chat_post(actor=member, session=session, text="Bonjour", kind=ChatKind.MESSAGE)
    live_services.chat_post(
        actor=owner, session=session, text="Une question à moi-même ?", kind=ChatKind.QUESTION
    )
    assert inbox_of(owner, Kind.LIVE_QUESTION) == []  # a message is not a question
    message = live_services.chat_post(
        actor=member, session=session, text="Et la **récursion** ?", kind=ChatKind.QUESTION
    )
    [notice] = inbox_of(owner, Kind.LIVE_QUESTION)
    assert notice.in_app and notice.body == "Et la récursion ?"
    assert notice.title == f"Question pendant « {session.title} »"
    assert notice.url == f"/courses/{course.slug}/live-sessions/{session.pk}"
    assert notice.email_state == EmailState.SKIPPED
    assert digests_of(owner, Kind.LIVE_QUESTION) == []
    deliver_at(T0 + timedelta(hours=1))  # (the member's session notices leave)
    assert to(owner) == []
    assert notice.data["message_id"] == message.pk


# --- Who is told -----------------------------------------------------------------------


def test_students_never_get_moderator_kinds(
    owner: User, member: User, course: Course, user_factory: Any
) -> None:
    demoted = user_factory(Role.INSTRUCTOR)
    other = course_services.course_create(actor=demoted, title="Autre", description="x")
    course_services.course_set_published(actor=demoted, course=other, published=True)
    demoted.role = Role.STUDENT  # an owner who no longer teaches
    demoted.save(update_fields=["role"])
    course_services.enrollment_create(actor=member, course=other)
    make_topic(member, other)
    topic = make_topic(member, course)
    forum_services.report_create(actor=student_in(course, user_factory), reason="x", topic=topic)
    students = User.objects.filter(role=Role.STUDENT)
    assert not Notification.objects.filter(user__in=students, kind__in=MODERATOR_KINDS).exists()


def test_the_same_event_twice_is_one_notice(owner: User, member: User, course: Course) -> None:
    from campus.notifications import moderation

    topic = make_topic(member, course)
    for _ in range(2):  # a retry of the same event
        moderation.topic_created(
            actor=member, course=course, topic_id=topic.pk, title="t", content="c", url="/x"
        )
    assert len(inbox_of(owner, Kind.FORUM_TOPIC_NEW)) == 1


# --- Preferences per role --------------------------------------------------------------


def test_preferences_offer_moderator_kinds_to_instructors_only(
    api: Any, owner: User, member: User, admin_user: User
) -> None:
    for teacher in (owner, admin_user):
        rows = {
            p["kind"]: p
            for p in api(teacher).get("/api/notifications/preferences").json_body["data"]
        }
        assert set(MODERATOR_KINDS) <= set(rows)
        assert (rows[Kind.FORUM_TOPIC_NEW]["in_app"], rows[Kind.FORUM_TOPIC_NEW]["email"]) == (
            True,
            False,
        )
        assert rows[Kind.FORUM_REPORT]["email"] and rows[Kind.RATING_PENDING]["email"]
    offered = {
        p["kind"] for p in api(member).get("/api/notifications/preferences").json_body["data"]
    }
    assert not offered & set(MODERATOR_KINDS)
    body = assert_error(
        api(member).put("/api/notifications/preferences", {Kind.FORUM_REPORT: {"email": False}}),
        400,
        "validation_error",
    )
    assert body["error"]["details"][0]["code"] == "kind_not_available"
    assert not member.notification_preferences.exists()


def test_preferences_page_per_role(owner: User, member: User) -> None:
    from campus.courses.tests.test_pages import client_for, html

    teacher = html(client_for(owner).get("/notifications/preferences"))
    assert "Question pendant une classe en direct" in teacher
    assert f'name="{Kind.LIVE_QUESTION}__email"' not in teacher  # email not offered
    assert f'name="{Kind.FORUM_TOPIC_NEW}__email"' in teacher
    assert "au plus un par type toutes les 10 minutes" in teacher
    student = html(client_for(member).get("/notifications/preferences"))
    assert "Message signalé dans votre cours" not in student
    assert Kind.LIVE_QUESTION not in student

    # Saving the page keeps the defaults as they are (no row written).
    form = {f"{k}__in_app": "on" for k in Kind.values}
    form |= {f"{k}__email": "on" for k in Kind.values if k not in MODERATOR_KINDS}
    form |= {f"{Kind.FORUM_REPORT}__email": "on", f"{Kind.RATING_PENDING}__email": "on"}
    assert client_for(owner).post("/notifications/preferences", form).status_code == 302
    assert not owner.notification_preferences.exists()
