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
    first_name: str  # the holder's name as printed, whole (presenters.frontend_holder_name)
    last_name: str
    instructor_name: str
    issued_at: datetime
    status: Status
    revoked_at: datetime | None
    revoke_reason: str | None
    verification_url: str
    pdf_url: str
    # The MdSC frontend's names: its "certificate number" is what it shows, prints in the
    # QR code and verifies with, so it is the verification code (`number`, sequential,
    # would let anyone walk through every holder on the public page).
    certificate_code: str = Field(description="The verification code (alias of `code`).")
    certificate_number: str = Field(
        description="The verification code, as the MdSC frontend shows and verifies it."
    )
    user_id: int


class VerificationOut(Schema):
    """What anyone holding the code may know: nothing more (the code they hold, the
    certificate's id for the MdSC frontend's links, the holder's name, the course)."""

    id: int
    certificate_code: str
    certificate_number: str
    holder_name: str
    first_name: str  # the holder's name as printed, whole (presenters.frontend_holder_name)
    last_name: str
    course_title: str
    issued_at: datetime
    status: Status
    revoked_at: datetime | None


class RevokeIn(Schema):
    reason: str = Field(..., max_length=REVOKE_REASON_MAX)
