"""Keep the API's one error shape for what never reaches django-ninja's handlers: an
unknown /api/ path (Django's 404 page) and a wrong method (ninja's bare 405)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from campus.core.envelope import error_body

API_PREFIX = "/api/"


def _is_json(response: HttpResponse) -> bool:
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
