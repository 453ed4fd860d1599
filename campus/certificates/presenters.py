"""Certificates as the API and the pages show them. The public face (`verification`)
holds the holder's name, the course, the date and the status: nothing else."""

from typing import Any

from campus.certificates import services
from campus.certificates.models import Certificate
from campus.certificates.pdf import verification_url
from campus.courses.models import Enrollment
from campus.ratings import services as rating_services


def status_of(certificate: Certificate) -> str:
    return "revoked" if certificate.is_revoked else "valid"


def certificate_out(certificate: Certificate) -> dict[str, Any]:
    return {
        "id": certificate.pk,
        "number": certificate.number,
        "code": certificate.code,
        "course_id": certificate.course_id,
        "course_title": certificate.course_title,
        "holder_name": certificate.holder_name,
        **frontend_holder_name(certificate),
        "instructor_name": certificate.instructor_name,
        "issued_at": certificate.issued_at,
        "status": status_of(certificate),
        "revoked_at": certificate.revoked_at,
        "revoke_reason": certificate.revoke_reason or None,
        "verification_url": verification_url(certificate),
        "pdf_url": f"/api/certificates/{certificate.pk}/pdf",
        "certificate_code": certificate.code,
        "certificate_number": certificate.code,
        "user_id": certificate.user_id,
    }


def verification(certificate: Certificate) -> dict[str, Any]:
    return {
        "id": certificate.pk,
        "certificate_code": certificate.code,
        "certificate_number": certificate.code,
        "holder_name": certificate.holder_name,
        **frontend_holder_name(certificate),
        "course_title": certificate.course_title,
        "issued_at": certificate.issued_at,
        "status": status_of(certificate),
        "revoked_at": certificate.revoked_at,
    }


def frontend_holder_name(certificate: Certificate) -> dict[str, str]:
    """The MdSC frontend prints `first_name last_name` on a certificate. The certificate
    keeps the holder's name as printed at issuance, in one piece (a later change of the
    account's name must not change it), so it goes whole in `first_name`."""
    return {"first_name": certificate.holder_name, "last_name": ""}


def offer(enrollment: Enrollment, *, certificate: Certificate | None = None) -> dict[str, Any]:
    """A completed enrollment's certificate block: what to show next (see
    services.issue_step) and the certificate when there is one."""
    has_rating = bool(getattr(enrollment, "has_rating", False))
    step = services.issue_step(has_certificate=certificate is not None, has_rating=has_rating)
    return {
        "enrollment": enrollment,
        "course": enrollment.course,
        "certificate": certificate,
        "step": step,
        "asks_review": step in ASKS_REVIEW,
        "prompt_shown": bool(getattr(enrollment, "prompt_shown", False)),
        "verification_url": verification_url(certificate) if certificate else "",
    }


ASKS_REVIEW = ("rate_prompt", "rate_required")


def dialog(offer: dict[str, Any], *, form: Any, auto: bool) -> dict[str, Any]:
    """The rating dialog of one offer: the review form whose "Publier mon avis" also
    issues the certificate; `auto` when it opened by itself (the first time)."""
    return {**offer, "form": form, "auto": auto, "moderation": rating_services.moderation_mode()}


def certificate_row(certificate: Certificate) -> dict[str, Any]:
    """A certificate in "Mes certificats": the model plus its share link."""
    return {"certificate": certificate, "verification_url": verification_url(certificate)}


def certificate_of(enrollment: Enrollment) -> Certificate | None:
    """The certificate loaded with the enrollment (select_related), or None."""
    try:
        return enrollment.certificate
    except Certificate.DoesNotExist:
        return None


def first_to_prompt(offers: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The offer whose rating dialog opens by itself: the first asking for a review that
    has not been proposed yet (the dialog opens once, then only on demand)."""
    return next((o for o in offers if o["asks_review"] and not o["prompt_shown"]), None)
