"""`campus bench-data --size s|m|l`: deterministic scale data for the benchmarks.

Meant for a dedicated database (CAMPUS_VAR_DIR=/tmp/bench-s, or a DATABASE_URL of its
own): it refuses a database holding anything but bench rows unless --force.
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from bench import data


class Command(BaseCommand):
    help = "Fill a dedicated database with deterministic bench data (see docs/performance.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=list(data.SIZES), default="s")
        parser.add_argument(
            "--reset", action="store_true", help="Delete previous bench rows first."
        )
        parser.add_argument(
            "--force", action="store_true", help="Run even if the database holds other data."
        )

    def handle(self, *args: Any, size: str, reset: bool, force: bool, **options: Any) -> None:
        if data.has_foreign_data() and not force:
            raise CommandError(
                "This database holds non-bench data; use a dedicated one "
                "(CAMPUS_VAR_DIR=/tmp/bench-s or DATABASE_URL=...), or --force."
            )
        if data.has_bench_data() and not reset:
            raise CommandError("Bench data already exists: add --reset to rebuild it.")
        spec = data.SIZES[size]
        database = f"{connection.vendor} ({connection.settings_dict['NAME']})"
        self.stdout.write(
            f"bench-data --size {size} on {database}: {spec.students:,} students, "
            f"{spec.courses:,} courses, ~{spec.enrollments:,} enrollments"
        )
        started = time.perf_counter()
        data.build(spec, self.stdout.write, reset=reset)
        self.stdout.write(self.style.SUCCESS(f"done in {time.perf_counter() - started:.1f}s"))
