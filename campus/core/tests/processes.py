"""Helpers for the tests that start real Campus processes (`make test-worker`): a free
port, the environment of a server under test, stopping a process group, and a browser
over plain HTTP (cookies, CSRF, forms, htmx).

Not a test module (its name does not start with test_): the tests import it.
"""

import contextlib
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent  # the venv's scripts: campus, gunicorn, ...
DEMO_PASSWORD = "campus-demo"  # README: every account `campus demo` makes

# The developer's shell must not reach the server under test: the embedded defaults
# (SQLite, database cache, filesystem broker, console email) and DEBUG's plain-HTTP
# security settings, whatever it exports.
STRIPPED_ENV = frozenset(
    {
        "SITE_URL",
        "DATABASE_URL",
        "CACHE_URL",
        "CELERY_BROKER_URL",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
    }
)
STRIPPED_ENV_PREFIXES = ("EMAIL_", "CELERY_", "DJANGO_")

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def campus_env(var_dir: Path, **overrides: str) -> dict[str, str]:
    """This process's environment without the developer's Campus settings
    (STRIPPED_ENV, STRIPPED_ENV_PREFIXES), in DEBUG with its data in `var_dir`;
    `overrides` last (e.g. SECRET_KEY, CACHE_URL)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in STRIPPED_ENV and not k.startswith(STRIPPED_ENV_PREFIXES)
    }
    env.update(DEBUG="1", CAMPUS_VAR_DIR=str(var_dir), PYTHONUNBUFFERED="1")
    env.update(overrides)
    return env


def start_group(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start `command` in ROOT in its own session, so its own process group (stop_group
    stops all of it: nothing outlives the test), its stdout and stderr in `log`."""
    with log.open("wb") as out:
        return subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def alive_in_group(pgid: int) -> list[str]:
    """Processes of a process group still running, as "pid (name)" (zombies are dead
    already: reaping an orphan is init's business)."""
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


def stop_group(process: subprocess.Popen[bytes], *, grace: float = 40, settle: float = 10) -> bool:
    """Stop a process started with `start_new_session=True` (its pid is its group's) as a
    process supervisor does: SIGTERM, up to `grace` seconds for it to exit, up to `settle`
    more for its group to empty; whatever is still running then is killed (SIGKILL).

    True when it was clean: the process exited with 0 and left nothing running."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    deadline = time.monotonic() + settle
    while alive_in_group(process.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = alive_in_group(process.pid)
    if left:
        print(f"killed what process group {process.pid} left running: {left}", file=sys.stderr)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    return process.returncode == 0 and not left


def csrf_token(page: str) -> str:
    """The CSRF token of the page's (first) form."""
    token = CSRF_FIELD.search(page)
    assert token, page[:500]
    return token.group(1)


@dataclass
class Answer:
    status: int
    content: bytes
    url: str  # where it landed (after redirects)
    ms: float  # how long the request took

    @property
    def body(self) -> str:
        return self.content.decode(errors="replace")


class Browser:
    """One cookie jar (cookies do not depend on the port: one browser can talk to several
    servers that share a database), CSRF from the pages' forms.

    Every method takes a full URL, or a path on `base` when the browser was given one."""

    def __init__(self, base: str = "") -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def url(self, url_or_path: str) -> str:
        return self.base + url_or_path if url_or_path.startswith("/") else url_or_path

    def request(
        self,
        url_or_path: str,
        *,
        form: dict[str, str] | None = None,
        htmx: bool = False,
        timeout: float = 30,
    ) -> Answer:
        """GET, or POST `form`; an HTTP error status is an answer too."""
        url = self.url(url_or_path)
        assert url.startswith("http://127.0.0.1:"), url  # only ever a server under test
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        headers = {"Referer": url}
        if htmx:
            headers["HX-Request"] = "true"
        request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 (checked above)
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=timeout) as answer:
                status, content, landed = int(answer.status), bytes(answer.read()), str(answer.url)
        except urllib.error.HTTPError as error:
            status, content, landed = int(error.code), bytes(error.read()), url
        elapsed = (time.monotonic() - started) * 1000
        return Answer(status, content, landed, elapsed)

    def get(self, url_or_path: str) -> bytes:
        """The content of a page that must answer with success."""
        answer = self.request(url_or_path)
        assert 200 <= answer.status < 300, f"{answer.status} for {answer.url}: {answer.body[:500]}"
        return answer.content

    def post_form(self, url_or_path: str, fields: dict[str, str]) -> str:
        """Load the page, post its form with `fields` (and its CSRF token) to the same
        address, as a browser would; returns where it landed (after redirects)."""
        token = csrf_token(self.get(url_or_path).decode(errors="replace"))
        answer = self.request(url_or_path, form={"csrfmiddlewaretoken": token, **fields})
        assert 200 <= answer.status < 300, f"{answer.status} for {answer.url}: {answer.body[:1000]}"
        return answer.url

    def login(self, email: str, base: str | None = None) -> None:
        """Log in as a demo account on `base` (default: the browser's)."""
        landed = self.post_form(
            f"{self.base if base is None else base}/accounts/login/",
            {"email": email, "password": DEMO_PASSWORD},
        )
        assert "/accounts/login" not in landed, f"login failed for {email}"


# --- Two servers sharing a database and a cache (the cross-process cache tests) ----------

STEP_TIMEOUT = 120
SERVER_START_TIMEOUT = 60


def shared_env(var_dir: Path, cache_url: str, secret_key: str) -> dict[str, str]:
    """The servers' (and their helper processes') environment: one SECRET_KEY and, when
    given, one CACHE_URL for all."""
    cache = {"CACHE_URL": cache_url} if cache_url else {}
    return campus_env(
        var_dir, DJANGO_SETTINGS_MODULE="campus.settings", SECRET_KEY=secret_key, **cache
    )


def run_step(env: dict[str, str], *command: str) -> str:
    """Run a command to its end (it must succeed); its standard output."""
    done = subprocess.run(
        command, env=env, cwd=ROOT, timeout=STEP_TIMEOUT, capture_output=True, text=True
    )
    assert done.returncode == 0, f"{command[:2]} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def run_python(env: dict[str, str], code: str, *args: str) -> dict[str, Any]:
    """Run `code` in a new process; its last line of output is JSON."""
    out = run_step(env, sys.executable, "-c", code, *args)
    return dict(json.loads(out.strip().splitlines()[-1]))


def migrated_demo(var_dir: Path) -> Path:
    """A migrated database (with the cache's table) holding the demo data."""
    env = shared_env(var_dir, "", "unused")
    run_step(env, str(BIN / "campus"), "migrate", "--noinput")
    run_step(env, str(BIN / "campus"), "demo", "--if-empty")
    return var_dir


@dataclass
class Server:
    name: str
    base: str
    process: subprocess.Popen[bytes]
    log: Path

    def tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace").splitlines()[-lines:]
        return f"--- server {self.name} ({self.base}) ---\n" + "\n".join(text)


def start_server(name: str, env: dict[str, str], var_dir: Path) -> Server:
    """A gunicorn (1 worker, 2 threads) on a free port, in its own process group."""
    port = free_port()
    log = var_dir / f"gunicorn-{name}-{port}.log"
    command = [str(BIN / "gunicorn"), "campus.wsgi:application", "--workers", "1"]
    command += ["--threads", "2", "--bind", f"127.0.0.1:{port}", "--access-logfile", "-"]
    process = start_group(command, env, log)
    return Server(name=name, base=f"http://127.0.0.1:{port}", process=process, log=log)


def wait_ready(server: Server, deadline: float) -> None:
    while True:
        assert server.process.poll() is None, server.tail()
        with contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError):
            if Browser(server.base).request("/accounts/login/", timeout=5).status == 200:
                return
        assert time.monotonic() < deadline, "the server did not answer in time\n" + server.tail()
        time.sleep(0.2)


def flush_redis(url: str) -> None:
    import redis  # Django's RedisCache needs it: installed with the project

    try:
        redis.Redis.from_url(url).flushdb()
    except redis.exceptions.ConnectionError as error:
        pytest.fail(f"Redis is needed for the Redis cache's run ({url}): {error}")


@contextlib.contextmanager
def two_servers(env: dict[str, str], var_dir: Path) -> Iterator[tuple[Server, Server]]:
    """Servers A and B (as two machines) on one environment, ready; both stopped at the
    end, and a server that does not stop cleanly fails the test."""
    servers: list[Server] = []
    try:
        servers = [start_server("A", env, var_dir), start_server("B", env, var_dir)]
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        for server in servers:
            wait_ready(server, deadline)
        yield servers[0], servers[1]
    finally:
        clean = {server.name: stop_group(server.process, grace=15, settle=5) for server in servers}
    assert all(clean.values()), f"not stopped cleanly: {clean}\n" + "\n".join(
        server.tail() for server in servers
    )
