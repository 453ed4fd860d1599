"""The PDF: its text (extracted with pypdf) and the QR code's link."""

import io
from typing import Any

import pytest
from pypdf import PdfReader

from campus.accounts.models import Role, User
from campus.certificates import services
from campus.certificates.pdf import _FONT_CANDIDATES, fonts, render_certificate, verification_url
from campus.certificates.tests.helpers import complete, short_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(user_factory: Any, owner: User, settings: Any) -> Any:
    settings.SITE_URL = "https://campus.example.org"
    student = user_factory(Role.STUDENT, first_name="Sènan", last_name="Chimène Ọlábísí")
    course = short_course(owner, title="Économie numérique : réussir à l'ère du mobile")
    return services.certificate_issue(actor=student, enrollment=complete(student, course))


def _font_file() -> str:
    return next(str(regular) for regular, bold in _FONT_CANDIDATES if regular.exists())


def _reader(certificate: Any) -> PdfReader:
    return PdfReader(io.BytesIO(render_certificate(certificate)))


def test_the_pdf_text_holds_the_name_course_number_and_instructor(certificate: Any) -> None:
    reader = _reader(certificate)
    assert len(reader.pages) == 1
    page = reader.pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert width > height  # A4 landscape
    text = page.extract_text()
    assert "Sènan Chimène" in text
    if fonts()[0] == "CertSans" and "DejaVu" in _font_file():
        assert "Sènan Chimène Ọlábísí" in text  # beyond Latin-1 (Yoruba, Fon names)
    assert "Économie numérique" in text
    assert certificate.number in text
    assert certificate.instructor_name in text
    assert "Certificat de réussite" in text


def test_the_qr_code_links_to_the_public_verification_page(certificate: Any) -> None:
    url = verification_url(certificate)
    assert url == f"https://campus.example.org/certificates/verify/{certificate.code}"
    page = _reader(certificate).pages[0]
    links = [
        annot.get_object()["/A"]["/URI"]
        for annot in page.get("/Annots", [])
        if annot.get_object().get("/Subtype") == "/Link"
    ]
    assert links == [url]
    assert url in page.extract_text().replace("\n", "")


def test_the_qr_widget_encodes_the_verification_url(
    certificate: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from campus.certificates import pdf

    seen: list[str] = []
    original = pdf.QrCodeWidget

    def spy(value: str, **kwargs: Any) -> Any:
        seen.append(value)
        return original(value, **kwargs)

    monkeypatch.setattr(pdf, "QrCodeWidget", spy)
    render_certificate(certificate)
    assert seen == [verification_url(certificate)]
