"""Schemas shared by the apps' API modules."""

from typing import Any

from ninja import Schema
from pydantic import ValidationInfo, model_validator
from pydantic.functional_validators import ModelWrapValidatorHandler


class RowOut(Schema):
    """A list row the presenters build as a plain dict. Ninja's Schema wraps every input
    in a DjangoGetter (ORM attributes, managers, resolvers) and pydantic then reads each
    field through Python; a dict of plain values needs none of it, so it is validated
    as is (the same result, a fraction of the CPU on lists of hundreds of rows). Any
    other input (a model instance) still goes through ninja's getter."""

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(
        cls, values: Any, handler: ModelWrapValidatorHandler[Any], info: ValidationInfo
    ) -> Any:
        if type(values) is dict and not cls._ninja_resolvers:
            return handler(values)
        return super()._run_root_validator(values, handler, info)  # type: ignore[operator]
