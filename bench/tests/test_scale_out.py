"""`python -m bench.scale_out` (issue 17): its refusal, its email recorder, and the parts
that count (preparation, reminders, joins, clean-up) on a tiny in-process run. The
benchmark itself, with its servers and workers, is not a test."""

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.mail import send_mail

from bench import scale_out
from bench.scale_out_runner import (
    Answer,
    Drained,
    MailLog,
    Options,
    Storm,
    prepare,
    reminders_report,
    remove_created,
    storm_report,
)
from campus.accounts.models import ApiToken, Role, User
from campus.accounts.tokens import token_user
from campus.courses.models import Course, Enrollment
from campus.live import services as live_services
from campus.live.models import LiveSession, LiveSessionStatus, Participant
from campus.notifications import live_notices
from campus.notifications.models import Kind, Notification
from conftest import ApiClient, make_user

GOOD_ENV = {
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/campus_bench_scale",
    "CACHE_URL": "redis://127.0.0.1:6379/7",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/8",
}
TINY = Options(
    size="xs",
    students=6,
    capacity=2,
    concurrency=2,
    workers=1,
    threads=1,
    celery_concurrency=1,
    sweeps=2,
)


def test_a_scaled_out_environment_is_accepted() -> None:
    assert scale_out.problems(GOOD_ENV) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"DATABASE_URL": "sqlite:///var/campus.sqlite3"}, "PostgreSQL"),
        ({"DATABASE_URL": ""}, "PostgreSQL"),
        ({"CACHE_URL": ""}, "CACHE_URL must be a Redis URL"),
        ({"CELERY_BROKER_URL": "filesystem://"}, "CELERY_BROKER_URL must be a Redis URL"),
        ({"CELERY_BROKER_URL": GOOD_ENV["CACHE_URL"]}, "different Redis databases"),
    ],
)
def test_anything_else_is_refused(change: dict[str, str], expected: str) -> None:
    found = scale_out.problems({**GOOD_ENV, **change})
    assert len(found) == 1
    assert expected in found[0]


def test_main_refuses_clearly_before_touching_anything(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in GOOD_ENV:
        monkeypatch.delenv(name, raising=False)
    assert scale_out.main([]) == 2
    err = capsys.readouterr().err
    assert "bench.scale_out refuses to run" in err
    assert "DATABASE_URL" in err and "CACHE_URL" in err and "CELERY_BROKER_URL" in err


def test_the_recording_backend_records_each_message_once(
    settings: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "mail.jsonl"
    monkeypatch.setenv(scale_out.MAIL_LOG_ENV, str(path))
    monkeypatch.setenv(scale_out.WORKER_NAME_ENV, "a")
    settings.EMAIL_BACKEND = "bench.scale_out.RecordingEmailBackend"
    send_mail("Dans moins d'une heure : Séance", "corps", None, ["x@bench.campus.local"])
    send_mail("Autre", "corps", None, ["y@bench.campus.local"])
    lines = MailLog.read(path).lines
    assert [(line["worker"], line["to"], line["subject"]) for line in lines] == [
        ("a", ["x@bench.campus.local"], "Dans moins d'une heure : Séance"),
        ("a", ["y@bench.campus.local"], "Autre"),
    ]


@pytest.fixture
def prepared(db: Any) -> Any:
    make_user("instructor0000@bench.campus.local", Role.INSTRUCTOR)
    return prepare(TINY)


def _reminder_mail(prepared: Any, extra: int = 0) -> MailLog:
    """What the backend records when each student's reminder leaves (`extra` twice)."""
    rows = Notification.objects.filter(kind=Kind.SESSION_REMINDER_1H).select_related("user")
    lines = [{"worker": "a", "to": [r.user.email], "subject": r.title} for r in rows]
    return MailLog(lines + lines[:extra])


def test_prepare_makes_enrolled_students_with_tokens_and_a_due_session(prepared: Any) -> None:
    students = User.objects.filter(pk__in=prepared.student_ids)
    assert students.count() == TINY.students
    assert set(students.values_list("role", flat=True)) == {Role.STUDENT}
    assert Enrollment.objects.filter(course=prepared.course, is_active=True).count() == 6
    assert [token_user(raw).pk for raw in prepared.tokens] == prepared.student_ids  # type: ignore[union-attr]
    session = prepared.session
    assert session.status == LiveSessionStatus.SCHEDULED
    assert session.max_participants == TINY.capacity
    assert live_services.can_start_now(session, now=session.created_at)


def test_reminders_count_once_per_student_and_a_duplicate_is_caught(prepared: Any) -> None:
    assert live_notices.reminders_sweep() == TINY.students
    live_notices.reminders_sweep()  # a second worker's sweep adds nothing
    sweeps = [("a", TINY.students), ("b", TINY.students)]
    lines, ok = reminders_report(prepared, sweeps, _reminder_mail(prepared), Drained(1.0, 0))
    assert ok
    assert "| reminder rows in the outbox | 6 |" in lines
    _lines, ok = reminders_report(
        prepared, sweeps, _reminder_mail(prepared, extra=1), Drained(1.0, 0)
    )
    assert not ok  # one student emailed twice


def test_joins_are_counted_from_answers_and_rows(prepared: Any) -> None:
    prepared.session = live_services.session_start(
        actor=prepared.course.instructor, session=prepared.session
    )
    path = f"/api/live-sessions/{prepared.session.pk}/join"
    answers = []
    for i, token in enumerate(prepared.tokens):
        got = ApiClient(token).post(path)
        code = got.json_body.get("error", {}).get("code", "") if got.status_code >= 400 else ""
        answers.append(Answer(i % 2, 0.01, str(got.status_code), code))
    urls = ["http://127.0.0.1:1", "http://127.0.0.1:2"]
    lines, ok = storm_report(prepared, urls, Storm(answers, elapsed=1.0), TINY)
    assert ok
    assert "| status histogram | 200: 2, 409 session_full: 4 |" in lines
    assert Participant.objects.filter(session=prepared.session).count() == TINY.capacity
    answers[0] = Answer(0, 0.01, "502")
    _lines, ok = storm_report(prepared, urls, Storm(answers, elapsed=1.0), TINY)
    assert not ok  # a 5xx (and one admission fewer) breaks the invariants


def test_remove_created_leaves_only_the_bench_data(prepared: Any) -> None:
    live_notices.reminders_sweep()
    remove_created()
    assert not User.objects.filter(pk__in=prepared.student_ids).exists()
    assert not ApiToken.objects.exists()
    assert not Course.objects.filter(pk=prepared.course.pk).exists()
    assert not LiveSession.objects.exists()
    assert not Notification.objects.exists()
    assert User.objects.filter(email="instructor0000@bench.campus.local").exists()


def test_mail_log_keeps_the_students_lines_only() -> None:
    log = MailLog(
        [
            {"worker": "a", "to": ["s@bench.campus.local"], "subject": "Rappel  :  x"},
            {"worker": "b", "to": ["other@example.org"], "subject": "Rappel : x"},
        ]
    )
    assert len(log.to({"s@bench.campus.local"}, {"Rappel : x"})) == 1
    assert log.to({"s@bench.campus.local"}, {"Autre"}) == []
    assert json.dumps(log.lines)  # plain data, as read back from the file
