"""Instructor live-session pages: manager, forms, lifecycle buttons, one session's page,
upcoming sessions; who may see them; bad input; time zones; query counts."""

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
from campus.courses import services as course_services
from campus.courses.models import Course
from campus.live import services
from campus.live.models import LiveSession, LiveSessionStatus
from campus.live.tests.helpers import make_live, make_session
from conftest import build_course

pytestmark = pytest.mark.django_db

# Porto-Novo is UTC+1 all year: 2026-03-10 08:00 UTC is 09:00 on the instructor's clock.
FROZEN = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def html(response: Any) -> str:
    return response.content.decode()


def url(name: str, session: LiveSession | None = None, **kwargs: Any) -> str:
    if session is not None:
        kwargs.setdefault("course_id", session.course_id)
        kwargs["session_id"] = session.pk
    return reverse(f"live:{name}", kwargs=kwargs)


def ended(owner: User, course: Course, **fields: Any) -> LiveSession:
    session = make_live(owner, course, **fields)
    return services.session_end(actor=owner, session=session)[0]


def cancelled(owner: User, course: Course, reason: str = "", **fields: Any) -> LiveSession:
    session = make_session(owner, course, **fields)
    return services.session_cancel(actor=owner, session=session, reason=reason)


def form_data(**overrides: str) -> dict[str, str]:
    data = {
        "title": "Révisions",
        "description": "Chapitre 3",
        "date": "2026-03-12",
        "start_time": "18:00",
        "end_time": "19:30",
        "max_participants": "40",
        "is_recording_enabled": "on",
    }
    data.update(overrides)
    return data


# --- Manager --------------------------------------------------------------------------


def test_manager_lists_sessions_with_actions_by_status(owner: User, course: Course) -> None:
    scheduled = make_session(owner, course, title="Prévue")
    live = make_live(owner, course, title="Direct")
    done = ended(owner, course, title="Finie")
    cancelled(owner, course, reason="Grève des transports", title="Annulée")
    response = client_for(owner).get(url("manager", course_id=course.pk))
    assert response.status_code == 200
    page = html(response)
    assert course.title in page
    assert reverse("courses:manage", kwargs={"slug": course.slug}) in page
    assert "Nouvelle session" in page and "Nouvelle série hebdomadaire" in page
    for title in ("Prévue", "Direct", "Finie", "Annulée"):
        assert title in page
    assert url("session_start", scheduled) in page
    assert url("session_edit", scheduled) in page
    assert url("session_cancel", scheduled) in page
    assert url("session_delete", scheduled) in page
    assert url("join", slug=course.slug, session_id=live.pk) in page
    assert url("session_end", live) in page
    assert url("session_manage", done) in page
    assert "Grève des transports" in page
    assert "0 / 100 participants" in page
    assert 'data-confirm="' in page


def test_manager_filters_by_status(owner: User, course: Course) -> None:
    make_session(owner, course, title="Prévue")
    make_live(owner, course, title="Direct")
    response = client_for(owner).get(url("manager", course_id=course.pk) + "?status=live")
    page = html(response)
    assert "Direct" in page and "Prévue" not in page
    assert 'aria-current="page">En direct' in page
    # An unknown status shows everything.
    page = html(client_for(owner).get(url("manager", course_id=course.pk) + "?status=zzz"))
    assert "Direct" in page and "Prévue" in page


def test_manager_shows_times_in_the_user_zone(owner: User, course: Course) -> None:
    with time_machine.travel(FROZEN, tick=False):
        make_session(owner, course, starts_in=timedelta(hours=2))  # 10:00 UTC
        owner.timezone = "Asia/Tokyo"  # UTC+9
        owner.save(update_fields=["timezone"])
        page = html(client_for(owner).get(url("manager", course_id=course.pk)))
    assert "19:00\N{EN DASH}20:00" in page


def test_actions_keep_the_status_filter(owner: User, course: Course) -> None:
    session = make_session(owner, course)
    back = url("manager", course_id=course.pk) + "?status=scheduled"
    response = client_for(owner).post(url("session_delete", session), {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    # Never off-site.
    other = make_session(owner, course)
    response = client_for(owner).post(
        url("session_delete", other), {"next": "https://evil.example/"}
    )
    assert response["Location"] == url("manager", course_id=course.pk)


# --- Create and edit ------------------------------------------------------------------


def test_create_session(owner: User, course: Course) -> None:
    with time_machine.travel(FROZEN, tick=False):
        client = client_for(owner)
        form = html(client.get(url("session_create", course_id=course.pk)))
        assert "Heures dans votre fuseau : Africa/Porto-Novo" in form
        assert 'type="date"' in form and 'type="time"' in form
        response = client.post(url("session_create", course_id=course.pk), form_data())
        page = html(client.get(response["Location"]))
    assert "Session programmée." in page
    assert response.status_code == 302
    assert response["Location"] == url("manager", course_id=course.pk)
    session = LiveSession.objects.get(course=course)
    assert session.title == "Révisions" and session.description == "Chapitre 3"
    assert session.scheduled_start_at == datetime(2026, 3, 12, 17, 0, tzinfo=UTC)
    assert session.scheduled_end_at == datetime(2026, 3, 12, 18, 30, tzinfo=UTC)
    assert session.max_participants == 40 and session.is_recording_enabled


def test_create_reads_the_instructor_zone(owner: User, course: Course) -> None:
    owner.timezone = "America/New_York"
    owner.save(update_fields=["timezone"])
    with time_machine.travel(datetime(2026, 1, 10, 12, 0, tzinfo=UTC), tick=False):
        client = client_for(owner)
        form = html(client.get(url("session_create", course_id=course.pk)))
        assert "America/New_York" in form
        response = client.post(
            url("session_create", course_id=course.pk),
            form_data(date="2026-01-15", start_time="09:00", end_time="10:00"),
        )
    assert response.status_code == 302
    session = LiveSession.objects.get(course=course)
    assert session.scheduled_start_at == datetime(2026, 1, 15, 14, 0, tzinfo=UTC)
    assert session.scheduled_end_at == datetime(2026, 1, 15, 15, 0, tzinfo=UTC)


def test_an_evening_class_may_end_after_midnight(owner: User, course: Course) -> None:
    with time_machine.travel(FROZEN, tick=False):
        response = client_for(owner).post(
            url("session_create", course_id=course.pk),
            form_data(start_time="22:00", end_time="00:30"),
        )
    assert response.status_code == 302
    session = LiveSession.objects.get(course=course)
    # Porto-Novo is UTC+1: 22:00 on the 12th to 00:30 on the 13th.
    assert session.scheduled_start_at == datetime(2026, 3, 12, 21, 0, tzinfo=UTC)
    assert session.scheduled_end_at == datetime(2026, 3, 12, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"date": "2026-03-09"}, "start_time", "Le début ne peut pas être dans le passé."),
        ({"end_time": "17:00"}, "end_time", "La fin doit suivre le début."),
        ({"start_time": "06:00", "end_time": "19:00"}, "end_time", "au plus 12 heures"),
        ({"max_participants": "0"}, "max_participants", "Entre 1 et 10 000 participants."),
        ({"max_participants": "10001"}, "max_participants", "Entre 1 et 10 000 participants."),
        ({"max_participants": "beaucoup"}, "max_participants", "nombre entier"),
        ({"title": ""}, "title", "Ce champ est obligatoire."),
        ({"title": "x" * 201}, "title", "au plus 200 caractères"),
        ({"date": ""}, "date", "Ce champ est obligatoire."),
        ({"start_time": "25:00"}, "start_time", "heure valide"),
    ],
    ids=[
        "past",
        "end-before-start",
        "too-long",
        "capacity-0",
        "capacity-over",
        "capacity-text",
        "empty-title",
        "long-title",
        "no-date",
        "bad-time",
    ],
)
def test_create_bad_input_is_shown_inline(
    owner: User, course: Course, overrides: dict[str, str], field: str, message: str
) -> None:
    with time_machine.travel(FROZEN, tick=False):
        response = client_for(owner).post(
            url("session_create", course_id=course.pk), form_data(**overrides)
        )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field], errors
    assert message in " ".join(errors[field])
    page = html(response)
    assert f'id="id_{field}_error"' in page  # next to its field, not only on top
    assert message in page
    # Nothing typed is lost.
    kept = form_data(**overrides)
    assert "Chapitre 3</textarea>" in page
    for name in ("date", "start_time", "end_time", "max_participants"):
        if name != field and kept[name]:
            assert f'value="{kept[name]}"' in page or f">{kept[name]}<" in page, name
    if field != "title":
        assert 'value="Révisions"' in page
    assert "checked" in page
    assert not LiveSession.objects.exists()


def test_edit_session_shows_and_saves_local_times(owner: User, course: Course) -> None:
    with time_machine.travel(FROZEN, tick=False):
        session = make_session(owner, course, starts_in=timedelta(days=1))  # 08:00 UTC
        client = client_for(owner)
        form = html(client.get(url("session_edit", session)))
        assert 'value="2026-03-11"' in form and 'value="09:00"' in form and 'value="10:00"' in form
        assert "Cette séance et les suivantes" not in form  # not in a series
        response = client.post(
            url("session_edit", session),
            form_data(title="Nouveau titre", date="2026-03-11", start_time="10:00"),
        )
    assert response.status_code == 302
    assert response["Location"] == url("session_manage", session)
    session.refresh_from_db()
    assert session.title == "Nouveau titre"
    assert session.scheduled_start_at == datetime(2026, 3, 11, 9, 0, tzinfo=UTC)
    assert session.sequence == 1


def test_edit_bad_input_keeps_values(owner: User, course: Course) -> None:
    with time_machine.travel(FROZEN, tick=False):
        session = make_session(owner, course, starts_in=timedelta(days=1))
        response = client_for(owner).post(
            url("session_edit", session), form_data(title="Gardé", end_time="08:00")
        )
    assert response.status_code == 400
    assert "La fin doit suivre le début." in html(response)
    assert 'value="Gardé"' in html(response)
    session.refresh_from_db()
    assert session.title == "Séance 1"


def test_only_scheduled_sessions_are_editable(owner: User, course: Course) -> None:
    live = make_live(owner, course)
    response = client_for(owner).get(url("session_edit", live))
    assert response.status_code == 409
    assert "Seule une session programmée peut être modifiée." in html(response)
    response = client_for(owner).post(url("session_edit", live), form_data())
    assert response.status_code == 409


def _series(owner: User, course: Course, count: int = 3) -> list[LiveSession]:
    _record, sessions = services.series_create(
        actor=owner,
        course=course,
        title="Série",
        days_of_week=[1, 3],
        start_time=datetime(2026, 1, 1, 18, 0).time(),
        starts_on=datetime(2026, 3, 16).date(),
        duration_minutes=60,
        count=count,
        timezone_name="Africa/Porto-Novo",
    )
    return sessions


def test_edit_this_and_following_in_a_series(owner: User, course: Course) -> None:
    with time_machine.travel(FROZEN, tick=False):
        sessions = _series(owner, course)
        client = client_for(owner)
        second = sessions[1]
        form = html(client.get(url("session_edit", second)))
        assert "Cette séance seulement" in form and "Cette séance et les suivantes" in form
        local_date = second.scheduled_start_at.astimezone(UTC).date().isoformat()
        response = client.post(
            url("session_edit", second),
            form_data(
                title="Série du soir",
                date=local_date,
                start_time="19:00",
                end_time="20:30",
                scope="following",
            ),
        )
        assert response.status_code == 302
        page = html(client.get(response["Location"]))
    assert "2 séances modifiées." in page
    titles = list(LiveSession.objects.filter(series=second.series).order_by("scheduled_start_at"))
    assert [s.title for s in titles] == ["Série", "Série du soir", "Série du soir"]
    assert titles[1].scheduled_start_at.astimezone(UTC).hour == 18  # 19:00 UTC+1
    assert titles[2].scheduled_end_at - titles[2].scheduled_start_at == timedelta(minutes=90)


def test_edit_following_refuses_a_date_change(owner: User, course: Course) -> None:
    with time_machine.travel(FROZEN, tick=False):
        first = _series(owner, course)[0]
        response = client_for(owner).post(
            url("session_edit", first), form_data(date="2026-03-25", scope="following")
        )
    assert response.status_code == 400
    assert "Cette séance seulement" in response.context["form"].errors["date"][0]


# --- Series ---------------------------------------------------------------------------


def series_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Cours du soir",
        "description": "",
        "days_of_week": ["0", "2"],
        "start_time": "18:00",
        "duration_minutes": "90",
        "starts_on": "2026-03-16",
        "count": "4",
        "until": "",
        "max_participants": "30",
    }
    data.update(overrides)
    return data


def test_series_create(owner: User, course: Course) -> None:
    with time_machine.travel(FROZEN, tick=False):
        client = client_for(owner)
        form = html(client.get(url("series_create", course_id=course.pk)))
        assert "Lun" in form and "Dim" in form and 'value="2026-03-10"' in form
        response = client.post(url("series_create", course_id=course.pk), series_data())
        assert response.status_code == 302
        assert response["Location"] == url("manager", course_id=course.pk)
        page = html(client.get(response["Location"]))
    assert "4 séances programmées" in page
    sessions = list(LiveSession.objects.filter(course=course).order_by("scheduled_start_at"))
    assert len(sessions) == 4
    # Monday 16 and Wednesday 18 March, 18:00 in Porto-Novo (17:00 UTC).
    assert sessions[0].scheduled_start_at == datetime(2026, 3, 16, 17, 0, tzinfo=UTC)
    assert sessions[1].scheduled_start_at == datetime(2026, 3, 18, 17, 0, tzinfo=UTC)
    assert sessions[0].scheduled_end_at - sessions[0].scheduled_start_at == timedelta(minutes=90)
    assert sessions[0].max_participants == 30


def test_series_until(owner: User, course: Course) -> None:
    with time_machine.travel(FROZEN, tick=False):
        response = client_for(owner).post(
            url("series_create", course_id=course.pk),
            series_data(count="", until="2026-03-23", days_of_week=["0"]),
        )
    assert response.status_code == 302
    assert LiveSession.objects.filter(course=course).count() == 2


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"days_of_week": []}, "days_of_week", "Choisissez au moins un jour."),
        ({"count": "", "until": ""}, "count", "soit un nombre de séances"),
        ({"count": "3", "until": "2026-04-01"}, "count", "soit un nombre de séances"),
        ({"duration_minutes": "0"}, "duration_minutes", "entre 1 et 720 minutes"),
        ({"duration_minutes": ""}, "duration_minutes", "Ce champ est obligatoire."),
        ({"starts_on": "2026-03-02"}, "starts_on", "Le début ne peut pas être dans le passé."),
        ({"count": "500"}, "count", "au plus 200 séances"),
        ({"max_participants": "0"}, "max_participants", "Entre 1 et 10 000 participants."),
    ],
    ids=["no-day", "neither", "both", "duration-0", "no-duration", "past", "too-many", "cap"],
)
def test_series_bad_input(
    owner: User, course: Course, overrides: dict[str, Any], field: str, message: str
) -> None:
    with time_machine.travel(FROZEN, tick=False):
        response = client_for(owner).post(
            url("series_create", course_id=course.pk), series_data(**overrides)
        )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert 'value="Cours du soir"' in html(response)
    assert not LiveSession.objects.exists()


# --- Lifecycle buttons ----------------------------------------------------------------


def test_start_lands_in_the_room(owner: User, course: Course) -> None:
    session = make_session(owner, course)
    response = client_for(owner).post(url("session_start", session))
    assert response.status_code == 302
    assert response["Location"] == url("join", slug=course.slug, session_id=session.pk)
    session.refresh_from_db()
    assert session.status == LiveSessionStatus.LIVE


def test_start_outside_its_window_says_why(owner: User, course: Course) -> None:
    session = make_session(owner, course, starts_in=timedelta(days=2))
    client = client_for(owner)
    response = client.post(url("session_start", session))
    assert response.status_code == 302
    assert response["Location"] == url("manager", course_id=course.pk)
    assert "30 minutes avant" in html(client.get(response["Location"]))
    session.refresh_from_db()
    assert session.status == LiveSessionStatus.SCHEDULED


def test_start_is_post_only(owner: User, course: Course) -> None:
    session = make_session(owner, course)
    assert client_for(owner).get(url("session_start", session)).status_code == 405


def test_end_shows_the_stats(owner: User, course: Course, member: User) -> None:
    session = make_live(owner, course)
    services.session_join(actor=member, session=session)
    client = client_for(owner)
    response = client.post(url("session_end", session))
    assert response.status_code == 302
    assert response["Location"] == url("session_manage", session)
    page = html(client.get(response["Location"]))
    assert "Session terminée : durée" in page and "1 participant," in page
    assert "présence moyenne" in page
    session.refresh_from_db()
    assert session.status == LiveSessionStatus.ENDED


def test_end_a_scheduled_session_is_refused(owner: User, course: Course) -> None:
    session = make_session(owner, course)
    client = client_for(owner)
    response = client.post(url("session_end", session))
    assert response.status_code == 302
    assert "Programmée" in html(client.get(response["Location"]))


def test_cancel_with_a_reason(owner: User, course: Course) -> None:
    session = make_session(owner, course)
    client = client_for(owner)
    back = url("manager", course_id=course.pk) + "?status=scheduled"
    page = html(client.get(url("session_cancel", session) + f"?next={back}"))
    assert "Motif (facultatif)" in page and session.title in page
    response = client.post(url("session_cancel", session), {"reason": "Panne", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    session.refresh_from_db()
    assert session.status == LiveSessionStatus.CANCELLED and session.cancel_reason == "Panne"
    assert "Session annulée." in html(client.get(back))


def test_cancel_bad_input(owner: User, course: Course) -> None:
    session = make_session(owner, course)
    response = client_for(owner).post(url("session_cancel", session), {"reason": "x" * 501})
    assert response.status_code == 400
    assert "au plus 500 caractères" in html(response)
    live = make_live(owner, course)
    response = client_for(owner).post(url("session_cancel", live), {"reason": ""})
    assert response.status_code == 409
    assert "En direct" in html(response)


def test_delete(owner: User, course: Course) -> None:
    session = make_session(owner, course)
    client = client_for(owner)
    response = client.post(url("session_delete", session))
    assert response.status_code == 302
    assert not LiveSession.objects.filter(pk=session.pk).exists()
    assert "Session supprimée." in html(client.get(response["Location"]))


def test_delete_after_attendance_is_refused(owner: User, course: Course, member: User) -> None:
    session = make_live(owner, course)
    services.session_join(actor=member, session=session)
    client = client_for(owner)
    response = client.post(url("session_delete", session))
    assert "annulez-la plutôt" in html(client.get(response["Location"]))
    assert LiveSession.objects.filter(pk=session.pk).exists()


# --- One session ----------------------------------------------------------------------


def test_session_manage_live(owner: User, course: Course, member: User) -> None:
    session = make_live(owner, course, title="Direct")
    services.session_join(actor=member, session=session)
    response = client_for(owner).get(url("session_manage", session))
    assert response.status_code == 200
    page = html(response)
    assert "Direct" in page and "En direct" in page
    assert member.email in page and member.full_name in page
    assert "En ligne" in page and "1 en ligne maintenant" in page
    assert url("attendance_csv", session) in page and "Télécharger (CSV)" in page
    questions = url("questions", slug=course.slug, session_id=session.pk)
    assert f'hx-get="{questions}"' in page and 'hx-trigger="load"' in page
    assert "Ouvrir la salle" in page
    assert url("session_end", session) in page
    assert "Lien de l&#x27;enregistrement" not in page  # only once ended


def test_session_manage_ended_with_stats_and_recording(
    owner: User, course: Course, member: User
) -> None:
    session = make_live(owner, course)
    services.session_join(actor=member, session=session)
    services.session_leave(actor=member, session=session)
    session = services.session_end(actor=owner, session=session)[0]
    client = client_for(owner)
    page = html(client.get(url("session_manage", session)))
    assert "Bilan" in page and "Présence moyenne" in page
    assert "Lien de l&#x27;enregistrement" in page
    assert "Ouvrir la salle" not in page

    response = client.post(url("session_manage", session), {"recording_url": "javascript:x"})
    assert response.status_code == 400
    assert "Adresse web invalide (http ou https)." in html(response)
    assert 'value="javascript:x"' in html(response)

    response = client.post(
        url("session_manage", session), {"recording_url": "https://video.example.org/1"}
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.recording_url == "https://video.example.org/1"
    page = html(client.get(response["Location"]))
    assert "Lien de l&#x27;enregistrement enregistré." in page
    assert 'href="https://video.example.org/1"' in page


def test_recording_form_before_the_end_is_refused(owner: User, course: Course) -> None:
    session = make_session(owner, course)
    response = client_for(owner).post(
        url("session_manage", session), {"recording_url": "https://video.example.org/1"}
    )
    assert response.status_code == 409
    session.refresh_from_db()
    assert session.recording_url == ""


def test_attendance_csv(owner: User, course: Course, member: User, outsider: User) -> None:
    session = make_live(owner, course)
    services.session_join(actor=member, session=session)
    response = client_for(owner).get(url("attendance_csv", session))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert "email" in lines[0].split(",")
    assert member.email in response.content.decode()
    assert client_for(outsider).get(url("attendance_csv", session)).status_code == 403


# --- Upcoming -------------------------------------------------------------------------


def test_upcoming_lists_live_first_then_soonest(
    owner: User, course: Course, other_instructor: User, admin_user: User
) -> None:
    later = make_session(owner, course, title="Plus tard", starts_in=timedelta(days=3))
    soon = make_session(owner, course, title="Bientôt", starts_in=timedelta(minutes=25))
    live = make_live(owner, course, title="Maintenant", starts_in=timedelta(minutes=20))
    ended(owner, course, title="Finie")
    cancelled(owner, course, title="Annulée")
    other_course = build_course(other_instructor, title="Autre cours")
    make_session(other_instructor, other_course, title="Pas à moi")

    page = html(client_for(owner).get(url("instructor_upcoming")))
    assert page.index("Maintenant") < page.index("Bientôt") < page.index("Plus tard")
    assert "Finie" not in page and "Annulée" not in page and "Pas à moi" not in page
    assert url("join", slug=course.slug, session_id=live.pk) in page
    assert url("manager", course_id=course.pk) in page
    assert url("session_start", soon) in page and later.title in page
    # "Démarrer" only from 30 minutes before the start (the service's window).
    assert url("session_start", later) not in page
    assert "live-row-on" in page

    admin_page = html(client_for(admin_user).get(url("instructor_upcoming")))
    assert "Pas à moi" in admin_page and "Maintenant" in admin_page


def test_upcoming_is_for_instructors(member: User, outsider: User) -> None:
    assert client_for(member).get(url("instructor_upcoming")).status_code == 403
    response = client_for(None).get(url("instructor_upcoming"))
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_upcoming_empty(other_instructor: User) -> None:
    page = html(client_for(other_instructor).get(url("instructor_upcoming")))
    assert "Aucune session en direct ni programmée." in page


# --- Who may see what -----------------------------------------------------------------

GET_PAGES = ["manager", "session_create", "series_create", "session_manage", "session_edit"]
GET_PAGES += ["session_cancel", "attendance_csv"]
POST_PAGES = ["session_start", "session_end", "session_delete"]


def page_url(name: str, session: LiveSession) -> str:
    if name in {"manager", "session_create", "series_create"}:
        return url(name, course_id=session.course_id)
    return url(name, session)


@pytest.mark.parametrize("name", GET_PAGES + POST_PAGES)
def test_forbidden_actors(
    name: str,
    owner: User,
    course: Course,
    member: User,
    outsider: User,
    other_instructor: User,
    admin_user: User,
) -> None:
    session = make_session(owner, course)
    target = page_url(name, session)
    method = "post" if name in POST_PAGES else "get"

    response = getattr(client_for(None), method)(target)
    assert response.status_code == 302 and "/accounts/login" in response["Location"]
    for user in (outsider, member, other_instructor):
        assert getattr(client_for(user), method)(target).status_code == 403, user
    assert getattr(client_for(admin_user), method)(target).status_code in {200, 302}


@pytest.mark.parametrize("name", GET_PAGES + POST_PAGES)
def test_session_under_another_course_does_not_exist(
    name: str, owner: User, course: Course, draft_course: Course
) -> None:
    session = make_session(owner, course)
    if name in {"manager", "session_create", "series_create"}:
        return
    target = url(name, session, course_id=draft_course.pk)
    method = "post" if name in POST_PAGES else "get"
    assert getattr(client_for(owner), method)(target).status_code == 404


@pytest.mark.parametrize("name", GET_PAGES + POST_PAGES)
def test_draft_course_does_not_exist_for_others(
    name: str, owner: User, draft_course: Course, other_instructor: User, outsider: User
) -> None:
    session = make_session(owner, draft_course)
    target = page_url(name, session)
    method = "post" if name in POST_PAGES else "get"
    for user in (outsider, other_instructor):
        assert getattr(client_for(user), method)(target).status_code == 404
    assert client_for(owner).get(url("manager", course_id=draft_course.pk)).status_code == 200


def test_unknown_session_and_course(owner: User, course: Course) -> None:
    client = client_for(owner)
    assert client.get(url("manager", course_id=987654)).status_code == 404
    assert (
        client.get(url("session_manage", course_id=course.pk, session_id=987654)).status_code == 404
    )


# --- Query counts ---------------------------------------------------------------------


def _count(client: Client, target: str) -> int:
    client.get(target)  # warm up: the first request of a session writes it
    with CaptureQueriesContext(connection) as queries:
        assert client.get(target).status_code == 200
    return len(queries)


def test_manager_query_count_is_constant(
    owner: User, course: Course, user_factory: Callable[..., User], django_assert_num_queries: Any
) -> None:
    client = client_for(owner)
    target = url("manager", course_id=course.pk)
    first = make_live(owner, course, starts_in=timedelta(minutes=5))
    services.session_join(actor=owner, session=first)
    baseline = _count(client, target)
    for n in range(19):
        make_session(owner, course, title=f"S{n}", starts_in=timedelta(hours=n + 1))
    ended(owner, course, title="Finie")
    cancelled(owner, course, reason="Motif", title="Annulée")
    with django_assert_num_queries(baseline):
        client.get(target)


def test_upcoming_query_count_is_constant(
    owner: User, user_factory: Callable[..., User], django_assert_num_queries: Any
) -> None:
    client = client_for(owner)
    course = build_course(owner, title="Un", modules=1)
    make_session(owner, course)
    baseline = _count(client, url("instructor_upcoming"))
    for n in range(3):
        other = build_course(owner, title=f"Cours {n}", modules=1)
        make_live(owner, other, starts_in=timedelta(minutes=5))
        for k in range(5):
            make_session(owner, other, title=f"S{k}", starts_in=timedelta(hours=k + 1))
    with django_assert_num_queries(baseline):
        client.get(url("instructor_upcoming"))


def test_session_manage_query_count_is_constant(
    owner: User, course: Course, user_factory: Callable[..., User], django_assert_num_queries: Any
) -> None:
    session = make_live(owner, course)
    client = client_for(owner)

    def join_one() -> None:
        student = user_factory(Role.STUDENT)
        course_services.enrollment_create(actor=student, course=course)
        services.session_join(actor=student, session=session)

    join_one()
    target = url("session_manage", session)
    baseline = _count(client, target)
    for _ in range(20):
        join_one()
    with django_assert_num_queries(baseline):
        response = client.get(target)
    assert html(response).count('<tr class="live-att-') == 21  # one row per student


def test_session_manage_ended_query_count_is_constant(
    owner: User, course: Course, user_factory: Callable[..., User], django_assert_num_queries: Any
) -> None:
    sessions: list[LiveSession] = []
    for _ in range(2):
        session = make_live(owner, course)
        students = 1 if not sessions else 20
        for _ in range(students):
            student = user_factory(Role.STUDENT)
            course_services.enrollment_create(actor=student, course=course)
            services.session_join(actor=student, session=session)
        sessions.append(services.session_end(actor=owner, session=session)[0])
    client = client_for(owner)
    baseline = _count(client, url("session_manage", sessions[0]))
    with django_assert_num_queries(baseline):
        client.get(url("session_manage", sessions[1]))
