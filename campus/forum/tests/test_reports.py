"""Reports (issue 13): the moderators' queue pages, the decisions on a reported post
(hide, lock, dismiss, resolve) with who and when, one report per person and post, no
"Signaler" for moderators or on one's own post, reporters kept from students, the API
over the same service, constant query counts."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campus.accounts.models import Role, User
from campus.core.errors import Conflict, Forbidden, ValidationFailed
from campus.courses import services as course_services
from campus.courses.models import Course
from campus.forum import selectors, services
from campus.forum.models import Reply, Report, ReportResolution, ReportStatus, Topic
from campus.forum.tests.helpers import make_reply, make_topic
from conftest import assert_error, build_course

pytestmark = pytest.mark.django_db

QUEUE = "/dashboard/moderation/reports"
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def unlimited(monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "POST_LIMIT", 10_000)


@pytest.fixture
def student2(user_factory: Callable[..., User], course: Course) -> User:
    user = user_factory(Role.STUDENT, first_name="Aminata", last_name="Diallo")
    course_services.enrollment_create(actor=user, course=course)
    return user


@pytest.fixture
def student3(user_factory: Callable[..., User], course: Course) -> User:
    user = user_factory(Role.STUDENT, first_name="Sèna", last_name="Hounkpè")
    course_services.enrollment_create(actor=user, course=course)
    return user


@pytest.fixture
def topic(member: User, course: Course) -> Topic:
    return make_topic(member, course, title="Boucles en Python")


@pytest.fixture
def reply(student2: User, topic: Topic) -> Reply:
    return make_reply(student2, topic, "Achetez des **montres** pas chères")


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def course_queue(course: Course) -> str:
    return reverse("forum:course_reports", kwargs={"slug": course.slug})


def handle_url(report: Report) -> str:
    return reverse("forum:report_handle", kwargs={"report_id": report.pk})


def topic_page(topic: Topic) -> str:
    return reverse("forum:topic", kwargs={"slug": topic.forum.course.slug, "topic_id": topic.pk})


def report_page(name: str, course: Course, **kw: int) -> str:
    return reverse(f"forum:{name}", kwargs={"slug": course.slug, **kw})


def fresh(report: Report) -> Report:
    return selectors.report_detail(report_id=report.pk)


def count_queries(call: Callable[[], Any]) -> tuple[int, Any]:
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return len(captured), result


# --- Who sees the queues ---------------------------------------------------------------


def test_queue_pages_each_actor(
    course: Course,
    owner: User,
    member: User,
    outsider: User,
    other_instructor: User,
    admin_user: User,
    reply: Reply,
    student3: User,
) -> None:
    services.report_create(actor=student3, reply=reply, reason="Publicité")
    for url in (QUEUE, course_queue(course)):
        anonymous = client_for(None).get(url)
        assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
        assert client_for(member).get(url).status_code == 403
        assert client_for(outsider).get(url).status_code == 403
        for allowed in (owner, admin_user):
            page = client_for(allowed).get(url)
            assert page.status_code == 200
            assert "montres" in page.content.decode() and "Publicité" in page.content.decode()
    # Another instructor: their own (empty) site-wide queue; this course's is refused.
    theirs = client_for(other_instructor).get(QUEUE)
    assert theirs.status_code == 200 and "Publicité" not in theirs.content.decode()
    assert "Aucun signalement à traiter" in theirs.content.decode()
    assert client_for(other_instructor).get(course_queue(course)).status_code == 403
    assert client_for(other_instructor).get(f"{QUEUE}?course={course.pk}").status_code == 403


def test_site_wide_queue_filters_by_course(
    course: Course,
    owner: User,
    admin_user: User,
    reply: Reply,
    student3: User,
    user_factory: Callable[..., User],
) -> None:
    services.report_create(actor=student3, reply=reply, reason="Publicité")
    other_owner = user_factory(Role.INSTRUCTOR, first_name="Yao", last_name="Mensah")
    other_course = build_course(other_owner, title="Cuisine béninoise", modules=0)
    course_services.enrollment_create(actor=student3, course=other_course)
    other_topic = make_topic(other_owner, other_course, title="Le riz au gras")
    services.report_create(actor=student3, topic=other_topic, reason="Hors sujet total")
    # The owner sees only their course; the admin sees both, and can narrow to one.
    mine = client_for(owner).get(QUEUE).content.decode()
    assert "Publicité" in mine and "Hors sujet total" not in mine
    everything = client_for(admin_user).get(QUEUE).content.decode()
    assert "Publicité" in everything and "Hors sujet total" in everything
    assert "Cuisine béninoise" in everything  # the course chips and the card's course
    narrowed = client_for(admin_user).get(f"{QUEUE}?course={other_course.pk}").content.decode()
    assert "Hors sujet total" in narrowed and "Publicité" not in narrowed
    # Bad filters: a 404, never a 500.
    for bad in ("abc", "0", "-1", "99999999", "1" * 40):
        assert client_for(admin_user).get(f"{QUEUE}?course={bad}").status_code == 404
    assert client_for(owner).get(f"{QUEUE}?course={other_course.pk}").status_code == 403
    assert client_for(admin_user).get(f"{QUEUE}?page=abc").status_code == 200
    assert client_for(admin_user).get(f"{QUEUE}?status=nimporte").status_code == 200


def test_unknown_course_slug_is_404(owner: User) -> None:
    url = reverse("forum:course_reports", kwargs={"slug": "nulle-part"})
    assert client_for(owner).get(url).status_code == 404


# --- Grouping and context --------------------------------------------------------------


def test_reports_of_one_post_are_one_card_with_count_and_context(
    course: Course,
    owner: User,
    member: User,
    topic: Topic,
    student2: User,
    student3: User,
    user_factory: Callable[..., User],
) -> None:
    parent = make_reply(member, topic, "Utilisez `range`.")
    spam = make_reply(student2, topic, "Visitez *mon site*", parent_id=parent.pk)
    reporters = [member, student3]
    for i in range(5):
        extra = user_factory(Role.STUDENT, first_name="Élève", last_name=str(i))
        course_services.enrollment_create(actor=extra, course=course)
        reporters.append(extra)
    for i, who in enumerate(reporters):
        services.report_create(actor=who, reply=spam, reason=f"Motif {i}")
    services.report_create(actor=student3, topic=topic, reason="Titre trompeur")
    page = client_for(owner).get(course_queue(course))
    html = page.content.decode()
    groups = page.context["groups"]
    assert [g["count"] for g in groups] == [7, 1]  # the most reported first
    card = groups[0]
    assert card["is_reply"] and card["reply"].pk == spam.pk
    assert card["post_author"] == "Aminata Diallo"
    assert card["parent"]["author"] == "Koffi Étudiant"
    assert "7 signalements" in html
    assert "<em>mon site</em>" in html  # the post rendered (Markdown, sanitized)
    assert "Utilisez range." in html or "Utilisez `range`." in html  # what it answers
    assert f"#reply-{spam.pk}" in html  # a link to it in its thread
    # The five newest reasons, with their reporters' names (moderators only), "et 2 autres".
    assert "Motif 6" in html and "Motif 2" in html and "Motif 1" not in html
    assert "et 2 autres signalements" in html
    assert "Sèna Hounkpè" in html
    assert "Titre trompeur" in html


def test_queue_offers_what_the_rules_allow(
    course: Course, owner: User, topic: Topic, reply: Reply, student3: User, member: User
) -> None:
    services.report_create(actor=student3, reply=reply, reason="Spam")
    html = client_for(owner).get(course_queue(course)).content.decode()
    for label in ("Masquer le message", "Verrouiller le sujet", "Rejeter le signalement"):
        assert label in html
    assert "Clore le signalement" not in html
    # The reply deleted by its author: nothing to hide; close or dismiss.
    services.reply_delete(actor=reply.author, reply=Reply.objects.get(pk=reply.pk))
    html = client_for(owner).get(course_queue(course)).content.decode()
    assert "Masquer le message" not in html
    assert "Clore le signalement" in html and "Rejeter le signalement" in html
    # The topic locked elsewhere: "Verrouiller" is no longer offered.
    services.topic_moderate(actor=owner, topic=topic, action="lock")
    html = client_for(owner).get(course_queue(course)).content.decode()
    assert "Verrouiller le sujet" not in html and "Sujet verrouillé" in html
    # Closing it records "Traité".
    report = Report.objects.get(reply=reply)
    assert client_for(owner).post(handle_url(report), {"action": "resolve"}).status_code == 302
    assert fresh(report).resolution == ReportResolution.RESOLVED


# --- Decisions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "resolution"),
    [
        ("hide", ReportResolution.HIDDEN),
        ("dismiss", ReportResolution.DISMISSED),
        ("lock", ReportResolution.LOCKED),
    ],
)
def test_each_decision_settles_every_open_report_of_the_post(
    action: str,
    resolution: str,
    course: Course,
    owner: User,
    member: User,
    topic: Topic,
    reply: Reply,
    student3: User,
) -> None:
    first = services.report_create(actor=student3, reply=reply, reason="Spam")
    second = services.report_create(actor=member, reply=reply, reason="Publicité")
    elsewhere = services.report_create(actor=student3, topic=topic, reason="Autre chose")
    moment = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
    with time_machine.travel(moment, tick=False):
        response = client_for(owner).post(
            handle_url(first), {"action": action, "next": course_queue(course)}
        )
    assert response.status_code == 302 and response["Location"] == course_queue(course)
    for report in (first, second):
        done = fresh(report)
        assert done.status == ReportStatus.RESOLVED
        assert done.resolution == resolution
        assert done.resolved_by == owner
        assert done.resolved_at == moment
    assert fresh(elsewhere).status == ReportStatus.OPEN  # another post: untouched
    reply.refresh_from_db()
    topic.refresh_from_db()
    assert reply.is_hidden == (action == "hide")
    assert topic.is_locked == (action == "lock")
    # The queue moved it to "Traités", with what, who and when.
    handled = client_for(owner).get(course_queue(course) + "?status=resolved")
    html = handled.content.decode()
    assert [g["count"] for g in handled.context["groups"]] == [2]
    assert str(ReportResolution(resolution).label) in html
    assert "par Awa Formatrice" in html
    assert "09:30" in html or "10:30" in html  # in the owner's time zone
    assert "Spam" not in client_for(owner).get(course_queue(course)).content.decode()


def test_hiding_a_reported_topic(
    course: Course, owner: User, member: User, topic: Topic, student3: User, admin_user: User
) -> None:
    report = services.report_create(actor=student3, topic=topic, reason="Arnaque")
    assert client_for(admin_user).post(handle_url(report), {"action": "hide"}).status_code == 302
    topic.refresh_from_db()
    assert topic.is_hidden
    assert fresh(report).resolved_by == admin_user
    assert client_for(member).get(topic_page(topic)).status_code == 404


def test_decision_htmx_answers_the_card_in_place(
    course: Course, owner: User, reply: Reply, student3: User
) -> None:
    report = services.report_create(actor=student3, reply=reply, reason="Spam")
    response = client_for(owner).post(handle_url(report), {"action": "hide"}, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<li") and f'id="report-group-{report.pk}"' in html
    assert "Message masqué" in html and "par Awa Formatrice" in html
    assert "Masquer le message" not in html  # no action left on a handled card
    # Someone decided first: 409 and the card as they left it.
    again = client_for(owner).post(handle_url(report), {"action": "dismiss"}, headers=HTMX)
    assert again.status_code == 409 and again["Campus-Fragment"] == "1"
    assert "déjà traité" in again.content.decode()
    assert "Message masqué" in again.content.decode()
    assert fresh(report).resolution == ReportResolution.HIDDEN


def test_decision_bad_input_and_forbidden_actors(
    course: Course,
    owner: User,
    member: User,
    outsider: User,
    other_instructor: User,
    reply: Reply,
    student3: User,
) -> None:
    report = services.report_create(actor=student3, reply=reply, reason="Spam")
    url = handle_url(report)
    anonymous = client_for(None).post(url, {"action": "hide"})
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    for who in (member, student3, outsider, other_instructor):
        assert client_for(who).post(url, {"action": "hide"}).status_code == 403
    assert client_for(owner).get(url).status_code == 405
    missing = reverse("forum:report_handle", kwargs={"report_id": 987654})
    assert client_for(owner).post(missing, {"action": "hide"}).status_code == 404
    for bad in ("", "delete", "x" * 5000):
        response = client_for(owner).post(url, {"action": bad}, follow=True)
        assert response.status_code == 200 and "Action inconnue" in response.content.decode()
    fragment = client_for(owner).post(url, {"action": "nope"}, headers=HTMX)
    assert fragment.status_code == 400 and "Action inconnue" in fragment.content.decode()
    # An outside `next` is ignored.
    response = client_for(owner).post(url, {"action": "dismiss", "next": "https://evil.test/"})
    assert response["Location"] == QUEUE
    assert fresh(report).status == ReportStatus.RESOLVED
    reply.refresh_from_db()
    assert not reply.is_hidden


def test_service_decision_rules(
    owner: User, member: User, topic: Topic, reply: Reply, student3: User
) -> None:
    report = services.report_create(actor=student3, reply=reply, reason="Spam")
    with pytest.raises(Forbidden):
        services.report_handle(actor=member, report=fresh(report), action="hide")
    with pytest.raises(ValidationFailed) as bad:
        services.report_handle(actor=owner, report=fresh(report), action="explode")
    assert bad.value.code == "invalid_action"
    decision = services.report_handle(actor=owner, report=fresh(report), action="dismiss")
    assert decision.report_ids == [report.pk] and decision.resolution == "dismissed"
    with pytest.raises(Conflict) as twice:
        services.report_handle(actor=owner, report=fresh(report), action="hide")
    assert twice.value.code == "already_resolved"
    # A new report on the same post after the decision opens a new case.
    again = services.report_create(actor=member, reply=reply, reason="Toujours du spam")
    assert fresh(again).status == ReportStatus.OPEN


def test_hiding_or_deleting_from_the_thread_settles_the_reports(
    owner: User, member: User, topic: Topic, reply: Reply, student3: User
) -> None:
    on_reply = services.report_create(actor=student3, reply=reply, reason="Spam")
    on_topic = services.report_create(actor=student3, topic=topic, reason="Doublon")
    services.reply_moderate(actor=owner, reply=Reply.objects.get(pk=reply.pk), action="hide")
    assert fresh(on_reply).resolution == ReportResolution.HIDDEN
    assert fresh(on_reply).resolved_by == owner
    services.topic_moderate(
        actor=owner, topic=selectors.topic_base().get(pk=topic.pk), action="hide"
    )
    assert fresh(on_topic).resolution == ReportResolution.HIDDEN
    other = make_reply(member, make_topic(member, topic.forum.course, title="Autre"), "Hors sujet")
    on_other = services.report_create(actor=student3, reply=other, reason="Hors sujet")
    services.reply_delete(actor=owner, reply=selectors.reply_base().get(pk=other.pk))
    assert fresh(on_other).resolution == ReportResolution.DELETED


def test_legacy_resolve_maps_to_resolved(
    api: Any, owner: User, reply: Reply, student3: User, member: User
) -> None:
    first = services.report_create(actor=student3, reply=reply, reason="Spam")
    second = services.report_create(actor=member, reply=reply, reason="Spam aussi")
    data = api(owner).post(f"/api/forum/reports/{first.pk}/resolve").json_body["data"]
    assert data["status"] == "resolved" and data["resolution"] == "resolved"
    assert data["resolved_by"]["name"] == "Awa Formatrice" and data["resolved_at"]
    assert fresh(second).resolution == ReportResolution.RESOLVED


# --- Reporting rules --------------------------------------------------------------------


def test_moderators_are_not_offered_report_and_are_refused(
    course: Course, owner: User, admin_user: User, topic: Topic, reply: Reply, api: Any
) -> None:
    for moderator in (owner, admin_user):
        html = client_for(moderator).get(topic_page(topic)).content.decode()
        assert "Signaler" not in html
        for url in (
            report_page("topic_report", course, topic_id=topic.pk),
            report_page("reply_report", course, reply_id=reply.pk),
        ):
            assert client_for(moderator).get(url).status_code == 403
            assert client_for(moderator).post(url, {"reason": "X"}).status_code == 403
        for path in (f"/api/topics/{topic.pk}/report", f"/api/replies/{reply.pk}/report"):
            assert_error(api(moderator).post(path, {"reason": "X"}), 403, "moderator_cannot_report")
        detail = api(moderator).get(f"/api/topics/{topic.pk}").json_body["data"]
        assert detail["can"]["report"] is False
    assert not Report.objects.exists()


def test_members_are_offered_report_except_on_their_own_posts(
    course: Course, member: User, student2: User, topic: Topic, reply: Reply, api: Any
) -> None:
    mine = make_reply(member, topic, "Ma propre réponse")
    page = client_for(member).get(topic_page(topic))
    html = page.content.decode()
    # The topic is member's own: no "Signaler" on it; student2's reply: one; member's: none.
    assert page.context["can"]["report"] is False
    rows = {row["id"]: row for row in page.context["replies"]}
    assert rows[reply.pk]["buttons"]["report"] is True
    assert rows[mine.pk]["buttons"]["report"] is False
    assert report_page("reply_report", course, reply_id=reply.pk) in html
    assert report_page("reply_report", course, reply_id=mine.pk) not in html
    assert report_page("topic_report", course, topic_id=topic.pk) not in html
    assert (
        client_for(member).get(report_page("topic_report", course, topic_id=topic.pk)).status_code
        == 403
    )
    assert_error(
        api(member).post(f"/api/topics/{topic.pk}/report", {"reason": "X"}), 403, "own_post"
    )
    assert_error(
        api(member).post(f"/api/replies/{mine.pk}/report", {"reason": "X"}), 403, "own_post"
    )
    other_view = client_for(student2).get(topic_page(topic))
    assert other_view.context["can"]["report"] is True


def test_reporting_twice_is_one_report_said_kindly(
    course: Course, student3: User, reply: Reply, api: Any
) -> None:
    url = report_page("reply_report", course, reply_id=reply.pk)
    client = client_for(student3)
    assert client.post(url, {"reason": "Spam"}).status_code == 302
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Vous avez déjà signalé ce message." in html and "<textarea" not in html
    again = client.post(url, {"reason": "Encore du spam"})
    assert (
        again.status_code == 409 and "Vous avez déjà signalé ce message." in again.content.decode()
    )
    assert_error(
        api(student3).post(f"/api/replies/{reply.pk}/report", {"reason": "Spam"}),
        409,
        "already_reported",
    )
    assert Report.objects.filter(reply=reply, reporter=student3).count() == 1


def test_hidden_or_deleted_replies_cannot_be_reported(
    course: Course, owner: User, student3: User, reply: Reply, api: Any
) -> None:
    services.reply_moderate(actor=owner, reply=Reply.objects.get(pk=reply.pk), action="hide")
    page = client_for(student3).get(report_page("reply_report", course, reply_id=reply.pk))
    assert page.status_code == 409 and "montres" not in page.content.decode()  # no leak
    assert_error(
        api(student3).post(f"/api/replies/{reply.pk}/report", {"reason": "X"}), 409, "reply_hidden"
    )
    services.reply_moderate(actor=owner, reply=Reply.objects.get(pk=reply.pk), action="unhide")
    services.reply_delete(actor=reply.author, reply=Reply.objects.get(pk=reply.pk))
    assert_error(
        api(student3).post(f"/api/replies/{reply.pk}/report", {"reason": "X"}), 409, "reply_deleted"
    )


def test_students_never_see_who_reported(
    course: Course,
    member: User,
    student2: User,
    student3: User,
    topic: Topic,
    reply: Reply,
    api: Any,
) -> None:
    services.report_create(actor=student3, reply=reply, reason="Motif secret")
    services.report_create(actor=student2, topic=topic, reason="Autre motif secret")
    for viewer in (member, student2):
        html = client_for(viewer).get(topic_page(topic)).content.decode()
        assert "Sèna" not in html and "Motif secret" not in html
        tree = api(viewer).get(f"/api/topics/{topic.pk}/replies").content.decode()
        assert "Sèna" not in tree and "Motif secret" not in tree
        detail = api(viewer).get(f"/api/topics/{topic.pk}").content.decode()
        assert "Aminata" in detail or "Koffi" in detail  # authors, never reporters
        assert "Autre motif secret" not in detail
        assert_error(api(viewer).get(f"/api/courses/{course.pk}/forum/reports"), 403)
        assert client_for(viewer).get(course_queue(course)).status_code == 403


# --- API --------------------------------------------------------------------------------


def test_api_handle(
    api: Any, owner: User, member: User, reply: Reply, student3: User, topic: Topic
) -> None:
    first = services.report_create(actor=student3, reply=reply, reason="Spam")
    second = services.report_create(actor=member, reply=reply, reason="Pub")
    path = f"/api/forum/reports/{first.pk}/handle"
    assert_error(api(member).post(path, {"action": "hide"}), 403, "forbidden")
    assert_error(api(None).post(path, {"action": "hide"}), 401)
    assert_error(api(owner).post(path, {"action": "delete"}), 400, "invalid_action")
    assert_error(api(owner).post(path, {}), 400)
    assert_error(api(owner).post(path, {"action": 3}), 400)
    assert_error(api(owner).post(path, {"action": "x" * 100}), 400)
    assert_error(api(owner).post(path, raw="[1, 2]"), 400)
    assert_error(api(owner).post(path, raw="pas du json"), 400)
    assert_error(api(owner).post(path, raw='"hide"'), 400)
    assert_error(
        api(owner).post("/api/forum/reports/987654/handle", {"action": "hide"}),
        404,
        "report_not_found",
    )
    data = api(owner).post(path, {"action": "lock"}).json_body["data"]
    assert data["action"] == "lock" and data["resolution"] == "locked"
    assert data["status"] == "resolved" and data["resolved_by"]["name"] == "Awa Formatrice"
    assert sorted(data["report_ids"]) == sorted([first.pk, second.pk])
    assert (
        data["target"]["type"] == "reply" and data["target"]["author"]["name"] == "Aminata Diallo"
    )
    assert_error(api(owner).post(path, {"action": "hide"}), 409, "already_resolved")
    listed = api(owner).get(
        f"/api/courses/{topic.forum.course_id}/forum/reports", {"status": "resolved"}
    )
    rows = listed.json_body["data"]
    assert {r["resolution"] for r in rows} == {"locked"}
    assert all(r["resolved_at"] and r["resolved_by"]["id"] == owner.pk for r in rows)
    open_rows = api(owner).get(f"/api/courses/{topic.forum.course_id}/forum/reports").json_body
    assert open_rows["data"] == []


# --- Query counts ------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["open", "resolved"])
def test_queue_query_count_constant(
    status: str,
    course: Course,
    owner: User,
    admin_user: User,
    member: User,
    topic: Topic,
    user_factory: Callable[..., User],
) -> None:
    """1 reported post vs 12 (each reported twice, with a parent and its author): the
    queue pages cost the same number of queries, for the owner and for an admin."""
    second_reporter = user_factory(Role.STUDENT)
    course_services.enrollment_create(actor=second_reporter, course=course)
    parent = make_reply(member, topic, "Question de départ")

    def report_one(i: int) -> None:
        reporter = user_factory(Role.STUDENT)
        course_services.enrollment_create(actor=reporter, course=course)
        post = make_reply(reporter, topic, f"Réponse {i}", parent_id=parent.pk)
        first = services.report_create(actor=member, reply=post, reason=f"Motif {i}")
        services.report_create(actor=second_reporter, reply=post, reason="Aussi")
        if status == "resolved":
            services.report_handle(actor=owner, report=fresh(first), action="dismiss")

    suffix = "?status=resolved" if status == "resolved" else ""
    views = [
        (who, url)
        for who in (owner, admin_user)
        for url in (course_queue(course) + suffix, QUEUE + suffix)
    ]
    clients = {who.pk: client_for(who) for who in (owner, admin_user)}

    def measure() -> list[int]:
        counts = []
        for who, url in views:
            client = clients[who.pk]
            client.get(url)  # warm the session and caches
            n, response = count_queries(lambda c=client, u=url: c.get(u))  # type: ignore[misc]
            assert response.status_code == 200
            counts.append(n)
        return counts

    report_one(0)
    one = measure()
    for i in range(1, 12):
        report_one(i)
    many = measure()
    assert one == many, (one, many)
    page = clients[owner.pk].get(course_queue(course) + suffix)
    assert len(page.context["groups"]) == 12
    assert all(g["count"] == 2 for g in page.context["groups"])
