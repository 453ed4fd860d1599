"""Page forms for live sessions: they parse and type the input; the services hold the rules.

Dates and times are typed separately (`<input type="date">` and `type="time"` work on
every phone, unlike datetime-local) and read as wall-clock time in the instructor's own
zone (`tz`), then converted to aware datetimes for the services.
"""

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from campus.core.dates import InRangeDateField
from campus.courses.models import TITLE_MAX
from campus.live.models import CANCEL_REASON_MAX, SESSION_DESCRIPTION_MAX, LiveSession
from campus.live.services import MAX_SESSION_LENGTH

# Services name the fields of their errors; the forms name their inputs.
SESSION_FIELDS = {"scheduled_start_at": "start_time", "scheduled_end_at": "end_time"}
SERIES_EDIT_FIELDS = {"duration_minutes": "end_time", "body": "title"}
SERIES_FIELDS = {
    "timezone": "start_time",
    "scheduled_start_at": "starts_on",
    "scheduled_end_at": "duration_minutes",
}

WEEKDAYS = [
    (0, _("Lun")),
    (1, _("Mar")),
    (2, _("Mer")),
    (3, _("Jeu")),
    (4, _("Ven")),
    (5, _("Sam")),
    (6, _("Dim")),
]

SCOPE_ONE = "one"
SCOPE_FOLLOWING = "following"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M")


def zone_of(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def local_instant(day: date, at: time, tz: zoneinfo.ZoneInfo) -> datetime:
    """Wall-clock `day` `at` in `tz` as an aware UTC datetime (first of an ambiguous hour;
    a time in a spring-forward gap moves forward by the gap, as in a series). In UTC, so
    comparing and subtracting two of them counts real time: two datetimes sharing one
    ZoneInfo compare by wall clock, and 02:30 (in the gap) and 03:30 are the same instant
    in Paris on the last Sunday of March."""
    local = datetime.combine(day, at.replace(tzinfo=None)).replace(tzinfo=tz, fold=0)
    return local.astimezone(UTC)


def _count_field(label: Any, **attrs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        widget=forms.NumberInput({"inputmode": "numeric", **attrs}),
    )


class SessionForm(forms.Form):
    """One session, created or edited. `tz` is the instructor's zone; `session` (when
    editing) fills the form with its stored times shown in that zone."""

    title = forms.CharField(label=_("Titre"), max_length=TITLE_MAX)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=SESSION_DESCRIPTION_MAX,
        widget=forms.Textarea({"rows": 4}),
    )
    date = InRangeDateField(label=_("Date"), widget=DateInput())
    start_time = forms.TimeField(label=_("Heure de début"), widget=TimeInput())
    end_time = forms.TimeField(label=_("Heure de fin"), widget=TimeInput())
    max_participants = forms.IntegerField(
        label=_("Nombre maximum de participants"),
        initial=100,
        widget=forms.NumberInput({"inputmode": "numeric", "min": 1, "max": 10000}),
    )
    is_recording_enabled = forms.BooleanField(label=_("Enregistrer la session"), required=False)
    scope = forms.ChoiceField(
        label=_("Appliquer à"),
        choices=[
            (SCOPE_ONE, _("Cette séance seulement")),
            (SCOPE_FOLLOWING, _("Cette séance et les suivantes")),
        ],
        initial=SCOPE_ONE,
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(
        self, *args: Any, tz: zoneinfo.ZoneInfo, session: LiveSession | None = None, **kwargs: Any
    ) -> None:
        self.tz = tz
        self.session = session
        if session is not None:
            start = session.scheduled_start_at.astimezone(tz)
            end = session.scheduled_end_at.astimezone(tz)
            kwargs.setdefault(
                "initial",
                {
                    "title": session.title,
                    "description": session.description,
                    "date": start.date(),
                    "start_time": start.time().replace(second=0, microsecond=0),
                    "end_time": end.time().replace(second=0, microsecond=0),
                    "max_participants": session.max_participants,
                    "is_recording_enabled": session.is_recording_enabled,
                    "scope": SCOPE_ONE,
                },
            )
        super().__init__(*args, **kwargs)
        if session is None or session.series_id is None:
            del self.fields["scope"]
        else:
            self.fields["scope"].help_text = _(
                "« Les suivantes » garde la date de chaque séance : seules l'heure, la durée "
                "et les autres informations changent."
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            self.session is not None
            and data.get("scope") == SCOPE_FOLLOWING
            and data.get("date")
            and data["date"] != self.session.scheduled_start_at.astimezone(self.tz).date()
        ):
            self.add_error(
                "date",
                _("Pour changer la date, choisissez « Cette séance seulement »."),
            )
        return data

    @property
    def following(self) -> bool:
        return self.cleaned_data.get("scope") == SCOPE_FOLLOWING

    def schedule(self) -> tuple[datetime, datetime]:
        """The (start, end) aware datetimes of a valid form. An end hour before the start
        hour means the next day when that makes a session the service allows (an evening
        class 22:00-00:30); otherwise it stays on the same day and the service says
        end_before_start."""
        data = self.cleaned_data
        start = local_instant(data["date"], data["start_time"], self.tz)
        end = local_instant(data["date"], data["end_time"], self.tz)
        if end < start:
            next_day = local_instant(data["date"] + timedelta(days=1), data["end_time"], self.tz)
            if next_day - start <= MAX_SESSION_LENGTH:
                end = next_day
        return start, end

    def session_changes(self) -> dict[str, Any]:
        start, end = self.schedule()
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "scheduled_start_at": start,
            "scheduled_end_at": end,
            "max_participants": data["max_participants"],
            "is_recording_enabled": data["is_recording_enabled"],
        }

    def series_changes(self) -> dict[str, Any]:
        """For services.series_update_following: local start time and a length."""
        start, end = self.schedule()
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "start_time": data["start_time"],
            "duration_minutes": int((end - start) / timedelta(minutes=1)),
            "max_participants": data["max_participants"],
            "is_recording_enabled": data["is_recording_enabled"],
        }


class SeriesForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=TITLE_MAX)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=SESSION_DESCRIPTION_MAX,
        widget=forms.Textarea({"rows": 3}),
    )
    days_of_week = forms.TypedMultipleChoiceField(
        label=_("Jours de la semaine"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    start_time = forms.TimeField(label=_("Heure de début"), widget=TimeInput())
    duration_minutes = _count_field(_("Durée (minutes)"), min=1, max=720, step=5)
    starts_on = InRangeDateField(label=_("Première date"), widget=DateInput())
    count = _count_field(_("Nombre de séances"), min=1, max=200)
    until = InRangeDateField(label=_("Ou : jusqu'au"), required=False, widget=DateInput())
    max_participants = forms.IntegerField(
        label=_("Nombre maximum de participants"),
        initial=100,
        widget=forms.NumberInput({"inputmode": "numeric", "min": 1, "max": 10000}),
    )
    is_recording_enabled = forms.BooleanField(label=_("Enregistrer les sessions"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["duration_minutes"].initial = 60

    def clean_duration_minutes(self) -> int:
        value = self.cleaned_data.get("duration_minutes")
        if value is None:
            raise forms.ValidationError(_("Ce champ est obligatoire."), code="required")
        return int(value)

    def series_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class SeriesEditForm(forms.Form):
    """A whole series, for its future occurrences: the weekdays and dates stay; the
    local start time, the length, the title, the description and the capacity change.
    Filled from the series row; `start_time` is wall-clock time in the series' zone."""

    title = forms.CharField(label=_("Titre"), max_length=TITLE_MAX)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=SESSION_DESCRIPTION_MAX,
        widget=forms.Textarea({"rows": 3}),
    )
    start_time = forms.TimeField(label=_("Heure de début"), widget=TimeInput())
    duration_minutes = _count_field(_("Durée (minutes)"), min=1, max=720, step=5)
    max_participants = forms.IntegerField(
        label=_("Nombre maximum de participants"),
        widget=forms.NumberInput({"inputmode": "numeric", "min": 1, "max": 10000}),
    )

    def __init__(self, *args: Any, series: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "title": series.title,
                "description": series.description,
                "start_time": series.start_time,
                "duration_minutes": series.duration_minutes,
                "max_participants": series.max_participants,
            },
        )
        super().__init__(*args, **kwargs)

    def clean_duration_minutes(self) -> int:
        value = self.cleaned_data.get("duration_minutes")
        if value is None:
            raise forms.ValidationError(_("Ce champ est obligatoire."), code="required")
        return int(value)

    def changes(self) -> dict[str, Any]:
        """Only what differs from the form's initial values (the series as it is)."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if value != self.initial.get(name)
        }


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif (facultatif)"),
        required=False,
        max_length=CANCEL_REASON_MAX,
        help_text=_("Les participants le verront. 500 caractères au plus."),
        widget=forms.Textarea({"rows": 3, "maxlength": CANCEL_REASON_MAX}),
    )


class RecordingForm(forms.Form):
    recording_url = forms.CharField(
        label=_("Lien de l'enregistrement"),
        required=False,
        help_text=_("Adresse http(s). Laissez vide pour retirer le lien."),
        widget=forms.URLInput({"inputmode": "url", "placeholder": "https://"}),
    )
