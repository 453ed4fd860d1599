"""The one NinjaAPI: mounts every app's router and maps every error to the envelope."""

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.types import DictStrAny

from campus.accounts.api import login
from campus.accounts.api import router as accounts_router
from campus.accounts.auth import default_auth
from campus.agenda.api import router as agenda_router
from campus.certificates.api import pdf as certificate_pdf
from campus.certificates.api import router as certificates_router
from campus.certificates.api import verify as certificate_verify
from campus.core.api import router as core_router
from campus.core.envelope import error_body
from campus.core.errors import DomainError, RateLimited
from campus.core.openapi import DocumentedNinjaAPI, ExtraErrorStatuses
from campus.core.renderers import CampusJSONRenderer
from campus.core.validation import headline, translate_validation_errors
from campus.courses.api import router as courses_router
from campus.forum.api import reply_create, topic_create
from campus.forum.api import router as forum_router
from campus.live.api import router as live_router
from campus.live.api import session_notify
from campus.live.webhooks import EXTRA_ERROR_STATUSES as CONFERENCE_EXTRA_ERROR_STATUSES
from campus.live.webhooks import router as conference_router
from campus.mdsc.api import EXTRA_ERROR_STATUSES as MDSC_EXTRA_ERROR_STATUSES
from campus.mdsc.api import ROUTERS as MDSC_ROUTERS
from campus.notifications.api import router as notifications_router
from campus.ratings.api import router as ratings_router

logger = logging.getLogger("campus.api")


class BodyNotObject(ValueError):
    """A JSON body that parses but is not an object (42, "x", [1], null, true)."""


class ObjectBodyParser(Parser):
    """Every API body is a JSON object: anything else is refused here, once for every
    route, before a schema reads it (ninja's schemas read attributes from whatever they
    are given, so a string or a list could fill fields, and `null` would mean "no body").
    ninja turns a parser error into HttpError(400) with this error as its cause."""

    def parse_body(self, request: HttpRequest) -> DictStrAny:
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise BodyNotObject
        return data


# Error statuses the OpenAPI rule (campus.core.openapi) cannot infer from an operation's
# shape: where a service checks a rate limit (429), login's refused credentials (401), a
# read refused by the state of what it reads (409: a revoked certificate's PDF).
EXTRA_ERROR_STATUSES: ExtraErrorStatuses = {
    login: {401, 429},
    certificate_verify: {429},
    certificate_pdf: {409},
    topic_create: {429},
    reply_create: {429},
    session_notify: {429},
}

api = DocumentedNinjaAPI(
    title="Campus API",
    version="1",
    description="Campus: courses, live classes on Jitsi Meet, calendar, ratings, forum.",
    auth=default_auth,
    docs_url="/docs",
    urls_namespace="api",
    renderer=CampusJSONRenderer(),
    parser=ObjectBodyParser(),
    extra_error_statuses={
        **EXTRA_ERROR_STATUSES,
        **MDSC_EXTRA_ERROR_STATUSES,
        **CONFERENCE_EXTRA_ERROR_STATUSES,
    },
)

# The MdSC frontend's contract first: see campus/mdsc/api.py for why the order matters.
for mdsc_router in MDSC_ROUTERS:
    api.add_router("", mdsc_router)

api.add_router("", core_router)
api.add_router("", accounts_router)
api.add_router("", courses_router)
api.add_router("", live_router)
# The conference server's events (JaaS webhook, Prosody event_sync): no user auth, each
# route checks its own secret header (campus/live/webhooks.py).
api.add_router("", conference_router)
api.add_router("", notifications_router)
api.add_router("", agenda_router)
api.add_router("", ratings_router)
api.add_router("", certificates_router)
api.add_router("", forum_router)


def error_response(
    request: HttpRequest, status: int, code: str, message: str, details: object = None
) -> HttpResponse:
    return api.create_response(request, error_body(code, message, details), status=status)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    response = error_response(request, exc.status, exc.code, str(exc.message), exc.details)
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    details = translate_validation_errors(exc.errors)
    code, message = headline(details) or (
        "validation_error",
        _("Les données envoyées sont invalides."),
    )
    return error_response(request, 400, code, message, details)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, "not_authenticated", _("Connectez-vous pour continuer."))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # Raised by django-ninja itself: unparsable body (400) or a failed CSRF check (403).
    if exc.status_code == 400 and isinstance(exc.__cause__, BodyNotObject):
        return error_response(
            request, 400, "body_not_object", _("Le corps de la requête doit être un objet JSON.")
        )
    if exc.status_code == 400:
        return error_response(
            request, 400, "malformed_body", _("Le corps de la requête n'est pas un JSON valide.")
        )
    if exc.status_code == 403:
        return error_response(
            request, 403, "csrf_failed", _("Jeton CSRF manquant ou invalide. Rechargez la page.")
        )
    return error_response(request, exc.status_code, "http_error", str(exc))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", _("Ressource introuvable."))


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, 403, "forbidden", _("Vous n'avez pas accès à cette ressource."))


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(
        request, 413, "payload_too_large", _("Le corps de la requête est trop volumineux.")
    )


@api.exception_handler(SuspiciousOperation)
def on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    # What Django itself answers 400 to (too many fields, bad host, ...), never a 500.
    return error_response(request, 400, "bad_request", _("La requête est invalide."))


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unhandled API error on %s %s", request.method, request.path)
    return error_response(
        request, 500, "server_error", _("Une erreur inattendue s'est produite. Réessayez.")
    )
