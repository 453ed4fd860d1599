"""Fetch + authorize certificates and the enrollments they are issued for.

A certificate is personal: its holder reads and downloads it; admins read any (to
support and revoke). Anyone else is told it does not exist (404). The public only ever
sees what the verification page shows, by code.
"""

from typing import Literal

from django.utils.translation import gettext_lazy as _

from campus.certificates import selectors
from campus.certificates.models import Certificate
from campus.core.errors import Forbidden, NotAuthenticated, NotFound
from campus.core.ratelimit import limit_action
from campus.courses.access import AnyUser

VERIFY_LIMIT = 30  # lookups per client address and minute: plenty for people, not for guessing
VERIFY_WINDOW = 60

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


def get_certificate_by_code(code: str, *, client: str) -> Certificate:
    """The public lookup, rate-limited per client address (429 with Retry-After) so
    codes cannot be guessed in bulk; an unknown code is a 404."""
    limit_action("certificate_verify", client, limit=VERIFY_LIMIT, window=VERIFY_WINDOW)
    certificate = selectors.certificate_by_code(code=code)
    if certificate is None:
        raise _not_found()
    return certificate
