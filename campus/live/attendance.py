"""Attendance arithmetic: pure functions, no database."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol, TypeVar

from campus.live.models import AttendanceSource


class _Interval(Protocol):
    source: str


IntervalT = TypeVar("IntervalT", bound=_Interval)


def figure_intervals(intervals: Sequence[IntervalT]) -> list[IntervalT]:
    """The intervals a participant's attendance counts: the conference server's once it
    reported on them (it sees a phone that dropped the page, and a tab that never
    reached the conference), else the browser's heartbeats (the only witness when no
    event source is configured)."""
    server = [i for i in intervals if i.source == AttendanceSource.WEBHOOK]
    return server or list(intervals)


def figure_source(intervals: Sequence[_Interval]) -> str:
    """Where the figure of `figure_intervals(intervals)` comes from."""
    server = any(i.source == AttendanceSource.WEBHOOK for i in intervals)
    return AttendanceSource.WEBHOOK if server else AttendanceSource.HEARTBEAT


def attended_seconds(
    intervals: Iterable[tuple[datetime, datetime | None]],
    *,
    window_start: datetime,
    window_end: datetime,
    open_until: datetime,
) -> int:
    """Seconds covered by the union of `intervals`, clipped to [window_start, window_end].

    Each interval is (joined_at, left_at); an open one (left_at None) counts until
    `open_until` (its last heartbeat, or now). Overlapping, nested and duplicate intervals
    count once (two tabs open at once are one presence). The window is the session's
    actual start and end. Whole seconds, rounded down.
    """
    if window_end <= window_start:
        return 0
    clipped: list[tuple[datetime, datetime]] = []
    for joined, left in intervals:
        end = open_until if left is None else left
        start = max(joined, window_start)
        end = min(end, window_end)
        if end > start:
            clipped.append((start, end))
    if not clipped:
        return 0
    clipped.sort()
    total = 0.0
    current_start, current_end = clipped[0]
    for start, end in clipped[1:]:
        if start <= current_end:
            current_end = max(current_end, end)
        else:
            total += (current_end - current_start).total_seconds()
            current_start, current_end = start, end
    total += (current_end - current_start).total_seconds()
    return int(total)
