"""`python -m bench.live_class` (issue 17): its refusal, its options, and the logic the
browsers and the report rely on, on the real pages in-process. The benchmark itself,
with its server, is not a test."""

import os
import random
import socket
import threading
import time
from datetime import timedelta
from typing import Any

import httpx
import pytest
from django.contrib.sessions.models import Session
from django.templatetags.static import static
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bench import live_class
from bench.live_class_runner import (
    COURSE_SLUG,
    QUESTION_MARGIN,
    Clock,
    Options,
    Played,
    Point,
    Run,
    Sample,
    answer_text,
    answers_shown,
    browser_request,
    estimated_queries,
    panel_items,
    phases_table,
    prepare,
    qa_list_poll,
    qa_table,
    question_plan,
    question_text,
    remove_created,
    retried_line,
    room_config,
    static_files,
    waiting_poll,
)
from bench.server import Server
from campus.accounts.models import Role, User
from campus.courses.models import Course, Enrollment
from campus.live import services as live_services
from campus.live.models import ChatMessage, LiveSession, LiveSessionStatus
from conftest import make_user

TINY = Options(
    size="xs",
    students=4,
    waiting_seconds=60,
    arrival_seconds=10,
    class_seconds=60,
    questions=2,
    server="gunicorn",
    workers=1,
    threads=1,
    client_threads=2,
    seed=1,
)
HTMX = {"HX-Request": "true"}


# --- Refusal and options ---------------------------------------------------------------


def test_a_dedicated_database_is_accepted() -> None:
    assert live_class.problems({"DATABASE_URL": "postgres://postgres@h/campus_bench_live"}) == []
    assert live_class.problems({"CAMPUS_VAR_DIR": "/tmp/bench-live"}) == []


@pytest.mark.parametrize(
    "environ",
    [{}, {"CAMPUS_VAR_DIR": str(live_class.REPO / "var")}, {"CAMPUS_VAR_DIR": ""}],
)
def test_the_developers_own_database_is_refused(environ: dict[str, str]) -> None:
    found = live_class.problems(environ)
    assert len(found) == 1
    assert "never ./var" in found[0]


def test_main_refuses_before_touching_anything(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("CAMPUS_VAR_DIR", raising=False)
    assert live_class.main([]) == 2
    assert "bench.live_class refuses to run" in capsys.readouterr().err


def test_defaults_are_the_issues_class() -> None:
    args = live_class.parse_args([])
    assert (args.students, args.waiting_seconds, args.class_seconds, args.questions) == (
        500,
        120,
        300,
        50,
    )
    assert args.server == "gunicorn"
    assert live_class.parse_args(["--server", "granian"]).server == "granian"


@pytest.mark.parametrize(
    "argv",
    [
        ["--students", "0"],
        ["--students", "10", "--questions", "11"],
        ["--class-seconds", "5"],
        ["--server", "uvicorn"],
    ],
)
def test_bad_options_are_refused(argv: list[str]) -> None:
    with pytest.raises(SystemExit):
        live_class.parse_args(argv)


# --- The plan and the clock -----------------------------------------------------------


def test_questions_come_from_distinct_students_inside_the_class() -> None:
    plan = question_plan(50, 500, 300, random.Random(3))
    times = [t for t, _s in plan]
    assert len(plan) == 50
    assert len({s for _t, s in plan}) == 50
    assert all(0 <= s < 500 for _t, s in plan)
    assert times == sorted(times)
    assert times[0] >= QUESTION_MARGIN and times[-1] <= 300 - QUESTION_MARGIN
    assert question_plan(50, 500, 300, random.Random(3)) == plan  # the seed decides


def test_the_clock_runs_chained_timers_in_order_and_stops_at_the_end() -> None:
    clock = Clock(threads=3)
    ran: list[tuple[str, float]] = []
    lock = threading.Lock()

    def note(name: str) -> Any:
        def action(due: float) -> None:
            with lock:
                ran.append((name, due))

        return action

    def chain(due: float) -> None:
        note("chain")(due)
        clock.at(due + 0.05, note("after chain"))

    clock.stop_at = 0.25
    clock.start()
    clock.at(0.10, note("b"))
    clock.at(0.02, note("a"))
    clock.at(0.15, chain)
    clock.at(0.40, note("too late"))  # after stop_at: dropped
    deadline = time.monotonic() + 5
    while not clock.idle() and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.05)
    clock.close()
    assert [name for name, _due in sorted(ran, key=lambda r: r[1])] == [
        "a",
        "b",
        "chain",
        "after chain",
    ]


# --- What the real pages say, as the browsers read them ----------------------------------


@pytest.fixture
def prepared(db: Any) -> Any:
    make_user("instructor0000@bench.campus.local", Role.INSTRUCTOR)
    return prepare(TINY)


def _browser(key: str) -> Client:
    client = Client()
    client.cookies["sessionid"] = key
    return client


def test_prepare_makes_logged_in_enrolled_students_and_a_scheduled_session(prepared: Any) -> None:
    students = User.objects.filter(pk__in=prepared.student_ids)
    assert students.count() == TINY.students
    assert set(students.values_list("role", flat=True)) == {Role.STUDENT}
    assert Enrollment.objects.filter(course=prepared.course, is_active=True).count() == 4
    assert prepared.session.status == LiveSessionStatus.SCHEDULED
    assert prepared.session.max_participants >= TINY.students
    for key, user_id in zip(prepared.session_keys, prepared.student_ids, strict=True):
        data = Session.objects.get(session_key=key).get_decoded()
        assert data["_auth_user_id"] == str(user_id)
    remove_created([*prepared.session_keys, prepared.instructor_key])
    assert not Course.objects.filter(slug=COURSE_SLUG).exists()
    assert not User.objects.filter(pk__in=prepared.student_ids).exists()
    assert not Session.objects.filter(session_key__in=prepared.session_keys).exists()
    assert not LiveSession.objects.filter(pk=prepared.session.pk).exists()


def _waiting_delay(response: Any) -> int:
    poller = waiting_poll(response.content.decode())
    assert poller is not None, response.content[:300]
    return poller[1]


def test_the_browsers_read_the_real_room(
    prepared: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The whole path a student's browser takes, on the real pages: the page session
    logs in, the waiting room's delay, the refresh at the start, the room's config, the
    Q&A list's versioned URL (204 while unchanged), a question, the instructor's answer."""
    session, course = prepared.session, prepared.course
    ids = {"slug": course.slug, "session_id": session.pk}
    LiveSession.objects.filter(pk=session.pk).update(
        scheduled_start_at=timezone.now() + timedelta(seconds=90)
    )
    student = _browser(prepared.session_keys[0])
    owner = _browser(prepared.instructor_key)

    page = student.get(reverse("live:join", kwargs=ids))
    assert page.status_code == 200  # the page session is a real login
    poller = waiting_poll(page.content.decode())
    assert poller is not None and poller[1] == 5  # less than 2 min left
    assert student.get(poller[0], headers=HTMX).status_code == 204  # nothing new
    assert room_config(page.content.decode()) is None
    waiting_files = static_files(page.content.decode())
    assert any(path.endswith(".css") for path in waiting_files)
    assert not any("room" in path for path in waiting_files)
    status = student.get(reverse("live:waiting_status", kwargs=ids), headers=HTMX)
    assert _waiting_delay(status) == 5
    LiveSession.objects.filter(pk=session.pk).update(
        scheduled_start_at=timezone.now() + timedelta(minutes=10)
    )
    status = student.get(reverse("live:waiting_status", kwargs=ids), headers=HTMX)
    assert _waiting_delay(status) == 15

    session.refresh_from_db()
    live_services.session_start(actor=course.instructor, session=session)
    status = student.get(reverse("live:waiting_status", kwargs=ids), headers=HTMX)
    assert status.headers["HX-Refresh"] == "true"

    room = student.get(reverse("live:join", kwargs=ids)).content.decode()
    config = room_config(room)
    assert config is not None
    assert config["urls"]["join"] == f"/api/live-sessions/{session.pk}/join"
    assert config["heartbeatSeconds"] == 30
    assert [path for path in static_files(room) if path not in waiting_files] == [
        static("live/room.js")
    ]
    listed = qa_list_poll(room)
    assert listed is not None
    url, period = listed
    assert period == 5 and "part=list&v=" in url and "&amp;" not in url
    assert student.get(url, headers=HTMX).status_code == 204  # the version it holds

    questions = reverse("live:questions", kwargs=ids)
    with django_capture_on_commit_callbacks(execute=True):  # as the request's write commits
        asked = student.post(questions, {"text": question_text(3, 7)}, headers=HTMX)
    assert asked.status_code == 200
    changed = student.get(url, headers=HTMX)
    assert changed.status_code == 200  # the old version: the new list
    assert qa_list_poll(changed.content.decode()) != listed

    panel = owner.get(f"{questions}?part=list&v=x", headers=HTMX).content.decode()
    items = panel_items(panel)
    message = ChatMessage.objects.get(session=session, kind="question")
    assert items == {3: (message.pk, False)}
    path = reverse("live:question_answer", kwargs={**ids, "message_id": message.pk})
    with django_capture_on_commit_callbacks(execute=True):
        assert owner.post(path, {"text": answer_text(3)}, headers=HTMX).status_code == 200
    panel = owner.get(f"{questions}?part=list&v=x", headers=HTMX).content.decode()
    assert panel_items(panel) == {3: (message.pk, True)}
    shown = student.get(f"{questions}?part=list&v=x", headers=HTMX).content.decode()
    assert answers_shown(shown) == {3}
    remove_created([*prepared.session_keys, prepared.instructor_key])


# --- The report ------------------------------------------------------------------------


def _played(**changes: Any) -> Played:
    base: dict[str, Any] = {
        "samples": [],
        "points": [],
        "posted": {1: 10.0, 2: 20.0},
        "seen": {1: 12.0, 2: 23.0},
        "answered": {1: 18.0, 2: 30.0},
        "final_panel": {1: (101, True), 2: (102, True)},
        "final_answers": [{1, 2}, {1, 2}, {1, 2}, {1, 2}],
        "started_at": 60.0,
    }
    return Played(**{**base, **changes})


def test_a_complete_class_passes_every_invariant() -> None:
    lines, verdicts = qa_table(_played(), TINY)
    assert all(verdicts.values())
    assert "| questions planned / posted (200) | 2 / 2 |" in lines


@pytest.mark.parametrize(
    ("changes", "broken"),
    [
        ({"final_panel": {1: (101, True)}}, "every question reached the instructor's panel"),
        ({"seen": {1: 12.0}}, "every question reached the instructor's panel"),
        ({"final_panel": {1: (101, True), 2: (102, False)}}, "every question answered"),
        ({"final_answers": [{1, 2}, {1}, {1, 2}, {1, 2}]}, "every student's list shows"),
    ],
)
def test_a_missing_question_or_answer_breaks_its_invariant(
    changes: dict[str, Any], broken: str
) -> None:
    _lines, verdicts = qa_table(_played(**changes), TINY)
    failed = [name for name, ok in verdicts.items() if not ok]
    assert any(name.startswith(broken) for name in failed)
    assert "no 5xx" not in " ".join(failed)


def test_queries_per_second_use_each_kinds_count_by_status() -> None:
    queries = {"Q&A poll 200": (8, 200), "Q&A poll 204": (5, 204), "heartbeat": (6, 200)}
    samples = [
        Sample("Q&A poll", 1.0, 0.01, "200", 0.0),
        Sample("Q&A poll", 1.0, 0.01, "204", 0.0),
        Sample("heartbeat (instructor)", 1.0, 0.01, "200", 0.0),
        Sample("instructor: management page", 1.0, 0.01, "200", 0.0),
    ]
    assert estimated_queries(samples, queries) == (8 + 5 + 6, 1)


def test_the_phases_table_divides_by_each_phase() -> None:
    points = [
        Point(0.0, 10.0, 100.0, 1.0, {"commits": 0, "returned": 0, "fetched": 0}, 3.0),
        Point(10.0, 15.0, 112.0, 2.0, {"commits": 500, "returned": 1000, "fetched": 0}, 7.0),
    ]
    samples = [Sample("heartbeat", t / 10, 0.01, "200", 0.0) for t in range(100)]
    lines = phases_table(_played(samples=samples, points=points), {"heartbeat": (6, 200)})
    row = lines[2]
    # 100 requests in 10 s, 5 s of server CPU.
    assert row.startswith("| waiting room | 10 | 100 | 10.0 |")
    assert "| 50.0 |" in row  # 5 s of server CPU / 100 requests
    assert "| 60 | 50 | 100 |" in row  # 600 queries, 500 commits, 1000 rows in 10 s
    cpus = os.cpu_count() or 1
    assert f"| 50.0 | {4 / (10 * cpus):.0%} | {1 / (10 * cpus):.0%} |" in row  # database, us


def _item(message_id: int, number: int, answered: bool) -> str:
    answer = f'<ul class="qa-answers"><li>{answer_text(number)}</li></ul>' if answered else ""
    return (
        f'<li class="qa-item" id="qa-q-{message_id}"><p class="qa-text">'
        f"{question_text(number, 1)}</p>{answer}</li>"
    )


def test_the_instructor_answers_each_new_question_once_and_one_at_a_time(prepared: Any) -> None:
    run = Run(TINY, prepared, Server("http://127.0.0.1:1", 0))
    typed: list[tuple[int, int]] = []

    class Teacher:
        def answer(self, due: float, number: int, message_id: int) -> None:
            typed.append((number, message_id))

    run.teacher = Teacher()  # type: ignore[assignment]
    page = "<ol>" + _item(11, 1, False) + _item(12, 2, False) + _item(13, 3, True) + "</ol>"
    run.instructor_saw(page)
    run.instructor_saw(page)  # the same list again: nothing new
    assert set(run.seen) == {1, 2, 3}
    assert run.typing()
    pending = list(run.clock._heap)
    assert len(pending) == 1  # one answer typed at a time
    pending[0][2](0.0)
    run.typing_until = 0.0  # that answer was sent
    run.type_next()
    for _due, _seq, action in run.clock._heap[1:]:
        action(0.0)
    assert typed == [(1, 11), (2, 12)]  # the answered question 3 is left alone
    assert run.to_answer == []
    remove_created([*prepared.session_keys, prepared.instructor_key])


# --- A stale keep-alive connection is retried once, as browsers do ------------------------


def _read_request(conn: socket.socket) -> bool:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return False
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = next(
        (int(line.split(b":")[1]) for line in head.split(b"\r\n")
         if line.lower().startswith(b"content-length:")),
        0,
    )  # fmt: skip
    while len(body) < length:
        body += conn.recv(65536)
    return True


def _scripted_server(script: list[list[str]]) -> tuple[str, list[int]]:
    """A server whose n-th connection follows script[n]: per request, "answer" (200,
    keep-alive) or "close" (read the request, close without a byte: the keepalive race)."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[int] = []

    def serve() -> None:
        with listener:
            for actions in script:
                conn, _ = listener.accept()
                accepted.append(len(accepted))
                with conn:
                    for action in actions:
                        if not _read_request(conn) or action == "close":
                            break
                        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

    threading.Thread(target=serve, daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}", accepted


def test_a_post_on_a_closed_keep_alive_connection_is_sent_once_more() -> None:
    url, accepted = _scripted_server([["answer", "close"], ["answer"]])
    with httpx.Client(base_url=url, timeout=5) as client:
        first, status, retried = browser_request(client, "GET", "/a")
        assert (status, retried) == ("200", False) and first is not None
        second, status, retried = browser_request(client, "POST", "/b", data={"text": "q"})
    assert (status, retried) == ("200", True) and second is not None
    assert second.text == "ok" and len(accepted) == 2


def test_a_new_connection_failing_or_a_second_failure_is_the_result() -> None:
    url, accepted = _scripted_server([["close"]])
    with httpx.Client(base_url=url, timeout=5) as client:
        assert browser_request(client, "GET", "/a") == (None, "RemoteProtocolError", False)
    assert len(accepted) == 1
    url, accepted = _scripted_server([["answer", "close"], ["close"]])
    with httpx.Client(base_url=url, timeout=5) as client:
        browser_request(client, "GET", "/a")
        assert browser_request(client, "GET", "/b") == (None, "RemoteProtocolError", True)
    assert len(accepted) == 2


def test_the_report_counts_the_retried_requests() -> None:
    samples = [
        Sample("Q&A poll", 1.0, 0.01, "200", 0.0, retried=True),
        Sample("heartbeat", 1.0, 0.01, "200", 0.0),
        Sample("question post", 1.0, 0.01, "ReadError", 0.0, retried=True),
    ]
    line = retried_line(samples)
    assert line.startswith("retried: 2 of 3 requests")
    assert "Q&A poll: 1, question post: 1" in line
