"""Agenda page forms: they parse and type the input; the services hold the rules.

The calendar's query string is forgiving (a bookmarked or hand-edited URL never gives
a 500): an unknown view is the month, an unreadable date is today, unknown types are
dropped. The study-plan settings form reads the start time as local wall-clock time
in the user's zone (which is what the plan stores).
"""

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from campus.agenda import calendar_grid
from campus.agenda.events import TYPES
from campus.agenda.models import MAX_MINUTES_PER_DAY, MIN_MINUTES_PER_DAY
from campus.core import dates

WEEKDAY_CHOICES = [
    (0, _("Lun")),
    (1, _("Mar")),
    (2, _("Mer")),
    (3, _("Jeu")),
    (4, _("Ven")),
    (5, _("Sam")),
    (6, _("Dim")),
]
WEEKDAY_NAMES = {
    0: _("lundi"),
    1: _("mardi"),
    2: _("mercredi"),
    3: _("jeudi"),
    4: _("vendredi"),
    5: _("samedi"),
    6: _("dimanche"),
}


class ForgivingMultipleChoiceField(forms.MultipleChoiceField):
    """Keeps the known values and drops the others instead of failing."""

    def clean(self, value: Any) -> list[str]:
        values = value if isinstance(value, list | tuple) else []
        return [str(v) for v in values if self.valid_value(str(v))]


class CalendarQueryForm(forms.Form):
    view = forms.ChoiceField(
        label=_("Vue"), required=False, choices=list(calendar_grid.VIEW_LABELS.items())
    )
    date = forms.DateField(label=_("Date"), required=False, input_formats=["%Y-%m-%d"])
    type = ForgivingMultipleChoiceField(
        label=_("Afficher"),
        required=False,
        choices=[(key, calendar_grid.TYPE_LABELS[key]) for key in TYPES],
        widget=forms.CheckboxSelectMultiple,
    )

    def query(self, *, today: dt.date) -> tuple[str, dt.date, set[str] | None]:
        """(view, anchor date, types or None for all) from whatever was sent."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        view = data.get("view") or calendar_grid.MONTH
        anchor = data.get("date") or today
        if not dates.in_range(anchor):  # the one accepted range (keeps date arithmetic safe)
            anchor = today
        types = set(data.get("type") or []) or None
        return view, anchor, types


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M")


class PlanSettingsForm(forms.Form):
    study_days = forms.TypedMultipleChoiceField(
        label=_("Jours d'étude"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choisissez au moins un jour d'étude.")},
    )
    start_time = forms.TimeField(
        label=_("Heure de début"),
        widget=TimeInput(),
        input_formats=["%H:%M", "%H:%M:%S"],
    )
    minutes_per_day = forms.IntegerField(
        label=_("Minutes par jour"),
        widget=forms.NumberInput(attrs={"min": MIN_MINUTES_PER_DAY, "max": MAX_MINUTES_PER_DAY}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["minutes_per_day"].help_text = _("Entre %(min)s et %(max)s minutes.") % {
            "min": MIN_MINUTES_PER_DAY,
            "max": MAX_MINUTES_PER_DAY,
        }
