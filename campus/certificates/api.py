"""Certificates API: parse -> access/service/selector -> schema. No rules here."""

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from campus.accounts.auth import AuthedRequest
from campus.certificates import access, presenters, selectors, services
from campus.certificates.pdf import render_certificate
from campus.certificates.schemas import CertificateOut, RevokeIn, VerificationOut
from campus.core.envelope import Envelope, PageEnvelope, created, ok
from campus.core.pagination import PageQuery
from campus.core.ratelimit import client_address
from campus.courses import access as course_access

router = Router(tags=["certificates"])

# The download is a file, not the JSON envelope: documented as such for OpenAPI.
PDF_SCHEMA = {"type": "string", "format": "binary"}


def pdf_response(certificate_pdf: bytes, number: str) -> HttpResponse:
    response = HttpResponse(certificate_pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificat-{number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# The fixed path (/certificates/verify/...) comes before /certificates/{certificate_id}.


@router.get(
    "/certificates/verify/{code}",
    auth=None,
    response=Envelope(VerificationOut),
    summary="Verify a certificate (public, rate-limited)",
)
def verify(request: HttpRequest, code: str) -> dict:
    certificate = access.get_certificate_by_code(code, client=client_address(request))
    return ok(presenters.verification(certificate))


@router.post(
    "/enrollments/{enrollment_id}/certificate",
    response={200: Envelope(CertificateOut), 201: Envelope(CertificateOut)},
    summary="Get my certificate for a completed enrollment (issued on the first call)",
)
def issue(request: AuthedRequest, enrollment_id: int) -> Status | dict:
    enrollment = course_access.get_own_active_enrollment_for(request.auth, enrollment_id)
    certificate, was_created = services.certificate_get_or_issue(
        actor=request.auth, enrollment=enrollment
    )
    data = presenters.certificate_out(certificate)
    return created(data) if was_created else ok(data)


@router.get("/certificates", response=PageEnvelope(CertificateOut), summary="My certificates")
def mine(request: AuthedRequest, query: Query[PageQuery]) -> dict:
    result = selectors.certificates_page(user=request.auth, query=query)
    items = [presenters.certificate_out(c) for c in result.items]
    return ok(items, pagination=result.pagination())


@router.get(
    "/certificates/{certificate_id}", response=Envelope(CertificateOut), summary="One certificate"
)
def detail(request: AuthedRequest, certificate_id: int) -> dict:
    certificate = access.get_certificate_for(request.auth, certificate_id, action="view")
    return ok(presenters.certificate_out(certificate))


@router.get(
    "/certificates/{certificate_id}/pdf",
    response={200: None},
    summary="Download my certificate (application/pdf)",
    openapi_extra={"responses": {200: {"content": {"application/pdf": {"schema": PDF_SCHEMA}}}}},
)
def pdf(request: AuthedRequest, certificate_id: int) -> HttpResponse:
    certificate = access.get_certificate_for(request.auth, certificate_id, action="download")
    services.ensure_downloadable(certificate=certificate)
    return pdf_response(render_certificate(certificate), certificate.number)


@router.post(
    "/certificates/{certificate_id}/revoke",
    response=Envelope(CertificateOut),
    summary="Revoke a certificate (admins, with a reason)",
)
def revoke(request: AuthedRequest, certificate_id: int, payload: RevokeIn) -> dict:
    certificate = access.get_certificate_for(request.auth, certificate_id, action="revoke")
    revoked = services.certificate_revoke(
        actor=request.auth, certificate=certificate, reason=payload.reason
    )
    return ok(presenters.certificate_out(revoked))
