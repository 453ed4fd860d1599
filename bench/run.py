"""`python -m bench.run`: benchmark endpoints over HTTP against the real server.

    CAMPUS_VAR_DIR=/tmp/bench-s python -m bench.run --size s \\
        --endpoints catalogue,course_detail,my_enrollments,enroll --concurrency 16 --duration 10

Uses the database of the environment (DATABASE_URL / CAMPUS_VAR_DIR): give it a dedicated
one. Migrates it, generates the bench data when there is none, starts gunicorn (DEBUG
off, a random SECRET_KEY), measures the floor (GET /api/ping) and each endpoint, stops
the server, removes the tokens and rows the run created, and prints a Markdown table.
Benchmarks print figures; they are not tests.
"""

import argparse
import os
import sys

from bench.server import SERVERS


def parse_args(
    argv: list[str] | None, sizes: list[str], endpoints: list[str]
) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--size", choices=sizes, default="s")
    parser.add_argument(
        "--endpoints",
        default=",".join(endpoints),
        help=f"comma-separated, from: {', '.join(endpoints)} (the floor always runs)",
    )
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10, help="seconds per endpoint")
    parser.add_argument("--warmup", type=float, default=2, help="seconds, read endpoints only")
    # As `make run` serves: gthread workers with 4 threads, one worker per CPU.
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--threads", type=int, default=4, help="1 = gunicorn's sync workers")
    parser.add_argument("--server", choices=SERVERS, default="gunicorn")
    parser.add_argument(
        "--max-writes",
        type=int,
        default=0,
        help="cap on rows a write endpoint creates (default: 1000 per second of duration)",
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    unknown = set(args.endpoints.split(",")) - set(endpoints)
    if unknown:
        parser.error(f"unknown endpoints: {', '.join(sorted(unknown))}")
    return args


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campus.settings")
    import django

    django.setup()
    from bench import (  # noqa: F401  (register their endpoints)
        agenda_endpoints,
        forum_endpoints,
        live_endpoints,
        table_endpoints,
    )
    from bench.data import SIZES
    from bench.endpoints import ENDPOINTS
    from bench.runner import Options, run

    args = parse_args(argv, list(SIZES), list(ENDPOINTS))
    opts = Options(
        size=args.size,
        endpoints=[name for name in args.endpoints.split(",") if name],
        concurrency=args.concurrency,
        duration=args.duration,
        warmup=args.warmup,
        workers=args.workers,
        threads=args.threads,
        max_writes=args.max_writes or int(args.duration * 1000),
        seed=args.seed,
        server=args.server,
    )
    print(run(opts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
