"""Page forms for accounts: they parse and type the input; the services hold the rules."""

from functools import cache

from django import forms
from django.utils.translation import gettext_lazy as _

from campus.accounts.models import Language, timezone_choices


@cache
def cached_timezone_choices() -> list[tuple[str, str]]:
    return timezone_choices()


class NameFields(forms.Form):
    """First and last name, shared by registration and the profile."""

    first_name = forms.CharField(
        label=_("Prénom"),
        max_length=150,
        required=False,
        widget=forms.TextInput({"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Nom"),
        max_length=150,
        required=False,
        widget=forms.TextInput({"autocomplete": "family-name"}),
    )


class RegisterForm(NameFields):
    """Self-registration. There is deliberately no role field: any posted role is ignored."""

    email = forms.EmailField(
        label=_("Adresse e-mail"),
        max_length=254,
        widget=forms.EmailInput({"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput({"autocomplete": "new-password"}),
        help_text=_("Au moins 8 caractères, pas uniquement des chiffres."),
    )
    password2 = forms.CharField(
        label=_("Confirmez le mot de passe"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput({"autocomplete": "new-password"}),
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        if (
            data.get("password1")
            and data.get("password2")
            and data["password1"] != data["password2"]
        ):
            self.add_error("password2", _("Les deux mots de passe ne correspondent pas."))
        return data


class LoginForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        max_length=254,
        widget=forms.EmailInput({"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput({"autocomplete": "current-password"}),
    )


class ProfileForm(NameFields):
    timezone = forms.ChoiceField(
        label=_("Fuseau horaire"),
        choices=cached_timezone_choices,
        help_text=_("Les dates et heures sont affichées dans ce fuseau."),
    )
    language = forms.ChoiceField(label=_("Langue"), choices=Language.choices)
    data_saver = forms.BooleanField(
        label=_("Économiseur de données"),
        required=False,
        help_text=_(
            "Pour les connexions lentes ou coûteuses : les cours en direct démarrent en "
            "audio seul et la vidéo reste en basse qualité."
        ),
    )
