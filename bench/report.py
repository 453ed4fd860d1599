"""Figures from samples, printed as a Markdown table (readable in a terminal, pasted as
is into docs/performance.md)."""

import math
from dataclasses import dataclass

from bench.load import Samples


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values (q in 0..100)."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass
class Result:
    name: str
    samples: Samples
    queries: int
    query_status: int  # the status of the in-process call whose queries were counted
    server_cpu: float | None = None  # CPU seconds of the server's processes while measured

    @property
    def requests(self) -> int:
        return len(self.samples.latencies)

    @property
    def rate(self) -> float:
        return self.requests / self.samples.elapsed if self.samples.elapsed else 0.0

    @property
    def cpu_ms(self) -> float:
        """Server CPU milliseconds per request: stable on a shared machine, unlike req/s."""
        if self.server_cpu is None or not self.requests:
            return math.nan
        return self.server_cpu * 1000 / self.requests

    def mean_bytes(self, wire: bool = False) -> float:
        total = self.samples.wire_bytes if wire else self.samples.body_bytes
        return total / self.requests if self.requests else math.nan

    def latency_ms(self, q: float) -> float:
        return percentile(sorted(self.samples.latencies), q) * 1000

    def errors(self) -> str:
        bad = {s: n for s, n in self.samples.statuses.items() if not s.startswith("2")}
        return ", ".join(f"{n}x {s}" for s, n in sorted(bad.items())) or "0"


HEADER = (
    "| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | errors "
    "| queries/req | server CPU ms/req | bytes | gzip bytes | vs floor |\n"
    "|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|"
)


def queries_note(result: Result) -> str:
    """The counted call should have succeeded; say so when it did not."""
    return "" if 200 <= result.query_status < 300 else f" (on a {result.query_status})"


def row(result: Result, floor_rate: float) -> str:
    ratio = result.rate / floor_rate if floor_rate else math.nan
    note = " (ran out of calls)" if result.samples.exhausted else ""
    return (
        f"| {result.name}{note} | {result.requests:,} | {result.rate:,.0f} "
        f"| {result.latency_ms(50):.1f} | {result.latency_ms(95):.1f} "
        f"| {result.latency_ms(99):.1f} "
        f"| {result.errors()} | {result.queries}{queries_note(result)} "
        f"| {result.cpu_ms:.2f} | {result.mean_bytes():,.0f} | {result.mean_bytes(wire=True):,.0f} "
        f"| {ratio:.2f} |"
    )


def table(results: list[Result], floor_name: str) -> str:
    floor_rate = next((r.rate for r in results if r.name == floor_name), 0.0)
    return "\n".join([HEADER, *(row(r, floor_rate) for r in results)])
