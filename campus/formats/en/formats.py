"""English, day first (as read in West Africa and Britain): "2 December 2026",
"2 Dec 2026", "Wednesday 2 December 2026 at 18:00". 24-hour time, like the French."""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = r"j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"

ABBR_DATE_FORMAT = "j M Y"
ABBR_DATETIME_FORMAT = "j M Y, H:i"
WEEKDAY_DATE_FORMAT = "l j F Y"
WEEKDAY_DATETIME_FORMAT = r"l j F Y \a\t H:i"
ABBR_WEEKDAY_DATE_FORMAT = "D j M Y"
WEEKDAY_DAY_FORMAT = "l j F"
ABBR_WEEKDAY_TIME_FORMAT = "D H:i"
