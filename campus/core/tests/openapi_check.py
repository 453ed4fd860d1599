"""Call one API operation in-process and check its response against the OpenAPI document
(the checks the apifuzz run applies, on one chosen request): tests of "the document says
what is sent" use it, and the apifuzz harness shares its plumbing."""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@cache
def api_schema() -> Any:
    """The document /api/openapi.json serves, read from the NinjaAPI object; calls go
    through Django's WSGI handler (no server)."""
    from campus.api import api

    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    schema.app = get_wsgi_application()
    return schema


def request_headers(token: str) -> dict[str, str]:
    # identity: the WSGI test client does not gunzip what GZipMiddleware compresses.
    return {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}


@contextmanager
def requests_keep_the_test_connection() -> Iterator[None]:
    """Django's WSGI handler closes the database connection when a request starts and
    ends, which would break the test's transaction; Django's test client unhooks it too."""
    hooked = (signals.request_started, signals.request_finished)
    for signal in hooked:
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in hooked:
            signal.connect(close_old_connections)


def call_conforming(
    method: str,
    path: str,
    *,
    token: str,
    path_parameters: dict[str, Any] | None = None,
    query: dict[str, Any] | None = None,
    body: Any = None,
) -> Any:
    """Call `method path` (the document's path template) and fail unless the response is
    documented: status code, content type and body schema. Returns the response."""
    operation = api_schema()[path][method.upper()]
    kwargs: dict[str, Any] = {"path_parameters": path_parameters or {}, "query": query or {}}
    if body is not None:
        kwargs["body"] = body
        kwargs["media_type"] = "application/json"
    case = operation.Case(**kwargs)
    with requests_keep_the_test_connection():
        return case.call_and_validate(headers=request_headers(token), checks=CHECKS)
