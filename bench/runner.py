"""One benchmark session (Django is set up): data, tokens, query counts, server, load."""

import json
import logging
import os
import platform
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import django
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench import endpoints as registry
from bench.data import SIZES, bench_users, has_foreign_data
from bench.endpoints import FLOOR, Call, CallSource, Context
from bench.load import drive
from bench.machine import CpuWatch
from bench.report import Result, table
from bench.server import Server, running_server
from campus.accounts.models import Role


@dataclass(frozen=True)
class Options:
    size: str
    endpoints: list[str]
    concurrency: int
    duration: float
    warmup: float
    workers: int
    threads: int
    max_writes: int
    seed: int
    server: str = "gunicorn"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def ensure_data(size: str) -> None:
    """Migrate the bench database and generate the data when it has none."""
    if "accounts_user" in connection.introspection.table_names() and has_foreign_data():
        raise SystemExit(
            f"{connection.settings_dict['NAME']} holds non-bench data: point DATABASE_URL or "
            "CAMPUS_VAR_DIR at a dedicated database (docs/performance.md)."
        )
    call_command("migrate", verbosity=0, interactive=False)  # also the cache's table
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # whitenoise warns without it
    students = bench_users().filter(role=Role.STUDENT).count()
    if students == 0:
        call_command("bench-data", size=size, stdout=sys.stderr)
    elif students != SIZES[size].students:
        raise SystemExit(
            f"This database holds bench data with {students:,} students, not size {size!r}: "
            f"use its size, or `campus bench-data --size {size} --reset`."
        )


def count_queries(call: Call) -> tuple[int, int]:
    """Queries one request runs, in-process (django.test.Client), steady state: the token
    was already used in the last minute, as during the load."""
    client = Client(headers={"Host": "127.0.0.1", "Authorization": f"Bearer {call.token}"})
    client.get("/api/ping")
    body = json.dumps(call.json) if call.json is not None else ""
    with CaptureQueriesContext(connection) as captured:
        response = client.generic(call.method, call.path, body, content_type="application/json")
    return len(captured), response.status_code


def prepare(names: list[str], ctx: Context) -> dict[str, tuple[CallSource, int, int]]:
    prepared = {}
    for name in names:
        source = registry.ENDPOINTS[name].prepare(ctx)
        first = source()
        if first is None:
            raise SystemExit(f"{name}: nothing to call on this data")
        queries, status = count_queries(first)
        prepared[name] = (source, queries, status)
        log(f"prepared {name}: {queries} queries per request (in-process status {status})")
    return prepared


def measure(
    server: Server, name: str, prepared: tuple[CallSource, int, int], opts: Options
) -> Result:
    source, queries, status = prepared
    if opts.warmup and not registry.ENDPOINTS[name].mutates:
        drive(server.url, source, concurrency=opts.concurrency, duration=opts.warmup)
    cpu_before = server.cpu_seconds()
    samples = drive(server.url, source, concurrency=opts.concurrency, duration=opts.duration)
    result = Result(name, samples, queries, status, server.cpu_seconds() - cpu_before)
    log(
        f"measured {name}: {result.rate:,.0f} req/s, p95 {result.latency_ms(95):.1f} ms, "
        f"server CPU {result.cpu_ms:.2f} ms/req"
    )
    return result


def server_description(opts: Options) -> str:
    if opts.server == "uvicorn":
        return f"uvicorn {opts.workers} workers (ASGI)"
    unit = "threads" if opts.server == "gunicorn" else "blocking threads"
    return f"{opts.server} {opts.workers} workers x {opts.threads} {unit}"


def header(opts: Options, others: float | None) -> str:
    db = connection.settings_dict
    noise = "unknown" if others is None else f"{others:.0%}"
    return "\n".join(
        [
            f"bench.run: size {opts.size}, {connection.vendor} ({db['NAME']}), "
            f"{server_description(opts)}, DEBUG off",
            f"load: {opts.concurrency} concurrent clients (threads with httpx, same machine), "
            f"{opts.duration:g}s per endpoint after {opts.warmup:g}s warm-up (none for writes)",
            f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"Django {django.get_version()}; processes other than the runner and the server "
            f"(a database server included) used {noise} of the CPU during the run",
            "server CPU ms/req: user+system CPU of the server's processes (/proc) during the "
            "measured seconds, divided by the requests; bytes: mean decoded body, gzip "
            "bytes: as transferred (the client accepts gzip).",
            "queries/req: counted once per endpoint in-process (django.test.Client under "
            "CaptureQueriesContext), not from the server.",
            "vs floor: the endpoint's req/s divided by the floor's, measured in the same run.",
        ]
    )


def run(opts: Options) -> str:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request
    ensure_data(opts.size)
    watch = CpuWatch.start()
    ctx = Context(rng=random.Random(opts.seed), max_writes=opts.max_writes)
    names = [FLOOR, *(n for n in opts.endpoints if n != FLOOR)]
    try:
        prepared = prepare(names, ctx)
        connections.close_all()  # the server's processes own the database during the load
        with running_server(
            workers=opts.workers, threads=opts.threads, server=opts.server
        ) as server:
            results = [measure(server, name, prepared[name], opts) for name in names]
    finally:
        ctx.clean_up()
    return f"{header(opts, watch.others_share())}\n\n{table(results, FLOOR)}"
