"""`python -m bench.scale_out`: Campus scaled out (issue 17), as two machines would run it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/campus_bench_scale \\
    CACHE_URL=redis://127.0.0.1:6379/7 CELERY_BROKER_URL=redis://127.0.0.1:6379/8 \\
        python -m bench.scale_out

Two web servers (gunicorn, separate processes on separate ports, DEBUG off) and two
Celery workers share one PostgreSQL database and one Redis (cache and broker). On the
bench data (generated when missing, as `bench.run` does), the run adds a course with
2,000 enrolled students (API tokens each) and one live session of capacity 500 that
starts in 20 minutes, then:

1. reminders: the reminder sweep is sent to BOTH workers at once (twice to each, through
   the broker, each worker listening on a queue of its own), and both deliver the emails
   (through an email backend that sends nothing and records each message);
2. the instructor starts the session; the 2,000 students join at once, split across the
   two servers (threads with httpx, `--concurrency` at a time).

It prints who was admitted (from the answers and from the database), the status
histogram (409 session_full is the documented "full"), latencies, the reminders recorded
and emailed per student, and every email sent against its outbox row. It always removes
what it created and stops every process it started. Benchmarks print figures; they are
not tests: the run exits 1 when an invariant broke (so a script notices), nothing more.
"""

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

MAIL_LOG_ENV = "BENCH_SCALE_OUT_MAIL_LOG"
WORKER_NAME_ENV = "BENCH_SCALE_OUT_WORKER"


class RecordingEmailBackend(BaseEmailBackend):
    """The workers' email backend during the run: sends nothing, appends one JSON line
    per message (worker, recipients, subject) to $BENCH_SCALE_OUT_MAIL_LOG. One
    os.write per line on an O_APPEND file: lines from concurrent processes never mix."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        fd = os.open(os.environ[MAIL_LOG_ENV], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            for message in email_messages:
                line = {
                    "worker": os.environ.get(WORKER_NAME_ENV, ""),
                    "pid": os.getpid(),
                    "to": list(message.to),
                    "subject": str(message.subject),
                }
                os.write(fd, (json.dumps(line, ensure_ascii=False) + "\n").encode())
        finally:
            os.close(fd)
        return len(email_messages)


def problems(environ: Mapping[str, str]) -> list[str]:
    """What keeps this environment from being the scaled-out deployment the bench needs:
    PostgreSQL (a dedicated database), a Redis cache and a Redis broker."""
    found = []
    database = environ.get("DATABASE_URL", "")
    if not database.startswith(("postgres://", "postgresql://", "pgsql://")):
        found.append(
            "DATABASE_URL must point at a dedicated PostgreSQL database, e.g. "
            "postgres://postgres@127.0.0.1:5432/campus_bench_scale"
        )
    if not environ.get("CACHE_URL", "").startswith(("redis://", "rediss://")):
        found.append("CACHE_URL must be a Redis URL, e.g. redis://127.0.0.1:6379/7")
    broker = environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith(("redis://", "rediss://")):
        found.append("CELERY_BROKER_URL must be a Redis URL, e.g. redis://127.0.0.1:6379/8")
    elif broker == environ.get("CACHE_URL"):
        found.append("CELERY_BROKER_URL and CACHE_URL must name different Redis databases")
    return found


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.scale_out",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--size", default="s", help="bench data size (default s)")
    parser.add_argument("--students", type=int, default=2_000)
    parser.add_argument("--capacity", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=64, help="client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--celery-concurrency", type=int, default=2, help="processes per Celery worker"
    )
    parser.add_argument(
        "--sweeps", type=int, default=2, help="reminder sweeps sent to each worker at once"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campus.settings")
    refused = problems(os.environ)
    if refused:
        print("bench.scale_out refuses to run:\n- " + "\n- ".join(refused), file=sys.stderr)
        return 2
    # Results of the sweeps come back through Redis: the bench process and both workers
    # read this before Django's settings are loaded.
    os.environ.setdefault("CELERY_RESULT_BACKEND", os.environ["CELERY_BROKER_URL"])
    import django

    django.setup()
    from bench.scale_out_runner import Options, run

    opts = Options(
        size=args.size,
        students=args.students,
        capacity=args.capacity,
        concurrency=args.concurrency,
        workers=args.workers,
        threads=args.threads,
        celery_concurrency=args.celery_concurrency,
        sweeps=args.sweeps,
    )
    report, ok = run(opts)
    print(report)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
