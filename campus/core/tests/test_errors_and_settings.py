"""The error envelope for every status, keyset pagination, production refusal, the
deployment checklist and the typed environment readers."""

import base64
import json
import os
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from campus.accounts.models import Role, User
from campus.core.errors import ValidationFailed
from campus.core.pagination import CursorQuery, decode_cursor, encode_cursor, keyset_paginate
from campus.courses.models import Course, CourseType
from campus.env import env_bool, env_int, env_list, env_str
from conftest import PASSWORD, ApiClient, assert_error

BASE_DIR = Path(django_settings.BASE_DIR)


# --- One envelope for every status -------------------------------------------------------


@pytest.mark.django_db
def test_every_error_status_is_the_envelope(
    api: Any, course: Course, draft_course: Course, member: User, outsider: User, settings: Any
) -> None:
    lesson = course.lessons.first()
    cases = [
        (api(member).get("/api/courses", {"limit": 0}), 400, "validation_error"),
        (api(member).request("POST", "/api/enrollments", raw="{"), 400, "malformed_body"),
        (api(None).get("/api/auth/me"), 401, "not_authenticated"),
        (ApiClient("nope").get("/api/courses"), 401, "invalid_token"),
        (api(outsider).get(f"/api/lessons/{lesson.pk}"), 403, "not_enrolled"),  # type: ignore[union-attr]
        (api(outsider).post("/api/courses", {"title": "T"}), 403, "forbidden"),
        (api(outsider).get(f"/api/courses/{draft_course.pk}"), 404, "course_not_found"),
        (api(member).post(f"/api/courses/{course.pk}/enroll"), 409, "already_enrolled"),
        (
            api(member).request(
                "POST", "/api/enrollments", raw=json.dumps({"pad": "x" * (2 << 20)})
            ),
            413,
            "payload_too_large",
        ),
    ]
    settings.LOGIN_FAILURE_LIMIT = 1
    anon = ApiClient()
    anon.post("/api/auth/login", {"email": outsider.email, "password": "wrong"})
    cases.append(
        (
            anon.post("/api/auth/login", {"email": outsider.email, "password": PASSWORD}),
            429,
            "rate_limited",
        )
    )
    for response, status, code in cases:
        assert_error(response, status, code)
        assert response["Content-Type"].startswith("application/json")


@pytest.mark.django_db
def test_an_unexpected_exception_is_a_500_envelope_without_traceback(
    api: Any, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    from campus.courses import selectors

    def explode(**kwargs: Any) -> Any:
        raise RuntimeError("secret internals: /srv/campus/db.sqlite3")

    monkeypatch.setattr(selectors, "catalogue", explode)

    response = api(None).get("/api/courses")

    body = assert_error(response, 500, "server_error")
    text = response.content.decode()
    assert "Traceback" not in text and "secret internals" not in text and "RuntimeError" not in text
    assert body["message"] == "Une erreur inattendue s'est produite. Réessayez."
    assert body["error"]["details"] is None
    # ...but the operator sees it in the logs.
    assert "secret internals" in caplog.text


@pytest.mark.django_db
def test_datetimes_are_utc_z_out(api: Any, owner: User) -> None:
    response = api(owner).post(
        "/api/courses", {"title": "T", "enrollment_deadline": "2031-06-01T08:30:00-04:00"}
    )
    assert response.json_body["data"]["enrollment_deadline"] == "2031-06-01T12:30:00Z"


# --- Keyset pagination -------------------------------------------------------------------


@pytest.fixture
def many_courses(db: Any) -> list[Course]:
    instructor = User.objects.create_user(email="k@example.test", role=Role.INSTRUCTOR)
    start = timezone.now()
    return Course.objects.bulk_create(
        Course(
            slug=f"c{n}",
            title=f"C{n}",
            instructor=instructor,
            # Ties on purpose: 5 rows share each timestamp, 2 types alternate.
            created_at=start + timedelta(minutes=n // 5),
            course_type=CourseType.LIVE if n % 2 else CourseType.ON_DEMAND,
        )
        for n in range(55)
    )


def _walk(order: list[str], limit: int = 20) -> tuple[list[int], int]:
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        page = keyset_paginate(
            Course.objects.all(), order=order, query=CursorQuery(cursor=cursor, limit=limit)
        )
        pages += 1
        assert len(page.items) <= limit
        seen += [c.pk for c in page.items]
        if page.next is None:
            return seen, pages
        assert len(page.items) == limit
        cursor = page.next
        assert pages < 10, "pagination does not end"


@pytest.mark.parametrize(
    "order",
    [
        ["id"],
        ["-id"],
        ["created_at", "id"],
        ["-created_at", "-id"],
        ["course_type", "-created_at", "id"],
    ],
)
def test_keyset_pages_through_55_rows_without_duplicates_or_gaps(
    many_courses: list[Course], order: list[str]
) -> None:
    expected = list(Course.objects.order_by(*order).values_list("pk", flat=True))

    seen, pages = _walk(order)

    assert seen == expected
    assert len(seen) == 55 and pages == 3


def test_keyset_exact_multiple_has_no_empty_last_page(many_courses: list[Course]) -> None:
    seen, pages = _walk(["id"], limit=55)
    assert len(seen) == 55 and pages == 1
    seen, pages = _walk(["id"], limit=11)
    assert len(seen) == 55 and pages == 5


def test_cursor_round_trip() -> None:
    values = [3, "live", "2026-01-01 10:00:00+00:00"]
    assert decode_cursor(encode_cursor(values), 3) == values


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "!!!not base64!!!",
        "é",
        _b64(b"not json"),
        _b64(b"\xff\xfe"),
        _b64(b'{"id": 3}'),
        _b64(b"[1, 2]"),
        _b64(b"[]"),
        _b64(b'["abc"]'),
        _b64(b"[null]"),
        _b64(b"[[1]]"),
        _b64(b'[{"a": 1}]'),
        _b64(b"[1e400]"),
        encode_cursor([10**30]),
    ],
)
def test_forged_cursor_is_invalid_cursor(many_courses: list[Course], cursor: str) -> None:
    with pytest.raises(ValidationFailed) as raised:
        keyset_paginate(
            Course.objects.all(), order=["id"], query=CursorQuery(cursor=cursor, limit=5)
        )
    assert raised.value.code == "invalid_cursor"
    assert raised.value.status == 400


@pytest.mark.parametrize("cursor", [_b64(b'["yesterday", 1]'), _b64(b"[1, 1]")])
def test_forged_cursor_on_a_datetime_key(many_courses: list[Course], cursor: str) -> None:
    with pytest.raises(ValidationFailed) as raised:
        keyset_paginate(
            Course.objects.all(),
            order=["-created_at", "-id"],
            query=CursorQuery(cursor=cursor, limit=5),
        )
    assert raised.value.code == "invalid_cursor"


# --- Production refusal and the deployment checklist -------------------------------------


def _run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECRET_KEY", "DEBUG", "SITE_URL", "ALLOWED_HOSTS", "DATABASE_URL"))
    }
    clean.update(CAMPUS_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="campus.settings", **env)
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = _run(["-c", "import campus.wsgi"], tmp_path, DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_a_short_secret_key(tmp_path: Path) -> None:
    result = _run(
        ["-c", "import campus.wsgi"], tmp_path, DEBUG="0", SECRET_KEY="short-but-not-default"
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be at least 50 characters" in result.stderr


def test_production_starts_with_a_strong_secret_key(tmp_path: Path) -> None:
    result = _run(
        ["-c", "import campus.wsgi; print('ready')"],
        tmp_path,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(60),
    )
    assert result.returncode == 0, result.stderr
    assert "ready" in result.stdout


def test_production_reads_the_secret_key_from_a_file(tmp_path: Path) -> None:
    key_file = tmp_path / "secret"
    key_file.write_text(secrets.token_urlsafe(60) + "\n")
    result = _run(["-c", "import campus.wsgi"], tmp_path, DEBUG="0", SECRET_KEY_FILE=str(key_file))
    assert result.returncode == 0, result.stderr


def test_debug_runs_with_the_development_key(tmp_path: Path) -> None:
    result = _run(["-c", "import campus.wsgi"], tmp_path, DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_management_commands_refuse_the_default_key_in_production(tmp_path: Path) -> None:
    result = _run(["manage.py", "check"], tmp_path, DEBUG="0")
    assert result.returncode != 0
    assert "campus.E001" in result.stderr and "SECRET_KEY" in result.stderr


def test_check_deploy_is_clean_for_an_https_production_setup(tmp_path: Path) -> None:
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(60),
        SITE_URL="https://campus.example.org",
        ALLOWED_HOSTS="campus.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


# --- Environment readers ------------------------------------------------------------------


def test_env_str(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CAMPUS_T", raising=False)
    monkeypatch.delenv("CAMPUS_T_FILE", raising=False)
    assert env_str("CAMPUS_T") == ""
    assert env_str("CAMPUS_T", "dflt") == "dflt"
    monkeypatch.setenv("CAMPUS_T", "value")
    assert env_str("CAMPUS_T", "dflt") == "value"
    secret = tmp_path / "t"
    secret.write_text("  from-file\n", encoding="utf-8")
    monkeypatch.setenv("CAMPUS_T_FILE", str(secret))
    assert env_str("CAMPUS_T") == "from-file"  # the file wins, trimmed
    monkeypatch.setenv("CAMPUS_T_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="CAMPUS_T_FILE"):
        env_str("CAMPUS_T")
    monkeypatch.setenv("CAMPUS_T_FILE", "")
    assert env_str("CAMPUS_T") == "value"
    for blank in ("", "   "):
        monkeypatch.setenv("CAMPUS_T", blank)
        assert env_str("CAMPUS_T", "dflt") == "dflt"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        ("Yes", True),
        (" ON ", True),
        ("0", False),
        ("false", False),
        ("No", False),
        ("off", False),
    ],
)
def test_env_bool(monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool) -> None:
    monkeypatch.setenv("CAMPUS_B", raw)
    assert env_bool("CAMPUS_B", not expected) is expected


@pytest.mark.parametrize("raw", ["2", "maybe", "tru", "yes please"])
def test_env_bool_refuses_anything_else(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("CAMPUS_B", raw)
    with pytest.raises(ImproperlyConfigured, match="CAMPUS_B"):
        env_bool("CAMPUS_B")


@pytest.mark.parametrize("blank", [None, "", "  "])
def test_env_bool_unset_or_blank_is_the_default(
    monkeypatch: pytest.MonkeyPatch, blank: str | None
) -> None:
    if blank is None:
        monkeypatch.delenv("CAMPUS_B", raising=False)
    else:
        monkeypatch.setenv("CAMPUS_B", blank)
    assert env_bool("CAMPUS_B") is False
    # e.g. SESSION_COOKIE_SECURE= must not turn secure cookies off on an https site.
    assert env_bool("CAMPUS_B", True) is True


def test_env_int(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CAMPUS_I", raising=False)
    assert env_int("CAMPUS_I", 7) == 7
    monkeypatch.setenv("CAMPUS_I", " ")
    assert env_int("CAMPUS_I", 7) == 7
    monkeypatch.setenv("CAMPUS_I", "42")
    assert env_int("CAMPUS_I", 7) == 42
    for bad in ("4.2", "forty", "0x10"):
        monkeypatch.setenv("CAMPUS_I", bad)
        with pytest.raises(ImproperlyConfigured, match="CAMPUS_I"):
            env_int("CAMPUS_I", 7)


def test_env_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CAMPUS_L", raising=False)
    assert env_list("CAMPUS_L", ["a"]) == ["a"]
    monkeypatch.setenv("CAMPUS_L", " a.example , ,b.example,")
    assert env_list("CAMPUS_L", []) == ["a.example", "b.example"]
    monkeypatch.setenv("CAMPUS_L", "")
    assert env_list("CAMPUS_L", ["a"]) == ["a"]
    monkeypatch.setenv("CAMPUS_L", " , ")
    assert env_list("CAMPUS_L", ["a"]) == []


def test_a_bad_boolean_stops_the_settings_from_loading(tmp_path: Path) -> None:
    result = _run(["-c", "import django; django.setup()"], tmp_path, DEBUG="perhaps")
    assert result.returncode != 0
    assert "DEBUG='perhaps' is not a boolean" in result.stderr


def test_blank_variables_fall_back_to_the_defaults(tmp_path: Path) -> None:
    """`.env` templates write `DATABASE_URL=`: that is the embedded SQLite, not a crash."""
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.TIME_ZONE, s.CELERY_BROKER_URL, s.DEBUG)"
    )
    result = _run(
        ["-c", code],
        tmp_path,
        DATABASE_URL="",
        TIME_ZONE="",
        CELERY_BROKER_URL="",
        DEBUG="1",
        ALLOWED_HOSTS="",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "Africa/Porto-Novo",
        "filesystem://localhost/",
        "True",
    ]


@pytest.mark.parametrize("url", ["", "filesystem://"])
def test_the_embedded_broker_names_its_host_so_kombu_does_not_warn(
    tmp_path: Path, url: str
) -> None:
    """kombu logs "No hostname was supplied" on every connection to a URL without a
    host: `make run` would print it. Both spellings of the embedded broker name one."""
    code = (
        "import logging, django; logging.basicConfig(); django.setup(); "
        "from django.conf import settings as s; from kombu import Connection; "
        "c = Connection(s.CELERY_BROKER_URL, "
        "transport_options=s.CELERY_BROKER_TRANSPORT_OPTIONS); c._info(); "
        "print(s.CELERY_BROKER_TRANSPORT_OPTIONS['data_folder_in'])"
    )
    result = _run(["-c", code], tmp_path, CELERY_BROKER_URL=url, DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert "hostname" not in result.stderr
    assert result.stdout.strip().endswith(os.path.join("broker", "queue"))


def test_unknown_api_path_is_an_enveloped_404(api, outsider):
    assert_error(api(outsider).get("/api/no-such-endpoint"), 404, "not_found")
    assert_error(api(None).get("/api/courses/1/nothing-here"), 404, "not_found")


def test_wrong_method_is_an_enveloped_405_with_allow(api, outsider):
    response = api(outsider).delete("/api/courses")
    body = assert_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]
    assert body["message"]
