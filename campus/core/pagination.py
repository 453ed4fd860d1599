"""Bounded pagination: page/limit for short lists, keyset cursors for long ones.

Every list endpoint takes `PageQuery` (page >= 1, 1 <= limit <= 100); anything outside
is a 400 from validation, never a slow or huge query.
"""

import base64
import binascii
import json
import math
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Model, Q, QuerySet
from django.db.models import Field as ModelField
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema

from campus.core.errors import ValidationFailed

MAX_PAGE = 100_000


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
    limit: int = Field(
        settings.API_PAGE_DEFAULT_LIMIT,
        ge=1,
        le=settings.API_PAGE_MAX_LIMIT,
        description="Items per page (1-100).",
    )


@dataclass(frozen=True)
class Page:
    items: list[Any]
    page: int
    limit: int
    total: int

    def pagination(self) -> dict[str, int]:
        return {"page": self.page, "limit": self.limit, "total": self.total}


def paginate(queryset: QuerySet, query: PageQuery) -> Page:
    """One COUNT and one bounded SELECT, whatever the page."""
    total = queryset.count()
    offset = (query.page - 1) * query.limit
    items = list(queryset[offset : offset + query.limit]) if offset < total else []
    return Page(items=items, page=query.page, limit=query.limit, total=total)


# --- Keyset ---------------------------------------------------------------------------


class CursorQuery(Schema):
    cursor: str | None = Field(
        None, max_length=200, description="Opaque `next` from the last page."
    )
    limit: int = Field(settings.API_PAGE_DEFAULT_LIMIT, ge=1, le=settings.API_PAGE_MAX_LIMIT)


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _invalid_cursor() -> ValidationFailed:
    return ValidationFailed(_("Curseur de pagination invalide."), code="invalid_cursor")


_BIGINT = 2**63


def _is_key_value(value: Any) -> bool:
    """What encode_cursor writes for a non-null key: text, a bounded integer, a finite
    number or a boolean. Anything else comes from a forged cursor."""
    if isinstance(value, bool | str):
        return True
    if isinstance(value, int):
        return -_BIGINT <= value < _BIGINT
    return isinstance(value, float) and math.isfinite(value)


def decode_cursor(cursor: str, expected_len: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeError) as exc:
        raise _invalid_cursor() from exc
    if not isinstance(values, list) or len(values) != expected_len:
        raise _invalid_cursor()
    if not all(_is_key_value(v) for v in values):
        raise _invalid_cursor()
    return values


@dataclass(frozen=True)
class KeysetPage:
    items: list[Any]
    limit: int
    next: str | None

    def pagination(self) -> dict[str, Any]:
        return {"limit": self.limit, "next": self.next}


def keyset_paginate(queryset: QuerySet, *, order: list[str], query: CursorQuery) -> KeysetPage:
    """Keyset pagination over `order` (field names, '-' for descending; the last one must
    be unique, e.g. "-id"; all must be non-null). Page N costs what page 1 costs: an
    indexed range, no OFFSET. A forged or stale cursor is a 400 invalid_cursor.
    """
    fields = [name.lstrip("-") for name in order]
    queryset = queryset.order_by(*order)
    if query.cursor:
        values = decode_cursor(query.cursor, len(order))
        try:  # each value is converted to its field's type here, before any SQL runs
            queryset = queryset.filter(_after(queryset.model, order, values))
        except (ValueError, TypeError, OverflowError, DjangoValidationError) as exc:
            raise _invalid_cursor() from exc
    rows = list(queryset[: query.limit + 1])
    has_more = len(rows) > query.limit
    rows = rows[: query.limit]
    next_cursor = None
    if has_more and rows:
        last = rows[-1]
        next_cursor = encode_cursor([getattr(last, f) for f in fields])
    return KeysetPage(items=rows, limit=query.limit, next=next_cursor)


def _field(model: type[Model], name: str) -> ModelField:
    field = model._meta.get_field(name)
    if not isinstance(field, ModelField):  # a reverse relation cannot be a keyset column
        raise ValueError(name)
    return field


def _after(model: type[Model], order: list[str], values: list[Any]) -> Any:
    """The rows after the cursor in `order`.

    When every column sorts the same way this is ONE row comparison, `(a, b, c) < (va,
    vb, vc)`, which the database uses as an index range: page 1,000 then reads what page
    1 reads. (The OR of prefix equalities below means the same but no planner turns it
    into a range, so a deep page scanned every row before it.) Django 5.2's tuple
    lookups write the row comparison, or its expansion where a database lacks it.
    """
    fields = [name.lstrip("-") for name in order]
    typed = [_field(model, f).to_python(v) for f, v in zip(fields, values, strict=True)]
    descending = {name.startswith("-") for name in order}
    if len(descending) == 1:
        lookup = TupleLessThan if descending == {True} else TupleGreaterThan
        return lookup(Tuple(*(F(f) for f in fields)), tuple(typed))
    condition = Q()
    for i, name in enumerate(order):
        lookup_name = "lt" if name.startswith("-") else "gt"
        step = Q(**{f"{fields[i]}__{lookup_name}": typed[i]})
        for prev_field, prev_value in zip(fields[:i], typed[:i], strict=True):
            step &= Q(**{prev_field: prev_value})
        condition |= step
    return condition
