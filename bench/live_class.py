"""`python -m bench.live_class`: one live class of 500 students, as their browsers drive it
(issue 17).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/campus_bench_live \\
    CAMPUS_VAR_DIR=/tmp/bench-live python -m bench.live_class

On the bench data (generated when missing, as `bench.run` does), the run adds a course
with `--students` enrolled students, each logged in (a Django page session, created
directly), and one live session that starts `--waiting-seconds` after the load begins.
One server (gunicorn or granian, DEBUG off) serves it. Each student is a browser of its
own (its cookies, its timers), doing what the room's templates and live/room.js do:

1. waiting room: the student opens the join page (arrivals spread over the first
   `--arrival-seconds`) and polls `…/join/status` with the delay each answer carries
   (`waiting_poll_seconds`: 5 s in the last two minutes);
2. the instructor starts the session through the management page's form; each student's
   next poll gets HX-Refresh, the join page is reloaded (now the room), the room script
   joins through the API (session cookie + X-CSRFToken), heartbeats every 30 s from the
   moment the conference is up, and the Q&A list polls every 5 s with the version it
   shows (204 while unchanged);
3. class (`--class-seconds`): `--questions` students each post one question, spread over
   the class; the instructor, on the room page too, polls the same list, sees each
   question and answers it through the owner's form (`…/questions/<id>/answer`).

At the end the instructor's panel is fetched (every question must be there, answered)
and each student's list is polled once more (every answer must show). It prints, per
request kind, counts, statuses and latencies; per phase, the server's CPU share and CPU
ms per request, and database queries per second (PostgreSQL's transaction counters, and
the queries each request kind runs, counted in-process, times the requests); then the
invariants. It removes what it created and stops the server. It exits 1 when an
invariant broke. Benchmarks print figures; they are not tests.
"""

import argparse
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from bench.server import SERVERS

REPO = Path(__file__).resolve().parent.parent


def problems(environ: Mapping[str, str]) -> list[str]:
    """What keeps this environment from being a dedicated bench database: the default
    ./var database (the developer's own data) is refused, as in docs/performance.md."""
    if environ.get("DATABASE_URL"):
        return []
    var_dir = environ.get("CAMPUS_VAR_DIR", "")
    if not var_dir or Path(var_dir).resolve() == (REPO / "var").resolve():
        return [
            "point DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/campus_bench_live) "
            "or CAMPUS_VAR_DIR (e.g. /tmp/bench-live) at a dedicated database, never ./var"
        ]
    return []


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.live_class",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--size", default="s", help="bench data size (default s)")
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--waiting-seconds", type=float, default=120)
    parser.add_argument(
        "--arrival-seconds", type=float, default=30, help="students arrive over these seconds"
    )
    parser.add_argument("--class-seconds", type=float, default=300)
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument(
        "--server", choices=[s for s in SERVERS if s != "uvicorn"], default="gunicorn"
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--client-threads", type=int, default=100, help="threads sending the browsers' requests"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.students < 1 or not 0 <= args.questions <= args.students:
        parser.error("need at least one student and at most one question per student")
    if args.class_seconds < 20 or args.waiting_seconds < 5:
        parser.error("--class-seconds must be at least 20, --waiting-seconds at least 5")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    refused = problems(os.environ)
    if refused:
        print("bench.live_class refuses to run:\n- " + "\n- ".join(refused), file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campus.settings")
    import django

    django.setup()
    from bench.live_class_runner import Options, run

    opts = Options(
        size=args.size,
        students=args.students,
        waiting_seconds=args.waiting_seconds,
        arrival_seconds=min(args.arrival_seconds, args.waiting_seconds),
        class_seconds=args.class_seconds,
        questions=args.questions,
        server=args.server,
        workers=args.workers,
        threads=args.threads,
        client_threads=args.client_threads,
        seed=args.seed,
    )
    report, ok = run(opts)
    print(report)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
