"""French: "2 décembre 2026", "2 déc. 2026", "mercredi 2 décembre 2026 à 18:00".

Abbreviated months take a full stop except the short ones ("mars", "mai", "juin",
"août"): Django's `N` (its "AP" month names, translated) writes them so. The time is
"18:00" everywhere (timetables, the calendar, prose): compact on a phone and the form
users type in the time fields; never "6 PM"."""

# Django's standard names (the admin and `localize` read them too).
DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y à H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"

# Campus's styles (campus.core.formatting.STYLES).
ABBR_DATE_FORMAT = "j N Y"
ABBR_DATETIME_FORMAT = "j N Y à H:i"
WEEKDAY_DATE_FORMAT = "l j F Y"
WEEKDAY_DATETIME_FORMAT = "l j F Y à H:i"
ABBR_WEEKDAY_DATE_FORMAT = "D. j N Y"
WEEKDAY_DAY_FORMAT = "l j F"
ABBR_WEEKDAY_TIME_FORMAT = "D. H:i"
