import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from campus.core.errors import ValidationFailed
from campus.live.series import MAX_OCCURRENCES, occurrences

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
PORTO_NOVO = zoneinfo.ZoneInfo("Africa/Porto-Novo")


def series(**overrides: Any) -> list[tuple[datetime, datetime]]:
    kwargs: dict[str, Any] = {
        "days_of_week": [0, 2],
        "local_start": time(10, 0),
        "duration_minutes": 90,
        "tz": "Africa/Porto-Novo",
        "starts_on": date(2026, 3, 2),  # a Monday
        "count": None,
        "until": date(2026, 4, 12),  # the Sunday six weeks later
    }
    kwargs.update(overrides)
    return occurrences(**kwargs)


def test_monday_wednesday_over_six_weeks_in_porto_novo() -> None:
    result = series()
    assert len(result) == 12
    for start, end in result:
        assert start.tzinfo is UTC and end.tzinfo is UTC
        assert end - start == timedelta(minutes=90)
        local = start.astimezone(PORTO_NOVO)
        assert local.weekday() in {0, 2}
        assert local.time() == time(10, 0)
        assert start.hour == 9  # UTC+1 all year round
    assert result[0][0] == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert result[1][0] == datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
    assert result[-1][0] == datetime(2026, 4, 8, 9, 0, tzinfo=UTC)
    starts = [s for s, _ in result]
    assert starts == sorted(starts)


def test_count_gives_the_same_series_as_until() -> None:
    assert series(count=12, until=None) == series()
    assert len(series(count=5, until=None)) == 5


def test_until_is_inclusive_and_starts_on_may_be_mid_week() -> None:
    # Starting on a Tuesday: the first occurrence is Wednesday; until a Monday includes it.
    result = series(starts_on=date(2026, 3, 3), until=date(2026, 3, 9))
    assert [s.astimezone(PORTO_NOVO).date() for s, _ in result] == [
        date(2026, 3, 4),
        date(2026, 3, 9),
    ]


def test_duplicate_days_are_folded() -> None:
    assert series(days_of_week=[2, 0, 2, 0]) == series()


@pytest.mark.parametrize(
    ("starts_on", "until", "before_utc_hour", "after_utc_hour", "change_day"),
    [
        # Last Sunday of March 2026: CET (+1) → CEST (+2).
        pytest.param(date(2026, 3, 23), date(2026, 4, 5), 17, 16, date(2026, 3, 29), id="march"),
        # Last Sunday of October 2026: CEST (+2) → CET (+1).
        pytest.param(
            date(2026, 10, 19), date(2026, 11, 1), 16, 17, date(2026, 10, 25), id="october"
        ),
    ],
)
def test_paris_keeps_local_time_across_dst(
    starts_on: date, until: date, before_utc_hour: int, after_utc_hour: int, change_day: date
) -> None:
    result = series(
        days_of_week=[0, 2, 4, 6],
        local_start=time(18, 0),
        tz="Europe/Paris",
        starts_on=starts_on,
        until=until,
    )
    assert len(result) == 8
    for start, end in result:
        local = start.astimezone(PARIS)
        assert local.time() == time(18, 0)
        assert end - start == timedelta(minutes=90)
        expected = before_utc_hour if local.date() < change_day else after_utc_hour
        assert start.hour == expected, (local, start)
    offsets = {s.astimezone(PARIS).utcoffset() for s, _ in result}
    assert offsets == {timedelta(hours=1), timedelta(hours=2)}


def test_spring_forward_gap_is_shifted_forward() -> None:
    # 02:30 does not exist in Paris on 2026-03-29: it becomes 03:30 CEST (01:30 UTC).
    result = series(
        days_of_week=[6],
        local_start=time(2, 30),
        tz="Europe/Paris",
        starts_on=date(2026, 3, 22),
        count=3,
        until=None,
    )
    assert [s for s, _ in result] == [
        datetime(2026, 3, 22, 1, 30, tzinfo=UTC),  # 02:30 CET
        datetime(2026, 3, 29, 1, 30, tzinfo=UTC),  # 03:30 CEST, shifted by the gap
        datetime(2026, 4, 5, 0, 30, tzinfo=UTC),  # 02:30 CEST
    ]
    assert result[1][0].astimezone(PARIS).time() == time(3, 30)


def test_fall_back_ambiguity_takes_the_first_occurrence() -> None:
    # 02:30 happens twice in Paris on 2026-10-25; the first one is still CEST (+2).
    ((start, _),) = series(
        days_of_week=[6],
        local_start=time(2, 30),
        tz="Europe/Paris",
        starts_on=date(2026, 10, 25),
        count=1,
        until=None,
    )
    assert start == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_cap_of_two_hundred_is_allowed() -> None:
    assert len(series(count=MAX_OCCURRENCES, until=None)) == MAX_OCCURRENCES
    # 100 weeks of Mon/Wed from 2026-03-02: exactly 200 occurrences by date.
    assert len(series(until=date(2026, 3, 2) + timedelta(weeks=100) - timedelta(days=1))) == 200


def assert_code(code: str, **overrides: Any) -> None:
    with pytest.raises(ValidationFailed) as caught:
        series(**overrides)
    details = caught.value.details
    assert len(details) == 1 and details[0]["code"] == code, details
    assert details[0]["message"] and details[0]["field"]


@pytest.mark.parametrize(
    ("code", "overrides"),
    [
        pytest.param("series_no_days", {"days_of_week": []}, id="no-days"),
        pytest.param("series_invalid_day", {"days_of_week": [0, 7]}, id="day-7"),
        pytest.param("series_invalid_day", {"days_of_week": [-1]}, id="day-negative"),
        pytest.param("series_invalid_day", {"days_of_week": ["1"]}, id="day-string"),
        pytest.param("series_invalid_day", {"days_of_week": [True]}, id="day-bool"),
        pytest.param("series_count_or_until", {"count": None, "until": None}, id="neither"),
        pytest.param("series_count_or_until", {"count": 3}, id="both"),
        pytest.param("series_count_or_until", {"count": 0, "until": None}, id="count-zero"),
        pytest.param("series_count_or_until", {"until": date(2026, 3, 1)}, id="until-before-start"),
        pytest.param("series_too_many", {"count": 201, "until": None}, id="count-201"),
        pytest.param("series_too_many", {"until": date(2030, 1, 1)}, id="until-years-away"),
        pytest.param("series_too_many", {"until": date(9999, 12, 31)}, id="until-far-away"),
        pytest.param("series_invalid_duration", {"duration_minutes": 0}, id="duration-0"),
        pytest.param("series_invalid_duration", {"duration_minutes": 721}, id="duration-721"),
        pytest.param("series_invalid_timezone", {"tz": "Mars/Olympus"}, id="tz-unknown"),
        pytest.param("series_invalid_timezone", {"tz": ""}, id="tz-empty"),
        pytest.param("series_invalid_timezone", {"tz": "../etc/passwd"}, id="tz-path"),
    ],
)
def test_bad_input(code: str, overrides: dict[str, Any]) -> None:
    assert_code(code, **overrides)


def test_too_many_fails_fast_with_daily_series_far_away() -> None:
    # Every day until 9999: the cap stops generation at 201 occurrences.
    assert_code("series_too_many", days_of_week=list(range(7)), until=date(9999, 12, 31))


def test_duration_bounds_inclusive() -> None:
    assert series(duration_minutes=1)[0][1] - series(duration_minutes=1)[0][0] == timedelta(
        minutes=1
    )
    assert len(series(duration_minutes=720)) == 12
