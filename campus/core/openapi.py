"""The OpenAPI document as the API really behaves, built in this one place.

django-ninja documents each operation's declared success responses and its auth
schemes. This builder adds what it cannot see, by rules that follow from how the API
answers (campus/api.py's handlers, campus/core/errors.py):

Error responses. Every error is the one `ErrorEnvelope` ({"success": false, "message", "code",
"error": {"code", "details"}}). An operation documents these statuses:

- 400 when it takes input (path, query or body): validation, a malformed or non-object
  body, a date out of range.
- 401 when it authenticates, required or optional: no, wrong or expired credentials. A
  public operation with optional auth can 401 too: a wrong bearer token is refused
  there rather than silently served the anonymous view.
- 403 when it requires authentication and writes (a cookie session's CSRF check) or
  takes input (a role or a permission on what it names: outsiders, other instructors).
  Public reads answer 404 for what they do not show, never 403.
- 404 when it names something, by a path parameter or an `…_id` field of its query or
  body: that does not exist, or is not shown to this caller.
- 409 when it is a write that requires authentication: the state forbids it (full,
  already rated, wrong status).
- 413 when it accepts a body: larger than DATA_UPLOAD_MAX_MEMORY_SIZE.
- Whatever the API declares per operation in `extra_error_statuses` for what no rule can
  see: 429 where a rate limit is checked, login's 401 for wrong credentials, a read that
  the state of its object refuses (409).

Not documented per operation: 405 (a method the path lacks is no operation) and 500 (a
bug, always in the same envelope).

Security. An operation lists its schemes; one with optional auth (an auth callback with
`allows_anonymous = True`) also lists `{}` (OpenAPI's "no requirement"); one without
auth says `security: []`.

Component names. ninja merges every model's definitions into one dict by name, so two
different schemas with one name silently overwrite each other. The builder records each
name given two different definitions in `conflicts`; the tests require none.
"""

from collections.abc import Callable, Iterator, Mapping, Set
from http import HTTPMethod
from typing import Any

from django.urls import URLPattern, URLResolver
from ninja import NinjaAPI
from ninja.openapi.schema import BODY_CONTENT_TYPES, REF_TEMPLATE, OpenAPISchema
from ninja.operation import Operation
from ninja.schema import NinjaGenerateJsonSchema
from ninja.types import DictStrAny

from campus.core.envelope import ErrorEnvelope
from campus.core.routing import merge_shared_paths

ExtraErrorStatuses = Mapping[Callable[..., Any], Set[int]]

WRITE_METHODS = {HTTPMethod.POST, HTTPMethod.PUT, HTTPMethod.PATCH, HTTPMethod.DELETE}

ERROR_DESCRIPTIONS = {
    400: "Invalid input: a field, a malformed or non-object body, a date out of range.",
    401: "Not authenticated: credentials missing, wrong or expired.",
    403: "Forbidden: not allowed to do this here, or the CSRF check failed.",
    404: "Not found, or not shown to this caller.",
    409: "Conflict: the current state does not allow it.",
    413: "The request body is too large.",
    429: "Too many attempts: retry after the Retry-After header's seconds.",
}

# campus/api.py's handler sends it with every 429.
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}}


def takes_input(operation: Operation) -> bool:
    return bool(operation.models)


def _input_field_names(operation: Operation) -> Iterator[str]:
    """Names of the path, query and body fields (a schema parameter's own fields)."""
    for model in operation.models:
        for name, field in model.model_fields.items():
            nested = getattr(field.annotation, "model_fields", None)
            yield from nested or [name]


def names_something(operation: Operation) -> bool:
    """Whether the input points at a stored object (and so can miss it: 404)."""
    has_path = any(m.__ninja_param_source__ == "path" for m in operation.models)
    return has_path or any(name.endswith("_id") for name in _input_field_names(operation))


def accepts_body(operation: Operation) -> bool:
    return any(m.__ninja_param_source__ in BODY_CONTENT_TYPES for m in operation.models)


def authenticates(operation: Operation) -> bool:
    return bool(operation.auth_callbacks)


def requires_authentication(operation: Operation) -> bool:
    return authenticates(operation) and not allows_anonymous(operation)


def writes(operation: Operation) -> bool:
    return any(method in WRITE_METHODS for method in operation.methods)


def allows_anonymous(operation: Operation) -> bool:
    return any(getattr(auth, "allows_anonymous", False) for auth in operation.auth_callbacks)


def error_statuses(operation: Operation) -> set[int]:
    """The error statuses the module docstring's rule gives this operation."""
    statuses = set()
    if takes_input(operation):
        statuses.add(400)
    if names_something(operation):
        statuses.add(404)
    if authenticates(operation):
        statuses.add(401)
    if requires_authentication(operation):
        if writes(operation) or takes_input(operation):
            statuses.add(403)
        if writes(operation):
            statuses.add(409)
    if accepts_body(operation):
        statuses.add(413)
    return statuses


def error_schema_definitions() -> DictStrAny:
    """The ErrorEnvelope component and the components it refers to."""
    schema = ErrorEnvelope.model_json_schema(
        ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema, mode="serialization"
    )
    nested = schema.pop("$defs", {})
    return {**nested, ErrorEnvelope.__name__: schema}


class CampusOpenAPISchema(OpenAPISchema):
    def __init__(
        self, api: NinjaAPI, path_prefix: str, extra_error_statuses: ExtraErrorStatuses
    ) -> None:
        # Set before ninja's __init__, which builds the whole document.
        self.extra_error_statuses = extra_error_statuses
        self.conflicts: dict[str, list[DictStrAny]] = {}
        super().__init__(api, path_prefix)

    def operation_details(self, operation: Operation) -> DictStrAny:
        details = super().operation_details(operation)
        if not authenticates(operation):
            details["security"] = []
        return details

    def operation_security(self, operation: Operation) -> list[DictStrAny] | None:
        security = super().operation_security(operation)
        if security is not None and allows_anonymous(operation):
            security.append({})
        return security

    def responses(self, operation: Operation) -> dict[int, DictStrAny]:
        result = super().responses(operation)
        extra = self.extra_error_statuses.get(operation.view_func, set())
        statuses = error_statuses(operation) | set(extra)
        if statuses:
            self.add_schema_definitions(error_schema_definitions())
        error_content = {
            self.api.renderer.media_type: {
                "schema": {"$ref": REF_TEMPLATE.format(model=ErrorEnvelope.__name__)}
            }
        }
        for status in sorted(statuses):
            result[status] = {"description": ERROR_DESCRIPTIONS[status], "content": error_content}
            if status == 429:
                result[status]["headers"] = RETRY_AFTER
        return result

    def add_schema_definitions(self, definitions: dict) -> None:
        for name, definition in definitions.items():
            known = self.schemas.get(name)
            if known is not None and known != definition:
                self.conflicts.setdefault(name, [known]).append(definition)
        super().add_schema_definitions(definitions)


class DocumentedNinjaAPI(NinjaAPI):
    """A NinjaAPI whose OpenAPI document is built by CampusOpenAPISchema."""

    def __init__(
        self, *args: Any, extra_error_statuses: ExtraErrorStatuses | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.extra_error_statuses: ExtraErrorStatuses = extra_error_statuses or {}

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: DictStrAny | None = None
    ) -> CampusOpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return CampusOpenAPISchema(self, path_prefix, self.extra_error_statuses)

    def _get_urls(self) -> list[URLPattern | URLResolver]:
        """ninja's patterns, with a path declared by several routers dispatched as one."""
        routers = [(bound.prefix, bound.path_operations) for bound in self._get_bound_routers()]
        return merge_shared_paths(super()._get_urls(), routers)
