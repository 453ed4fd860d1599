"""Each role's home (issue 12): where login lands, the teaching dashboard, the admin
overview; the course hub and its students page. Who may see them, what they offer (only
actions allowed now), bad input, and constant query counts (1 course or row vs many)."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campus.accounts.models import Role, User
from campus.certificates.tests.helpers import complete, rate
from campus.courses import services as course_services
from campus.courses.models import Course, Enrollment
from campus.forum import selectors as forum_selectors
from campus.forum import services as forum_services
from campus.forum.tests.helpers import make_reply, make_topic
from campus.live import services as live_services
from campus.live.models import LiveSession
from campus.live.tests.helpers import make_live, make_session
from campus.ratings import selectors as ratings_selectors
from conftest import PASSWORD, build_course

pytestmark = pytest.mark.django_db

# Porto-Novo is UTC+1 all year: 08:00 UTC is 09:00 on the users' clocks.
FROZEN = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def html(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def is_login_redirect(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:login") + "?next="
    )


def hub_url(course: Course) -> str:
    return reverse("courses:manage", kwargs={"slug": course.slug})


def students_url(course: Course) -> str:
    return reverse("courses:students", kwargs={"slug": course.slug})


def small_course(owner: User, title: str, **fields: Any) -> Course:
    """One module, one lesson, no final: completing the lesson completes the course."""
    return build_course(
        owner, title=title, modules=1, lessons_per_module=1, with_final=False, **fields
    )


def busy_course(owner: User, title: str, students: list[User]) -> Course:
    """A course with something of every kind waiting for its owner: an unanswered
    question, a pending review, an open report, a live and an upcoming session, one
    ended session, students at different stages."""
    course = small_course(owner, title)
    first, second, *others = students
    enrollment = complete(first, course)
    rate(first, enrollment, stars=4)  # pending (RATINGS_MODERATION=pre)
    course_services.enrollment_create(actor=second, course=course)
    for student in others:
        course_services.enrollment_create(actor=student, course=course)
    question = make_topic(second, course, title=f"Question sur {title}")
    forum_services.report_create(actor=first, reason="Hors sujet", topic=question)
    past = make_live(owner, course, title=f"Passée {title}")
    live_services.session_end(actor=owner, session=past)
    make_live(owner, course, title=f"En direct {title}")
    make_session(owner, course, title=f"À venir {title}", starts_in=timedelta(days=2))
    return course


def queries(client: Client, url: str) -> int:
    client.get(url)  # warm: one-off writes (session, last login) out of the count
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


@pytest.fixture
def students(user_factory: Callable[..., User]) -> list[User]:
    return [user_factory(Role.STUDENT) for _ in range(3)]


# --- Where each role lands --------------------------------------------------------------


def test_home_sends_each_role_to_its_own_home(
    outsider: User, owner: User, admin_user: User
) -> None:
    home = reverse("courses:home")
    assert is_login_redirect(Client().get(home))
    assert client_for(outsider).get(home)["Location"] == reverse("courses:my_courses")
    assert client_for(owner).get(home)["Location"] == reverse("courses:teaching")
    assert client_for(admin_user).get(home)["Location"] == reverse("courses:admin_overview")


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (Role.STUDENT, "courses:my_courses"),
        (Role.INSTRUCTOR, "courses:teaching"),
        (Role.ADMIN, "courses:admin_overview"),
    ],
)
def test_login_lands_on_the_role_home_or_on_next(
    user_factory: Callable[..., User], course: Course, role: str, landing: str
) -> None:
    user = user_factory(role)
    login = reverse("accounts:login")
    client = Client()
    response = client.post(login, {"email": user.email, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse(landing)
    assert response.status_code == 200

    wanted = reverse("courses:detail", kwargs={"slug": course.slug})
    response = Client().post(login, {"email": user.email, "password": PASSWORD, "next": wanted})
    assert response["Location"] == wanted
    outside = Client().post(
        login, {"email": user.email, "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert outside["Location"] == reverse("courses:home")


def test_the_brand_leads_home_when_logged_in(outsider: User, owner: User) -> None:
    anonymous = html(Client().get(reverse("courses:catalogue")))
    assert f'class="brand" href="{reverse("courses:catalogue")}"' in anonymous
    page = html(client_for(owner).get(reverse("courses:catalogue")))
    assert f'class="brand" href="{reverse("courses:home")}"' in page
    assert f'href="{reverse("courses:teaching")}"' in page  # "Enseigner"
    student = html(client_for(outsider).get(reverse("courses:catalogue")))
    assert f'href="{reverse("courses:teaching")}"' not in student


# --- The teaching dashboard -----------------------------------------------------------


def test_teaching_dashboard_is_for_instructors_and_admins(
    outsider: User, member: User, owner: User, admin_user: User
) -> None:
    url = reverse("courses:teaching")
    assert is_login_redirect(Client().get(url))
    assert client_for(outsider).get(url).status_code == 403
    assert client_for(member).get(url).status_code == 403
    assert "Enseigner" in html(client_for(owner).get(url))
    assert "Enseigner" in html(client_for(admin_user).get(url))


def test_teaching_dashboard_offers_start_only_in_the_window_and_join_when_live(
    owner: User, other_instructor: User
) -> None:
    course = small_course(owner, "Python")
    elsewhere = small_course(other_instructor, "Ailleurs")
    with time_machine.travel(FROZEN, tick=False):
        live = make_live(owner, course, title="En direct maintenant")
        soon = make_session(
            owner, course, title="Dans vingt minutes", starts_in=timedelta(minutes=20)
        )
        later = make_session(owner, course, title="Plus tard", starts_in=timedelta(hours=3))
        tomorrow = make_session(owner, course, title="Demain", starts_in=timedelta(days=1))
        make_session(other_instructor, elsewhere, title="Pas la mienne")
        page = html(client_for(owner).get(reverse("courses:teaching")))

    def start(session: LiveSession) -> str:
        return reverse(
            "live:session_start", kwargs={"course_id": course.pk, "session_id": session.pk}
        )

    join = reverse("live:join", kwargs={"slug": course.slug, "session_id": live.pk})
    assert join in page and start(live) not in page
    assert start(soon) in page  # 30 minutes before its start: allowed now
    assert start(later) not in page and "Plus tard" in page  # today, but not yet
    assert start(tomorrow) not in page
    assert "Pas la mienne" not in page
    today, upcoming = page.split('id="next-title"')
    for title in ("En direct maintenant", "Dans vingt minutes", "Plus tard"):
        assert title in today
    assert "Demain" in upcoming and "Demain" not in today


def test_what_waits_counts_questions_reviews_and_reports_per_course(
    owner: User, other_instructor: User, admin_user: User, students: list[User]
) -> None:
    first, second, third = students
    course = small_course(owner, "Python")
    elsewhere = small_course(other_instructor, "Ailleurs")
    for student in students:
        course_services.enrollment_create(actor=student, course=course)
        course_services.enrollment_create(actor=student, course=elsewhere)
    make_topic(first, course, title="Sans réponse")  # waits
    answered = make_topic(second, course, title="Déjà répondu")
    reply = make_reply(owner, answered)
    make_topic(owner, course, title="Annonce")  # the owner's own: not a question
    hidden = make_topic(third, course, title="Masquée")
    forum_services.topic_moderate(actor=owner, topic=hidden, action="hide")
    locked = make_topic(third, course, title="Verrouillée")
    forum_services.topic_moderate(actor=owner, topic=locked, action="lock")
    forum_services.report_create(actor=first, reason="Insultant", reply=reply)
    forum_services.report_create(actor=first, reason="Spam", topic=answered)
    rate(first, complete(first, course))
    make_topic(first, elsewhere, title="Ailleurs aussi")

    pending = forum_selectors.pending_counts_for_instructor(user=owner)
    assert pending.unanswered == {course.pk: 1}
    assert pending.reports == {course.pk: 2}
    assert ratings_selectors.pending_counts_for_instructor(user=owner) == {course.pk: 1}
    everything = forum_selectors.pending_counts_for_instructor(user=admin_user)
    assert everything.unanswered == {course.pk: 1, elsewhere.pk: 1}

    page = html(client_for(owner).get(reverse("courses:teaching")))
    waiting = page.split('id="waiting-title"')[1].split('id="courses-title"')[0]
    assert '<span class="count count-on">1</span>' in waiting.split('id="waiting-reviews"')[0]
    assert '<span class="count count-on">2</span>' in waiting.split('id="waiting-reports"')[1]
    forum_unanswered = reverse("forum:topics", kwargs={"slug": course.slug}) + "?sort=unanswered"
    assert forum_unanswered in waiting
    assert f"{reverse('ratings:moderation')}?course={course.pk}" in waiting
    assert reverse("forum:course_reports", kwargs={"slug": course.slug}) in waiting
    assert reverse("forum:reports_queue") in waiting
    # The navigation's badge is the dashboard's total (1 question, 1 review, 2 reports).
    assert '<span class="nav-count">4</span>' in page
    assert "Ailleurs" not in page
    admin_page = html(client_for(admin_user).get(reverse("courses:teaching")))
    assert "Ailleurs" in admin_page


def test_teaching_dashboard_without_anything_says_so(owner: User) -> None:
    page = html(client_for(owner).get(reverse("courses:teaching")))
    assert "Pas de séance en direct aujourd'hui." in page
    assert "Rien en attente" in page
    assert "Créer mon premier cours" in page


def test_teaching_dashboard_queries_do_not_grow_with_courses(
    owner: User, students: list[User], user_factory: Callable[..., User]
) -> None:
    busy_course(owner, "Cours 0", students)
    client = client_for(owner)
    url = reverse("courses:teaching")
    one = queries(client, url)
    for n in range(1, 5):
        busy_course(owner, f"Cours {n}", [user_factory(Role.STUDENT) for _ in range(2)])
    page = html(client.get(url))
    assert page.count("Démarrer") == 0 and page.count(">Rejoindre<") == 5
    assert queries(client, url) == one


# --- The admin overview ---------------------------------------------------------------


def test_admin_overview_is_for_admins_only(outsider: User, owner: User, admin_user: User) -> None:
    url = reverse("courses:admin_overview")
    assert is_login_redirect(Client().get(url))
    assert client_for(outsider).get(url).status_code == 403
    assert client_for(owner).get(url).status_code == 403
    page = html(client_for(admin_user).get(url))
    assert reverse("admin:accounts_user_changelist") in page
    assert reverse("ratings:moderation") in page
    assert reverse("courses:teaching") in page


def test_admin_overview_figures(
    owner: User, admin_user: User, students: list[User], draft_course: Course
) -> None:
    with time_machine.travel(FROZEN, tick=False):
        busy_course(owner, "Python", students)
        page = html(client_for(admin_user).get(reverse("courses:admin_overview")))
        context = client_for(admin_user).get(reverse("courses:admin_overview")).context
    assert context["users"] == {"student": 3, "instructor": 1, "admin": 1, "total": 5}
    assert context["platform"] == {
        "courses_published": 1,
        "courses_draft": 1,
        "enrollments_active": 3,
        "enrollments_completed": 1,
    }
    # Sessions today (Porto-Novo): the ended one, the live one; the upcoming is in 2 days.
    assert context["live"] == {"live": 1, "today": 2, "upcoming": 1}
    assert context["pending_reviews"] == 1
    assert context["open_reports"] == 1
    assert context["unanswered"] == 1
    assert "Vue d&#x27;ensemble" in page or "Vue d'ensemble" in page


def test_admin_overview_queries_do_not_grow(
    owner: User, admin_user: User, students: list[User], user_factory: Callable[..., User]
) -> None:
    busy_course(owner, "Cours 0", students)
    client = client_for(admin_user)
    url = reverse("courses:admin_overview")
    one = queries(client, url)
    for n in range(1, 4):
        busy_course(owner, f"Cours {n}", [user_factory(Role.STUDENT) for _ in range(2)])
    assert queries(client, url) == one


# --- The course hub -------------------------------------------------------------------


def test_hub_is_for_the_owner_and_admins(
    course: Course,
    draft_course: Course,
    owner: User,
    admin_user: User,
    other_instructor: User,
    member: User,
    outsider: User,
) -> None:
    url = hub_url(course)
    assert is_login_redirect(Client().get(url))
    for user in (member, outsider, other_instructor):
        assert client_for(user).get(url).status_code == 403
    assert client_for(other_instructor).get(hub_url(draft_course)).status_code == 404
    for user in (owner, admin_user):
        assert course.title in html(client_for(user).get(url))
    assert (
        client_for(owner).get(reverse("courses:manage", kwargs={"slug": "nope"})).status_code == 404
    )


def test_hub_links_every_part_of_the_course(owner: User, students: list[User]) -> None:
    course = busy_course(owner, "Python", students)
    ended = LiveSession.objects.get(course=course, status="ended")
    page = html(client_for(owner).get(hub_url(course)))
    for link in (
        reverse("live:session_create", kwargs={"course_id": course.pk}),
        reverse("live:series_create", kwargs={"course_id": course.pk}),
        reverse("live:manager", kwargs={"course_id": course.pk}),
        reverse("courses:content", kwargs={"slug": course.slug}),
        students_url(course),
        reverse("forum:topics", kwargs={"slug": course.slug}),
        f"{reverse('ratings:moderation')}?course={course.pk}",
        reverse("live:session_manage", kwargs={"course_id": course.pk, "session_id": ended.pk}),
        reverse("courses:course_edit", kwargs={"slug": course.slug}),
    ):
        assert link in page, link
    assert "Hors sujet" in page  # the open report, with a link to the reported post
    topic = course.forum.topics.get()
    assert reverse("forum:topic", kwargs={"slug": course.slug, "topic_id": topic.pk}) in page


def test_hub_of_a_new_course_offers_only_what_makes_sense(owner: User) -> None:
    course = small_course(owner, "Tout neuf", publish=False)
    page = html(client_for(owner).get(hub_url(course)))
    assert "Aucune séance à venir." in page
    assert "Aucune séance terminée pour l'instant" in page
    assert "Modérer les avis" not in page  # nothing to moderate
    assert "Pas encore d&#x27;avis." in page or "Pas encore d'avis." in page
    assert "Publier" in page


def test_hub_offers_start_only_in_the_start_window(owner: User, course: Course) -> None:
    with time_machine.travel(FROZEN, tick=False):
        soon = make_session(owner, course, title="Bientôt", starts_in=timedelta(minutes=25))
        far = make_session(owner, course, title="Loin", starts_in=timedelta(hours=5))
        page = html(client_for(owner).get(hub_url(course)))
    start = "live:session_start"
    assert reverse(start, kwargs={"course_id": course.pk, "session_id": soon.pk}) in page
    assert reverse(start, kwargs={"course_id": course.pk, "session_id": far.pk}) not in page


def test_scheduling_a_session_is_one_click_from_the_hub(owner: User, course: Course) -> None:
    client = client_for(owner)
    page = html(client.get(hub_url(course)))
    create = reverse("live:session_create", kwargs={"course_id": course.pk})
    assert f'href="{create}"' in page
    form = html(client.get(create))
    assert 'name="title"' in form
    response = client.post(
        create,
        {
            "title": "Première séance",
            "description": "",
            "date": "2030-01-10",
            "start_time": "18:00",
            "end_time": "19:00",
            "max_participants": "30",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert LiveSession.objects.filter(course=course, title="Première séance").exists()
    assert "Première séance" in html(client.get(hub_url(course)))


def test_hub_queries_do_not_grow(
    owner: User, students: list[User], user_factory: Callable[..., User]
) -> None:
    course = busy_course(owner, "Python", students)
    client = client_for(owner)
    one = queries(client, hub_url(course))
    # Many of everything in the same course: sessions, ended ones, reports, enrollments.
    for n in range(6):
        student = user_factory(Role.STUDENT)
        course_services.enrollment_create(actor=student, course=course)
        topic = make_topic(student, course, title=f"Question {n}")
        forum_services.report_create(actor=students[0], reason=f"Motif {n}", topic=topic)
        make_session(owner, course, title=f"Séance {n}", starts_in=timedelta(days=n + 3))
        past = make_live(owner, course, title=f"Passée {n}")
        live_services.session_end(actor=owner, session=past)
    assert queries(client, hub_url(course)) == one


# --- Students and their progress ------------------------------------------------------


def test_students_page_by_actor(
    course: Course, owner: User, admin_user: User, other_instructor: User, member: User
) -> None:
    url = students_url(course)
    assert is_login_redirect(Client().get(url))
    assert client_for(member).get(url).status_code == 403
    assert client_for(other_instructor).get(url).status_code == 403
    for user in (owner, admin_user):
        assert member.email in html(client_for(user).get(url))


def test_students_page_shows_progress_status_and_last_activity(
    owner: User, user_factory: Callable[..., User]
) -> None:
    course = build_course(
        owner, title="Deux leçons", modules=1, lessons_per_module=2, with_final=False
    )
    done = user_factory(Role.STUDENT, first_name="Awa", last_name="Terminé")
    halfway = user_factory(Role.STUDENT, first_name="Bio", last_name="Moitié")
    idle = user_factory(Role.STUDENT, first_name="Chi", last_name="Rien")
    gone = user_factory(Role.STUDENT, first_name="Dan", last_name="Parti")
    with time_machine.travel(FROZEN, tick=False):
        complete(done, course)
        course_services.enrollment_create(actor=halfway, course=course)
        course_services.lesson_complete(actor=halfway, lesson=course.lessons.order_by("id")[0])
        course_services.enrollment_create(actor=idle, course=course)
        course_services.enrollment_create(actor=gone, course=course)
        course_services.enrollment_deactivate(actor=gone, course=course)
        client = client_for(owner)
        page = html(client.get(students_url(course)))
        inactive = html(client.get(students_url(course), {"status": "inactive"}))
        completed = html(client.get(students_url(course), {"status": "completed"}))
        found = html(client.get(students_url(course), {"q": "moitié"}))
        least = html(client.get(students_url(course), {"sort": "progress"}))
    assert "3 inscriptions" in page
    assert "Awa Terminé" in page and "100 %" in page
    assert "Bio Moitié" in page and "50 %" in page
    assert "Dan Parti" not in page
    assert page.count("Dernière activité : 10 mars 2026") == 2
    assert "Aucune activité encore" in page  # the idle one
    assert "Dan Parti" in inactive and "Awa Terminé" not in inactive
    assert "Awa Terminé" in completed and "Bio Moitié" not in completed
    assert "Bio Moitié" in found and "Awa Terminé" not in found
    assert least.index("Chi Rien") < least.index("Bio Moitié") < least.index("Awa Terminé")


@pytest.mark.parametrize(
    "params",
    [
        {"status": "bogus"},
        {"sort": "'; DROP TABLE"},
        {"q": "x" * 500},
        {"page": "abc"},
        {"page": "-3"},
        {"page": "99999999999999999999"},
        {"status": ["completed", "inactive"]},
    ],
)
def test_students_page_forgives_odd_parameters(
    course: Course, owner: User, member: User, params: dict
) -> None:
    response = client_for(owner).get(students_url(course), params)
    assert response.status_code == 200


def test_students_page_queries_do_not_grow(owner: User, user_factory: Callable[..., User]) -> None:
    course = build_course(owner, title="Cours", modules=1, lessons_per_module=2, with_final=False)
    first = user_factory(Role.STUDENT)
    complete(first, course)
    client = client_for(owner)
    one = queries(client, students_url(course))
    for n in range(24):
        student = user_factory(Role.STUDENT)
        if n % 2:
            complete(student, course)
        else:
            course_services.enrollment_create(actor=student, course=course)
    assert Enrollment.objects.filter(course=course).count() == 25
    page = html(client.get(students_url(course)))
    assert page.count('class="student-row"') == 25
    assert queries(client, students_url(course)) == one


# --- One course's review queue --------------------------------------------------------


def test_review_queue_for_one_course(
    owner: User, other_instructor: User, students: list[User]
) -> None:
    python = small_course(owner, "Python")
    agile = small_course(owner, "Agile")
    elsewhere = small_course(other_instructor, "Ailleurs")
    rate(students[0], complete(students[0], python))
    rate(students[1], complete(students[1], agile))
    queue = reverse("ratings:moderation")
    client = client_for(owner)
    everything = html(client.get(queue))
    assert "Python" in everything and "Agile" in everything
    only = html(client.get(queue, {"course": python.pk}))
    assert 'href="/courses/python/"' in only and 'href="/courses/agile/"' not in only
    assert f'name="next" value="{queue}?course={python.pk}"' in only
    assert client.get(queue, {"course": elsewhere.pk}).status_code == 403
    for bad in ("abc", "²", "0", "99999999", "9" * 40):
        assert client.get(queue, {"course": bad}).status_code == 404, bad
