"""`python -m campus.core.serve`: the one run command's process supervisor.

Starts the web server (gunicorn) and a Celery worker with embedded beat, stops both on
Ctrl-C/SIGTERM, and stops everything if either exits, so a half-running Campus never
looks healthy. Production runs the same three roles under its own supervisor (docs).

When SITE_URL is unset, it is set for every child to the address this command serves
(http://HOST:PORT), so the links the web, the worker and beat write (emails, calendar
feeds, certificates) point to the server that answers, not to the default port.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from types import FrameType

BIN = os.path.dirname(sys.executable)


def commands(host: str, port: int, web_workers: int) -> dict[str, list[str]]:
    return {
        "web": [
            os.path.join(BIN, "gunicorn"),
            "campus.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(web_workers),
            "--threads",
            "4",
            "--access-logfile",
            "-",
            "--timeout",
            "60",
        ],
        "worker": [
            os.path.join(BIN, "celery"),
            "-A",
            "campus",
            "worker",
            "--beat",
            "--loglevel",
            "INFO",
            "--concurrency",
            "2",
        ],
    }


WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::", "[::]"})  # noqa: S104 (names, not binds)


def default_site_url(host: str, port: int) -> str:
    """The address a browser on this machine reaches `--host HOST --port PORT` at.
    A wildcard bind (all interfaces) has no single public name: loopback is the one
    that surely answers; a public deployment sets SITE_URL."""
    name = "127.0.0.1" if host in WILDCARD_HOSTS else host
    if ":" in name and not name.startswith("["):
        name = f"[{name}]"  # an IPv6 literal in a URL
    return f"http://{name}:{port}"


def child_env(host: str, port: int, environ: dict[str, str] | None = None) -> dict[str, str]:
    """The children's environment: SITE_URL follows the served address unless set."""
    env = dict(os.environ if environ is None else environ)
    if not env.get("SITE_URL", "").strip():
        env["SITE_URL"] = default_site_url(host, port)
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--web-workers", type=int, default=2)
    args = parser.parse_args()

    env = child_env(args.host, args.port)
    children = {
        name: subprocess.Popen(cmd, env=env)
        for name, cmd in commands(args.host, args.port, args.web_workers).items()
    }
    served = default_site_url(args.host, args.port)
    print(f"Campus: {served}/  (Ctrl-C to stop)", flush=True)
    if env["SITE_URL"] != served:
        print(f"Campus: links in emails, calendars and certificates use {env['SITE_URL']}")

    def stop() -> None:
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()

    stop_requested = False

    def request_stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stop_requested
        stop_requested = True

    signal.signal(signal.SIGTERM, request_stop)
    try:
        while not stop_requested:
            for name, child in children.items():
                code = child.poll()
                if code is not None:
                    print(f"Campus: {name} exited with {code}; stopping.", file=sys.stderr)
                    stop()
                    return code or 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
