"""`{% load formatting %}`: `{{ value|date_style }}`, `{{ value|date_style:"abbr" }}`
(styles in campus.core.formatting) and `{{ minutes|duration }}` ("1 h 05 min")."""

from datetime import date, datetime, time, timedelta

from django import template

from campus.core import formatting

register = template.Library()


@register.filter(expects_localtime=True)
def date_style(value: date | datetime | time | None, style: str = "date") -> str:
    if value in (None, ""):
        return ""
    return formatting.format_date(value, style)


@register.filter
def duration(value: int | float | timedelta | None) -> str:
    if value in (None, ""):
        return ""
    return formatting.format_duration(value)
