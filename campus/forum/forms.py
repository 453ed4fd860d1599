"""Page forms for the forum: they parse the input; the services hold every rule (empty
or too long titles and messages come back from them as field errors). The HTML limits
(`required`, `maxlength`) only help the browser: they come from the models' constants.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from campus.forum.models import CONTENT_MAX, REPORT_REASON_MAX, TITLE_MAX
from campus.forum.selectors import TOPIC_SORTS

MARKDOWN_HELP = _(
    "Markdown : **gras**, *italique*, `code`, [lien](https://…), listes avec « - ». "
    "Le HTML n'est pas interprété."
)

SORT_LABELS = {
    "recent": _("Récents"),
    "popular": _("Populaires"),
    "unanswered": _("Sans réponse"),
    "solved": _("Résolus"),
}


def _text(label: Any, *, max_length: int, rows: int = 0, help_text: Any = "") -> forms.CharField:
    attrs: dict[str, Any] = {"required": True, "maxlength": max_length}
    widget: forms.Widget
    widget = forms.Textarea(attrs={**attrs, "rows": rows}) if rows else forms.TextInput(attrs=attrs)
    # strip=False: the services trim and judge emptiness (one rule, one message).
    return forms.CharField(
        label=label, required=False, strip=False, widget=widget, help_text=help_text
    )


class TopicFilterForm(forms.Form):
    """?q= (search) and ?sort= of the topic list; anything odd falls back to the default."""

    q = forms.CharField(label=_("Rechercher un sujet"), required=False, max_length=200)
    sort = forms.ChoiceField(
        label=_("Trier"),
        required=False,
        choices=[(key, SORT_LABELS[key]) for key in TOPIC_SORTS],
    )

    def query(self) -> tuple[str, str]:
        """(search text, sort) with forgiving defaults."""
        if not self.is_valid():
            return "", "recent"
        return self.cleaned_data["q"].strip(), self.cleaned_data["sort"] or "recent"


class TopicForm(forms.Form):
    title = _text(_("Titre"), max_length=TITLE_MAX)
    content = _text(_("Message"), max_length=CONTENT_MAX, rows=8, help_text=MARKDOWN_HELP)


class ReplyForm(forms.Form):
    content = _text(_("Votre réponse"), max_length=CONTENT_MAX, rows=5, help_text=MARKDOWN_HELP)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


class ReplyEditForm(forms.Form):
    content = _text(_("Message"), max_length=CONTENT_MAX, rows=8, help_text=MARKDOWN_HELP)


class ReportForm(forms.Form):
    reason = _text(_("Motif du signalement"), max_length=REPORT_REASON_MAX, rows=3)
