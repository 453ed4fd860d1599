"""Page forms for courses: they parse and type the input; the services hold the rules.

Local date-times (`datetime-local` inputs) are read in the active time zone, which the
UserPreferencesMiddleware sets to the user's own.
"""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campus.core.dates import InRangeDateField, InRangeMixin
from campus.courses.models import (
    BODY_MAX,
    DESCRIPTION_MAX,
    TITLE_MAX,
    CourseType,
    LessonContentType,
    Question,
)

LOCAL_DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeField(InRangeMixin, forms.DateTimeField):
    """A `datetime-local` input read and shown in the user's time zone, within the
    accepted range of dates."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_DATETIME_FORMAT)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", [LOCAL_DATETIME_FORMAT, "%Y-%m-%d %H:%M"])
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


def _zone_help() -> str:
    return str(_("Heure locale (%(zone)s).") % {"zone": timezone.get_current_timezone_name()})


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label=_("Rechercher"), max_length=100, required=False)
    course_type = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("Tous les types")), *CourseType.choices],
    )


class StudentFilterForm(forms.Form):
    """The course hub's student list: search, status and order (anything odd is ignored)."""

    q = forms.CharField(label=_("Rechercher (nom ou e-mail)"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Statut"),
        required=False,
        choices=[
            ("", _("Inscriptions actives")),
            ("enrolled", _("Pas encore commencé")),
            ("in_progress", _("En cours")),
            ("completed", _("Terminé")),
            ("inactive", _("Désinscriptions")),
        ],
    )
    sort = forms.ChoiceField(
        label=_("Ordre"),
        required=False,
        choices=[("name", _("Par nom")), ("progress", _("Les moins avancés d'abord"))],
    )

    def query(self) -> tuple[str, str, str]:
        """(search, status, sort), each falling back to its default when invalid."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return (
            (data.get("q") or "").strip(),
            data.get("status") or "",
            data.get("sort") or "name",
        )


class CourseForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=TITLE_MAX)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=DESCRIPTION_MAX, widget=forms.Textarea
    )
    course_type = forms.ChoiceField(label=_("Type de cours"), choices=CourseType.choices)
    max_students = forms.IntegerField(
        label=_("Nombre de places"),
        required=False,
        help_text=_("Laisser vide pour un nombre illimité."),
        widget=forms.NumberInput({"min": 1}),
    )
    enrollment_deadline = LocalDateTimeField(label=_("Date limite d'inscription"))
    course_start_date = InRangeDateField(
        label=_("Début du cours"), required=False, widget=DateInput()
    )
    course_end_date = InRangeDateField(label=_("Fin du cours"), required=False, widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enrollment_deadline"].help_text = _zone_help()


class ModuleForm(forms.Form):
    title = forms.CharField(label=_("Titre du module"), max_length=TITLE_MAX)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea({"rows": 3}),
    )


class LessonForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=TITLE_MAX)
    content_type = forms.ChoiceField(label=_("Type de contenu"), choices=LessonContentType.choices)
    body = forms.CharField(
        label=_("Texte de la leçon"),
        required=False,
        max_length=BODY_MAX,
        widget=forms.Textarea({"rows": 12}),
    )
    video_url = forms.URLField(
        label=_("Lien de la vidéo"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("Obligatoire pour une leçon vidéo."),
    )
    duration_minutes = forms.IntegerField(
        label=_("Durée (minutes)"), initial=10, widget=forms.NumberInput({"min": 1, "max": 1440})
    )
    is_required = forms.BooleanField(
        label=_("Obligatoire pour terminer le cours"), required=False, initial=True
    )


class QuizForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=TITLE_MAX)
    passing_score = forms.IntegerField(
        label=_("Score de réussite (%)"),
        initial=50,
        widget=forms.NumberInput({"min": 0, "max": 100}),
    )
    max_attempts = forms.IntegerField(
        label=_("Nombre maximal de tentatives"),
        required=False,
        help_text=_("Laisser vide pour un nombre illimité."),
        widget=forms.NumberInput({"min": 1, "max": 100}),
    )
    due_at = LocalDateTimeField(label=_("Date limite"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["due_at"].help_text = _zone_help()


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Question"), max_length=1000)
    choices = forms.CharField(
        label=_("Réponses possibles"),
        widget=forms.Textarea({"rows": 5}),
        max_length=5000,
        help_text=_("Une réponse par ligne (les lignes vides sont ignorées)."),
    )
    correct = forms.CharField(
        label=_("Numéros des bonnes réponses"),
        max_length=100,
        help_text=_("Numérotées à partir de 1, séparées par des virgules : « 2 » ou « 1, 3 »."),
    )
    points = forms.IntegerField(
        label=_("Points"), initial=1, widget=forms.NumberInput({"min": 1, "max": 100})
    )

    def clean_choices(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()]

    def clean_correct(self) -> list[int]:
        """ "1, 3" -> [0, 2]: the numbers people see, as the indexes the service stores."""
        raw = self.cleaned_data["correct"].replace(";", ",").replace(" ", ",")
        try:
            numbers = [int(part) for part in raw.split(",") if part]
        except ValueError as exc:
            raise forms.ValidationError(_("Indiquez des numéros, par exemple « 1, 3 ».")) from exc
        return [n - 1 for n in numbers]


class QuizAnswerForm(forms.Form):
    """One group of checkboxes per question; field names are `q<question id>`."""

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in questions:
            self.fields[f"q{question.pk}"] = forms.TypedMultipleChoiceField(
                label=question.text,
                required=False,
                coerce=int,
                choices=list(enumerate(question.choices)),
                widget=forms.CheckboxSelectMultiple,
            )

    def answers(self) -> dict[str, list[int]]:
        return {name[1:]: list(value) for name, value in self.cleaned_data.items()}
