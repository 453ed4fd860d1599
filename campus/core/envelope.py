"""The success and error envelopes and their OpenAPI schemas.

Success: {"success": true, "data": ..., "pagination"?}. Error, for every status:
{"success": false, "message": ..., "error": {"code": ..., "details": ...}}.
"""

import types
import typing
from functools import cache
from typing import Any, Literal

from ninja import Schema, Status
from pydantic import create_model


class PaginationOut(Schema):
    page: int
    limit: int
    total: int


class CursorPaginationOut(Schema):
    limit: int
    next: str | None


class ErrorBody(Schema):
    code: str
    details: Any  # required: always sent, null when there is nothing to add


class FieldError(Schema):
    field: str
    code: str
    message: str


class ErrorEnvelope(Schema):
    """The one error shape, whatever the status: `code` is stable (switch on it),
    `message` is for people (translated), `details` is null or structured extras."""

    success: Literal[False]
    message: str
    code: str  # error.code again, where the MdSC frontend reads it
    errors: list[FieldError] | None = None  # validation only: error.details again
    error: ErrorBody


def ok(data: Any, **extra: Any) -> dict[str, Any]:
    return {"success": True, "data": data, **extra}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """The one error shape, for every status (django-ninja handlers and the middleware).

    `code` is repeated at the top level, and a validation error's field list as `errors`,
    because that is where the MdSC frontend (api.ts) looks for them."""
    body: dict[str, Any] = {"success": False, "message": message, "code": code}
    if _is_field_error_list(details):
        body["errors"] = details
    body["error"] = {"code": code, "details": details}
    return body


def _is_field_error_list(details: Any) -> bool:
    return (
        isinstance(details, list)
        and bool(details)
        and all(isinstance(item, dict) and {"field", "message"} <= item.keys() for item in details)
    )


def created(data: Any, **extra: Any) -> Status:
    """201 with the success envelope."""
    return Status(201, ok(data, **extra))


def schema_name(annotation: Any) -> str:
    """A readable OpenAPI name for what an envelope carries: `CourseOut` -> "CourseOut",
    `list[SessionOut]` -> "SessionOutList", `dict` -> "Object", `X | None` -> "XOrNull".
    Naming a generic by its origin alone ("list") made every list envelope one component."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (list, tuple, set, frozenset) and args:
        return f"{schema_name(args[0])}List"
    if origin in (typing.Union, types.UnionType):
        present = [schema_name(arg) for arg in args if arg is not type(None)]
        nullable = "OrNull" if type(None) in args else ""
        return "Or".join(present) + nullable
    if annotation is dict or origin is dict:
        return "Object"
    return getattr(annotation, "__name__", "Data")


@cache
def Envelope(data_schema: Any) -> type[Schema]:
    """`Envelope(CourseOut)` -> a schema {success, data: CourseOut} named for OpenAPI."""
    return create_model(
        f"{schema_name(data_schema)}Envelope",
        __base__=Schema,
        success=(Literal[True], ...),
        data=(data_schema, ...),
    )


@cache
def PageEnvelope(item_schema: Any) -> type[Schema]:
    return create_model(
        f"{schema_name(item_schema)}Page",
        __base__=Schema,
        success=(Literal[True], ...),
        data=(list[item_schema], ...),
        pagination=(PaginationOut, ...),
    )


@cache
def CursorEnvelope(item_schema: Any) -> type[Schema]:
    return create_model(
        f"{schema_name(item_schema)}CursorPage",
        __base__=Schema,
        success=(Literal[True], ...),
        data=(list[item_schema], ...),
        pagination=(CursorPaginationOut, ...),
    )
