from typing import Any

from django import forms

from campus.notifications import kinds
from campus.notifications.models import Kind


class PreferencesForm(forms.Form):
    """Two checkboxes per kind the user may receive: <kind>__in_app and <kind>__email
    (none for an in-app-only kind's email)."""

    def __init__(self, *args: Any, current: dict[str, tuple[bool, bool]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Kind.choices)
        self.kinds = list(current)
        # (label, in_app field, email field or None, True on the first moderator kind)
        self.rows: list[tuple[str, Any, Any, bool]] = []
        for kind, (in_app, email) in current.items():
            self.fields[f"{kind}__in_app"] = forms.BooleanField(required=False, initial=in_app)
            email_field = None
            if kinds.email_offered(kind):
                self.fields[f"{kind}__email"] = forms.BooleanField(required=False, initial=email)
                email_field = self[f"{kind}__email"]
            first_moderator = kind == kinds.MODERATOR_KINDS[0]
            self.rows.append(
                (str(labels[kind]), self[f"{kind}__in_app"], email_field, first_moderator)
            )

    def choices(self) -> dict[str, dict[str, bool]]:
        data = self.cleaned_data
        return {
            kind: {"in_app": data[f"{kind}__in_app"], "email": data.get(f"{kind}__email", False)}
            for kind in self.kinds
        }
