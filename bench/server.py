"""Start the real server (gunicorn, granian or uvicorn; DEBUG off, a throw-away
SECRET_KEY) and stop it."""

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from django.conf import settings

from bench.machine import server_cpu_seconds

SERVERS = ("gunicorn", "granian", "uvicorn")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_command(server: str, port: int, workers: int, threads: int, log: Path) -> list[str]:
    """The command line of each server, as a deployment would run it: gunicorn's gthread
    workers and granian's WSGI workers with `threads` threads each; uvicorn serves ASGI
    (Django runs the sync views in a thread pool)."""
    if server == "granian":
        return [
            sys.executable, "-m", "granian", "campus.wsgi:application",
            "--interface", "wsgi",
            "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(workers),
            "--blocking-threads", str(threads),
            "--log-level", "warning",
        ]  # fmt: skip
    if server == "uvicorn":
        return [
            sys.executable, "-m", "uvicorn", "campus.asgi:application",
            "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(workers),
            "--log-level", "warning",
            "--no-access-log",
        ]  # fmt: skip
    return [
        sys.executable, "-m", "gunicorn", "campus.wsgi:application",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--threads", str(threads),
        "--log-level", "warning",
        "--error-logfile", str(log),
        "--timeout", "60",
    ]  # fmt: skip


def server_env(secret_key: str | None = None) -> dict[str, str]:
    """Production settings on the bench database: DATABASE_URL and CAMPUS_VAR_DIR are
    inherited from the runner's environment, so both see the same data. SECRET_KEY is
    `secret_key` when the runner signs something the server must accept (page sessions
    made in-process), else a throw-away random key."""
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secret_key or secrets.token_urlsafe(64),
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "campus.settings",
    }


def wait_ready(process: subprocess.Popen[bytes], url: str, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"the server exited with {process.returncode}:\n{log.read_text()[-3000:]}"
            )
        try:
            httpx.get(f"{url}/api/ping", timeout=1)  # 401 without a token: it answers
            return
        except httpx.TransportError:
            time.sleep(0.2)
    tail = log.read_text()[-3000:]
    raise RuntimeError(f"the server did not answer within {timeout:.0f}s:\n{tail}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()  # gunicorn's master stops its workers on SIGTERM
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass(frozen=True)
class Server:
    url: str
    pid: int

    def cpu_seconds(self) -> float:
        """CPU seconds the server's processes have spent so far (0 once it is gone)."""
        return server_cpu_seconds(self.pid) or 0.0


def start_server(
    *,
    workers: int,
    threads: int,
    server: str = "gunicorn",
    secret_key: str | None = None,
    log_name: str | None = None,
) -> tuple[subprocess.Popen[bytes], Server]:
    """Start the server and wait until it answers (stopped again if it does not); the
    caller stops the process. Its output goes to VAR_DIR/`log_name` (default
    bench-<server>.log)."""
    port = free_port()
    log = Path(settings.VAR_DIR) / (log_name or f"bench-{server}.log")
    log.write_text("")
    with log.open("ab") as output:
        process = subprocess.Popen(
            server_command(server, port, workers, threads, log),
            env=server_env(secret_key),
            cwd=settings.BASE_DIR,
            stdout=output,
            stderr=output,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(process, url, log)
    except BaseException:
        stop(process)
        raise
    return process, Server(url, process.pid)


@contextmanager
def running_server(
    *,
    workers: int,
    threads: int,
    server: str = "gunicorn",
    secret_key: str | None = None,
    log_name: str | None = None,
) -> Iterator[Server]:
    """Yield the running server (base URL, master pid); always stop it. `secret_key`:
    see server_env."""
    process, running = start_server(
        workers=workers, threads=threads, server=server, secret_key=secret_key, log_name=log_name
    )
    try:
        yield running
    finally:
        stop(process)
