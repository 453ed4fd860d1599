"""How busy the machine was with work other than the benchmark (Linux /proc/stat), so a
table measured next to a test suite says so."""

import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float | None:
    """CPU seconds spent by all processes since boot (all fields but idle and iowait), or
    None without /proc/stat."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return None
    values = [int(v) for v in fields[:8]]
    return (sum(values) - values[3] - values[4]) / TICKS


def own_cpu_seconds() -> float:
    """CPU seconds of this process and its reaped descendants (gunicorn reaps its
    workers)."""
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
        return cls(time.monotonic(), machine_busy_seconds(), own_cpu_seconds())

    def others_share(self) -> float | None:
        """Share of the machine's CPU capacity used by other processes since start."""
        busy = machine_busy_seconds()
        if busy is None or self.busy is None:
            return None
        capacity = (time.monotonic() - self.started) * (os.cpu_count() or 1)
        others = (busy - self.busy) - (own_cpu_seconds() - self.own)
        return max(0.0, others / capacity)


def _stat_fields(pid: int) -> list[str] | None:
    """/proc/<pid>/stat's fields from the state on (field 3 is index 0), None once the
    process is gone. The command name (field 2) may hold spaces: it is cut off safely."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()


def _process_seconds(pid: int) -> float:
    """User + system CPU seconds of one live process (utime, stime), 0 once it is gone."""
    fields = _stat_fields(pid)
    return 0.0 if fields is None else (int(fields[11]) + int(fields[12])) / TICKS


def _children(pid: int) -> list[int]:
    try:
        return [
            int(child)
            for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()
        ]
    except OSError:
        return []


def server_cpu_seconds(pid: int, *, reaped: bool = False) -> float | None:
    """CPU seconds spent so far by a server's process tree: the master (gunicorn,
    granian, PostgreSQL's postmaster) and its live workers, with their threads; None
    when the master is gone.

    A worker that exits takes its seconds with it, unless `reaped`: then the seconds of
    the children the master has waited for (cutime, cstime) count too. PostgreSQL reaps
    a backend at each disconnect, so its figure needs them; the bench's gunicorns run
    without max-requests recycling and are measured without."""
    fields = _stat_fields(pid)
    if fields is None:
        return None
    # utime, stime (and cutime, cstime when reaped) of the master, read once.
    ticks = sum(int(v) for v in fields[11 : 15 if reaped else 13])
    total, pending = ticks / TICKS, _children(pid)
    while pending:
        current = pending.pop()
        total += _process_seconds(current)
        pending += _children(current)
    return total
