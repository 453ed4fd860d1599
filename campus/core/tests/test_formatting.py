"""Dates, times and durations read one way everywhere (campus.core.formatting and the
`{% load formatting %}` filters), in French and in English."""

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from campus.core.formatting import STYLES, format_date, format_duration

# 17:00 UTC is 18:00 in Porto-Novo (UTC+1), the platform's home zone.
MOMENT = datetime(2026, 12, 2, 17, 0, tzinfo=UTC)
PORTO_NOVO = zoneinfo.ZoneInfo("Africa/Porto-Novo")

FRENCH = {
    "date": "2 décembre 2026",
    "abbr": "2 déc. 2026",
    "weekday": "mercredi 2 décembre 2026",
    "abbr_weekday": "mer. 2 déc. 2026",
    "weekday_day": "mercredi 2 décembre",
    "day_month": "2 décembre",
    "month": "décembre 2026",
    "datetime": "2 décembre 2026 à 18:00",
    "abbr_datetime": "2 déc. 2026 à 18:00",
    "weekday_datetime": "mercredi 2 décembre 2026 à 18:00",
    "abbr_weekday_time": "mer. 18:00",
    "time": "18:00",
}
ENGLISH = {
    "date": "2 December 2026",
    "abbr": "2 Dec 2026",
    "weekday": "Wednesday 2 December 2026",
    "abbr_weekday": "Wed 2 Dec 2026",
    "weekday_day": "Wednesday 2 December",
    "day_month": "2 December",
    "month": "December 2026",
    "datetime": "2 December 2026, 18:00",
    "abbr_datetime": "2 Dec 2026, 18:00",
    "weekday_datetime": "Wednesday 2 December 2026 at 18:00",
    "abbr_weekday_time": "Wed 18:00",
    "time": "18:00",
}


def test_every_style_is_tested() -> None:
    assert set(FRENCH) == set(ENGLISH) == set(STYLES)


@pytest.mark.parametrize(("language", "expected"), [("fr", FRENCH), ("en", ENGLISH)])
def test_each_style_in_each_language(language: str, expected: dict[str, str]) -> None:
    with translation.override(language), timezone.override(PORTO_NOVO):
        assert {style: format_date(MOMENT, style) for style in STYLES} == expected


def test_french_abbreviations_take_a_full_stop_except_short_months() -> None:
    with translation.override("fr"):
        months = [format_date(date(2026, month, 5), "abbr") for month in range(1, 13)]
    assert months == [
        "5 jan. 2026",
        "5 fév. 2026",
        "5 mars 2026",
        "5 avr. 2026",
        "5 mai 2026",
        "5 juin 2026",
        "5 juil. 2026",
        "5 août 2026",
        "5 sept. 2026",
        "5 oct. 2026",
        "5 nov. 2026",
        "5 déc. 2026",
    ]
    assert "Déc" not in months[-1]  # the stock `j M Y` wrote "2 Déc 2026"


def test_an_aware_datetime_is_shown_in_the_active_zone() -> None:
    with translation.override("fr"), timezone.override(zoneinfo.ZoneInfo("Europe/Paris")):
        assert format_date(MOMENT, "datetime") == "2 décembre 2026 à 18:00"
    with translation.override("fr"), timezone.override(zoneinfo.ZoneInfo("America/New_York")):
        assert format_date(MOMENT, "datetime") == "2 décembre 2026 à 12:00"


def test_french_writes_the_first_of_the_month_1er() -> None:
    first = datetime(2027, 1, 1, 2, 1, tzinfo=UTC)
    with translation.override("fr"), timezone.override(PORTO_NOVO):
        assert format_date(first, "datetime") == "1er janvier 2027 à 03:01"
        assert format_date(first.date(), "abbr_weekday") == "ven. 1er jan. 2027"
        assert format_date(date(2027, 1, 2)) == "2 janvier 2027"
    with translation.override("en"), timezone.override(PORTO_NOVO):
        assert format_date(first, "datetime") == "1 January 2027, 03:01"


def test_dates_and_times_of_day() -> None:
    with translation.override("fr"):
        assert format_date(date(2026, 3, 1), "weekday") == "dimanche 1er mars 2026"
        assert format_date(time(9, 5), "time") == "09:05"
        assert format_date(None) == ""
        with pytest.raises(ValueError, match="unknown date style"):
            format_date(MOMENT, "fancy")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0 min"),
        (45, "45 min"),
        (59, "59 min"),
        (60, "1 h"),
        (65, "1 h 05 min"),
        (75, "1 h 15 min"),
        (120, "2 h"),
        (600, "10 h"),
        (timedelta(hours=1, minutes=15, seconds=59), "1 h 15 min"),
        (timedelta(minutes=-5), "0 min"),
    ],
)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_durations(language: str, value: int | timedelta, expected: str) -> None:
    with translation.override(language):
        assert format_duration(value) == expected


def test_no_stock_spelled_out_duration() -> None:
    # Django's timeuntil wrote "1 heure, 15 minutes" on one page and "1 h 15 min" on another.
    with translation.override("fr"):
        assert format_duration(timedelta(hours=1, minutes=15)) == "1 h 15 min"
        assert format_duration(None) == ""


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "2 déc. 2026 · mercredi 2 décembre 2026 à 18:00 · 1 h 15 min · 18:00"),
        ("en", "2 Dec 2026 · Wednesday 2 December 2026 at 18:00 · 1 h 15 min · 18:00"),
    ],
)
def test_template_filters(language: str, expected: str) -> None:
    template = Template(
        '{% load formatting %}{{ moment|date_style:"abbr" }} · '
        '{{ moment|date_style:"weekday_datetime" }} · {{ minutes|duration }} · '
        '{{ moment|date_style:"time" }}'
    )
    with translation.override(language), timezone.override(PORTO_NOVO):
        rendered = template.render(Context({"moment": MOMENT, "minutes": 75}))
    assert rendered == expected


def test_template_filters_on_empty_values() -> None:
    template = Template("{% load formatting %}[{{ none|date_style }}][{{ none|duration }}]")
    assert template.render(Context({"none": None})) == "[][]"


def test_django_standard_formats_follow_the_same_modules() -> None:
    """The admin and `|date:"DATE_FORMAT"` read campus/formats too."""
    template = Template('{{ moment|date:"DATETIME_FORMAT" }}')
    with translation.override("fr"), timezone.override(PORTO_NOVO):
        assert template.render(Context({"moment": MOMENT})) == "2 décembre 2026 à 18:00"
    with translation.override("en"), timezone.override(PORTO_NOVO):
        assert template.render(Context({"moment": MOMENT})) == "2 December 2026, 18:00"
