"""Attendance that teaches (issue 13): a class's attendance lists every enrolled student
(attended or not, how long, their share of the class, first join, last leave), the same
in the CSV and the API; a series shows each student's rate over its classes held and
flags who missed the last two. Through the public surface: pages, CSV, API, the
inclusion tag; forbidden actors; constant query counts."""

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from functools import partial
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campus.accounts.models import Role, User
from campus.courses import services as course_services
from campus.courses.models import Course
from campus.live import selectors, services
from campus.live.models import LiveSession, SessionSeries
from campus.live.tests.helpers import make_live, make_session
from conftest import assert_error, build_course

pytestmark = pytest.mark.django_db

# Porto-Novo (every test user's zone) is UTC+1: 08:00 UTC reads 09:00 on the pages.
T0 = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


def minutes(n: int) -> datetime:
    return T0 + timedelta(minutes=n)


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def html(response: Any) -> str:
    assert response.status_code == 200, response.content[:300]
    return response.content.decode()


def csv_rows(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def page_url(name: str, session: LiveSession) -> str:
    return reverse(
        f"live:{name}", kwargs={"course_id": session.course_id, "session_id": session.pk}
    )


def enroll(user_factory: Callable[..., User], course: Course, last_name: str) -> User:
    student = user_factory(Role.STUDENT, first_name="Élève", last_name=last_name)
    course_services.enrollment_create(actor=student, course=course)
    return student


def count_queries(call: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


# Who came to the 90-minute class of T0 and when (minutes after the start); the three
# others of the eight never came.
VISITS: dict[str, list[tuple[int, int | None]]] = {
    "Adjovi": [(0, 75)],  # 75 min, 83 %
    "Bello": [(5, 20), (30, None)],  # left and came back until the end: 75 min
    "Chabi": [(0, None)],  # the whole class: 90 min
    "Dossou": [(60, 70)],  # 10 min, 11 %: partial
    "Eklou": [(10, 55)],  # 45 min, 50 %: present
}
ABSENT = ["Fagla", "Gbaguidi", "Houngbo"]


@pytest.fixture
def held_class(
    owner: User, user_factory: Callable[..., User]
) -> tuple[LiveSession, dict[str, User]]:
    return build_held_class(owner, user_factory)


def build_held_class(
    owner: User, user_factory: Callable[..., User]
) -> tuple[LiveSession, dict[str, User]]:
    """A course of 8 students (no `member`); a class held T0..T0+90 min that 5 attended;
    the owner was in the room too (not counted)."""
    course = build_course(owner, title="Algorithmique")
    with time_machine.travel(minutes(-60), tick=False):
        students = {name: enroll(user_factory, course, name) for name in [*VISITS, *ABSENT]}
    with time_machine.travel(T0, tick=False):
        session = make_live(owner, course, title="Séance 3", length=timedelta(minutes=90))
        services.session_join(actor=owner, session=session, now=T0)
    events: list[tuple[int, str, str]] = []
    for name, visits in VISITS.items():
        for joined, left in visits:
            events.append((joined, "join", name))
            if left is not None:
                events.append((left, "leave", name))
    for at, what, name in sorted(events):
        with time_machine.travel(minutes(at), tick=False):
            action = services.session_join if what == "join" else services.session_leave
            action(actor=students[name], session=session, now=minutes(at))
    with time_machine.travel(minutes(90), tick=False):
        session = services.session_end(actor=owner, session=session, now=minutes(90))[0]
    return session, students


# --- One class, after it ended ------------------------------------------------------------


def test_page_after_the_class_lists_every_student(
    held_class: tuple[LiveSession, dict[str, User]], owner: User
) -> None:
    session, students = held_class
    with time_machine.travel(minutes(120), tick=False):
        page = html(client_for(owner).get(page_url("session_manage", session)))
    assert page.count('<tr class="live-att-') == 8
    assert page.count('<tr class="live-att-absent"') == 3
    assert page.count('<tr class="live-att-partial"') == 1
    assert page.count('<tr class="live-att-present"') == 4
    assert "5 sur 8 ont assisté à la séance" in page
    assert "1 présence partielle" in page
    assert "temps moyen 59 min (65 % de la séance)" in page  # (75+75+90+10+45)/5
    for text in ("1 h 15 min", "1 h 30 min", "10 min", "45 min", "83 %", "11 %", "100 %"):
        assert text in page, text
    assert "09:00" in page and "10:15" in page and "10:30" in page  # first join, last leave
    # Absences first, then the partial one, then those present; by name within each.
    order = [page.index(students[n].email) for n in [*ABSENT, "Dossou", "Adjovi", "Chabi"]]
    assert order == sorted(order)
    # "Online now" means nothing once the class is over: no such column.
    assert "en ligne maintenant" not in page and '<th scope="col">En ligne</th>' not in page
    # The owner who joined is named apart, never counted as a student.
    assert "Équipe pédagogique (non comptée)" in page and "Responsable du cours" in page
    assert owner.email not in page.split("<tbody>")[1].split("</tbody>")[0]
    assert "Bilan" in page and "5 sur 8" in page


def test_csv_after_the_class_one_row_per_enrolled_student(
    held_class: tuple[LiveSession, dict[str, User]], owner: User
) -> None:
    session, students = held_class
    response = client_for(owner).get(page_url("attendance_csv", session))
    assert response["Content-Disposition"] == (
        f'attachment; filename="attendance-session-{session.pk}.csv"'
    )
    rows = {row["email"]: row for row in csv_rows(response)}
    assert set(rows) == {s.email for s in students.values()}
    assert sum(row["attended"] == "True" for row in rows.values()) == 5
    adjovi, bello = rows[students["Adjovi"].email], rows[students["Bello"].email]
    assert adjovi["attendance_minutes"] == "75" and adjovi["share_percent"] == "83"
    assert adjovi["first_joined_at"] == "2026-03-10T08:00:00Z"
    assert adjovi["last_left_at"] == "2026-03-10T09:15:00Z"
    assert bello["attendance_seconds"] == str(75 * 60) and bello["intervals_count"] == "2"
    assert rows[students["Dossou"].email]["attendance_status"] == "partial"
    absent = rows[students["Fagla"].email]
    assert absent["attended"] == "False" and absent["attendance_status"] == "absent"
    assert absent["attendance_seconds"] == "0" and absent["first_joined_at"] == ""
    assert {row["online_now"] for row in rows.values()} == {""}  # only while live


def test_api_keeps_participants_and_adds_every_student(
    held_class: tuple[LiveSession, dict[str, User]], owner: User, api: Any
) -> None:
    session, students = held_class
    response = api(owner).get(f"/api/live-sessions/{session.pk}/attendance")
    assert response.status_code == 200, response.content
    data = response.json_body["data"]
    # Backward compatible: `participants` is who joined, the owner included, as before.
    assert {p["user_id"] for p in data["participants"]} == {
        owner.pk,
        *(students[n].pk for n in VISITS),
    }
    assert {"role", "admitted_at", "is_present", "attendance_minutes"} <= set(
        data["participants"][0]
    )
    assert len(data["students"]) == 8
    summary = data["summary"]
    assert summary["enrolled_students"] == 8 and summary["expected_students"] == 8
    assert summary["attended_students"] == 5 and summary["absent_students"] == 3
    assert summary["partial_students"] == 1 and summary["partial_below_percent"] == 50
    assert summary["class_minutes"] == 90 and summary["average_attendance_minutes"] == 59
    assert summary["is_live"] is False and summary["online_now"] is None
    chabi = next(s for s in data["students"] if s["user_id"] == students["Chabi"].pk)
    assert chabi["attended"] is True and chabi["share_percent"] == 100
    assert chabi["last_left_at"] == "2026-03-10T09:30:00Z"  # closed by the end
    assert [t["user_id"] for t in data["team"]] == [owner.pk]
    assert data["team"][0]["role"] == "instructor" and data["team"][0]["attendance_minutes"] == 90
    as_csv = api(owner).get(f"/api/live-sessions/{session.pk}/attendance", {"format": "csv"})
    assert len(csv_rows(as_csv)) == 8


# --- While live, and the edges ------------------------------------------------------------


def test_while_live_online_now_has_its_own_column(
    owner: User, course: Course, member: User, user_factory: Callable[..., User], api: Any
) -> None:
    away = enroll(user_factory, course, "Zinsou")
    with time_machine.travel(T0, tick=False):
        session = make_live(owner, course)
        services.session_join(actor=member, session=session, now=T0)
        services.session_join(actor=away, session=session, now=T0)
    with time_machine.travel(minutes(10), tick=False):
        services.session_leave(actor=away, session=session, now=minutes(10))
    with time_machine.travel(minutes(30), tick=False):
        page = html(client_for(owner).get(page_url("session_manage", session)))
        data = api(owner).get(f"/api/live-sessions/{session.pk}/attendance").json_body["data"]
    assert '<th scope="col">En ligne</th>' in page and "1 en ligne maintenant" in page
    assert "encore là" in page  # the member has not left
    assert "2 sur 2 ont assisté à la séance" in page
    by_id = {s["user_id"]: s for s in data["students"]}
    assert by_id[member.pk]["online_now"] is True and by_id[member.pk]["last_left_at"] is None
    assert by_id[member.pk]["attendance_minutes"] == 30 and by_id[member.pk]["share_percent"] == 100
    assert by_id[away.pk]["online_now"] is False and by_id[away.pk]["share_percent"] == 33
    assert by_id[away.pk]["attendance_status"] == "partial"
    assert data["summary"]["online_now"] == 1 and data["summary"]["is_live"] is True


def test_just_joined_counts_as_attended(owner: User, course: Course, member: User) -> None:
    session = make_live(owner, course)
    services.session_join(actor=member, session=session)
    assert session.actual_start_at is not None
    report = selectors.session_attendance(session=session, now=session.actual_start_at)
    assert [s.state for s in report.students] == ["present"]


def test_a_brief_visit_is_partial_not_absent(
    owner: User, course: Course, member: User, api: Any
) -> None:
    with time_machine.travel(T0, tick=False):
        session = make_live(owner, course)
    with time_machine.travel(minutes(20), tick=False):
        services.session_join(actor=member, session=session, now=minutes(20))
        services.session_leave(actor=member, session=session, now=minutes(20))
    with time_machine.travel(minutes(60), tick=False):
        services.session_end(actor=owner, session=session, now=minutes(60))
        data = api(owner).get(f"/api/live-sessions/{session.pk}/attendance").json_body["data"]
    [line] = data["students"]
    assert line["attended"] is True and line["attendance_status"] == "partial"
    assert line["attendance_seconds"] == 0 and line["share_percent"] == 0


def test_late_enrollment_and_unenrolled_attendee(
    held_class: tuple[LiveSession, dict[str, User]],
    owner: User,
    user_factory: Callable[..., User],
) -> None:
    session, students = held_class
    with time_machine.travel(minutes(200), tick=False):
        late = enroll(user_factory, session.course, "Tardif")
        course_services.enrollment_deactivate(actor=students["Chabi"], course=session.course)
        page = html(client_for(owner).get(page_url("session_manage", session)))
    # The late one is listed, not counted; the one who came and left the course stays.
    assert late.email in page and "Inscription postérieure" in page
    assert students["Chabi"].email in page and "Désinscription" in page
    assert "5 sur 8 ont assisté à la séance" in page
    assert page.index(late.email) > page.index(students["Chabi"].email)  # last


def test_class_not_held(owner: User, course: Course, member: User) -> None:
    session = make_session(owner, course)
    page = html(client_for(owner).get(page_url("session_manage", session)))
    assert "La présence s'affichera quand la session aura commencé." in page
    assert "1 personne inscrite au cours." in page
    assert page_url("attendance_csv", session) not in page
    services.session_cancel(actor=owner, session=session, reason="Grève")
    page = html(client_for(owner).get(page_url("session_manage", session)))
    assert "Cette session n'a pas eu lieu." in page
    rows = csv_rows(client_for(owner).get(page_url("attendance_csv", session)))
    assert [row["attendance_status"] for row in rows] == ["absent"]


def test_session_page_and_csv_queries_do_not_grow(
    owner: User, course: Course, user_factory: Callable[..., User]
) -> None:
    sessions = []
    for n in (1, 25):
        course_n = build_course(owner, title=f"Cours {n}")
        session = make_live(owner, course_n, max_participants=100)
        for i in range(n):
            student = enroll(user_factory, course_n, f"N{n}-{i}")
            services.session_join(actor=student, session=session)
            if i % 2:
                services.session_leave(actor=student, session=session)
        enroll(user_factory, course_n, f"Absent{n}")
        sessions.append(services.session_end(actor=owner, session=session)[0])
    client = client_for(owner)
    for name in ("session_manage", "attendance_csv"):
        client.get(page_url(name, sessions[0]))
        one = count_queries(partial(client.get, page_url(name, sessions[0])))
        many = count_queries(partial(client.get, page_url(name, sessions[1])))
        assert one == many, name


# --- A series -----------------------------------------------------------------------------


def hold(owner: User, session: LiveSession, visits: dict[User, int]) -> LiveSession:
    """Start `session` at its time; each student in `visits` stays that many minutes."""
    start = session.scheduled_start_at
    with time_machine.travel(start, tick=False):
        session = services.session_start(actor=owner, session=session, now=start)
        for student in visits:
            services.session_join(actor=student, session=session, now=start)
    for student, stay in visits.items():
        at = start + timedelta(minutes=stay)
        with time_machine.travel(at, tick=False):
            services.session_leave(actor=student, session=session, now=at)
    end = session.scheduled_end_at
    with time_machine.travel(end, tick=False):
        return services.session_end(actor=owner, session=session, now=end)[0]


def weekly(owner: User, course: Course, count: int) -> tuple[SessionSeries, list[LiveSession]]:
    with time_machine.travel(T0, tick=False):
        return services.series_create(
            actor=owner,
            course=course,
            title="Atelier du mardi",
            days_of_week=[T0.weekday()],
            start_time=time(18, 0),
            timezone_name="Africa/Porto-Novo",
            starts_on=T0.date() + timedelta(days=1),
            duration_minutes=60,
            count=count,
            now=T0,
        )


@pytest.fixture
def series_held(
    owner: User, user_factory: Callable[..., User]
) -> tuple[SessionSeries, list[LiveSession], dict[str, User]]:
    """4 weekly classes, 3 held. Assidu came to all; Décroche only to the first (missed
    the last two); Retour missed the first; Nouveau enrolled after the first; Jamais never
    came; Bref stayed 10 min of 60 each time (partial, still attended)."""
    course = build_course(owner, title="Atelier")
    with time_machine.travel(T0, tick=False):
        people = {
            name: enroll(user_factory, course, name)
            for name in ("Assidu", "Bref", "Décroche", "Jamais", "Retour")
        }
    record, occurrences = weekly(owner, course, 4)
    a, b, c, d = people["Assidu"], people["Bref"], people["Décroche"], people["Retour"]
    hold(owner, occurrences[0], {a: 60, b: 10, c: 60})
    with time_machine.travel(occurrences[0].scheduled_end_at + timedelta(days=1), tick=False):
        people["Nouveau"] = enroll(user_factory, course, "Nouveau")
    hold(owner, occurrences[1], {a: 60, b: 10, d: 50})
    hold(owner, occurrences[2], {a: 45, b: 10, d: 60})
    return record, occurrences, people


def test_series_attendance_rates_and_flags(
    series_held: tuple[SessionSeries, list[LiveSession], dict[str, User]],
) -> None:
    record, occurrences, people = series_held
    now = occurrences[2].scheduled_end_at + timedelta(hours=1)
    report = selectors.series_attendance(series=record, now=now)
    assert [s.pk for s in report.held] == [o.pk for o in occurrences[:3]]
    assert report.upcoming == 1
    by_id = {s.user_id: s for s in report.students}
    line = {name: by_id[user.pk] for name, user in people.items()}
    assert (line["Assidu"].attended, line["Assidu"].expected, line["Assidu"].rate_percent) == (
        3,
        3,
        100,
    )
    assert line["Bref"].rate_percent == 100  # partial is still attended
    assert [c.state for c in line["Bref"].cells] == ["partial"] * 3
    assert line["Décroche"].rate_percent == 33 and line["Décroche"].missed_last_two
    assert line["Retour"].rate_percent == 67 and not line["Retour"].missed_last_two
    assert line["Jamais"].rate_percent == 0 and line["Jamais"].missed_last_two
    # Enrolled after the first class: it does not count against them.
    assert [c.state for c in line["Nouveau"].cells] == ["not_expected", "absent", "absent"]
    assert line["Nouveau"].expected == 2 and line["Nouveau"].missed_last_two
    # Those to follow up first, then by name.
    order = [s.user_id for s in report.students]
    flagged = [people[n].pk for n in ("Décroche", "Jamais", "Nouveau")]
    assert order[:3] == flagged
    assert report.summary()["missed_last_two"] == 3


def test_series_attendance_tag_renders(
    series_held: tuple[SessionSeries, list[LiveSession], dict[str, User]],
) -> None:
    record, occurrences, people = series_held
    template = Template("{% load live_attendance %}{% series_attendance series %}")
    with time_machine.travel(occurrences[2].scheduled_end_at + timedelta(hours=1), tick=False):
        out = template.render(Context({"series": record}))
    assert "Assiduité" in out and "3 séances tenues" in out and "1 à venir" in out
    assert "3 absences aux deux dernières séances" in out
    assert out.count("Absence aux deux dernières séances") == 3
    assert "100 %" in out and "33 %" in out and "67 %" in out
    assert "1 sur 3 séances" in out and "0 sur 2 séances" in out
    assert out.count('class="att-cell att-') == 6 * 3 + 4  # the strips, then the legend
    csv_url = reverse(
        "live:series_attendance_csv", kwargs={"course_id": record.course_id, "series_id": record.pk}
    )
    assert csv_url in out
    assert people["Jamais"].email in out


def test_series_attendance_tag_before_any_class(owner: User, course: Course) -> None:
    record, _ = weekly(owner, course, 2)
    out = Template("{% load live_attendance %}{% series_attendance series %}").render(
        Context({"series": record})
    )
    assert "Aucune séance de la série n'a encore eu lieu" in out
    assert "attendance.csv" not in out


def test_series_csv_and_api(
    series_held: tuple[SessionSeries, list[LiveSession], dict[str, User]],
    owner: User,
    api: Any,
) -> None:
    record, occurrences, people = series_held
    target = reverse(
        "live:series_attendance_csv", kwargs={"course_id": record.course_id, "series_id": record.pk}
    )
    response = client_for(owner).get(target)
    assert response["Content-Disposition"] == (
        f'attachment; filename="attendance-series-{record.pk}.csv"'
    )
    rows = {row["email"]: row for row in csv_rows(response)}
    assert len(rows) == 6
    first = f"session_{occurrences[0].pk}_{occurrences[0].scheduled_start_at.date().isoformat()}"
    decroche = rows[people["Décroche"].email]
    assert decroche["attendance_rate_percent"] == "33" and decroche["missed_last_two"] == "True"
    assert decroche[first] == "present"
    assert rows[people["Nouveau"].email][first] == "not_expected"
    assert rows[people["Assidu"].email]["total_attendance_minutes"] == "165"

    response = api(owner).get(f"/api/live-series/{record.pk}/attendance")
    assert response.status_code == 200, response.content
    data = response.json_body["data"]
    assert data["series_id"] == record.pk and len(data["held_sessions"]) == 3
    assert data["summary"]["missed_last_two"] == 3 and data["summary"]["held_sessions"] == 3
    line = next(s for s in data["students"] if s["user_id"] == people["Retour"].pk)
    assert line["attendance_rate_percent"] == 67 and line["expected_sessions"] == 3
    assert [c["attended"] for c in line["sessions"]] == [False, True, True]
    as_csv = api(owner).get(f"/api/live-series/{record.pk}/attendance", {"format": "csv"})
    assert len(csv_rows(as_csv)) == 6


def test_series_attendance_forbidden_and_bad_input(
    owner: User,
    course: Course,
    member: User,
    outsider: User,
    other_instructor: User,
    admin_user: User,
    api: Any,
) -> None:
    record, _ = weekly(owner, course, 2)
    target = reverse(
        "live:series_attendance_csv", kwargs={"course_id": course.pk, "series_id": record.pk}
    )
    response = client_for(None).get(target)
    assert response.status_code == 302 and "/accounts/login" in response["Location"]
    for user in (outsider, member, other_instructor):
        assert client_for(user).get(target).status_code == 403, user
    assert client_for(admin_user).get(target).status_code == 200
    other = build_course(other_instructor, title="Autre")
    wrong_course = reverse(
        "live:series_attendance_csv", kwargs={"course_id": other.pk, "series_id": record.pk}
    )
    assert client_for(owner).get(wrong_course).status_code == 404
    missing = reverse(
        "live:series_attendance_csv", kwargs={"course_id": course.pk, "series_id": 987654}
    )
    assert client_for(owner).get(missing).status_code == 404

    path = f"/api/live-series/{record.pk}/attendance"
    assert_error(api(None).get(path), 401, "not_authenticated")
    for user in (outsider, member, other_instructor):
        assert_error(api(user).get(path), 403)
    assert api(admin_user).get(path).status_code == 200
    assert_error(api(owner).get(path, {"format": "xlsx"}), 400, "validation_error")
    assert_error(api(owner).get("/api/live-series/987654/attendance"), 404, "series_not_found")
    assert api(owner).get("/api/live-series/abc/attendance").status_code in {400, 404}


def test_series_attendance_queries_do_not_grow(
    owner: User, user_factory: Callable[..., User], api: Any
) -> None:
    """1 student and 1 class held vs 12 students and 4 classes held: same queries for
    the selector, the CSV and the API."""
    made = []
    for students, held in ((1, 1), (12, 4)):
        course = build_course(owner, title=f"Série {students}")
        with time_machine.travel(T0, tick=False):
            people = [enroll(user_factory, course, f"S{students}-{i}") for i in range(students)]
        record, occurrences = weekly(owner, course, held + 1)
        for occurrence in occurrences[:held]:
            hold(owner, occurrence, dict.fromkeys(people[::2], 30))
        made.append(record)
    client = client_for(owner)
    owner_api = api(owner)

    def csv_of(record: SessionSeries) -> Any:
        kwargs = {"course_id": record.course_id, "series_id": record.pk}
        return client.get(reverse("live:series_attendance_csv", kwargs=kwargs))

    now = timezone.now()
    calls: list[Callable[[SessionSeries], Any]] = [
        lambda r: selectors.series_attendance(series=r, now=now),
        lambda r: Template("{% load live_attendance %}{% series_attendance s %}").render(
            Context({"s": r})
        ),
        csv_of,
        lambda r: owner_api.get(f"/api/live-series/{r.pk}/attendance"),
    ]
    for call in calls:
        call(made[0])
        one = count_queries(partial(call, made[0]))
        many = count_queries(partial(call, made[1]))
        assert one == many
    assert count_queries(lambda: selectors.series_attendance(series=made[1], now=now)) == 3
