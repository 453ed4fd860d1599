"""Drive one endpoint over HTTP: `concurrency` client threads, each with its own httpx
client, each sending its next request as soon as the previous answer arrives, for
`duration` seconds. (Threads with sync httpx: its asyncio client costs ~2 ms of client
CPU per request, which on a small machine is taken from the server.)"""

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

from bench.endpoints import CallSource


@dataclass
class Samples:
    latencies: list[float] = field(default_factory=list)  # seconds
    statuses: Counter[str] = field(default_factory=Counter)
    body_bytes: int = 0  # decoded response bodies
    wire_bytes: int = 0  # the same as transferred (compressed when the server compressed)
    elapsed: float = 0.0
    exhausted: bool = False  # the source ran out of calls before the end

    def add(self, latency: float, status: str, body: int = 0, wire: int = 0) -> None:
        self.latencies.append(latency)
        self.statuses[status] += 1
        self.body_bytes += body
        self.wire_bytes += wire

    def merge(self, other: "Samples") -> None:
        self.latencies += other.latencies
        self.statuses.update(other.statuses)
        self.body_bytes += other.body_bytes
        self.wire_bytes += other.wire_bytes
        self.exhausted = self.exhausted or other.exhausted


def _client_loop(base_url: str, source: CallSource, deadline: float, samples: Samples) -> None:
    with httpx.Client(base_url=base_url, timeout=60) as client:
        while time.perf_counter() < deadline:
            call = source()
            if call is None:
                samples.exhausted = True
                return
            headers = {"Authorization": f"Bearer {call.token}"}
            started = time.perf_counter()
            body = wire = 0
            try:
                response = client.request(call.method, call.path, json=call.json, headers=headers)
                status = str(response.status_code)
                body, wire = len(response.content), response.num_bytes_downloaded
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            samples.add(time.perf_counter() - started, status, body, wire)


def drive(base_url: str, source: CallSource, *, concurrency: int, duration: float) -> Samples:
    """Each thread records its own samples (no shared counters); merged at the end."""
    per_thread = [Samples() for _ in range(concurrency)]
    started = time.perf_counter()
    deadline = started + duration
    threads = [
        threading.Thread(target=_client_loop, args=(base_url, source, deadline, samples))
        for samples in per_thread
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = Samples(elapsed=time.perf_counter() - started)
    for samples in per_thread:
        total.merge(samples)
    return total
