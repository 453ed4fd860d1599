"""The success envelope and its OpenAPI schemas: {"success": true, "data": ..., "pagination"}."""

from functools import cache
from typing import Any

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
    details: Any = None


class ErrorOut(Schema):
    success: bool = False
    message: str
    error: ErrorBody


def ok(data: Any, **extra: Any) -> dict[str, Any]:
    return {"success": True, "data": data, **extra}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """The one error shape, for every status (django-ninja handlers and the middleware)."""
    return {"success": False, "message": message, "error": {"code": code, "details": details}}


def created(data: Any, **extra: Any) -> Status:
    """201 with the success envelope."""
    return Status(201, ok(data, **extra))


@cache
def Envelope(data_schema: Any) -> type[Schema]:
    """`Envelope(CourseOut)` -> a schema {success, data: CourseOut} named for OpenAPI."""
    name = getattr(data_schema, "__name__", "Data")
    return create_model(
        f"{name}Envelope", __base__=Schema, success=(bool, True), data=(data_schema, ...)
    )


@cache
def PageEnvelope(item_schema: Any) -> type[Schema]:
    name = getattr(item_schema, "__name__", "Item")
    return create_model(
        f"{name}Page",
        __base__=Schema,
        success=(bool, True),
        data=(list[item_schema], ...),
        pagination=(PaginationOut, ...),
    )


@cache
def CursorEnvelope(item_schema: Any) -> type[Schema]:
    name = getattr(item_schema, "__name__", "Item")
    return create_model(
        f"{name}CursorPage",
        __base__=Schema,
        success=(bool, True),
        data=(list[item_schema], ...),
        pagination=(CursorPaginationOut, ...),
    )
