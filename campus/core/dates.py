"""The one range of dates Campus accepts: from 1 January 1970 to a horizon
`DATE_HORIZON_YEARS` (default 10) years after today, both days included.

Every date or datetime that enters (API bodies and query parameters, page forms, the
occurrences a series generates) is checked against it where it enters, with one message
and the code `date_out_of_range`, so code that renders, converts or adds to a stored
date never meets year 1 or year 9999 (where a time zone or a "next day" overflows).

- a date is in range when 1970-01-01 <= date <= horizon;
- an instant (aware datetime) when 1970-01-01T00:00Z <= instant < the day after the
  horizon at 00:00Z (a naive datetime is read as UTC).

Each face uses it in one line:

- API schemas: `InRangeDate`, `InRangeDatetime` (AwareDatetime) or
  `AfterValidator(check_value)` on a custom type;
- page forms: `InRangeDateField`, or `InRangeMixin` on any date/datetime field (it also
  gives `<input type="date">` and `datetime-local` their `min` and `max`);
- services: `check_in_range(field, value)` (a 400 naming the field).

Rows stored before the range existed: `campus check_date_range` lists them.
"""

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import AfterValidator, AwareDatetime, WithJsonSchema
from pydantic_core import PydanticCustomError

from campus.core.formatting import format_date
from campus.core.validation import field_error

CODE = "date_out_of_range"
EPOCH = date(1970, 1, 1)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


def horizon(now: datetime | None = None) -> date:
    """The last accepted day: today (UTC) plus DATE_HORIZON_YEARS years."""
    today = (now or timezone.now()).astimezone(UTC).date()
    return _add_years(today, settings.DATE_HORIZON_YEARS)


def bounds(now: datetime | None = None) -> tuple[datetime, datetime]:
    """The accepted instants [first, after): 1970-01-01T00:00Z and the day after the
    horizon at 00:00Z (excluded)."""
    after = datetime.combine(horizon(now) + timedelta(days=1), time(0), tzinfo=UTC)
    return datetime.combine(EPOCH, time(0), tzinfo=UTC), after


def in_range(value: date | datetime, *, now: datetime | None = None) -> bool:
    if isinstance(value, datetime):
        first, after = bounds(now)
        instant = value if timezone.is_aware(value) else value.replace(tzinfo=UTC)
        # Aware comparisons never overflow, even 9999-12-31T23:59:59-12:00.
        return first <= instant < after
    return EPOCH <= value <= horizon(now)


def message(now: datetime | None = None) -> str:
    """The one message, in the active language, with the two days spelled out."""
    return _("Date hors de la plage acceptée : entre le %(first)s et le %(last)s.") % {
        "first": format_date(EPOCH),
        "last": format_date(horizon(now)),
    }


def check_in_range(field: str, value: date | datetime | None) -> None:
    """Services: 400 `date_out_of_range` naming `field` when `value` is outside."""
    if value is not None and not in_range(value):
        raise field_error(field, message(), CODE, headline=True)


# --- API (pydantic) ------------------------------------------------------------------------


def check_value(value: Any) -> Any:
    """A pydantic AfterValidator: the error type is `date_out_of_range`."""
    if isinstance(value, date) and not in_range(value):
        raise PydanticCustomError(CODE, "{message}", {"message": message()})
    return value


InRangeDate = Annotated[date, AfterValidator(check_value)]
InRangeDatetime = Annotated[AwareDatetime, AfterValidator(check_value)]

# A wall-clock time of day in a zone given elsewhere (a series' `timezone`), sent and
# shown without an offset: "18:00" or "18:00:00". JSON Schema's `format: time` is RFC
# 3339's, which requires an offset, so the document says what is meant instead.
WALL_CLOCK_TIME = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?$"
LocalTime = Annotated[
    time,
    WithJsonSchema(
        {"type": "string", "pattern": WALL_CLOCK_TIME, "examples": ["18:00"]},
    ),
]


# --- Page forms ------------------------------------------------------------------------------


def validate_in_range(value: Any) -> None:
    """A Django validator for date and datetime form fields."""
    if isinstance(value, date) and not in_range(value):
        raise ValidationError(message(), code=CODE)


class InRangeMixin(forms.Field):
    """On a DateField or DateTimeField: values outside the range are a field error, and
    the browser's date pickers stop at the same days (`min`/`max`, set when the form is
    shown, so a long-running process never offers a stale horizon)."""

    default_validators = [validate_in_range]

    def get_bound_field(self, form: forms.BaseForm, field_name: str) -> Any:
        input_type = getattr(self.widget, "input_type", "")
        last = horizon()
        if input_type == "date":
            self.widget.attrs.update(min=EPOCH.isoformat(), max=last.isoformat())
        elif input_type == "datetime-local":
            self.widget.attrs.update(min=f"{EPOCH.isoformat()}T00:00", max=f"{last}T23:59")
        return super().get_bound_field(form, field_name)


class InRangeDateField(InRangeMixin, forms.DateField):
    pass
