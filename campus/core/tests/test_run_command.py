"""The run command on a port that is not the default: with SITE_URL unset, every absolute
link follows the served address, from the web (calendar feed, certificate share link and
the PDF's QR code) and from the worker (an email).

It does what `make run PORT=<p>` does, in a temporary CAMPUS_VAR_DIR: migrate, cache table,
demo, then `python -m campus.core.serve`; it talks to it over HTTP like a browser, and
stops everything at the end. About a minute on the shared machine, so it runs with the
real-worker tests (`make test-worker`, CI's worker step).
"""

import contextlib
import http.cookiejar
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.worker

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
DEMO_PASSWORD = "campus-demo"  # README
START_TIMEOUT = 90
STEP_TIMEOUT = 180


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Running:
    base: str
    port: int
    var_dir: Path
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _env(var_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        # The embedded defaults, whatever the developer's shell exports.
        if k not in {"SITE_URL", "DATABASE_URL", "CACHE_URL", "CELERY_BROKER_URL"}
        and not k.startswith(("EMAIL_", "CELERY_", "DJANGO_"))
    }
    env.update(DEBUG="1", CAMPUS_VAR_DIR=str(var_dir), PYTHONUNBUFFERED="1")
    return env


def _campus(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [str(BIN / "campus"), *args],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=STEP_TIMEOUT,
        stdout=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    var_dir = tmp_path_factory.mktemp("run-var")
    env = _env(var_dir)
    # migrate is all a deployment needs: it also makes the database cache's table.
    _campus(env, "migrate", "--noinput")
    _campus(env, "demo", "--if-empty")
    port = _free_port()
    log = var_dir / "serve.log"
    with log.open("wb") as out:
        serve = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "campus.core.serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--web-workers",
                "1",
            ],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: nothing outlives the test
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert serve.poll() is None, log.read_text(errors="replace")
            try:
                if _http_get(f"{base}/accounts/login/", timeout=5)[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            assert time.monotonic() < deadline, "the server did not answer in time"
            time.sleep(0.5)
        yield Running(base=base, port=port, var_dir=var_dir, log=log)
    finally:
        clean = _stop(serve)
    assert clean, "the run command left processes behind:\n" + log.read_text(errors="replace")


def _alive_in_group(pgid: int) -> list[str]:
    """Processes of a process group still running (zombies are dead already: reaping
    an orphan is init's business)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name_end = text.rindex(")")
        state, _ppid, group = text[name_end + 2 :].split()[:3]
        if int(group) == pgid and state != "Z":
            alive.append(text[: name_end + 1])
    return alive


def _stop(serve: subprocess.Popen[bytes]) -> bool:
    """SIGTERM, as a process supervisor stops it: serve stops gunicorn and the worker and
    exits. True when it exited cleanly and left nothing running; leftovers are killed."""
    serve.send_signal(signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        serve.wait(timeout=40)
    deadline = time.monotonic() + 10
    while _alive_in_group(serve.pid) and time.monotonic() < deadline:
        time.sleep(0.5)
    left = _alive_in_group(serve.pid)
    if left:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(serve.pid, signal.SIGKILL)
    serve.wait(timeout=10)
    return serve.returncode == 0 and not left


def _http_get(url: str, timeout: float = 30) -> tuple[int, bytes]:
    assert url.startswith("http://127.0.0.1:"), url  # only ever the server under test
    with urllib.request.urlopen(url, timeout=timeout) as answer:  # noqa: S310
        return int(answer.status), bytes(answer.read())


class Browser:
    """Cookies, CSRF and forms over plain HTTP, enough to log in and post a form."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> bytes:
        with self.opener.open(self.base + path, timeout=30) as answer:
            return bytes(answer.read())

    def post_form(self, path: str, fields: dict[str, str]) -> str:
        page = self.get(path).decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, page[:500]
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), **fields}).encode()
        request = urllib.request.Request(  # noqa: S310 (self.base is the server under test)
            self.base + path, data=data, headers={"Referer": self.base + path}
        )
        with self.opener.open(request, timeout=30) as answer:
            return str(answer.url)

    def login(self, email: str) -> None:
        landed = self.post_form("/accounts/login/", {"email": email, "password": DEMO_PASSWORD})
        assert "/accounts/login" not in landed, f"login failed for {email}"


def _db(running: Running) -> sqlite3.Connection:
    return sqlite3.connect(running.var_dir / "campus.sqlite3")


def _eventually(check: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.5)


def test_the_calendar_feed_follows_the_served_port(running: Running) -> None:
    with _db(running) as db:
        (email,) = db.execute(
            "SELECT u.email FROM accounts_user u JOIN courses_enrollment e ON e.user_id = u.id "
            "WHERE u.role = 'student' ORDER BY u.id LIMIT 1"
        ).fetchone()
    browser = Browser(running.base)
    browser.login(email)
    page = browser.get("/dashboard/student/calendar/subscribe").decode()
    feed = re.search(r'id="feed-url"[^>]*value="([^"]+)"', page)
    assert feed, page[:1000]
    assert feed.group(1).startswith(f"{running.base}/calendar/feed/")
    assert f"webcal://127.0.0.1:{running.port}/calendar/feed/" in page
    assert ":8000" not in page
    # The feed itself answers at that address (and its events link back to it).
    ics = _http_get(feed.group(1))[1].decode()
    assert "BEGIN:VCALENDAR" in ics
    assert f"127.0.0.1:{running.port}" in ics.replace("\r\n ", "")


def test_the_certificate_link_and_its_qr_code_follow_the_served_port(running: Running) -> None:
    with _db(running) as db:
        certificate_id, code, email = db.execute(
            "SELECT c.id, c.code, u.email FROM certificates_certificate c "
            "JOIN accounts_user u ON u.id = c.user_id ORDER BY c.id LIMIT 1"
        ).fetchone()
    verify = f"{running.base}/certificates/verify/{code}"
    browser = Browser(running.base)
    browser.login(email)
    page = browser.get("/dashboard/student/certificates").decode()
    assert verify in page  # the share link and "Page de vérification"
    pdf = browser.get(f"/dashboard/student/certificates/{certificate_id}/pdf")
    assert pdf.startswith(b"%PDF")
    # The QR code and its clickable area carry the same URL (campus.certificates.pdf._qr).
    assert f"/URI ({verify})".encode() in pdf
    assert b"127.0.0.1:8000" not in pdf
    assert _http_get(verify)[0] == 200  # and it answers


def test_an_email_sent_by_the_worker_links_to_the_served_port(running: Running) -> None:
    with _db(running) as db:
        (email,) = db.execute(
            "SELECT email FROM accounts_user WHERE role = 'student' ORDER BY id DESC LIMIT 1"
        ).fetchone()
    Browser(running.base).post_form("/accounts/password-reset/", {"email": email})
    # The web queues the email; the worker renders and sends it (console backend: the
    # run command's output).
    pattern = re.compile(rf"{re.escape(running.base)}/accounts/reset/[\w-]+/[\w-]+/")
    _eventually(lambda: bool(pattern.search(running.output())), timeout=90)
    assert "127.0.0.1:8000" not in running.output()
