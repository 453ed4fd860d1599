from typing import Any

from django import forms

from campus.notifications.models import Kind


class PreferencesForm(forms.Form):
    """Two checkboxes per kind: <kind>__in_app and <kind>__email."""

    def __init__(self, *args: Any, current: dict[str, tuple[bool, bool]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Kind.choices)
        self.rows: list[tuple[str, Any, Any]] = []
        for kind, (in_app, email) in current.items():
            self.fields[f"{kind}__in_app"] = forms.BooleanField(required=False, initial=in_app)
            self.fields[f"{kind}__email"] = forms.BooleanField(required=False, initial=email)
            self.rows.append((str(labels[kind]), self[f"{kind}__in_app"], self[f"{kind}__email"]))

    def choices(self) -> dict[str, dict[str, bool]]:
        data = self.cleaned_data
        return {
            kind: {"in_app": data[f"{kind}__in_app"], "email": data[f"{kind}__email"]}
            for kind in Kind.values
        }
