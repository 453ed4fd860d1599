"""Agenda pages through the Django test client: the calendar (views, filters, times in
the user's zone, forgiving query string), "Mon planning" (create, settings, re-plan,
the fits message), the subscription panel (regenerate), who may see what, and query
counts that do not grow with the number of events or plan items."""

import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from html import unescape
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campus.accounts.models import Role, User
from campus.agenda import services
from campus.agenda.models import CalendarToken, PlanItem, PlanItemStatus, StudyPlan
from campus.courses import services as course_services
from campus.courses.models import Course, Enrollment, Lesson
from campus.live.tests.helpers import make_session
from conftest import build_course

pytestmark = pytest.mark.django_db

# Monday 2 March 2026, 08:00 UTC: 09:00 in Porto-Novo, 17:00 in Tokyo.
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def html(response: Any, status: int = 200) -> str:
    assert response.status_code == status, (response.status_code, response.content[:300])
    return response.content.decode()


def text(response: Any, status: int = 200) -> str:
    """The page's visible text, tags removed and spaces collapsed."""
    body = html(response, status)
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def calendar_url(**params: Any) -> str:
    query = "&".join(
        f"{key}={v}"
        for key, value in params.items()
        for v in (value if isinstance(value, list) else [value])
    )
    return reverse("agenda:calendar") + (f"?{query}" if query else "")


def plan_url(course: Course) -> str:
    return reverse("agenda:plan", kwargs={"slug": course.slug})


def replan_url(course: Course) -> str:
    return reverse("agenda:replan", kwargs={"slug": course.slug})


def enrollment_of(user: User, course: Course) -> Enrollment:
    return Enrollment.objects.get(user=user, course=course)


def generate(user: User, course: Course) -> StudyPlan:
    return services.plan_generate(actor=user, enrollment=enrollment_of(user, course), now=NOW)


# --- Anonymous and wrong methods --------------------------------------------------------


def test_anonymous_is_sent_to_login(course: Course) -> None:
    client = Client()
    for url in (calendar_url(), reverse("agenda:subscribe"), plan_url(course)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    for url in (replan_url(course), reverse("agenda:regenerate_token")):
        response = client.post(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert not CalendarToken.objects.exists()


def test_actions_refuse_get(member: User, course: Course) -> None:
    client = client_for(member)
    assert client.get(replan_url(course)).status_code == 405
    assert client.get(reverse("agenda:regenerate_token")).status_code == 405


# --- The calendar -----------------------------------------------------------------------


def test_month_view_shows_sessions_plan_items_and_legend_in_french(
    owner: User, member: User, course: Course
) -> None:
    session = make_session(owner, course, starts_in=timedelta(days=1), title="Révision en direct")
    generate(member, course)
    page = text(client_for(member).get(calendar_url()))
    assert "Mon calendrier" in page
    assert "Mars 2026" in page
    assert "Lundi" in page and "Dimanche" in page
    legend = ("Classe en direct", "Leçon", "Quiz / examen", "Date limite", "Étape", "Rappel")
    for label in (*legend, "En retard"):
        assert label in page
    assert "Révision en direct" in page
    assert "Programmée" in page  # the session's status badge
    assert "Leçon 1.1" in page  # a plan item
    body = html(client_for(member).get(calendar_url()))
    detail = reverse("live:session_detail", kwargs={"slug": course.slug, "session_id": session.pk})
    assert f'href="{detail}"' in body
    lesson = Lesson.objects.get(course=course, title="Leçon 1.1")
    lesson_href = reverse("courses:lesson", kwargs={"slug": course.slug, "lesson_id": lesson.pk})
    assert f'href="{lesson_href}"' in body
    # The whole weeks around March: Monday 23 February to Sunday 5 April.
    assert "date=2026-02-23" in body  # the first day's link
    assert "date=2026-04-05" in body  # the last day's link


def test_times_are_in_the_users_zone(
    owner: User, user_factory: Callable[..., User], course: Course
) -> None:
    tokyo = user_factory(Role.STUDENT, timezone="Asia/Tokyo")
    course_services.enrollment_create(actor=tokyo, course=course)
    porto = user_factory(Role.STUDENT)
    course_services.enrollment_create(actor=porto, course=course)
    make_session(owner, course, starts_in=timedelta(hours=2), title="Séance du jour")  # 10:00Z
    day = calendar_url(view="day", date="2026-03-02", type="live_session")
    assert "19:00" in text(client_for(tokyo).get(day))
    assert "11:00" in text(client_for(porto).get(day))
    assert "Asia/Tokyo" in text(client_for(tokyo).get(day))


def test_week_day_and_list_views(owner: User, member: User, course: Course) -> None:
    make_session(owner, course, starts_in=timedelta(days=2), title="Séance de mercredi")
    client = client_for(member)
    week = text(client.get(calendar_url(view="week", date="2026-03-04")))
    assert "2 \N{EN DASH} 8 mars 2026" in week
    assert "Mercredi 4 mars" in week
    assert "Séance de mercredi" in week
    assert "Rien de prévu." in week  # the other days
    day_body = html(client.get(calendar_url(view="day", date="2026-03-04")))
    assert "Mercredi 4 mars 2026" in day_body
    assert "Séance de mercredi" in day_body
    assert ".ics" in day_body and "calendar.google.com" in day_body and "outlook" in day_body
    listing = text(client.get(calendar_url(view="list", date="2026-03-15")))
    assert "Mercredi 4 mars" in listing and "Séance de mercredi" in listing
    assert "Mardi 3 mars" not in listing  # only the days that have something
    empty = text(client.get(calendar_url(view="day", date="2026-03-05")))
    assert "Rien de prévu ce jour-là." in empty


def test_navigation_links_keep_view_and_filters(member: User) -> None:
    body = html(
        client_for(member).get(calendar_url(view="week", date="2026-03-04", type="quiz"))
    ).replace("&amp;", "&")
    assert "?view=week&date=2026-02-25&type=quiz" in body  # previous
    assert "?view=week&date=2026-03-11&type=quiz" in body  # next
    assert "?view=week&date=2026-03-02&type=quiz" in body  # today
    assert "?view=month&date=2026-03-04&type=quiz" in body  # another view
    month = html(client_for(member).get(calendar_url(date="2026-12-10"))).replace("&amp;", "&")
    assert "?view=month&date=2026-11-01" in month and "?view=month&date=2027-01-01" in month


def test_filter_by_type(owner: User, member: User, course: Course) -> None:
    make_session(owner, course, starts_in=timedelta(days=1), title="Séance filtrée")
    generate(member, course)
    client = client_for(member)
    only_sessions = text(client.get(calendar_url(type="live_session")))
    assert "Séance filtrée" in only_sessions
    assert "Leçon 1.1" not in only_sessions
    body = html(client.get(calendar_url(type="live_session")))
    assert re.search(r'value="live_session"\s+checked', body)
    only_lessons = text(client.get(calendar_url(type=["lesson", "quiz"])))
    assert "Séance filtrée" not in only_lessons
    assert "Leçon 1.1" in only_lessons
    # Unknown types are dropped: nothing filters, everything shows.
    everything = text(client.get(calendar_url(type="bogus")))
    assert "Séance filtrée" in everything and "Leçon 1.1" in everything
    none = text(client.get(calendar_url(type="milestone", date="2025-01-10")))
    assert "Aucun événement de ces types sur cette période." in none


@pytest.mark.parametrize(
    "query",
    [
        "view=year",
        "date=2026-13-45",
        "date=hier",
        "date=0001-01-01",
        "date=9999-12-31",
        "date=",
        "type=",
        "type=%00",
        "view=week&date=1969-12-29",
        "date=2026-03-02T10:00",
        "view[]=x&date[]=y",
        "page=-1",
    ],
)
def test_bad_query_strings_never_fail(member: User, query: str) -> None:
    response = client_for(member).get(f"{reverse('agenda:calendar')}?{query}")
    assert response.status_code == 200


def test_bad_date_falls_back_to_today(member: User) -> None:
    assert "Mars 2026" in text(client_for(member).get(calendar_url(date="2026-02-30")))


def test_outsider_and_instructor_see_their_own_calendar(
    owner: User, outsider: User, member: User, course: Course
) -> None:
    make_session(owner, course, starts_in=timedelta(days=1), title="Séance privée")
    generate(member, course)
    assert "Séance privée" not in text(client_for(outsider).get(calendar_url()))
    assert "Leçon 1.1" not in text(client_for(outsider).get(calendar_url()))
    # The instructor sees the course's sessions, never a student's plan.
    owner_page = text(client_for(owner).get(calendar_url()))
    assert "Séance privée" in owner_page and "Leçon 1.1" not in owner_page


def test_nav_has_a_calendar_link(member: User) -> None:
    body = html(client_for(member).get(calendar_url()))
    assert f'href="{reverse("agenda:calendar")}" aria-current="page">Calendrier' in body
    assert "Calendrier</a>" not in html(Client().get(reverse("courses:catalogue")))


def _calendar_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_calendar_query_count_does_not_grow_with_events(
    owner: User, member: User, course: Course, django_assert_num_queries: Any
) -> None:
    client = client_for(member)
    make_session(owner, course, starts_in=timedelta(days=1), title="Unique")
    url = calendar_url()
    client.get(url)  # the session's first request
    one = _calendar_queries(client, url)  # one event
    for n in range(20):
        make_session(owner, course, starts_in=timedelta(days=2, hours=n), title=f"Séance {n}")
    generate(member, course)
    other = build_course(owner, title="Autre cours", modules=3, lessons_per_module=3)
    course_services.enrollment_create(actor=member, course=other)
    generate(member, other)
    with django_assert_num_queries(one):
        page = client.get(url)
    body = page.content.decode()
    assert body.count("Séance 1") >= 10 and body.count("Leçon 1.1") >= 2  # both plans


# --- Mon planning ----------------------------------------------------------------------


def test_plan_page_without_a_plan_offers_to_create_it(member: User, course: Course) -> None:
    client = client_for(member)
    page = text(client.get(plan_url(course)))
    assert "Mon planning" in page and "Créer mon planning" in page
    response = client.post(replan_url(course), {"action": "generate"})
    assert response.status_code == 302 and response["Location"] == plan_url(course)
    assert StudyPlan.objects.filter(enrollment__user=member).exists()
    page = text(client.get(plan_url(course)))
    assert "Votre planning est prêt." in page
    assert "Créer mon planning" not in page


def test_plan_page_shows_days_items_progress_and_links(member: User, course: Course) -> None:
    generate(member, course)
    lesson = Lesson.objects.get(course=course, title="Leçon 1.1")
    course_services.lesson_complete(actor=member, lesson=lesson)
    client = client_for(member)
    body = html(client.get(plan_url(course)))
    page = text(client.get(plan_url(course)))
    # Items grouped by local day, from Monday 2 March at 18:00 (default start time).
    assert "Lundi 2 mars 2026" in page
    assert "18:00\N{EN DASH}18:15" in page
    assert "Leçon 1.1" in page and "Fait" in page and "À faire" in page
    assert "Quiz 1" in page
    assert "Étape : 100 % du cours" in page
    # The course's progress: 1 of 4 required lessons + the final evaluation.
    assert "1 / 5 faits (20 %)" in page
    href = reverse("courses:lesson", kwargs={"slug": course.slug, "lesson_id": lesson.pk})
    assert f'href="{href}"' in body
    assert "Le planning tient dans les dates du cours." in page
    assert "Lun, Mar, Mer, Jeu, Ven" not in page  # the summary uses full names
    assert "lundi, mardi, mercredi, jeudi, vendredi, à partir de 18:00, 60 min par jour" in page


def test_late_items_are_labelled(member: User, course: Course, frozen: Any) -> None:
    generate(member, course)
    frozen.move_to(NOW + timedelta(days=20))
    page = text(client_for(member).get(plan_url(course)))
    assert "En retard" in page


def test_settings_form_saves_and_replans(member: User, course: Course) -> None:
    generate(member, course)
    client = client_for(member)
    response = client.post(
        plan_url(course),
        {"study_days": ["5", "6"], "start_time": "08:30", "minutes_per_day": "90"},
    )
    assert response.status_code == 302
    plan = StudyPlan.objects.get(enrollment__user=member)
    assert plan.study_days == [5, 6]
    assert plan.start_time.strftime("%H:%M") == "08:30"
    assert plan.minutes_per_day == 90
    first = plan.items.order_by("starts_at").first()
    assert first is not None
    assert first.starts_at.astimezone(ZoneInfo(member.timezone)).weekday() in (5, 6)
    page = text(client.get(plan_url(course)))
    assert "Réglages enregistrés" in page
    assert "samedi, dimanche, à partir de 08:30, 90 min par jour" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"study_days": ["1"], "start_time": "07:00", "minutes_per_day": "5"},
            "Entre 15 et 480 minutes par jour.",
        ),
        (
            {"study_days": ["1"], "start_time": "07:00", "minutes_per_day": "9999"},
            "Entre 15 et 480 minutes par jour.",
        ),
        (
            {"start_time": "07:00", "minutes_per_day": "45"},
            "Choisissez au moins un jour d&#x27;étude.",
        ),
        (
            {"study_days": ["1", "9"], "start_time": "07:00", "minutes_per_day": "45"},
            "Sélectionnez un choix valide",
        ),
        (
            {"study_days": ["1"], "start_time": "25:99", "minutes_per_day": "45"},
            "Saisissez une heure valide.",
        ),
        (
            {"study_days": ["1"], "start_time": "07:00", "minutes_per_day": "beaucoup"},
            "Saisissez un nombre entier.",
        ),
    ],
)
def test_settings_form_bad_input_is_inline_with_400_and_values_kept(
    member: User, course: Course, data: dict[str, Any], message: str
) -> None:
    generate(member, course)
    before = StudyPlan.objects.get(enrollment__user=member)
    body = html(client_for(member).post(plan_url(course), data), 400)
    assert message in body
    assert 'class="errorlist' in body
    # What was typed is still there.
    if "study_days" in data and "9" not in data["study_days"]:
        assert re.search(r'value="1"[^>]*checked', body)
    assert f'value="{data["start_time"]}"' in body
    assert f'value="{data["minutes_per_day"]}"' in body
    after = StudyPlan.objects.get(enrollment__user=member)
    assert (after.study_days, after.minutes_per_day) == (before.study_days, before.minutes_per_day)


def test_not_fitting_proposes_minutes_and_applying_them_fits(
    owner: User, user_factory: Callable[..., User]
) -> None:
    short = build_course(
        owner,
        title="Cours court",
        modules=3,
        lessons_per_module=4,
        course_start_date=date(2026, 3, 1),
        course_end_date=date(2026, 3, 4),
    )
    Lesson.objects.filter(course=short).update(duration_minutes=60)
    student = user_factory(Role.STUDENT)
    course_services.enrollment_create(actor=student, course=short)
    plan = generate(student, short)
    assert not plan.fits and plan.needed_minutes_per_day
    client = client_for(student)
    page = text(client.get(plan_url(short)))
    needed = plan.needed_minutes_per_day
    assert f"Pour finir avant le 4 mars 2026, il faudrait {needed} minutes par jour." in page
    assert f"Passer à {needed} minutes par jour" in page
    response = client.post(
        plan_url(short),
        {
            "study_days": [str(d) for d in plan.study_days],
            "start_time": plan.start_time.strftime("%H:%M"),
            "minutes_per_day": str(needed),
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.fits and plan.minutes_per_day == needed
    assert "Le planning tient dans les dates du cours." in text(client.get(plan_url(short)))


def test_replan_keeps_done_and_moves_the_rest_from_today(
    member: User, course: Course, frozen: Any
) -> None:
    generate(member, course)
    lesson = Lesson.objects.get(course=course, title="Leçon 1.1")
    course_services.lesson_complete(actor=member, lesson=lesson)
    frozen.move_to(NOW + timedelta(days=10))
    client = client_for(member)
    response = client.post(replan_url(course))
    assert response.status_code == 302 and response["Location"] == plan_url(course)
    page = text(client.get(plan_url(course)))
    assert "Planning recalculé à partir d'aujourd'hui." in page
    assert "En retard" not in page
    items = PlanItem.objects.filter(plan__enrollment__user=member)
    assert items.filter(lesson=lesson, status=PlanItemStatus.DONE).exists()
    pending = items.exclude(status=PlanItemStatus.DONE)
    assert all(i.starts_at >= NOW + timedelta(days=10) for i in pending)


def test_plan_forbidden_actors(
    owner: User,
    admin_user: User,
    outsider: User,
    member: User,
    course: Course,
    draft_course: Course,
) -> None:
    for user in (outsider, owner, admin_user):
        page = text(client_for(user).get(plan_url(course)), 403)
        assert "Inscrivez-vous à ce cours pour avoir un planning." in page
        assert client_for(user).post(replan_url(course)).status_code == 403
        response = client_for(user).post(
            plan_url(course),
            {"study_days": ["1"], "start_time": "07:00", "minutes_per_day": "45"},
        )
        assert response.status_code == 403
    assert not StudyPlan.objects.filter(enrollment__user__in=[outsider, owner, admin_user]).exists()
    for user in (member, owner, outsider):
        assert client_for(user).get(plan_url(draft_course)).status_code == 404
    missing = reverse("agenda:plan", kwargs={"slug": "nope"})
    assert client_for(member).get(missing).status_code == 404
    # Unenrolled: access ends at once.
    course_services.enrollment_deactivate(actor=member, course=course)
    assert client_for(member).get(plan_url(course)).status_code == 403


def test_course_page_links_to_mon_planning_for_members(
    member: User, outsider: User, course: Course
) -> None:
    detail = reverse("courses:detail", kwargs={"slug": course.slug})
    assert f'href="{plan_url(course)}"' in html(client_for(member).get(detail))
    assert f'href="{plan_url(course)}"' not in html(client_for(outsider).get(detail))


def test_plan_query_count_does_not_grow_with_items(
    owner: User, user_factory: Callable[..., User], django_assert_num_queries: Any
) -> None:
    small = build_course(owner, title="Petit", modules=1, lessons_per_module=1, with_final=False)
    big = build_course(owner, title="Grand", modules=4, lessons_per_module=6)
    student = user_factory(Role.STUDENT)
    for c in (small, big):
        course_services.enrollment_create(actor=student, course=c)
        generate(student, c)
    client = client_for(student)
    client.get(plan_url(small))
    with CaptureQueriesContext(connection) as ctx:
        client.get(plan_url(small))
    assert PlanItem.objects.filter(plan__enrollment__course=big).count() >= 20
    with django_assert_num_queries(len(ctx.captured_queries)):
        assert client.get(plan_url(big)).status_code == 200


# --- Subscription ----------------------------------------------------------------------


def test_subscribe_panel_shows_the_private_feed_urls(member: User) -> None:
    client = client_for(member)
    body = html(client.get(reverse("agenda:subscribe")))
    token = CalendarToken.objects.get(user=member).token
    assert f"/calendar/feed/{token}.ics" in body
    assert "webcal://" in body
    assert "calendar.google.com" in body and "outlook.live.com" in body
    page = text(client.get(reverse("agenda:subscribe")))
    for words in (
        "Ce lien est personnel.",
        "Ajouter à Google Agenda",
        "Ajouter à Outlook",
        "À partir de l'URL",
        "S'abonner à partir du web",
        "Nouvel abonnement",
        "Ajouter un calendrier avec abonnement",
        "Régénérer le lien",
    ):
        assert words in page, words
    # The same token on every visit.
    client.get(reverse("agenda:subscribe"))
    assert CalendarToken.objects.get(user=member).token == token


def test_regenerate_replaces_the_token_and_revokes_the_old_feed(member: User) -> None:
    client = client_for(member)
    client.get(reverse("agenda:subscribe"))
    old = CalendarToken.objects.get(user=member).token
    assert client.get(reverse("agenda:feed", kwargs={"token": old})).status_code == 200
    response = client.post(reverse("agenda:regenerate_token"))
    assert response.status_code == 302 and response["Location"] == reverse("agenda:subscribe")
    new = CalendarToken.objects.get(user=member).token
    assert new != old
    page = html(client.get(reverse("agenda:subscribe")))
    assert new in page and old not in page
    assert "L&#x27;ancien ne fonctionne plus" in page
    anonymous = Client()
    assert anonymous.get(reverse("agenda:feed", kwargs={"token": old})).status_code == 404
    assert anonymous.get(reverse("agenda:feed", kwargs={"token": new})).status_code == 200


def test_subscribe_is_per_user(member: User, outsider: User) -> None:
    client_for(member).get(reverse("agenda:subscribe"))
    client_for(outsider).get(reverse("agenda:subscribe"))
    tokens = set(CalendarToken.objects.values_list("token", flat=True))
    assert len(tokens) == 2
    mine = CalendarToken.objects.get(user=member).token
    assert mine not in html(client_for(outsider).get(reverse("agenda:subscribe")))


def test_session_page_offers_add_to_my_calendar(owner: User, member: User, course: Course) -> None:
    session = make_session(owner, course, starts_in=timedelta(days=1))
    detail = reverse("live:session_detail", kwargs={"slug": course.slug, "session_id": session.pk})
    client = client_for(member)
    body = html(client.get(detail))
    ics = reverse("agenda:event_ics", kwargs={"key": f"live_session-{session.pk}"})
    assert "Ajouter à mon agenda" in body
    assert f'href="{ics}"' in body
    assert "calendar.google.com" in body and "outlook.live.com" in body
    assert client.get(ics).status_code == 200
