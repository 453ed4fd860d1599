from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from campus.certificates.models import REVOKE_REASON_MAX

Status = Literal["valid", "revoked"]


class CertificateOut(Schema):
    id: int
    number: str
    code: str = Field(description="Verification code (secret until shared).")
    course_id: int
    course_title: str
    holder_name: str
    instructor_name: str
    issued_at: datetime
    status: Status
    revoked_at: datetime | None
    revoke_reason: str | None
    verification_url: str
    pdf_url: str


class VerificationOut(Schema):
    """What anyone holding the code may know: nothing more."""

    holder_name: str
    course_title: str
    issued_at: datetime
    status: Status
    revoked_at: datetime | None


class RevokeIn(Schema):
    reason: str = Field(..., max_length=REVOKE_REASON_MAX)
