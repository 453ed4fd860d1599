"""`python -m campus.core.serve`: the one run command's process supervisor.

Starts the web server (gunicorn) and a Celery worker with embedded beat, stops both on
Ctrl-C/SIGTERM, and stops everything if either exits, so a half-running Campus never
looks healthy. Production runs the same three roles under its own supervisor (docs).
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--web-workers", type=int, default=2)
    args = parser.parse_args()

    children = {
        name: subprocess.Popen(cmd)
        for name, cmd in commands(args.host, args.port, args.web_workers).items()
    }
    print(f"Campus: http://{args.host}:{args.port}/  (Ctrl-C to stop)", flush=True)

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
