"""How busy the machine was with work other than the benchmark (Linux /proc/stat), so a
table measured next to a test suite says so."""

import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _busy_seconds() -> float | None:
    """CPU seconds spent by all processes since boot (all fields but idle and iowait)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return None
    values = [int(v) for v in fields[:8]]
    return (sum(values) - values[3] - values[4]) / TICKS


def _own_seconds() -> float:
    """This process and its reaped descendants (gunicorn reaps its workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@dataclass
class CpuWatch:
    started: float
    busy: float | None
    own: float

    @classmethod
    def start(cls) -> "CpuWatch":
        return cls(time.monotonic(), _busy_seconds(), _own_seconds())

    def others_share(self) -> float | None:
        """Share of the machine's CPU capacity used by other processes since start."""
        busy = _busy_seconds()
        if busy is None or self.busy is None:
            return None
        capacity = (time.monotonic() - self.started) * (os.cpu_count() or 1)
        others = (busy - self.busy) - (_own_seconds() - self.own)
        return max(0.0, others / capacity)


def _process_seconds(pid: int) -> float:
    """User + system CPU seconds of one live process (/proc/<pid>/stat), 0 once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    # The command name (field 2) may hold spaces: the fields after it are split safely.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def _children(pid: int) -> list[int]:
    try:
        return [
            int(child)
            for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()
        ]
    except OSError:
        return []


def server_cpu_seconds(pid: int) -> float:
    """CPU seconds spent so far by a server's process tree: the master (gunicorn,
    granian) and its live workers, with their threads. A worker that exits takes its
    seconds with it, so the bench's servers run without max-requests recycling."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        total += _process_seconds(current)
        pending += _children(current)
    return total
