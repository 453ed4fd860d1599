"""The live class behind `python -m bench.live_class` (Django is set up): prepare, start
the server, play 500 browsers and an instructor on their own timers, count, clean up."""

import heapq
import html
import json
import logging
import os
import random
import re
import secrets
import ssl
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from importlib import import_module
from pathlib import Path
from typing import Any

import django
import httpx
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bench.classroom import create_class, remove_class
from bench.data import COURSE_SLUG_PREFIX
from bench.machine import CpuWatch, machine_busy_seconds, own_cpu_seconds, server_cpu_seconds
from bench.report import percentile
from bench.runner import ensure_data, log
from bench.server import Server, running_server
from campus.accounts.models import User
from campus.courses.models import Course
from campus.live import services as live_services
from campus.live.models import (
    ChatKind,
    ChatMessage,
    LiveSession,
    Participant,
)

EMAIL_PREFIX = "liveclass"  # the run's students: liveclass00000@bench.campus.local, ...
COURSE_SLUG = f"{COURSE_SLUG_PREFIX}live-class"
BURST_SECONDS = 30.0  # the first seconds of the class: reloads, API joins (a phase of its own)
JITTER = 0.25  # seconds of network/timer jitter added to each browser timer
CONFERENCE_LOAD = (2.0, 6.0)  # seconds from the API join to Jitsi's videoConferenceJoined
ANSWER_TYPING = (1.5, 4.0)  # seconds the instructor types an answer (one at a time)
SHARED_TLS = ssl.create_default_context()  # unused on plain HTTP, but httpx loads one
# PostgreSQL backends report their counters when idle, at most this late (PG 15: 10 s):
# phase boundaries in its columns are that fuzzy.
PG_STATS_FLUSH = 11.0
QUESTION_MARGIN = 30.0  # no question in the class's first and last seconds

# Request kinds, in the report's order.
WAITING_PAGE = "join page (waiting room)"
WAITING_POLL = "waiting poll"
ROOM_PAGE = "join page reload (room)"
API_JOIN = "API join"
HEARTBEAT = "heartbeat"
QA_POLL = "Q&A poll"
QUESTION = "question post"
INSTRUCTOR_PAGE = "instructor: management page"
START = "instructor: start (form)"
INSTRUCTOR_ROOM = "instructor: room page"
INSTRUCTOR_POLL = "instructor: Q&A poll"
ANSWER = "instructor: answer (form)"
STATIC = "static file (not cached yet)"
# Files every Campus page loads (base.html): already in the cache of a student who came
# to the room from the course page or the dashboard.
CACHED_BEFORE = ("/static/core/", "/static/django_htmx/")
KINDS = (
    WAITING_PAGE,
    WAITING_POLL,
    ROOM_PAGE,
    API_JOIN,
    HEARTBEAT,
    QA_POLL,
    QUESTION,
    INSTRUCTOR_PAGE,
    START,
    INSTRUCTOR_ROOM,
    API_JOIN + " (instructor)",
    HEARTBEAT + " (instructor)",
    INSTRUCTOR_POLL,
    ANSWER,
    STATIC,
)


@dataclass(frozen=True)
class Options:
    size: str
    students: int
    waiting_seconds: float
    arrival_seconds: float
    class_seconds: float
    questions: int
    server: str
    workers: int
    threads: int
    client_threads: int
    seed: int


# --- What the pages say (pure, tested) ---------------------------------------------------

_WAITING_POLL = re.compile(
    r'class="live-waiting-poll"[^>]*?hx-get="([^"]+)"\s+hx-trigger="every (\d+)s"'
)
_QA_LIST = re.compile(r'<div class="qa-list"[^>]*?hx-get="([^"]+)"\s+hx-trigger="every (\d+)s"')
_CONFIG = re.compile(r'<script id="live-room-config" type="application/json">(.*?)</script>', re.S)
_QUESTION_TAG = re.compile(r"bench-q-(\d+)")
_ANSWER_TAG = re.compile(r"bench-a-(\d+)")
_STATIC = re.compile(r'<(?:link|script)\b[^>]*?(?:href|src)="(/static/[^"]+)"')
_ITEM = re.compile(r'<li class="qa-item[^"]*" id="qa-q-(\d+)">')


def static_files(page: str) -> list[str]:
    """The page's stylesheets and scripts served by Campus (WhiteNoise), in order."""
    return list(dict.fromkeys(html.unescape(path) for path in _STATIC.findall(page)))


def waiting_poll(page: str) -> tuple[str, int] | None:
    """The waiting room's polled URL (with its ?v= and pass) and its delay in seconds,
    from the page or a status fragment."""
    match = _WAITING_POLL.search(page)
    return (html.unescape(match.group(1)), int(match.group(2))) if match else None


def qa_list_poll(page: str) -> tuple[str, int] | None:
    """The Q&A list's polled URL (with its ?v=) and its period, from a page or panel."""
    match = _QA_LIST.search(page)
    return (html.unescape(match.group(1)), int(match.group(2))) if match else None


def room_config(page: str) -> dict[str, Any] | None:
    """The JSON config live/room.js reads (#live-room-config)."""
    match = _CONFIG.search(page)
    return json.loads(match.group(1)) if match else None


def question_text(number: int, student: int) -> str:
    return f"Question bench-q-{number} de l'étudiant {student:05d} : pourquoi ce résultat ?"


def answer_text(number: int) -> str:
    return f"Réponse bench-a-{number} : voir la diapositive {number}."


def answers_shown(page: str) -> set[int]:
    return {int(n) for n in _ANSWER_TAG.findall(page)}


def questions_shown(page: str) -> set[int]:
    return {int(n) for n in _QUESTION_TAG.findall(page)}


def panel_items(page: str) -> dict[int, tuple[int, bool]]:
    """The instructor's list: {question number: (message id, answered)}, one per item."""
    found: dict[int, tuple[int, bool]] = {}
    starts = list(_ITEM.finditer(page))
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(page)
        chunk = page[match.end() : end]
        numbers = _QUESTION_TAG.findall(chunk)
        if numbers:
            found[int(numbers[0])] = (int(match.group(1)), bool(_ANSWER_TAG.search(chunk)))
    return found


def question_plan(
    questions: int, students: int, class_seconds: float, rng: random.Random
) -> list[tuple[float, int]]:
    """(seconds into the class, student index) for each question, in time order: distinct
    students, times uniform over the class minus QUESTION_MARGIN at both ends (so the last
    answer can reach every list before the end)."""
    margin = min(QUESTION_MARGIN, class_seconds / 4)
    askers = rng.sample(range(students), questions)
    times = sorted(rng.uniform(margin, class_seconds - margin) for _ in askers)
    return list(zip(times, askers, strict=True))


# --- Measures -----------------------------------------------------------------------------


@dataclass
class Sample:
    kind: str
    sent: float  # seconds since the load began
    latency: float  # seconds
    status: str
    lag: float  # seconds the request left after its due time (client saturation)
    retried: bool = False  # sent once more after a stale keep-alive connection failed


@dataclass
class Point:
    """The machine at a phase boundary."""

    at: float  # seconds since the load began
    server_cpu: float
    busy: float | None  # every process, /proc/stat
    own: float  # this process (the browsers)
    db: dict[str, int] | None
    db_cpu: float | None = None  # the PostgreSQL server's processes, when on this machine


def ms(values: list[float], q: float) -> str:
    return f"{percentile(sorted(values), q) * 1000:,.0f}" if values else "—"


def counts(counter: Counter[str]) -> str:
    return ", ".join(f"{key}: {n:,}" for key, n in sorted(counter.items())) or "none"


def is_server_error(status: str) -> bool:
    return not status.isdigit() or status.startswith("5")


# --- The clock: every browser's timers on one heap, requests sent by a thread pool ---------


class Clock:
    """Events at absolute times (seconds since the load began). A dispatcher hands due
    events to worker threads; an event may schedule further ones. After `stop_at`, new
    events are dropped (the class is over)."""

    def __init__(self, threads: int) -> None:
        self.began = time.perf_counter()
        self.stop_at = float("inf")
        self._heap: list[tuple[float, int, Callable[[float], None]]] = []
        self._seq = 0
        self._cond = threading.Condition()
        self._work: list[tuple[float, Callable[[float], None]]] = []
        self._work_cond = threading.Condition()
        self._busy = 0
        self._closed = False
        self._threads = [threading.Thread(target=self._worker, daemon=True) for _ in range(threads)]
        self._dispatcher = threading.Thread(target=self._dispatch, daemon=True)

    def now(self) -> float:
        return time.perf_counter() - self.began

    def at(self, when: float, action: Callable[[float], None]) -> None:
        if when > self.stop_at:
            return
        with self._cond:
            self._seq += 1
            heapq.heappush(self._heap, (when, self._seq, action))
            self._cond.notify()

    def start(self) -> None:
        for thread in self._threads:
            thread.start()
        self._dispatcher.start()

    def _dispatch(self) -> None:
        while True:
            with self._cond:
                while not self._closed and (not self._heap or self._heap[0][0] > self.now()):
                    wait = self._heap[0][0] - self.now() if self._heap else None
                    self._cond.wait(timeout=wait)
                if self._closed:
                    return
                due, _seq, action = heapq.heappop(self._heap)
            with self._work_cond:
                self._work.append((due, action))
                self._work_cond.notify()

    def _worker(self) -> None:
        while True:
            with self._work_cond:
                while not self._work and not self._closed:
                    self._work_cond.wait()
                if self._closed and not self._work:
                    return
                due, action = self._work.pop(0)
                self._busy += 1
            try:
                action(due)
            except Exception as exc:  # a browser's bug must not stop the run
                log(f"browser event failed: {exc!r}")
            finally:
                with self._work_cond:
                    self._busy -= 1

    def idle(self) -> bool:
        with self._cond, self._work_cond:
            return not self._heap and not self._work and self._busy == 0

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._heap.clear()
            self._cond.notify_all()
        with self._work_cond:
            self._work_cond.notify_all()
        for thread in [*self._threads, self._dispatcher]:
            thread.join(timeout=70)


# --- Preparation ---------------------------------------------------------------------------


@dataclass
class Prepared:
    course: Course
    session: LiveSession
    instructor: User
    student_ids: list[int]
    session_keys: list[str]  # page sessions, in the order of student_ids
    instructor_key: str


def remove_created(session_keys: Iterable[str] = ()) -> None:
    """Everything the run creates (also a crashed run's leftovers), children first."""
    remove_class(slug=COURSE_SLUG, email_prefix=EMAIL_PREFIX)
    Session.objects.filter(session_key__in=list(session_keys)).delete()


def page_session(user: User) -> str:
    """A logged-in page session, as `django.contrib.auth.login` leaves it (signed with the
    current SECRET_KEY, which the server is given)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return str(store.session_key)


def prepare(opts: Options) -> Prepared:
    classroom = create_class(
        slug=COURSE_SLUG,
        title="Classe en direct : 500 étudiants",
        email_prefix=EMAIL_PREFIX,
        students=opts.students,
    )
    course, instructor, students = classroom.course, classroom.instructor, classroom.students
    now = timezone.now()
    keys = [page_session(u) for u in students]
    # A few seconds of slack: the load starts after the server is up.
    starts = now + timedelta(seconds=opts.waiting_seconds + 60)
    session = live_services.session_create(
        actor=instructor,
        course=course,
        title="Classe en direct de bench",
        scheduled_start_at=starts,
        scheduled_end_at=starts + timedelta(hours=2),
        max_participants=max(opts.students, 1),
    )
    return Prepared(
        course, session, instructor, [u.pk for u in students], keys, page_session(instructor)
    )


def reschedule(session: LiveSession, starts_in: float) -> None:
    """Move the start to `starts_in` seconds from now, as the instructor planned it (the
    waiting room's poll delay depends on it)."""
    starts = timezone.now() + timedelta(seconds=starts_in)
    LiveSession.objects.filter(pk=session.pk).update(
        scheduled_start_at=starts, scheduled_end_at=starts + timedelta(hours=2)
    )


# --- Queries per request kind, in-process ----------------------------------------------------


def _client(key: str) -> Client:
    client = Client(headers={"Host": "127.0.0.1"})
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    return client


def _count(client: Client, method: str, path: str, *, htmx: bool = False) -> tuple[int, int]:
    headers = HTMX if htmx else {}
    call = client.post if method == "POST" else client.get
    call(path, headers=headers)  # warm: templates, translations, the first call's session
    with CaptureQueriesContext(connection) as captured:
        response = call(path, headers=headers)
    return len(captured), response.status_code


HTMX = {"HX-Request": "true"}


def count_waiting_queries(prepared: Prepared) -> dict[str, tuple[int, int]]:
    session, course = prepared.session, prepared.course
    ids = {"slug": course.slug, "session_id": session.pk}
    client = _client(prepared.session_keys[0])
    return {
        WAITING_PAGE: _count(client, "GET", reverse("live:join", kwargs=ids)),
        WAITING_POLL: _count(client, "GET", reverse("live:waiting_status", kwargs=ids), htmx=True),
    }


def count_class_queries(prepared: Prepared) -> dict[str, tuple[int, int]]:
    """After the class (still live): each kind once more, on the final Q&A (the heaviest
    list of the run). The extra question and answer are deleted afterwards."""
    session, course = prepared.session, prepared.course
    ids = {"slug": course.slug, "session_id": session.pk}
    student = _client(prepared.session_keys[-1])
    owner = _client(prepared.instructor_key)
    questions = reverse("live:questions", kwargs=ids)
    found = {
        ROOM_PAGE: _count(student, "GET", reverse("live:join", kwargs=ids)),
        API_JOIN: _count(student, "POST", f"/api/live-sessions/{session.pk}/join"),
        HEARTBEAT: _count(student, "POST", f"/api/live-sessions/{session.pk}/heartbeat"),
        QA_POLL + " 200": _count(student, "GET", f"{questions}?part=list&v=stale", htmx=True),
    }
    listed = qa_list_poll(student.get(questions, headers=HTMX).content.decode())
    if listed:
        found[QA_POLL + " 204"] = _count(student, "GET", listed[0], htmx=True)
    found[INSTRUCTOR_POLL + " 200"] = _count(
        owner, "GET", f"{questions}?part=list&v=stale", htmx=True
    )
    listed = qa_list_poll(owner.get(questions, headers=HTMX).content.decode())
    if listed:
        found[INSTRUCTOR_POLL + " 204"] = _count(owner, "GET", listed[0], htmx=True)
    before = set(ChatMessage.objects.filter(session=session).values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as captured:
        response = student.post(questions, {"text": question_text(0, 0)}, headers=HTMX)
    found[QUESTION] = (len(captured), response.status_code)
    extra = ChatMessage.objects.filter(session=session, kind=ChatKind.QUESTION).exclude(
        pk__in=before
    )
    message = extra.first()
    if message is not None:
        path = reverse("live:question_answer", kwargs={**ids, "message_id": message.pk})
        with CaptureQueriesContext(connection) as captured:
            response = owner.post(path, {"text": answer_text(0)}, headers=HTMX)
        found[ANSWER] = (len(captured), response.status_code)
    ChatMessage.objects.filter(session=session).exclude(pk__in=before).delete()
    return found


# --- Database counters ---------------------------------------------------------------------


def db_counters() -> dict[str, int] | None:
    """PostgreSQL's counters for this database (None elsewhere). Autocommit statements
    each commit a transaction, so xact_commit is close to the statements run."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("select pg_stat_clear_snapshot()")
        cursor.execute(
            "select xact_commit, xact_rollback, tup_returned, tup_fetched, tup_inserted, "
            "tup_updated, tup_deleted from pg_stat_database where datname = current_database()"
        )
        row = cursor.fetchone() or (0,) * 7
        cursor.execute("select count(*) from pg_extension where extname = 'pg_stat_statements'")
        statements = None
        if (cursor.fetchone() or (0,))[0]:
            cursor.execute("select coalesce(sum(calls), 0) from pg_stat_statements")
            statements = int((cursor.fetchone() or (0,))[0])
    names = ("commits", "rollbacks", "returned", "fetched", "inserted", "updated", "deleted")
    found = dict(zip(names, (int(v) for v in row), strict=True))
    if statements is not None:
        found["statements"] = statements
    return found


def postmaster_pid() -> int | None:
    """The local PostgreSQL server's main process (the parent of our backend), or None
    when the database is not PostgreSQL on this machine."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("select pg_backend_pid()")
        backend = int((cursor.fetchone() or (0,))[0])
    try:
        stat = Path(f"/proc/{backend}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def database_cpu_seconds(pid: int | None) -> float | None:
    """CPU seconds of the PostgreSQL server: its main process with the backends it has
    reaped (cutime, cstime) and its live children (backends, writers)."""
    return None if pid is None else server_cpu_seconds(pid, reaped=True)


def point(clock: Clock, server: Server, postmaster: int | None = None) -> Point:
    return Point(
        clock.now(),
        server.cpu_seconds(),
        machine_busy_seconds(),
        own_cpu_seconds(),
        db_counters(),
        database_cpu_seconds(postmaster),
    )


# --- The browsers ------------------------------------------------------------------------

# What a request sent on a keep-alive connection the server has just closed fails with
# (gunicorn closes an idle connection after its keepalive, 2 s): EOF before the status
# line, a reset while reading, or a broken pipe while writing.
STALE_CONNECTION_ERRORS = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)


def browser_request(
    client: httpx.Client, method: str, url: str, **kwargs: Any
) -> tuple[httpx.Response | None, str, bool]:
    """Send a request as a browser does: (the response or None, its status or the
    transport error's name, whether it was sent twice).

    A request that fails with a transport error on a reused keep-alive connection before
    any response came back is sent once more, on the connection the pool gives next (it
    drops the idle ones the server has closed, so in practice a new one). Browsers do so
    for every method, POST included (Chromium's ShouldResendRequest: a reused socket, no
    response headers yet), since a server closing an idle connection has not read the
    request: so do we, and the report counts these retries. A failure on a new
    connection, after the response headers, or on the second attempt is the result."""
    result, events = _attempt(client, method, url, kwargs)
    retried = (
        isinstance(result, STALE_CONNECTION_ERRORS)
        and "connection.connect_tcp.started" not in events  # a reused connection
        and "http11.receive_response_headers.complete" not in events  # no response yet
    )
    if retried:
        result, _events = _attempt(client, method, url, kwargs)
    if isinstance(result, httpx.Response):
        return result, str(result.status_code), retried
    return None, type(result).__name__, retried


def _attempt(
    client: httpx.Client, method: str, url: str, kwargs: dict[str, Any]
) -> tuple[httpx.Response | httpx.HTTPError, list[str]]:
    """One try: the response or the error, and httpcore's trace events on the way."""
    events: list[str] = []

    def trace(name: str, _info: dict[str, Any]) -> None:
        events.append(name)

    try:
        return client.request(method, url, extensions={"trace": trace}, **kwargs), events
    except httpx.HTTPError as exc:
        return exc, events


class Run:
    """The shared state of one run: the clock, the samples, what the browsers saw."""

    def __init__(self, opts: Options, prepared: Prepared, server: Server) -> None:
        self.opts = opts
        self.prepared = prepared
        self.url = server.url
        self.clock = Clock(opts.client_threads)
        self.samples: list[Sample] = []
        self.rng = random.Random(opts.seed)
        self.rng_lock = threading.Lock()
        session, course = prepared.session, prepared.course
        ids = {"slug": course.slug, "session_id": session.pk}
        self.join_path = reverse("live:join", kwargs=ids)
        self.status_path = reverse("live:waiting_status", kwargs=ids)
        self.questions_path = reverse("live:questions", kwargs=ids)
        manage = {"course_id": course.pk, "session_id": session.pk}
        self.manage_path = reverse("live:session_manage", kwargs=manage)
        self.start_path = reverse("live:session_start", kwargs=manage)
        self.started_at: float | None = None  # when the instructor's start answered
        self.posted: dict[int, float] = {}  # question number -> when its POST answered
        self.seen: dict[int, float] = {}  # question number -> when the instructor saw it
        self.answered: dict[int, float] = {}  # question number -> when the answer was taken
        self.lock = threading.Lock()
        self.teacher: Browser | None = None
        self.to_answer: list[tuple[int, int]] = []  # (question number, message id)
        self.typing_until = 0.0  # 0: not typing

    def instructor_saw(self, page: str) -> None:
        """The instructor's list: note each new question; the unanswered ones are answered
        in the order seen, one at a time."""
        now = self.clock.now()
        for number, (message_id, answered) in sorted(panel_items(page).items()):
            with self.lock:
                if number in self.seen:
                    continue
                self.seen[number] = now
                if not answered:
                    self.to_answer.append((number, message_id))
        self.type_next()

    def type_next(self) -> None:
        """Start typing the next answer when not typing one already. While typing, focus
        is in the list: its polls wait (data-poll-pauses-while-editing)."""
        teacher = self.teacher
        with self.lock:
            if teacher is None or self.typing_until or not self.to_answer:
                return
            number, message_id = self.to_answer.pop(0)
            self.typing_until = self.clock.now() + self.uniform(*ANSWER_TYPING)
            when = self.typing_until
        self.clock.at(when, partial(teacher.answer, number=number, message_id=message_id))

    def typing(self) -> bool:
        with self.lock:
            return self.clock.now() < self.typing_until

    def uniform(self, low: float, high: float) -> float:
        with self.rng_lock:
            return self.rng.uniform(low, high)

    def jitter(self) -> float:
        return self.uniform(0, JITTER)

    def record(
        self, kind: str, due: float, sent: float, latency: float, status: str, retried: bool
    ) -> None:
        self.samples.append(Sample(kind, sent, latency, status, max(0.0, sent - due), retried))


class Browser:
    """One student's (or the instructor's) tab: cookies, the room's timers."""

    def __init__(self, run: Run, key: str, index: int, *, instructor: bool = False) -> None:
        self.run = run
        self.index = index
        self.instructor = instructor
        self.client = httpx.Client(
            base_url=run.url,
            timeout=60,
            verify=SHARED_TLS,  # one certificate store for all, not 500 loads
            limits=httpx.Limits(max_connections=4, max_keepalive_connections=2),
        )
        self.client.cookies.set(settings.SESSION_COOKIE_NAME, key, domain="127.0.0.1")
        # Static files in the browser's cache (hashed names, cached for a year): those of
        # every Campus page, from the course page the student came from.
        self.cached: set[str] = set()
        self.lock = threading.Lock()
        self.waiting_url = run.status_path
        self.waiting_period = settings.LIVE_WAITING_POLL_SECONDS
        self.list_url: str | None = None
        self.list_period = settings.LIVE_QA_POLL_SECONDS
        self.list_generation = 0
        self.answers: set[int] = set()  # answers the list shows now
        self.config: dict[str, Any] = {}

    # -- HTTP --
    def csrf(self) -> str:
        return str(self.client.cookies.get("csrftoken") or self.config.get("csrfToken", ""))

    def send(
        self,
        kind: str,
        due: float,
        method: str,
        path: str,
        *,
        htmx: bool = False,
        form: dict[str, str] | None = None,
        api: bool = False,
    ) -> httpx.Response | None:
        headers = {} if method == "GET" else {"Origin": self.run.url}
        if htmx:  # htmx: hx-headers of <body> carries the CSRF token, on every request
            headers.update(
                {
                    "HX-Request": "true",
                    "HX-Current-URL": self.run.url + self.run.join_path,
                    "X-CSRFToken": self.csrf(),
                }
            )
        if api:  # live/room.js: fetch with the session cookie and X-CSRFToken
            headers.update({"X-CSRFToken": self.csrf(), "Accept": "application/json"})
        if form is not None:
            form = {"csrfmiddlewaretoken": self.csrf(), **form}
        sent = self.run.clock.now()
        began = time.perf_counter()
        response, status, retried = browser_request(
            self.client, method, path, headers=headers, data=form
        )
        # A retried request's latency spans both attempts, as the student waits for both.
        self.run.record(kind, due, sent, time.perf_counter() - began, status, retried)
        return response

    # -- waiting room --
    def open_join_page(self, due: float) -> None:
        kind = ROOM_PAGE if self.run.started_at is not None else WAITING_PAGE
        if self.instructor:
            kind = INSTRUCTOR_ROOM
        response = self.send(kind, due, "GET", self.run.join_path)
        if response is None or response.status_code != 200:
            return
        page = response.text
        for path in static_files(page):  # stylesheets and scripts, once per browser
            if path not in self.cached and not path.startswith(CACHED_BEFORE):
                self.cached.add(path)
                self.send(STATIC, self.run.clock.now(), "GET", path)
        config = room_config(page)
        if config is None:  # still the waiting room
            poller = waiting_poll(page)
            if poller is not None:
                self.waiting_url, self.waiting_period = poller
                self.run.clock.at(
                    self.run.clock.now() + self.waiting_period + self.run.jitter(),
                    self.waiting_poll,
                )
            return
        self.config = config
        self.take_list(page)
        # room.js runs once the page is parsed (a deferred script): join at once.
        self.run.clock.at(self.run.clock.now() + self.run.uniform(0.05, 0.3), self.api_join)

    def waiting_poll(self, due: float) -> None:
        response = self.send(WAITING_POLL, due, "GET", self.waiting_url, htmx=True)
        now = self.run.clock.now()
        if response is not None and response.headers.get("HX-Refresh") == "true":
            self.run.clock.at(now + self.run.uniform(0.05, 0.3), self.open_join_page)
            return
        if response is not None and response.status_code == 286:
            return  # closed: htmx stops polling
        # A new fragment brings its poller; a 204 or an error leaves the old one (htmx).
        poller = waiting_poll(response.text) if response is not None else None
        if poller is not None:
            self.waiting_url, self.waiting_period = poller
        self.run.clock.at(now + self.waiting_period + self.run.jitter(), self.waiting_poll)

    # -- the room --
    def api_join(self, due: float) -> None:
        kind = API_JOIN + (" (instructor)" if self.instructor else "")
        response = self.send(kind, due, "POST", self.config["urls"]["join"], api=True)
        if response is None or response.status_code != 200:
            return  # room.js shows the error and a retry button
        conference = self.run.uniform(*CONFERENCE_LOAD)
        period = float(self.config["heartbeatSeconds"])
        first = self.run.clock.now() + conference + period
        self.run.clock.at(first, self.heartbeat)

    def heartbeat(self, due: float) -> None:
        kind = HEARTBEAT + (" (instructor)" if self.instructor else "")
        # setInterval: the next beat is due a period after this one was due.
        self.run.clock.at(due + float(self.config["heartbeatSeconds"]), self.heartbeat)
        response = self.send(kind, due, "POST", self.config["urls"]["heartbeat"], api=True)
        if response is not None and response.status_code == 409:
            self.send(API_JOIN + " (after a 409 heartbeat)", due, "POST",
                      self.config["urls"]["join"], api=True)  # fmt: skip

    def take_list(self, page: str) -> None:
        """A new list element (page, panel or poll answer): its URL, its timer anew."""
        listed = qa_list_poll(page)
        if listed is None:
            return
        with self.lock:
            self.list_url, self.list_period = listed
            self.list_generation += 1
            generation = self.list_generation
            self.answers = answers_shown(page)
        if self.instructor:
            self.run.instructor_saw(page)
        when = self.run.clock.now() + self.list_period + self.run.jitter()
        self.run.clock.at(when, partial(self.qa_poll, generation=generation))

    def qa_poll(self, due: float, generation: int) -> None:
        with self.lock:
            if generation != self.list_generation or self.list_url is None:
                return  # that element was replaced: its timer went with it
            url = self.list_url
        if self.instructor and self.run.typing():
            # Typing an answer in the list: htmx's trigger fires, the poll is cancelled.
            self.run.clock.at(due + self.list_period, partial(self.qa_poll, generation=generation))
            return
        kind = INSTRUCTOR_POLL if self.instructor else QA_POLL
        response = self.send(kind, due, "GET", url, htmx=True)
        if response is not None and response.status_code == 200:
            self.take_list(response.text)  # hx-swap outerHTML: a new element, a new timer
            return
        # 204 (nothing new), 304 or an error: htmx leaves the element and its timer alone.
        self.run.clock.at(due + self.list_period, partial(self.qa_poll, generation=generation))

    def ask(self, due: float, number: int) -> None:
        text = question_text(number, self.index)
        response = self.send(QUESTION, due, "POST", self.run.questions_path, htmx=True,
                             form={"text": text, "next": self.run.join_path})  # fmt: skip
        if response is not None and response.status_code == 200:
            with self.run.lock:
                self.run.posted[number] = self.run.clock.now()
            self.take_list(response.text)  # the refreshed panel replaces the old one

    def answer(self, due: float, number: int, message_id: int) -> None:
        path = reverse(
            "live:question_answer",
            kwargs={
                "slug": self.run.prepared.course.slug,
                "session_id": self.run.prepared.session.pk,
                "message_id": message_id,
            },
        )
        form = {"text": answer_text(number), "next": self.run.join_path}
        response = self.send(ANSWER, due, "POST", path, htmx=True, form=form)
        with self.run.lock:
            self.run.typing_until = 0.0
            if response is not None and response.status_code == 200:
                self.run.answered[number] = self.run.clock.now()
        if response is not None and response.status_code == 200:
            self.take_list(response.text)  # the refreshed panel (new questions are seen)
        self.run.type_next()

    # -- the instructor --
    def manage_page(self, due: float) -> None:
        self.send(INSTRUCTOR_PAGE, due, "GET", self.run.manage_path)

    def start(self, due: float) -> None:
        response = self.send(START, due, "POST", self.run.start_path, form={})
        if response is None or response.status_code != 302:
            log(f"the start failed: {response.status_code if response else 'no answer'}")
            return
        self.run.started_at = self.run.clock.now()
        self.run.clock.at(self.run.clock.now(), self.open_join_page)  # the redirect

    def close(self) -> None:
        self.client.close()


# --- The run --------------------------------------------------------------------------------


@dataclass
class Played:
    samples: list[Sample]
    points: list[Point]  # load start, class start, end of the burst, class end
    posted: dict[int, float]
    seen: dict[int, float]
    answered: dict[int, float]
    final_panel: dict[int, tuple[int, bool]]
    final_answers: list[set[int]]  # per student, after one more poll
    started_at: float | None
    lag_note: str = ""
    plan: list[tuple[float, int]] = field(default_factory=list)


def warm_up(run: Run, key: str, rounds: int) -> None:
    """Each worker has imported Django, compiled the waiting room's templates and opened
    its database connection before the measured load (a new connection per request, so
    the requests spread over the workers). Not recorded."""
    limits = httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(base_url=run.url, timeout=60, limits=limits) as client:
        client.cookies.set(settings.SESSION_COOKIE_NAME, key, domain="127.0.0.1")
        for _ in range(rounds):
            page = client.get(run.join_path).text
            client.get(run.status_path, headers={"HX-Request": "true"})
            for path in static_files(page):
                client.get(path)


def play(opts: Options, prepared: Prepared, server: Server) -> Played:
    run = Run(opts, prepared, server)
    clock = run.clock
    students = [Browser(run, key, i) for i, key in enumerate(prepared.session_keys)]
    teacher = Browser(run, prepared.instructor_key, -1, instructor=True)
    run.teacher = teacher
    plan = question_plan(opts.questions, opts.students, opts.class_seconds, run.rng)
    warm_up(run, prepared.session_keys[-1], opts.workers * opts.threads * 2)
    if connection.vendor == "postgresql":
        time.sleep(PG_STATS_FLUSH)  # the warm-up's counters reach pg_stat_database first
    reschedule(prepared.session, opts.waiting_seconds + 1)
    connections.close_all()
    postmaster = postmaster_pid()
    points: list[Point] = []
    clock.began = time.perf_counter()
    points.append(point(clock, server, postmaster))
    clock.start()
    for browser in students:
        clock.at(run.uniform(0, opts.arrival_seconds), browser.open_join_page)
    clock.at(run.uniform(0, opts.arrival_seconds), teacher.manage_page)
    clock.at(opts.waiting_seconds, teacher.start)
    try:
        deadline = opts.waiting_seconds + 30
        while run.started_at is None and clock.now() < deadline:
            time.sleep(0.2)
        if run.started_at is None:
            raise RuntimeError("the instructor could not start the session")
        class_start = run.started_at
        points.append(point(clock, server, postmaster))
        clock.stop_at = class_start + opts.class_seconds
        for number, (offset, student) in enumerate(plan, start=1):
            clock.at(class_start + offset, partial(students[student].ask, number=number))
        _sleep_until(clock, class_start + BURST_SECONDS)
        points.append(point(clock, server, postmaster))
        _sleep_until(clock, clock.stop_at)
        points.append(point(clock, server, postmaster))
        log("class over: waiting for the requests in flight")
        clock.close()
        # After the class: the instructor's panel, and each student's list polled once more.
        final, _status, _retried = browser_request(
            teacher.client,
            "GET",
            run.questions_path,
            headers={"HX-Request": "true", "X-CSRFToken": teacher.csrf()},
        )
        final_panel = panel_items(final.text) if final and final.status_code == 200 else {}
        final_answers = []
        for browser in students:
            if browser.list_url is not None:
                response, _status, _retried = browser_request(
                    browser.client, "GET", browser.list_url, headers={"HX-Request": "true"}
                )
                if response is not None and response.status_code == 200:
                    browser.answers = answers_shown(response.text)
            final_answers.append(set(browser.answers))
    finally:
        clock.close()
        for browser in [*students, teacher]:
            browser.close()
        connections.close_all()
    return Played(
        run.samples, points, run.posted, run.seen, run.answered, final_panel, final_answers,
        run.started_at, plan=plan,
    )  # fmt: skip


def _sleep_until(clock: Clock, when: float) -> None:
    while clock.now() < when:
        time.sleep(min(0.5, max(0.01, when - clock.now())))


# --- The report --------------------------------------------------------------------------------


def kinds_table(samples: list[Sample], queries: dict[str, tuple[int, int]]) -> list[str]:
    by_kind: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        by_kind[sample.kind].append(sample)
    lines = [
        "| request | count | statuses | p50 ms | p95 ms | p99 ms | max ms | queries/req | "
        "send lag p99 ms |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    order = [k for k in KINDS if k in by_kind] + sorted(set(by_kind) - set(KINDS))
    for kind in order:
        rows = by_kind[kind]
        groups: list[tuple[str, list[Sample]]] = [(kind, rows)]
        if kind in (QA_POLL, INSTRUCTOR_POLL):
            groups += [
                (f"{kind} → {status}", [s for s in rows if s.status == status])
                for status in sorted({s.status for s in rows})
            ]
        for name, group in groups:
            latencies = [s.latency for s in group]
            counted = query_count(queries, kind, name.rsplit(" ", 1)[-1])
            lines.append(
                f"| {name} | {len(group):,} | {counts(Counter(s.status for s in group))} | "
                f"{ms(latencies, 50)} | {ms(latencies, 95)} | {ms(latencies, 99)} | "
                f"{max(latencies) * 1000:,.0f} | {counted[0] if counted else '—'} | "
                f"{ms([s.lag for s in group], 99)} |"
            )
    return lines


def retried_line(samples: list[Sample]) -> str:
    """How many requests were sent twice (a stale keep-alive connection), by kind."""
    retried = [s for s in samples if s.retried]
    by_kind = counts(Counter(s.kind for s in retried))
    return (
        f"retried: {len(retried):,} of {len(samples):,} requests sent once more after a "
        f"transport error on a reused keep-alive connection, as browsers do ({by_kind}); "
        "their latency spans both attempts, their status is the second's"
    )


def query_count(
    queries: dict[str, tuple[int, int]], kind: str, status: str
) -> tuple[int, int] | None:
    """The in-process count for a kind (by answer status where counted apart; the
    instructor's join and heartbeats as the students')."""
    for key in (f"{kind} {status}", kind, kind.split(" (")[0]):
        if key in queries:
            return queries[key]
    return None


def estimated_queries(
    samples: Iterable[Sample], queries: dict[str, tuple[int, int]]
) -> tuple[int, int]:
    """Queries the requests ran, from the in-process counts: (counted, requests without a
    count)."""
    total = missing = 0
    for sample in samples:
        counted = query_count(queries, sample.kind, sample.status)
        if counted is None:
            missing += 1
        else:
            total += counted[0]
    return total, missing


def phases_table(played: Played, queries: dict[str, tuple[int, int]]) -> list[str]:
    names = ["waiting room", f"class: first {BURST_SECONDS:.0f} s (reloads, joins)",
             "class: the rest", "whole run"]  # fmt: skip
    points = played.points
    spans = [(points[i], points[i + 1]) for i in range(len(points) - 1)]
    if len(points) >= 2:
        spans.append((points[0], points[-1]))
    cpus = os.cpu_count() or 1
    header = [
        "| phase | seconds | requests | req/s | server CPU share | server CPU ms/req | "
        "PostgreSQL CPU share | browsers' CPU share | others' CPU share | "
        "DB queries/s (in-process counts) | DB commits/s (PostgreSQL) | "
        "rows read/s (PostgreSQL) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines = list(header)
    for name, (a, b) in zip(names, spans, strict=False):
        if b.at - a.at < 1:
            continue  # a class shorter than the burst: no "rest"
        seconds = b.at - a.at
        inside = [s for s in played.samples if a.at <= s.sent < b.at]
        server = b.server_cpu - a.server_cpu
        own = b.own - a.own
        database = None
        if a.db_cpu is not None and b.db_cpu is not None:
            database = b.db_cpu - a.db_cpu
        others = "—"
        if a.busy is not None and b.busy is not None:
            rest = (b.busy - a.busy) - own - server - (database or 0.0)
            others = f"{max(0.0, rest) / (seconds * cpus):.0%}"
        db_share = "—" if database is None else f"{database / (seconds * cpus):.0%}"
        estimated, missing = estimated_queries(inside, queries)
        estimate = f"{estimated / seconds:,.0f}" + (f" ({missing} uncounted)" if missing else "")
        commits = rows = "—"
        if a.db and b.db:
            commits = f"{(b.db['commits'] - a.db['commits']) / seconds:,.0f}"
            read = (b.db["returned"] - a.db["returned"]) + (b.db["fetched"] - a.db["fetched"])
            rows = f"{read / seconds:,.0f}"
            if "statements" in a.db and "statements" in b.db:
                commits += f" ({(b.db['statements'] - a.db['statements']) / seconds:,.0f} stmts/s)"
        lines.append(
            f"| {name} | {seconds:,.0f} | {len(inside):,} | {len(inside) / seconds:,.1f} | "
            f"{server / (seconds * cpus):.0%} | "
            f"{server * 1000 / len(inside) if inside else 0:,.1f} | "
            f"{db_share} | {own / (seconds * cpus):.0%} | {others} | {estimate} | {commits} | "
            f"{rows} |"
        )
    return lines


def qa_table(played: Played, opts: Options) -> tuple[list[str], dict[str, bool]]:
    asked = opts.questions
    session_questions = played.final_panel
    in_panel = {n for n in session_questions if 1 <= n <= asked}
    answered_in_panel = {n for n, (_id, done) in session_questions.items() if done}
    delays = [played.seen[n] - played.posted[n] for n in played.posted if n in played.seen]
    to_answer = [
        played.answered[n] - played.posted[n] for n in played.posted if n in played.answered
    ]
    wanted = set(range(1, asked + 1))
    complete = sum(1 for shown in played.final_answers if wanted <= shown)
    lines = [
        "| measure | value |",
        "|---|---:|",
        f"| questions planned / posted (200) | {asked} / {len(played.posted)} |",
        f"| seen by the instructor's polled list during the class | {len(played.seen)} |",
        f"| posted → on the instructor's list, p50 / p99 / max | {ms(delays, 50)} / "
        f"{ms(delays, 99)} / {max(delays, default=0) * 1000:,.0f} ms |",
        f"| answered (200) / posted → answered p50 | {len(played.answered)} / "
        f"{ms(to_answer, 50)} ms |",
        f"| instructor's panel at the end: questions / answered | {len(in_panel)} / "
        f"{len(answered_in_panel & wanted)} |",
        f"| students whose list shows every answer (after one more poll) | {complete:,} / "
        f"{len(played.final_answers):,} |",
    ]
    verdicts = {
        "every question reached the instructor's panel": in_panel == wanted
        and wanted <= set(played.seen),
        "every question answered": answered_in_panel >= wanted,
        "every student's list shows every answer": complete == len(played.final_answers),
    }
    return lines, verdicts


def header(opts: Options, server: Server, played: Played, watch_share: float | None) -> list[str]:
    db = connection.settings_dict
    unit = "threads" if opts.server == "gunicorn" else "blocking threads"
    noise = "unknown" if watch_share is None else f"{watch_share:.0%}"
    return [
        f"bench.live_class: size {opts.size} bench data + {opts.students:,} students in one "
        f"live class; {connection.vendor} ({db['NAME']}); {opts.server} {opts.workers} workers "
        f"x {opts.threads} {unit}, DEBUG off ({server.url})",
        f"timeline: arrivals over {opts.arrival_seconds:g} s, waiting room "
        f"{opts.waiting_seconds:g} s, "
        f"start (form), class {opts.class_seconds:g} s with {opts.questions} questions answered "
        f"by the instructor; timers: waiting poll as the server says, Q&A list "
        f"{settings.LIVE_QA_POLL_SECONDS} s, heartbeat {settings.LIVE_HEARTBEAT_SECONDS} s, "
        f"each + up to {JITTER * 1000:.0f} ms jitter",
        f"browsers: one httpx client (cookies) each, requests sent by {opts.client_threads} "
        f"threads on the same machine ({os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
        f"Django {django.get_version()}); processes other than this one and the server used "
        f"{noise} of the CPU (PostgreSQL included when local)",
        "send lag: how late a request left after its timer fired (the load generator's own "
        "saturation); queries/req: counted once per kind in-process (django.test.Client under "
        "CaptureQueriesContext; Q&A polls on the final list of "
        f"{opts.questions} questions and answers); CPU share: of the "
        "whole machine (all CPUs).",
    ]


def run(opts: Options) -> tuple[str, bool]:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    ensure_data(opts.size)
    # The pages name their static files through the manifest (DEBUG off), as deployed.
    call_command("collectstatic", interactive=False, verbosity=0)
    remove_created()
    key = secrets.token_urlsafe(64)
    settings.SECRET_KEY = key  # the page sessions made here are signed for the server
    watch = CpuWatch.start()
    prepared: Prepared | None = None
    sections: list[str] = []
    verdicts: dict[str, bool] = {}
    try:
        log(f"preparing {opts.students:,} students, their page sessions and the session")
        prepared = prepare(opts)
        queries = count_waiting_queries(prepared)
        queries[STATIC] = (0, 200)  # WhiteNoise answers before any view
        connections.close_all()
        with running_server(
            workers=opts.workers,
            threads=opts.threads,
            server=opts.server,
            secret_key=key,  # the page sessions made here are signed with it
            log_name=f"bench-live-class-{opts.server}.log",
        ) as server:
            log(f"live class: {opts.waiting_seconds:g} s waiting, then {opts.class_seconds:g} s")
            played = play(opts, prepared, server)
        prepared.session.refresh_from_db()
        queries.update(count_class_queries(prepared))
        sections.append("\n".join(header(opts, server, played, watch.others_share())))
        sections.append(
            "### Requests\n\n"
            + "\n".join([*kinds_table(played.samples, queries), "", retried_line(played.samples)])
        )
        sections.append("### Phases\n\n" + "\n".join(phases_table(played, queries)))
        lines, verdicts = qa_table(played, opts)
        sections.append("### Questions and answers\n\n" + "\n".join(lines))
        errors = [s for s in played.samples if is_server_error(s.status)]
        verdicts["no 5xx or transport error"] = not errors
        admitted = Participant.objects.filter(session=prepared.session, admitted_at__isnull=False)
        verdicts["every student joined"] = (
            admitted.exclude(user=prepared.instructor).count() == opts.students
        )
    finally:
        log("cleaning up")
        remove_created(
            [*prepared.session_keys, prepared.instructor_key] if prepared is not None else []
        )
    verdict = "; ".join(f"{name}: {'yes' if ok else 'NO'}" for name, ok in verdicts.items())
    sections.append(f"invariants: {verdict}")
    return "\n\n".join(sections), all(verdicts.values())
