"""Certificates as the API and the pages show them. The public face (`verification`)
holds the holder's name, the course, the date and the status: nothing else."""

from typing import Any

from campus.certificates import services
from campus.certificates.models import Certificate
from campus.certificates.pdf import verification_url
from campus.courses.models import Enrollment


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
        "instructor_name": certificate.instructor_name,
        "issued_at": certificate.issued_at,
        "status": status_of(certificate),
        "revoked_at": certificate.revoked_at,
        "revoke_reason": certificate.revoke_reason or None,
        "verification_url": verification_url(certificate),
        "pdf_url": f"/api/certificates/{certificate.pk}/pdf",
    }


def verification(certificate: Certificate) -> dict[str, Any]:
    return {
        "holder_name": certificate.holder_name,
        "course_title": certificate.course_title,
        "issued_at": certificate.issued_at,
        "status": status_of(certificate),
        "revoked_at": certificate.revoked_at,
    }


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
        "verification_url": verification_url(certificate) if certificate else "",
    }


def certificate_row(certificate: Certificate) -> dict[str, Any]:
    """A certificate in "Mes certificats": the model plus its share link."""
    return {"certificate": certificate, "verification_url": verification_url(certificate)}


def certificate_of(enrollment: Enrollment) -> Certificate | None:
    """The certificate loaded with the enrollment (select_related), or None."""
    try:
        return enrollment.certificate
    except Certificate.DoesNotExist:
        return None


def first_to_rate(offers: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The offer whose rating dialog opens on load: the first that asks for a review."""
    return next((o for o in offers if o["step"] in ("rate_prompt", "rate_required")), None)
