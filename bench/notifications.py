"""`python -m bench.notifications`: the reminder sweep and email delivery at scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/campus_bench_l \\
        python -m bench.notifications --target 100000 --workers 2

On a database filled by `campus bench-data` (size l for 100,000 notices): schedules
sessions starting in two hours on the busiest published bench courses until their
active members add up to --target, then

1. times one reminder sweep (`live_notices.reminders_sweep`), which creates every due
   reminder: the time to create;
2. starts a local SMTP sink (aiosmtpd, in its own process, counting messages) and
   --workers delivery processes, each calling `services.deliver_pending` until nothing
   is due, as Celery workers running `deliver_emails` would: the time to deliver.

Prints the figures, then deletes the sessions and notifications it created. Benchmarks
print figures; they are not tests.
"""

import argparse
import multiprocessing
import os
import sys
import time
from datetime import timedelta
from typing import Any

SINK_HOST = "127.0.0.1"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.notifications",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--target", type=int, default=100_000, help="notifications to create")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--batch", type=int, default=200, help="emails per delivery batch")
    parser.add_argument("--sink-port", type=int, default=2525)
    return parser.parse_args(argv)


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campus.settings")
    import django

    django.setup()


# --- The SMTP sink (its own process: it must not share the workers' GIL) ---------------


def _sink(port: int, received: Any, ready: Any) -> None:
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)

    class Count:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            with received.get_lock():
                received.value += 1
            return "250 OK"

    controller = Controller(Count(), hostname=SINK_HOST, port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


# --- Delivery workers ----------------------------------------------------------------------


def _worker(port: int, batch: int, handled: Any) -> None:
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.smtp.EmailBackend"
    _setup()
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = SINK_HOST, port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    from campus.notifications import services

    while (report := services.deliver_pending(batch=batch)).handled:
        with handled.get_lock():
            handled.value += report.handled


# --- The run -------------------------------------------------------------------------------


def _schedule_sessions(target: int) -> tuple[list[int], int]:
    """Sessions in two hours on the busiest courses until their members reach `target`.
    Written with bulk_create (the service would also notify every member, which is not
    what this measures)."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from bench.data import bench_courses
    from campus.courses.models import CourseStatus
    from campus.live.jitsi import new_room_name
    from campus.live.models import LiveSession

    courses = (
        bench_courses()
        .filter(status=CourseStatus.PUBLISHED)
        .annotate(members=Count("enrollments", filter=Q(enrollments__is_active=True)))
        .order_by("-members", "id")
        .values_list("id", "instructor_id", "members")
    )
    start = timezone.now() + timedelta(hours=2)
    sessions: list[LiveSession] = []
    total = 0
    for round_number in range(10):  # a course may get several sessions at a time
        for course_id, instructor_id, members in courses:
            if total >= target:
                break
            sessions.append(
                LiveSession(
                    course_id=course_id,
                    instructor_id=instructor_id,
                    title=f"bench reminder {round_number}",
                    scheduled_start_at=start,
                    scheduled_end_at=start + timedelta(hours=1),
                    jitsi_room_name=new_room_name(
                        course_id=course_id, session_id=len(sessions) + 1
                    ),
                    jitsi_server_url="https://meet.example.org",
                )
            )
            total += members
        if total >= target:
            break
    created = LiveSession.objects.bulk_create(sessions)
    return [s.pk for s in created], total


def _clean_up(session_ids: list[int]) -> None:
    from campus.live.models import LiveSession
    from campus.notifications.models import Notification

    notices = Notification.objects.filter(subject_type="live_session", subject_id__in=session_ids)
    notices._raw_delete(notices.db)
    LiveSession.objects.filter(pk__in=session_ids).delete()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    _setup()
    from django.db import connection

    from campus.notifications import live_notices
    from campus.notifications.models import EmailState, Notification

    session_ids, expected = _schedule_sessions(args.target)
    print(
        f"database: {connection.vendor} ({connection.settings_dict['NAME']}); "
        f"{len(session_ids)} sessions in 2 h, {expected:,} members to remind"
    )
    try:
        started = time.perf_counter()
        created = live_notices.reminders_sweep()
        create_seconds = time.perf_counter() - started
        print(
            f"create: {created:,} notifications in {create_seconds:.1f} s "
            f"({created / create_seconds:,.0f}/s), one sweep, one process"
        )
        again = time.perf_counter()
        repeated = live_notices.reminders_sweep()
        print(
            f"second sweep (nothing due): {repeated} created in {time.perf_counter() - again:.2f} s"
        )
        connection.close()  # the workers fork: no shared connection

        context = multiprocessing.get_context("fork")
        received = context.Value("l", 0)
        ready = context.Event()
        sink = context.Process(target=_sink, args=(args.sink_port, received, ready), daemon=True)
        sink.start()
        ready.wait(10)
        handled = context.Value("l", 0)
        started = time.perf_counter()
        workers = [
            context.Process(target=_worker, args=(args.sink_port, args.batch, handled))
            for _ in range(args.workers)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        deliver_seconds = time.perf_counter() - started
        sink.terminate()
        sent = Notification.objects.filter(
            subject_id__in=session_ids, email_state=EmailState.SENT
        ).count()
        print(
            f"deliver: {sent:,} emails sent ({received.value:,} received by the sink) in "
            f"{deliver_seconds:.1f} s ({sent / deliver_seconds:,.0f}/s) with "
            f"{args.workers} worker processes, batches of {args.batch}"
        )
    finally:
        _clean_up(session_ids)
    return 0


if __name__ == "__main__":
    sys.exit(main())
