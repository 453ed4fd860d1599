"""Start the real server (gunicorn, DEBUG off, a throw-away SECRET_KEY) and stop it."""

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from django.conf import settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_command(port: int, workers: int, threads: int, log: Path) -> list[str]:
    return [
        sys.executable, "-m", "gunicorn", "campus.wsgi:application",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--threads", str(threads),
        "--log-level", "warning",
        "--error-logfile", str(log),
        "--timeout", "60",
    ]  # fmt: skip


def server_env() -> dict[str, str]:
    """Production settings on the bench database: DATABASE_URL and CAMPUS_VAR_DIR are
    inherited from the runner's environment, so both see the same data."""
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "campus.settings",
    }


def wait_ready(process: subprocess.Popen[bytes], url: str, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"gunicorn exited with {process.returncode}:\n{log.read_text()[-3000:]}"
            )
        try:
            httpx.get(f"{url}/api/ping", timeout=1)  # 401 without a token: it answers
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {timeout:.0f}s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()  # gunicorn's master stops its workers on SIGTERM
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def running_server(*, workers: int, threads: int) -> Iterator[str]:
    """Yield the base URL of a gunicorn serving campus.wsgi; always stop it."""
    port = free_port()
    log = Path(settings.VAR_DIR) / "bench-gunicorn.log"
    log.write_text("")
    process = subprocess.Popen(
        server_command(port, workers, threads, log),
        env=server_env(),
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(process, url, log)
        yield url
    finally:
        stop(process)
