from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from campus.live.attendance import attended_seconds

T0 = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def seconds(intervals: Sequence[tuple[float, float | None]], **kw: float) -> int:
    return attended_seconds(
        [(at(a), None if b is None else at(b)) for a, b in intervals],
        window_start=at(kw.get("window_start", 0)),
        window_end=at(kw.get("window_end", 120)),
        open_until=at(kw.get("open_until", 120)),
    )


@pytest.mark.parametrize(
    ("intervals", "expected_minutes"),
    [
        pytest.param([], 0, id="none"),
        pytest.param([(10, 20), (30, 45)], 25, id="disjoint"),
        pytest.param([(10, 30), (20, 40)], 30, id="overlapping"),
        pytest.param([(10, 30), (10, 30)], 20, id="duplicate"),
        pytest.param([(10, 60), (20, 30)], 50, id="nested"),
        pytest.param([(10, 20), (20, 30)], 20, id="touching"),
        pytest.param([(30, 40), (10, 20), (15, 35)], 30, id="unsorted-chain"),
        pytest.param([(50, 40)], 0, id="inverted-ignored"),
    ],
)
def test_union(intervals: list[tuple[float, float]], expected_minutes: int) -> None:
    assert seconds(intervals) == expected_minutes * 60


def test_open_interval_counts_until_open_until() -> None:
    assert seconds([(10, None)], open_until=25) == 15 * 60
    # An open interval overlapping a closed one is still counted once.
    assert seconds([(10, 30), (20, None)], open_until=40) == 30 * 60


def test_open_interval_clipped_by_window_end() -> None:
    assert seconds([(100, None)], open_until=500, window_end=120) == 20 * 60


def test_clipping_at_both_ends() -> None:
    # Joined 10 minutes before the session started, left 5 minutes after it ended.
    assert seconds([(-10, 125)], window_start=0, window_end=120) == 120 * 60
    assert seconds([(-10, 30), (100, 130)], window_start=0, window_end=120) == 50 * 60


@pytest.mark.parametrize(
    "interval",
    [pytest.param((-30, -10), id="before"), pytest.param((130, 150), id="after")],
)
def test_interval_entirely_outside_counts_zero(interval: tuple[float, float]) -> None:
    assert seconds([interval]) == 0


def test_empty_window_counts_zero() -> None:
    assert seconds([(0, 60)], window_start=60, window_end=60) == 0


def test_fractions_rounded_down() -> None:
    assert seconds([(0, 0.5 + 1 / 120)]) == 30
