"""Core middlewares.

- ApiErrorEnvelopeMiddleware keeps the API's one error shape for what never reaches
  django-ninja's handlers: an unknown /api/ path (Django's 404 page) and a wrong method
  (ninja's bare 405).
- ContentSecurityPolicyMiddleware and PermissionsPolicyMiddleware write the browser
  policies of campus.core.security on every answer.
- GZipMiddleware is Django's, but for answers marked `keep_uncompressed` (a file served
  by byte ranges, whose offsets count the file's own bytes).
"""

from collections.abc import Callable

from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.middleware.gzip import GZipMiddleware as DjangoGZipMiddleware
from django.utils.translation import gettext as _

from campus.core import security
from campus.core.envelope import error_body

API_PREFIX = "/api/"


_UNCOMPRESSED_ATTR = "campus_uncompressed"


def keep_uncompressed(response: HttpResponseBase) -> HttpResponseBase:
    """Mark `response` to be sent as it is: GZipMiddleware leaves it alone."""
    setattr(response, _UNCOMPRESSED_ATTR, True)
    return response


class GZipMiddleware(DjangoGZipMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if getattr(response, _UNCOMPRESSED_ATTR, False):
            return response
        return super().process_response(request, response)


def _is_json(response: HttpResponseBase) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


class ApiErrorEnvelopeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or _is_json(response):
            return response
        if response.status_code == 404:
            return self._envelope(404, "not_found", _("Ressource introuvable."))
        if response.status_code == 405:
            enveloped = self._envelope(
                405, "method_not_allowed", _("Méthode HTTP non autorisée pour cette adresse.")
            )
            if response.has_header("Allow"):
                enveloped["Allow"] = response["Allow"]
            return enveloped
        return response

    @staticmethod
    def _envelope(status: int, code: str, message: str) -> JsonResponse:
        return JsonResponse(
            error_body(code, message), status=status, json_dumps_params={"ensure_ascii": False}
        )


def _has_no_body(response: HttpResponseBase) -> bool:
    # 204 and 304 carry no document to protect (a 304 keeps the cached answer's headers),
    # and the Q&A poll's empty 204 is meant to cost only a few bytes.
    return response.status_code in (204, 304)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware (settings.CONTENT_SECURITY_POLICY, per-request nonce,
    per-page additions from @security.embeds), with the short API_POLICY on JSON."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if _has_no_body(response):
            return response
        return super().process_response(request, response)

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and _is_json(response):
            parts.config, parts.update, parts.replace = security.API_POLICY, None, None
        return parts


class PermissionsPolicyMiddleware:
    """Permissions-Policy on every page; JSON and empty answers are never documents,
    so they skip it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if _is_json(response) or _has_no_body(response) or "Permissions-Policy" in response:
            return response
        embedded = security.embed_origins_of(response)
        response["Permissions-Policy"] = security.permissions_policy(embedded)
        return response
