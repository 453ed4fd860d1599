"""How a date, a time and a duration read, in one place, for every page, email, feed
and PDF. Templates use `{% load formatting %}`: `{{ value|date_style:"abbr" }}`,
`{{ minutes|duration }}`.

The formats themselves live per language in `campus/formats/<lang>/formats.py`
(FORMAT_MODULE_PATH), so the admin and `|date:"DATE_FORMAT"` read the same ones:

| style              | French                               | English                              |
|--------------------|--------------------------------------|--------------------------------------|
| `date` (default)   | 2 décembre 2026                      | 2 December 2026                      |
| `abbr`             | 2 déc. 2026                          | 2 Dec 2026                           |
| `weekday`          | mercredi 2 décembre 2026             | Wednesday 2 December 2026            |
| `abbr_weekday`     | mer. 2 déc. 2026                     | Wed 2 Dec 2026                       |
| `weekday_day`      | mercredi 2 décembre                  | Wednesday 2 December                 |
| `day_month`        | 2 décembre                           | 2 December                           |
| `month`            | décembre 2026                        | December 2026                        |
| `datetime`         | 2 décembre 2026 à 18:00              | 2 December 2026, 18:00               |
| `abbr_datetime`    | 2 déc. 2026 à 18:00                  | 2 Dec 2026, 18:00                    |
| `weekday_datetime` | mercredi 2 décembre 2026 à 18:00     | Wednesday 2 December 2026 at 18:00   |
| `abbr_weekday_time`| mer. 18:00                           | Wed 18:00                            |
| `time`             | 18:00                                | 18:00                                |

French writes the first day of a month "1er janvier 2027".

Durations: "45 min", "2 h", "1 h 05 min" (minutes padded after hours, as the live
countdown writes "dans 1 h 05 min").
"""

import re
from datetime import date, datetime, time, timedelta

from django.utils import dateformat, formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

# The day of the month in a format (`j`, not an escaped `\j`).
_FIRST_OF_MONTH = re.compile(r"(?<!\\)j")

STYLES = {
    "date": "DATE_FORMAT",
    "abbr": "ABBR_DATE_FORMAT",
    "weekday": "WEEKDAY_DATE_FORMAT",
    "abbr_weekday": "ABBR_WEEKDAY_DATE_FORMAT",
    "weekday_day": "WEEKDAY_DAY_FORMAT",
    "day_month": "MONTH_DAY_FORMAT",
    "month": "YEAR_MONTH_FORMAT",
    "datetime": "DATETIME_FORMAT",
    "abbr_datetime": "ABBR_DATETIME_FORMAT",
    "weekday_datetime": "WEEKDAY_DATETIME_FORMAT",
    "abbr_weekday_time": "ABBR_WEEKDAY_TIME_FORMAT",
    "time": "TIME_FORMAT",
}


def format_string(style: str) -> str:
    """The active language's format for `style` (a key of STYLES)."""
    try:
        name = STYLES[style]
    except KeyError:
        raise ValueError(f"unknown date style {style!r}; one of {sorted(STYLES)}") from None
    for module in formats.get_format_modules(get_language()):
        value = getattr(module, name, None)
        if isinstance(value, str):
            return value
    return str(formats.get_format(name))


def format_date(value: date | datetime | time | None, style: str = "date") -> str:
    """`value` in the active language; an aware datetime is shown in the active zone
    (the user's: UserPreferencesMiddleware, or timezone.override in emails)."""
    if value is None:
        return ""
    if isinstance(value, time):
        return dateformat.time_format(value, format_string(style))
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    fmt = format_string(style)
    if value.day == 1 and (get_language() or "").startswith("fr"):
        fmt = _FIRST_OF_MONTH.sub(r"j\\e\\r", fmt)  # "1er janvier", as French writes it
    # A time style on a date raises TypeError (dateformat refuses time specifiers).
    return dateformat.format(value, fmt)


def format_duration(value: int | float | timedelta | None) -> str:
    """Minutes (or a timedelta, rounded down to the minute): "45 min", "2 h", "1 h 05 min"."""
    if value is None:
        return ""
    minutes = int(value.total_seconds()) // 60 if isinstance(value, timedelta) else int(value)
    minutes = max(0, minutes)
    if minutes < 60:
        return _("%(m)s min") % {"m": minutes}
    hours, rest = divmod(minutes, 60)
    if rest == 0:
        return _("%(h)s h") % {"h": hours}
    return _("%(h)s h %(m)s min") % {"h": hours, "m": f"{rest:02d}"}
