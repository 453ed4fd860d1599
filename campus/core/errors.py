"""Domain errors: services raise these; the API and the pages turn them into responses.

Each error carries an HTTP status, a stable snake_case code (clients switch on it) and a
translated human message. `details` holds structured extras (field errors, limits, ...).
"""

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status = 400
    code = "bad_request"
    default_message: str | Promise = _("La requête est invalide.")

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        code: str | None = None,
        details: Any = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.details = details
        super().__init__(str(self.message))


class ValidationFailed(DomainError):
    status = 400
    code = "validation_error"
    default_message = _("Les données envoyées sont invalides.")


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"
    default_message = _("Connectez-vous pour continuer.")


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    default_message = _("Vous n'avez pas accès à cette ressource.")


class NotFound(DomainError):
    status = 404
    code = "not_found"
    default_message = _("Ressource introuvable.")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    default_message = _("Cette action n'est pas possible dans l'état actuel.")


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"
    default_message = _("Trop de tentatives. Réessayez plus tard.")

    def __init__(self, message: str | Promise | None = None, *, retry_after: int, **kw: Any):
        self.retry_after = retry_after
        super().__init__(message, details={"retry_after": retry_after}, **kw)
