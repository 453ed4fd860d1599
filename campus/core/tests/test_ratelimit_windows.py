"""A rate-limit window opens at its first event and lasts its length, whatever the clock
says: a burst that straddles a round minute or a round ten minutes is counted as one (the
clock-aligned windows it replaced let a guesser who started at 11:49:58 restart from zero
two seconds later), and Retry-After is the exact time left."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from campus.core import ratelimit
from campus.core.errors import RateLimited

pytestmark = pytest.mark.django_db

WINDOW = 600
# Two seconds before a time that is a multiple of 600 s since the epoch.
BEFORE_A_ROUND_TEN_MINUTES = datetime(2026, 12, 2, 11, 49, 58, tzinfo=UTC)


def refused(limit: int) -> RateLimited | None:
    try:
        ratelimit.limit_action("test", "ip:154.66.1.20", limit=limit, window=WINDOW)
    except RateLimited as error:
        return error
    return None


def test_a_burst_across_a_round_clock_time_is_one_window() -> None:
    with time_machine.travel(BEFORE_A_ROUND_TEN_MINUTES, tick=False) as traveller:
        for _ in range(5):
            assert refused(10) is None
        traveller.shift(timedelta(seconds=4))  # now 11:50:02
        for _ in range(5):
            assert refused(10) is None
        error = refused(10)
        assert error is not None
        assert error.retry_after == WINDOW - 4


def test_the_window_closes_its_length_after_its_first_event() -> None:
    with time_machine.travel(BEFORE_A_ROUND_TEN_MINUTES, tick=False) as traveller:
        for _ in range(3):
            ratelimit.hit("test", "email:a@example.org", window=WINDOW)
        traveller.shift(timedelta(seconds=WINDOW - 1))
        with pytest.raises(RateLimited) as blocked:
            ratelimit.ensure_below("test", "email:a@example.org", limit=3, window=WINDOW)
        assert blocked.value.retry_after == 1
        traveller.shift(timedelta(seconds=1))
        ratelimit.ensure_below("test", "email:a@example.org", limit=3, window=WINDOW)
        # The next event opens a new window that counts from one.
        assert ratelimit.hit("test", "email:a@example.org", window=WINDOW) == 1


def test_reading_a_count_opens_no_window() -> None:
    with time_machine.travel(BEFORE_A_ROUND_TEN_MINUTES, tick=False) as traveller:
        ratelimit.ensure_below("test", "ip:1.2.3.4", limit=1, window=WINDOW)
        traveller.shift(timedelta(seconds=WINDOW - 10))
        ratelimit.hit("test", "ip:1.2.3.4", window=WINDOW)
        traveller.shift(timedelta(seconds=20))
        # The window opened at the hit, not at the earlier read: still in force.
        with pytest.raises(RateLimited):
            ratelimit.ensure_below("test", "ip:1.2.3.4", limit=1, window=WINDOW)


def test_reset_starts_over() -> None:
    for _ in range(3):
        ratelimit.hit("test", "user:7", window=WINDOW)
    ratelimit.reset("test", "user:7", window=WINDOW)
    assert ratelimit.hit("test", "user:7", window=WINDOW) == 1
