"""The scale-out run behind `python -m bench.scale_out` (Django is set up): prepare,
start two servers and two workers, send reminders and the join storm, count, clean up."""

import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import django
import httpx
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.db.models import Count, Max
from django.utils import timezone

from bench.classroom import create_class, remove_class
from bench.data import COURSE_SLUG_PREFIX
from bench.report import percentile
from bench.runner import ensure_data, log
from bench.scale_out import MAIL_LOG_ENV, WORKER_NAME_ENV
from bench.server import running_server, server_env, stop
from campus.accounts.models import User
from campus.accounts.tokens import token_issue
from campus.celery import app as celery_app
from campus.courses.models import Course
from campus.live import selectors as live_selectors
from campus.live import services as live_services
from campus.live.models import AttendanceInterval, LiveSession, Participant
from campus.notifications import tasks as notification_tasks
from campus.notifications.models import EmailState, Kind, Notification

EMAIL_PREFIX = "scaleout"  # the run's students: scaleout00000@bench.campus.local, ...
COURSE_SLUG = f"{COURSE_SLUG_PREFIX}scale-out"
STARTS_IN = timedelta(minutes=20)  # the 1 h reminder is due; the session may start now
WORKER_NAMES = ("a", "b")
DRAIN_TIMEOUT = 600.0  # seconds for the workers to empty the outbox
STALL = 5.0  # seconds without a delivery while emails are due


@dataclass(frozen=True)
class Options:
    size: str
    students: int
    capacity: int
    concurrency: int
    workers: int
    threads: int
    celery_concurrency: int
    sweeps: int


@dataclass
class Prepared:
    course: Course
    session: LiveSession
    student_ids: list[int]
    tokens: list[str]  # in the order of student_ids


@dataclass
class Answer:
    server: int  # index of the server that answered
    latency: float  # seconds
    status: str  # HTTP status, or the client error's name
    code: str = ""  # the error envelope's code


@dataclass
class Storm:
    answers: list[Answer] = field(default_factory=list)
    elapsed: float = 0.0


# --- Preparation ----------------------------------------------------------------------


def remove_created() -> None:
    """Everything the run creates (also a crashed run's leftovers), children first."""
    remove_class(slug=COURSE_SLUG, email_prefix=EMAIL_PREFIX)


def prepare(opts: Options) -> Prepared:
    classroom = create_class(
        slug=COURSE_SLUG,
        title="Montée en charge : deux serveurs, deux workers",
        email_prefix=EMAIL_PREFIX,
        students=opts.students,
    )
    course, instructor = classroom.course, classroom.instructor
    now = timezone.now()
    student_ids = [u.pk for u in classroom.students]
    tokens = [token_issue(user=User(pk=u))[0] for u in student_ids]
    session = live_services.session_create(
        actor=instructor,
        course=course,
        title="Classe en direct de bench",
        scheduled_start_at=now + STARTS_IN,
        scheduled_end_at=now + STARTS_IN + timedelta(hours=2),
        max_participants=opts.capacity,
    )
    return Prepared(course, session, student_ids, tokens)


# --- Processes ------------------------------------------------------------------------


def _var(name: str) -> Path:
    path = Path(settings.VAR_DIR) / name
    path.write_text("")
    return path


def _popen(command: list[str], env: dict[str, str], log_file: Path) -> subprocess.Popen[bytes]:
    with log_file.open("ab") as output:
        return subprocess.Popen(
            command, env=env, cwd=settings.BASE_DIR, stdout=output, stderr=output
        )


@contextmanager
def started(process: subprocess.Popen[bytes]) -> Iterator[subprocess.Popen[bytes]]:
    try:
        yield process
    finally:
        stop(process)


def start_servers(stack: ExitStack, opts: Options) -> list[str]:
    """Two gunicorns, each its own master on its own port, as on two machines."""
    return [
        stack.enter_context(
            running_server(
                workers=opts.workers,
                threads=opts.threads,
                log_name=f"bench-scale-out-web-{name}.log",
            )
        ).url
        for name in WORKER_NAMES
    ]


def _queue(name: str) -> str:
    return f"scale-out-{name}"


def start_workers(stack: ExitStack, opts: Options, mail_log: Path) -> None:
    """Two Celery workers: each takes the default queue (deliveries queued by the app)
    and a queue of its own, so the bench can hand a sweep to each one."""
    processes = []
    for name in WORKER_NAMES:
        log_file = _var(f"bench-scale-out-worker-{name}.log")
        env = {
            **server_env(),
            "EMAIL_BACKEND": "bench.scale_out.RecordingEmailBackend",
            MAIL_LOG_ENV: str(mail_log),
            WORKER_NAME_ENV: name,
        }
        command = [
            sys.executable, "-m", "celery", "-A", "campus", "worker",
            "--hostname", f"{_queue(name)}@%h",
            "--queues", f"celery,{_queue(name)}",
            "--concurrency", str(opts.celery_concurrency),
            "--loglevel", "INFO",
        ]  # fmt: skip
        processes.append((stack.enter_context(started(_popen(command, env, log_file))), log_file))
    deadline = time.monotonic() + 60
    wanted = {f"{_queue(name)}@" for name in WORKER_NAMES}
    while time.monotonic() < deadline:
        for process, log_file in processes:
            if process.poll() is not None:
                raise RuntimeError(f"a worker exited:\n{log_file.read_text()[-3000:]}")
        replies = celery_app.control.ping(timeout=1.0) or []
        seen = {host.split("@")[0] + "@" for reply in replies for host in reply}
        if wanted <= seen:
            return
    raise RuntimeError("the Celery workers did not answer within 60s")


# --- Reminders ------------------------------------------------------------------------


def _pending(student_ids: list[int]) -> int:
    return Notification.objects.filter(
        user_id__in=student_ids, email_state=EmailState.PENDING
    ).count()


@dataclass
class Drained:
    seconds: float
    kicks: int  # deliveries the bench re-sent because the outbox had stopped moving


def _deliver_on_both() -> None:
    for name in WORKER_NAMES:
        notification_tasks.deliver_emails.apply_async(queue=_queue(name))


def drain(student_ids: list[int], timeout: float = DRAIN_TIMEOUT) -> Drained:
    """Wait until the workers emptied the students' outbox. When it stops moving for
    STALL seconds while emails are still due, send a delivery to each worker, as beat's
    next tick (every minute) would: counted, since it should not be needed."""
    started_at = time.perf_counter()
    kicks = 0
    last, moved_at = _pending(student_ids), time.perf_counter()
    while last:
        now = time.perf_counter()
        if now - started_at > timeout:
            raise RuntimeError(f"the outbox still holds {last} emails after {timeout:.0f}s")
        if now - moved_at > STALL:
            log(f"the outbox stopped moving with {last:,} emails due: delivery sent again")
            _deliver_on_both()
            kicks += 1
            moved_at = now
        time.sleep(0.5)
        pending = _pending(student_ids)
        if pending != last:
            last, moved_at = pending, time.perf_counter()
    return Drained(time.perf_counter() - started_at, kicks)


def sweep_on_both(opts: Options) -> list[tuple[str, int]]:
    """The reminder sweep, `opts.sweeps` times on each worker, all sent at once, then a
    delivery run on each: (worker, rows the sweep attempted) per sweep."""
    sent = [
        (
            name,
            notification_tasks.send_reminders.apply_async(queue=_queue(name), ignore_result=False),
        )
        for _ in range(opts.sweeps)
        for name in WORKER_NAMES
    ]
    _deliver_on_both()
    counts = [(name, int(result.get(timeout=300))) for name, result in sent]
    for _name, result in sent:
        result.forget()  # the result keys would stay in Redis for a day
    return counts


@dataclass
class MailLog:
    lines: list[dict[str, Any]]

    @classmethod
    def read(cls, path: Path) -> "MailLog":
        return cls([json.loads(line) for line in path.read_text().splitlines() if line])

    def to(self, emails: set[str], subjects: set[str] | None = None) -> list[dict[str, Any]]:
        return [
            line
            for line in self.lines
            if line["to"]
            and line["to"][0] in emails
            and (subjects is None or " ".join(line["subject"].split()) in subjects)
        ]


def reminders_report(
    prepared: Prepared, sweeps: list[tuple[str, int]], mail: MailLog, drained: Drained
) -> tuple[list[str], bool]:
    session = prepared.session
    rows = Notification.objects.filter(
        subject_type="live_session", subject_id=session.pk, kind=Kind.SESSION_REMINDER_1H
    )
    per_user = rows.values("user_id").annotate(n=Count("pk"))
    most = per_user.aggregate(most=Max("n"))["most"] or 0
    states = Counter(rows.values_list("email_state", flat=True))
    attempts = Counter(rows.values_list("email_attempts", flat=True))
    titles = {" ".join(t.split()) for t in rows.values_list("title", flat=True).distinct()}
    emails = set(User.objects.filter(pk__in=prepared.student_ids).values_list("email", flat=True))
    sent = mail.to(emails, titles)
    per_recipient = Counter(line["to"][0] for line in sent)
    by_worker = Counter(line["worker"] for line in sent)
    students = len(prepared.student_ids)
    ok = (
        rows.count() == students
        and per_user.count() == students
        and most == 1
        and len(sent) == students
        and len(per_recipient) == students
        and max(per_recipient.values(), default=0) == 1
    )
    sweep_text = ", ".join(f"{name}: {n:,}" for name, n in sweeps)
    lines = [
        "### Reminders (1 h before), sweep sent to both workers at once",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| students enrolled | {students:,} |",
        f"| sweeps run (worker: rows attempted) | {len(sweeps)} ({sweep_text}) |",
        f"| reminder rows in the outbox | {rows.count():,} |",
        f"| students with a reminder row | {per_user.count():,} |",
        f"| most reminder rows for one student | {most} |",
        f"| reminder rows by email state | {_counts(states)} |",
        f"| reminder rows by email attempts | {_counts(attempts)} |",
        f"| reminder emails sent (recorded by the backend) | {len(sent):,} |",
        f"| students emailed a reminder | {len(per_recipient):,} |",
        f"| most reminder emails to one student | {max(per_recipient.values(), default=0)} |",
        f"| reminder emails sent by worker | {_counts(by_worker)} |",
        f"| outbox drained in | {drained.seconds:.1f} s |",
        f"| deliveries re-sent because the outbox stalled | {drained.kicks} |",
    ]
    return lines, ok


# --- The join storm -------------------------------------------------------------------


def _client_loop(
    urls: list[str], calls: list[tuple[int, str, str]], start: threading.Barrier, out: Storm
) -> None:
    clients = [httpx.Client(base_url=url, timeout=60) for url in urls]
    answers = []
    try:
        start.wait()
        for server, path, token in calls:
            began = time.perf_counter()
            code = ""
            try:
                response = clients[server].post(path, headers={"Authorization": f"Bearer {token}"})
                status = str(response.status_code)
                if response.status_code >= 400:
                    code = _error_code(response)
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            answers.append(Answer(server, time.perf_counter() - began, status, code))
    finally:
        for client in clients:
            client.close()
        out.answers += answers  # one list.extend per thread, under the GIL


def _error_code(response: httpx.Response) -> str:
    try:
        return str(response.json().get("error", {}).get("code", ""))
    except ValueError:
        return ""


def warm_up(urls: list[str], tokens: list[str]) -> None:
    """A few pings per server: each gunicorn worker has imported Django before the storm."""
    for url in urls:
        with httpx.Client(base_url=url, timeout=30) as client:
            for token in tokens[:20]:
                client.get("/api/ping", headers={"Authorization": f"Bearer {token}"})


def storm(urls: list[str], prepared: Prepared, concurrency: int) -> Storm:
    """Every student joins once; student i goes to server i % 2. Client threads start
    together (a barrier) and each sends its next join as soon as the last one answered."""
    path = f"/api/live-sessions/{prepared.session.pk}/join"
    calls = [(i % len(urls), path, token) for i, token in enumerate(prepared.tokens)]
    result = Storm()
    start = threading.Barrier(concurrency + 1)
    threads = [
        threading.Thread(target=_client_loop, args=(urls, calls[i::concurrency], start, result))
        for i in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    result.elapsed = time.perf_counter() - began
    return result


def _counts(counter: Counter[Any]) -> str:
    return ", ".join(f"{key}: {n:,}" for key, n in sorted(counter.items(), key=str)) or "none"


def _ms(values: list[float], q: float) -> str:
    return f"{percentile(sorted(values), q) * 1000:.0f}"


def storm_report(
    prepared: Prepared, urls: list[str], result: Storm, opts: Options
) -> tuple[list[str], bool]:
    session = prepared.session
    answers = result.answers
    admitted_answers = sum(1 for a in answers if a.status == "200")
    admitted_rows = live_selectors.admitted_students(session=session).count()
    participants = Participant.objects.filter(session=session)
    distinct = participants.values("user_id").distinct().count()
    intervals = AttendanceInterval.objects.filter(participant__session=session).count()
    histogram = Counter(f"{a.status} {a.code}".strip() for a in answers)
    server_errors = sum(1 for a in answers if not a.status.isdigit() or a.status.startswith("5"))
    expected = min(opts.capacity, len(prepared.tokens))
    ok = (
        admitted_answers == expected
        and admitted_rows == expected
        and distinct == participants.count()
        and server_errors == 0
        and set(histogram) <= {"200", "409 session_full"}
    )
    lines = [
        f"### Join storm: {len(answers):,} joins, capacity {opts.capacity}, two servers",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| admitted (200 answers) | {admitted_answers:,} |",
        f"| admitted (participant rows, database) | {admitted_rows:,} |",
        f"| participant rows / distinct students | {participants.count():,} / {distinct:,} |",
        f"| attendance intervals opened | {intervals:,} |",
        f"| status histogram | {_counts(histogram)} |",
        f"| 5xx or transport errors | {server_errors} |",
        f"| elapsed | {result.elapsed:.2f} s ({len(answers) / result.elapsed:,.0f} joins/s) |",
        f"| latency p50 / p95 / p99 / max | {_ms([a.latency for a in answers], 50)} / "
        f"{_ms([a.latency for a in answers], 95)} / {_ms([a.latency for a in answers], 99)} / "
        f"{max(a.latency for a in answers) * 1000:.0f} ms |",
    ]
    for index, url in enumerate(urls):
        mine = [a for a in answers if a.server == index]
        lines.append(
            f"| server {WORKER_NAMES[index]} ({url}): joins, admitted, p50 / p99 | "
            f"{len(mine):,}, {sum(1 for a in mine if a.status == '200'):,}, "
            f"{_ms([a.latency for a in mine], 50)} / {_ms([a.latency for a in mine], 99)} ms |"
        )
    return lines, ok


def outbox_report(prepared: Prepared, mail: MailLog, drained: Drained) -> tuple[list[str], bool]:
    """Every email the workers sent against the outbox rows marked sent: each row once."""
    rows = Notification.objects.filter(user_id__in=prepared.student_ids)
    states = Counter(rows.values_list("email_state", flat=True))
    kinds = Counter(rows.values_list("kind", flat=True))
    emails = set(User.objects.filter(pk__in=prepared.student_ids).values_list("email", flat=True))
    sent = mail.to(emails)
    pairs = Counter((line["to"][0], " ".join(line["subject"].split())) for line in sent)
    twice = sum(1 for n in pairs.values() if n > 1)
    by_worker = Counter(line["worker"] for line in sent)
    ok = len(sent) == states.get(EmailState.SENT, 0) and twice == 0
    lines = [
        "### Every email to the students during the run (scheduled, reminder, started)",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| notification rows by kind | {_counts(kinds)} |",
        f"| rows by email state | {_counts(states)} |",
        f"| emails sent (backend) | {len(sent):,} |",
        f"| emails sent by worker | {_counts(by_worker)} |",
        f"| (recipient, subject) pairs sent more than once | {twice} |",
        f"| after the storm, outbox drained in | {drained.seconds:.1f} s |",
        f"| deliveries re-sent because the outbox stalled | {drained.kicks} |",
    ]
    return lines, ok


# --- The run --------------------------------------------------------------------------


def header(opts: Options, urls: list[str]) -> list[str]:
    db = connection.settings_dict
    return [
        f"bench.scale_out: size {opts.size} bench data + {opts.students:,} students in one "
        f"course, one live session of capacity {opts.capacity}; {connection.vendor} "
        f"({db['NAME']}), cache {settings.CACHE_URL}, broker {settings.CELERY_BROKER_URL}",
        f"web: 2 gunicorn servers (separate masters, ports "
        f"{', '.join(u.rsplit(':', 1)[1] for u in urls)}), each {opts.workers} workers x "
        f"{opts.threads} threads, DEBUG off; Celery: 2 workers (prefork, "
        f"{opts.celery_concurrency} processes each), no beat (the sweep is sent to each)",
        f"load: {opts.concurrency} client threads with httpx on the same machine, student i "
        f"to server i % 2; machine: {os.cpu_count()} CPUs, Python "
        f"{sys.version.split()[0]}, Django {django.get_version()}",
    ]


def run(opts: Options) -> tuple[str, bool]:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if connection.vendor != "postgresql":
        raise SystemExit("bench.scale_out needs PostgreSQL (DATABASE_URL)")
    call_command("migrate", verbosity=0, interactive=False)
    remove_created()  # a crashed run's leftovers would skew the bench data's counts
    ensure_data(opts.size)
    mail_log = _var("bench-scale-out-mail.jsonl")
    sections: list[str] = []
    verdicts: list[tuple[str, bool]] = []
    try:
        log(f"preparing {opts.students:,} students, their tokens and the session")
        prepared = prepare(opts)
        connections.close_all()
        with ExitStack() as stack:
            log("starting 2 web servers and 2 Celery workers")
            urls = start_servers(stack, opts)
            start_workers(stack, opts, mail_log)
            sections.append("\n".join(header(opts, urls)))

            log("reminders: the sweep on both workers at once")
            sweeps = sweep_on_both(opts)
            drained = drain(prepared.student_ids)
            lines, ok = reminders_report(prepared, sweeps, MailLog.read(mail_log), drained)
            kicks = drained.kicks
            sections.append("\n".join(lines))
            verdicts.append(("each student reminded once", ok))

            session = live_services.session_start(
                actor=prepared.course.instructor, session=prepared.session
            )
            prepared.session = session
            warm_up(urls, prepared.tokens)
            connections.close_all()
            log(f"join storm: {len(prepared.tokens):,} joins over 2 servers")
            result = storm(urls, prepared, opts.concurrency)
            lines, ok = storm_report(prepared, urls, result, opts)
            sections.append("\n".join(lines))
            verdicts.append((f"exactly {opts.capacity} admitted, no 5xx", ok))

            drained = drain(prepared.student_ids)
            lines, ok = outbox_report(prepared, MailLog.read(mail_log), drained)
            sections.append("\n".join(lines))
            verdicts.append(("every email sent once", ok))
            verdicts.append(("outbox drained by the workers alone", kicks + drained.kicks == 0))
    finally:
        log("cleaning up")
        remove_created()
        mail_log.unlink(missing_ok=True)
    verdict = "; ".join(f"{name}: {'yes' if ok else 'NO'}" for name, ok in verdicts)
    sections.append(f"invariants: {verdict}")
    return "\n\n".join(sections), all(ok for _name, ok in verdicts)
