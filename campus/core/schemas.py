"""Shared API input schemas."""

from django.utils.translation import gettext as _
from ninja import Schema
from ninja.schema import DjangoGetter
from pydantic import model_validator


class ObjectIn(Schema):
    """A request body that must be a JSON object. ninja's Schema reads attributes from
    anything it is given (so "texte" would fill `title` with str.title), so a list, a
    string or a number is refused here (400) before any field is read."""

    @model_validator(mode="before")
    @classmethod
    def _must_be_an_object(cls, value: object) -> object:
        # ninja hands the parsed body over wrapped in its DjangoGetter.
        if not isinstance(value._obj if isinstance(value, DjangoGetter) else value, dict):
            raise ValueError(_("Le corps de la requête doit être un objet JSON."))
        return value
