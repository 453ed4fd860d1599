"""Fetch + authorize certificates and the enrollments they are issued for.

A certificate is personal: its holder reads and downloads it; admins read any (to
support and revoke). Anyone else is told it does not exist (404). The public only ever
sees what the verification page shows, by code.
"""

from typing import Literal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from campus.certificates import selectors
from campus.certificates.models import Certificate
from campus.core import ratelimit
from campus.core.errors import Forbidden, NotAuthenticated, NotFound
from campus.courses.access import AnyUser

VERIFY_SCOPE = "certificate-verify"
VERIFY_MISS_SCOPE = "certificate-verify-misses"

CertificateAction = Literal["view", "download", "revoke"]


def _not_found() -> NotFound:
    return NotFound(_("Certificat introuvable."), code="certificate_not_found")


def get_certificate_for(
    user: AnyUser, certificate_id: int, *, action: CertificateAction = "view"
) -> Certificate:
    if not user.is_authenticated:
        raise NotAuthenticated()
    if action == "revoke" and not user.is_admin:
        raise Forbidden(_("Seul un administrateur peut révoquer un certificat."))
    certificate = selectors.certificate_by_id(certificate_id=certificate_id)
    if certificate is None:
        raise _not_found()
    mine = certificate.user_id == user.pk
    if action == "download" and not mine:
        raise _not_found()
    if action == "view" and not (mine or user.is_admin):
        raise _not_found()
    return certificate


def get_own_certificate_for_course(user: AnyUser, course_id: int) -> Certificate:
    """One's own certificate for a course; none (or not logged in) is a 404 (401)."""
    if not user.is_authenticated:
        raise NotAuthenticated()
    certificate = selectors.certificate_of_course(user=user, course_id=course_id)
    if certificate is None:
        raise _not_found()
    return certificate


def get_certificate_by_code(code: str, *, client: str) -> Certificate:
    """The public lookup, throttled per client address `client` (a
    `ratelimit.client_address`), 429 with Retry-After, in two counts per window: every
    lookup against CERTIFICATE_VERIFY_ADDRESS_LIMIT, a high ceiling that a whole campus
    behind one address does not reach; unknown codes against CERTIFICATE_VERIFY_MISS_LIMIT,
    what guessing produces and people following a link rarely do. An unknown code is a
    404."""
    window = settings.CERTIFICATE_VERIFY_WINDOW_SECONDS
    ratelimit.ensure_below(
        VERIFY_MISS_SCOPE,
        client,
        limit=settings.CERTIFICATE_VERIFY_MISS_LIMIT,
        window=window,
        message=_("Trop de codes inconnus depuis votre réseau. Réessayez plus tard."),
    )
    ratelimit.limit_action(
        VERIFY_SCOPE,
        client,
        limit=settings.CERTIFICATE_VERIFY_ADDRESS_LIMIT,
        window=window,
        message=_("Trop de vérifications depuis votre réseau. Réessayez plus tard."),
    )
    certificate = selectors.certificate_by_code(code=code)
    if certificate is None:
        ratelimit.hit(VERIFY_MISS_SCOPE, client, window=window)
        raise _not_found()
    return certificate
