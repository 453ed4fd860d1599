"""Attendance arithmetic: pure functions, no database."""

from collections.abc import Iterable
from datetime import datetime


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
