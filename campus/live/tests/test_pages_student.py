"""Student live pages: the dashboard, a course's sessions, a session's detail, and the
course page's live block. Who sees what, times in the user's zone, query counts."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from campus.accounts.models import Role, User
from campus.courses import services as course_services
from campus.courses.models import Course
from campus.live import services
from campus.live.models import LiveSession
from campus.live.tests.helpers import make_session
from conftest import build_course

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # 09:00 in Porto-Novo, 17:00 in Tokyo


@pytest.fixture(autouse=True)
def frozen() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def html(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def section(page: str, title_id: str) -> str:
    """The HTML of the dashboard section headed by `title_id`, up to the next one."""
    start = page.index(f'id="{title_id}"')
    end = page.find("<section", start)
    return page[start : end if end != -1 else len(page)]


def dashboard_url() -> str:
    return reverse("live:student_sessions")


def course_url(course: Course) -> str:
    return reverse("live:course_sessions", kwargs={"slug": course.slug})


def detail_url(session: LiveSession, slug: str | None = None) -> str:
    return reverse(
        "live:session_detail",
        kwargs={"slug": slug or session.course.slug, "session_id": session.pk},
    )


def join_url(session: LiveSession) -> str:
    return reverse("live:join", kwargs={"slug": session.course.slug, "session_id": session.pk})


def live_now(owner: User, course: Course, **fields: Any) -> LiveSession:
    session = make_session(owner, course, starts_in=timedelta(minutes=5), **fields)
    return services.session_start(actor=owner, session=session)


def ended(
    owner: User, course: Course, *, recording: str = "", days_ago: int = 2, **fields: Any
) -> LiveSession:
    start = NOW - timedelta(days=days_ago)
    session = make_session(
        owner, course, starts_in=timedelta(0), now=start, length=timedelta(hours=1), **fields
    )
    session = services.session_start(actor=owner, session=session, now=start)
    session, _stats = services.session_end(
        actor=owner, session=session, now=start + timedelta(minutes=50)
    )
    if recording:
        session = services.session_set_recording(actor=owner, session=session, url=recording)
    return session


@pytest.fixture
def trio(owner: User, course: Course) -> dict[str, LiveSession]:
    """One live, one upcoming (tomorrow 10:00 UTC), one ended with a recording, one
    cancelled."""
    upcoming = make_session(
        owner, course, title="Séance à venir", starts_in=timedelta(days=1, hours=2)
    )
    cancelled = make_session(owner, course, title="Séance annulée", starts_in=timedelta(days=3))
    services.session_cancel(actor=owner, session=cancelled, reason="Formatrice malade")
    return {
        "live": live_now(owner, course, title="Séance en direct"),
        "upcoming": upcoming,
        "past": ended(owner, course, title="Séance passée", recording="https://v.example/r.mp4"),
        "cancelled": cancelled,
    }


# --- Dashboard ----------------------------------------------------------------------


def test_dashboard_puts_each_session_in_its_section(
    member: User, trio: dict[str, LiveSession]
) -> None:
    page = html(client_for(member).get(dashboard_url()))
    assert "<h1>Mes sessions en direct</h1>" in page
    live, upcoming, past = (
        section(page, "live-now-title"),
        section(page, "upcoming-title"),
        section(page, "past-title"),
    )
    assert "Séance en direct" in live and "Rejoindre" in live
    assert join_url(trio["live"]) in live
    assert "Séance à venir" in upcoming and "Séance en direct" not in upcoming
    assert "data-countdown" in upcoming and "dans 1 jour" in upcoming
    assert 'datetime="2026-03-03T10:00:00Z"' in upcoming
    assert "Séance passée" in past and "Séance annulée" in past
    assert "Voir l&#x27;enregistrement" in past or "Voir l'enregistrement" in past
    assert "https://v.example/r.mp4" in past
    assert "Annulée : Formatrice malade" in past
    assert "live/countdown.js" in page


def test_dashboard_times_are_in_the_users_zone(
    owner: User, course: Course, user_factory: Callable[..., User]
) -> None:
    tokyo = user_factory(timezone="Asia/Tokyo")
    course_services.enrollment_create(actor=tokyo, course=course)
    make_session(owner, course, title="Séance", starts_in=timedelta(hours=2, minutes=15))
    page = html(client_for(tokyo).get(dashboard_url()))
    # 10:15 UTC is 19:15 in Tokyo (and 11:15 in Porto-Novo).
    assert "lundi 2 mars 2026 à 19:15" in page
    assert "11:15" not in page
    assert "dans 2 h 15 min" in page
    assert "Asia/Tokyo" in page


def test_recording_link_only_when_set(owner: User, member: User, course: Course) -> None:
    without = ended(owner, course, title="Sans enregistrement")
    page = html(client_for(member).get(dashboard_url()))
    assert "Pas d&#x27;enregistrement" in page or "Pas d'enregistrement" in page
    assert "Voir l" not in section(page, "past-title")
    detail = html(client_for(member).get(detail_url(without)))
    assert "Voir l" not in detail


def test_dashboard_lists_sessions_of_every_enrolled_course_only(
    owner: User, course: Course, member: User
) -> None:
    second = build_course(owner, title="Deuxième cours", modules=0, with_final=False)
    third = build_course(owner, title="Troisième cours", modules=0, with_final=False)
    course_services.enrollment_create(actor=member, course=second)
    make_session(owner, course, title="Du premier")
    make_session(owner, second, title="Du deuxième")
    make_session(owner, third, title="Du troisième")
    page = html(client_for(member).get(dashboard_url()))
    assert "Du premier" in page and "Du deuxième" in page
    assert "Du troisième" not in page


def test_dashboard_empty_state_links_to_the_catalogue(outsider: User, course: Course) -> None:
    page = html(client_for(outsider).get(dashboard_url()))
    assert "Aucune session en direct pour l" in page
    assert reverse("courses:catalogue") in page


def test_dashboard_says_when_a_section_is_cut(owner: User, member: User, course: Course) -> None:
    from campus.live.views.student import DASHBOARD_LIMIT

    for n in range(DASHBOARD_LIMIT + 1):
        make_session(owner, course, title=f"S{n}", starts_in=timedelta(hours=n + 1))
    upcoming = section(html(client_for(member).get(dashboard_url())), "upcoming-title")
    assert upcoming.count('class="card live-card') == DASHBOARD_LIMIT
    assert f"Seules les {DASHBOARD_LIMIT} prochaines" in upcoming


def test_unenrolled_student_loses_access_at_once(owner: User, member: User, course: Course) -> None:
    session = live_now(owner, course, title="Séance en direct")
    client = client_for(member)
    assert "Séance en direct" in html(client.get(dashboard_url()))
    course_services.enrollment_deactivate(actor=member, course=course)
    assert "Séance en direct" not in html(client.get(dashboard_url()))
    assert client.get(course_url(course)).status_code == 403
    assert client.get(detail_url(session)).status_code == 403


# --- Forbidden actors ---------------------------------------------------------------


def test_anonymous_is_sent_to_login(owner: User, course: Course) -> None:
    session = make_session(owner, course)
    for url in (dashboard_url(), course_url(course), detail_url(session)):
        response = Client().get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


def test_outsider_gets_403(owner: User, outsider: User, course: Course) -> None:
    session = make_session(owner, course)
    client = client_for(outsider)
    for url in (course_url(course), detail_url(session)):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Inscrivez-vous" in response.content.decode()


def test_session_under_another_slug_is_404(
    owner: User, member: User, course: Course, user_factory: Callable[..., User]
) -> None:
    other = build_course(owner, title="Autre cours", modules=0, with_final=False)
    course_services.enrollment_create(actor=member, course=other)
    session = make_session(owner, course)
    assert client_for(member).get(detail_url(session, slug=other.slug)).status_code == 404
    assert client_for(member).get(detail_url(session, slug="nulle-part")).status_code == 404
    assert (
        client_for(member).get(course_url(course).replace(course.slug, "nulle-part")).status_code
        == 404
    )
    missing = reverse("live:session_detail", kwargs={"slug": course.slug, "session_id": 999999})
    assert client_for(member).get(missing).status_code == 404


def test_draft_course_is_404_except_for_owner_and_admin(
    owner: User, admin_user: User, outsider: User, draft_course: Course
) -> None:
    session = make_session(owner, draft_course, title="Séance brouillon")
    for url in (course_url(draft_course), detail_url(session)):
        assert client_for(outsider).get(url).status_code == 404, url
        assert Client().get(url).status_code == 404, url
        assert "Séance brouillon" in html(client_for(owner).get(url))
        assert "Séance brouillon" in html(client_for(admin_user).get(url))


# --- A course's sessions ------------------------------------------------------------


def test_course_sessions_cards(member: User, course: Course, trio: dict[str, LiveSession]) -> None:
    page = html(client_for(member).get(course_url(course)))
    assert "<h1>Sessions en direct</h1>" in page
    for session in trio.values():
        assert detail_url(session) in page
    assert page.count(join_url(trio["live"])) == 1
    assert "0 / 100 participants" in page
    assert "Durée : 1 h" in page
    assert "live-status-live" in page and "live-status-cancelled" in page
    assert "Gérer les sessions" not in page
    # Live first, then to come, then the past (latest first).
    order = [page.index(detail_url(trio[k])) for k in ("live", "upcoming", "cancelled", "past")]
    assert order == sorted(order)


def test_course_sessions_filter_and_pagination(
    owner: User, member: User, course: Course, trio: dict[str, LiveSession]
) -> None:
    client = client_for(member)
    live_only = html(client.get(course_url(course), {"status": "live"}))
    assert "Séance en direct" in live_only and "Séance à venir" not in live_only
    assert 'href="?status=live" aria-current="true"' in live_only
    odd = html(client.get(course_url(course), {"status": "nimporte"}))
    assert "Séance à venir" in odd and "Séance en direct" in odd
    for n in range(12):
        make_session(owner, course, title=f"Série {n:02d}", starts_in=timedelta(days=5, hours=n))
    first = html(client.get(course_url(course), {"status": "scheduled"}))
    assert "Page 1 sur 2" in first and "status=scheduled&amp;page=2" in first
    second = html(client.get(course_url(course), {"status": "scheduled", "page": "2"}))
    assert "Série 11" in second and "Série 00" not in second


def test_owner_and_admin_get_a_manage_link(owner: User, admin_user: User, course: Course) -> None:
    manager = reverse("live:manager", kwargs={"course_id": course.pk})
    for user in (owner, admin_user):
        page = html(client_for(user).get(course_url(course)))
        assert "Gérer les sessions" in page and manager in page


def test_course_without_sessions_has_an_empty_state(member: User, course: Course) -> None:
    page = html(client_for(member).get(course_url(course)))
    assert "pas encore de session en direct" in page


# --- A session's detail -------------------------------------------------------------


def test_detail_live_has_join(member: User, trio: dict[str, LiveSession]) -> None:
    page = html(client_for(member).get(detail_url(trio["live"])))
    assert "<h1>Séance en direct</h1>" in page
    assert trio["live"].course.title in page
    assert join_url(trio["live"]) in page and "Rejoindre" in page
    assert "live-status-live" in page


def test_detail_scheduled_shows_start_in_the_users_zone(
    owner: User, course: Course, user_factory: Callable[..., User]
) -> None:
    session = make_session(owner, course, title="Bientôt", starts_in=timedelta(days=3))
    porto = user_factory()
    tokyo = user_factory(timezone="Asia/Tokyo")
    for user in (porto, tokyo):
        course_services.enrollment_create(actor=user, course=course)
    page = html(client_for(porto).get(detail_url(session)))
    assert "Commence le jeudi 5 mars 2026 à 09:00 (votre fuseau : Africa/Porto-Novo)" in page
    assert "dans 3 jours" in page and 'datetime="2026-03-05T08:00:00Z" data-countdown' in page
    assert "salle d&#x27;attente" in page or "salle d'attente" in page
    tokyo_page = html(client_for(tokyo).get(detail_url(session)))
    assert "Commence le jeudi 5 mars 2026 à 17:00 (votre fuseau : Asia/Tokyo)" in tokyo_page


def test_detail_ended_shows_duration_and_recording(
    owner: User, member: User, course: Course
) -> None:
    session = ended(owner, course, title="Finie", recording="https://v.example/finie.mp4")
    page = html(client_for(member).get(detail_url(session)))
    assert "Durée réelle : 50 min" in page
    assert 'href="https://v.example/finie.mp4"' in page
    assert join_url(session) not in page


def test_detail_cancelled_shows_the_reason(member: User, trio: dict[str, LiveSession]) -> None:
    page = html(client_for(member).get(detail_url(trio["cancelled"])))
    assert "Cette session a été annulée." in page and "Motif : Formatrice malade" in page
    assert join_url(trio["cancelled"]) not in page


# --- The course page's live block ---------------------------------------------------


def test_course_page_shows_the_live_session_first(
    owner: User, member: User, course: Course, trio: dict[str, LiveSession]
) -> None:
    page = html(client_for(member).get(reverse("courses:detail", kwargs={"slug": course.slug})))
    assert "Sessions en direct" in page
    assert course_url(course) in page
    assert join_url(trio["live"]) in page


def test_course_page_shows_the_next_session_or_nothing(
    owner: User, member: User, outsider: User, course: Course
) -> None:
    url = reverse("courses:detail", kwargs={"slug": course.slug})
    assert "Aucune session en direct prévue" in html(client_for(member).get(url))
    later = make_session(owner, course, title="Plus tard", starts_in=timedelta(days=2))
    make_session(owner, course, title="Bientôt", starts_in=timedelta(hours=2))
    page = html(client_for(member).get(url))
    assert "Bientôt" in page and "Plus tard" not in page and "dans 2 h 00 min" in page
    assert detail_url(later) not in page
    for user in (outsider, None):
        assert "Sessions en direct" not in html(client_for(user).get(url))


# --- Query counts -------------------------------------------------------------------


def _queries(client: Client, url: str, django_assert_num_queries: Any) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    count = len(ctx.captured_queries)
    with django_assert_num_queries(count):
        client.get(url)
    return count


def test_query_counts_do_not_grow_with_sessions(
    owner: User,
    member: User,
    course: Course,
    user_factory: Callable[..., User],
    django_assert_num_queries: Any,
) -> None:
    client = client_for(member)
    first = live_now(owner, course, title="S0", max_participants=50)
    services.session_join(actor=member, session=first)
    urls = [
        dashboard_url(),
        course_url(course),
        detail_url(first),
        reverse("courses:detail", kwargs={"slug": course.slug}),
    ]
    before = [_queries(client, url, django_assert_num_queries) for url in urls]
    for n in range(1, 20):
        make_session(owner, course, title=f"S{n}", starts_in=timedelta(hours=n))
        ended(owner, course, title=f"P{n}", days_ago=n, recording="https://v.example/p.mp4")
    for _ in range(5):
        student = user_factory(Role.STUDENT)
        course_services.enrollment_create(actor=student, course=course)
        services.session_join(actor=student, session=first)
    page = html(client.get(course_url(course)))
    assert "6 / 50 participants" in page  # the live session comes first
    assert html(client.get(dashboard_url())).count('class="card live-card') == 39
    after = [_queries(client, url, django_assert_num_queries) for url in urls]
    assert before == after
