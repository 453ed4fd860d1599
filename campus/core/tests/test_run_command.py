"""The run command on a port that is not the default: with SITE_URL unset, every absolute
link follows the served address, from the web (calendar feed, certificate share link and
the PDF's QR code) and from the worker (an email).

It does what `make run PORT=<p>` does, in a temporary CAMPUS_VAR_DIR: migrate, cache table,
demo, then `python -m campus.core.serve`; it talks to it over HTTP like a browser, and
stops everything at the end. About a minute on the shared machine, so it runs with the
real-worker tests (`make test-worker`, CI's worker step).
"""

import re
import sqlite3
import subprocess
import sys
import time
import urllib.error
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from campus.core.tests.processes import (
    BIN,
    ROOT,
    Browser,
    campus_env,
    free_port,
    start_group,
    stop_group,
)

pytestmark = pytest.mark.worker

START_TIMEOUT = 90
STEP_TIMEOUT = 180


@dataclass
class Running:
    base: str
    port: int
    var_dir: Path
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


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
    env = campus_env(var_dir)
    # migrate is all a deployment needs: it also makes the database cache's table.
    _campus(env, "migrate", "--noinput")
    _campus(env, "demo", "--if-empty")
    port = free_port()
    log = var_dir / "serve.log"
    serve = start_group(
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
        env,
        log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert serve.poll() is None, log.read_text(errors="replace")
            try:
                if Browser(base).request("/accounts/login/", timeout=5).status == 200:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            assert time.monotonic() < deadline, "the server did not answer in time"
            time.sleep(0.5)
        yield Running(base=base, port=port, var_dir=var_dir, log=log)
    finally:
        clean = stop_group(serve)
    assert clean, "the run command left processes behind:\n" + log.read_text(errors="replace")


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
    ics = Browser().get(feed.group(1)).decode()
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
    assert Browser().request(verify).status == 200  # and it answers


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
