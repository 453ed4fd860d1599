"""Data cost: compressed pages (with Django's BREACH mitigation), the favicon, and the
run command's SITE_URL default (the real command is started in test_run_command.py)."""

import gzip
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from campus.core.serve import child_env, default_site_url

GZIP: dict[str, Any] = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


# --- Compressed pages --------------------------------------------------------------------


GZIP_MW = "campus.core.middleware.GZipMiddleware"
WHITENOISE_MW = "whitenoise.middleware.WhiteNoiseMiddleware"
BASE_DIR = Path(django_settings.BASE_DIR)


def _middleware(tmp_path: Path, debug: str) -> list[str]:
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}},
        "DEBUG": debug,
        "SECRET_KEY": secrets.token_urlsafe(60),
        "CAMPUS_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, campus.settings as s; print(json.dumps(s.MIDDLEWARE))",
        ],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return list(json.loads(result.stdout))


def test_production_gzips_after_whitenoise_and_before_everything_else(tmp_path: Path) -> None:
    middleware = _middleware(tmp_path, "0")
    # WhiteNoise answers static files itself (precompressed); every later middleware's
    # output (sessions, CSRF, messages, the API envelope) is compressed.
    # (CORS answers preflights first of all, with no body to compress.)
    assert middleware[:4] == [
        "corsheaders.middleware.CorsMiddleware",
        "django.middleware.security.SecurityMiddleware",
        WHITENOISE_MW,
        GZIP_MW,
    ]


def test_development_also_gzips_the_static_files_it_serves_from_source(tmp_path: Path) -> None:
    middleware = _middleware(tmp_path, "1")
    assert middleware.index(GZIP_MW) < middleware.index(WHITENOISE_MW)
    if middleware == django_settings.MIDDLEWARE:  # this run's settings are the DEBUG ones
        response = Client(**GZIP).get("/static/core/campus.css")
        assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
        body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
        css = gzip.decompress(body)
        assert b":root" in css


@pytest.mark.django_db
def test_pages_are_compressed_for_browsers_that_ask_and_only_for_them() -> None:
    plain = Client().get("/accounts/login/")
    assert plain.status_code == 200 and "Content-Encoding" not in plain
    assert "Accept-Encoding" in plain["Vary"]
    packed = Client(**GZIP).get("/accounts/login/")
    assert packed["Content-Encoding"] == "gzip"
    # The same page, but for what changes on every request (the CSRF token, the nonce).
    assert _per_request_values_blanked(gzip.decompress(packed.content)) == (
        _per_request_values_blanked(plain.content)
    )
    assert len(packed.content) < len(plain.content) / 2


def _csrf(html: bytes) -> bytes:
    start = html.index(b'name="csrfmiddlewaretoken" value="') + 34
    return html[start : html.index(b'"', start)]


def _per_request_values_blanked(html: bytes) -> bytes:
    html = html.replace(_csrf(html), b"csrf")  # in the form and in htmx's headers
    return re.sub(rb'nonce="[^"]*"', b'nonce=""', html)


@pytest.mark.django_db
def test_the_same_page_never_compresses_to_the_same_bytes() -> None:
    """BREACH needs a response whose size only depends on the guess; Django 4.2+ adds
    0-99 random bytes in the gzip header, and the CSRF token is masked anew each time."""
    sizes = {len(Client(**GZIP).get("/accounts/login/").content) for _ in range(12)}
    assert len(sizes) > 1
    client = Client(**GZIP)
    bodies = [gzip.decompress(client.get("/accounts/login/").content) for _ in range(2)]
    assert _csrf(bodies[0]) != _csrf(bodies[1])


@pytest.mark.django_db
def test_no_page_echoes_its_query_string(member: Any) -> None:
    """The language form's return path is the path only: a page with a secret (the
    calendar subscription link) cannot be made to reflect an attacker's guess."""
    client = Client()
    client.force_login(member)
    html = client.get("/dashboard/student/calendar/subscribe?guess=feed/AbCdEf").content
    assert b"AbCdEf" not in html


# --- Favicon -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_favicon_ico_is_never_a_404_and_pages_link_the_svg() -> None:
    response = Client().get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith("core/favicon.svg")
    assert "max-age=86400" in response["Cache-Control"]
    assert Client().head("/favicon.ico").status_code == 302
    assert Client().post("/favicon.ico").status_code == 405
    page = Client().get("/accounts/login/").content.decode()
    assert 'rel="icon"' in page and "core/favicon.svg" in page
    svg = Client().get(response["Location"])
    assert svg.status_code == 200
    body = b"".join(svg.streaming_content)  # type: ignore[attr-defined]
    assert body.startswith(b"<svg") and len(body) < 1024


# --- SITE_URL follows the run command ----------------------------------------------------


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("127.0.0.1", 8614, "http://127.0.0.1:8614"),
        ("localhost", 8000, "http://localhost:8000"),
        ("0.0.0.0", 9000, "http://127.0.0.1:9000"),  # noqa: S104 (all interfaces: loopback answers)
        ("::", 9000, "http://127.0.0.1:9000"),
        ("::1", 8080, "http://[::1]:8080"),
        ("campus.lan", 80, "http://campus.lan:80"),
    ],
)
def test_the_default_site_url_is_the_served_address(host: str, port: int, url: str) -> None:
    assert default_site_url(host, port) == url


def test_children_get_the_served_address_unless_site_url_is_set() -> None:
    assert child_env("127.0.0.1", 8614, {})["SITE_URL"] == "http://127.0.0.1:8614"
    assert child_env("127.0.0.1", 8614, {"SITE_URL": "  "})["SITE_URL"] == "http://127.0.0.1:8614"
    configured = {"SITE_URL": "https://campus.example.org", "DEBUG": "0"}
    env = child_env("0.0.0.0", 8000, configured)  # noqa: S104
    assert env == configured
