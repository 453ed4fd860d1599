"""Rating page forms: they parse and type the input; the services hold the rules."""

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from campus.ratings.models import COMMENT_MAX, MODERATION_NOTE_MAX, PROS_CONS_MAX


def _stars_label(stars: int) -> str:
    return ngettext("%(n)s étoile", "%(n)s étoiles", stars) % {"n": stars}


# Lazy: translated in the visitor's language when the form renders, not at import time
# (`ngettext_lazy(...) % {...}` would format, and so translate, once at import).
stars_label = lazy(_stars_label, str)
STAR_CHOICES = [(stars, stars_label(stars)) for stars in range(1, 6)]


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Votre note"),
        choices=STAR_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choisissez une note de 1 à 5 étoiles."),
            "invalid_choice": _("La note doit être un nombre entier de 1 à 5."),
        },
    )
    comment = forms.CharField(
        label=_("Commentaire"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    pros = forms.CharField(
        label=_("Ce que vous avez aimé"),
        required=False,
        max_length=PROS_CONS_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    cons = forms.CharField(
        label=_("Ce qui pourrait être amélioré"),
        required=False,
        max_length=PROS_CONS_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    would_recommend = forms.BooleanField(label=_("Je recommande ce cours"), required=False)
    is_anonymous = forms.BooleanField(
        label=_("Publier de manière anonyme"),
        required=False,
        help_text=_("Votre nom ne sera pas affiché avec votre avis."),
    )


class ModerationForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approuver")), ("reject", _("Refuser"))],
        error_messages={"invalid_choice": _("Décision inconnue.")},
    )
    note = forms.CharField(
        label=_("Note de modération (facultative)"),
        required=False,
        max_length=MODERATION_NOTE_MAX,
    )
