"""Placeholder while the pages are built (issue 4): every view below is replaced."""

from typing import Any

from django.http import HttpRequest, HttpResponse


def my_sessions(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise NotImplementedError


def course_sessions(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise NotImplementedError


def session_detail(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise NotImplementedError
