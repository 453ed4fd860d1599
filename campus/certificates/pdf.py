"""The certificate as a PDF (reportlab): A4 landscape, the holder's name, the course,
the dates, the course's instructor, the number and a QR code to the public verification page.

Text is set in an embedded TrueType font (DejaVu Sans when the system has it, else the
Bitstream Vera that ships inside reportlab), so names such as "Sènan", "Chimène" or
"Ọlábísí" render and can be copied out of the PDF.
"""

import io
from functools import cache
from pathlib import Path

import reportlab
from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from campus.certificates.models import Certificate
from campus.core.formatting import format_date

INK = HexColor("#1f2937")
ACCENT = HexColor("#0b6e4f")
MUTED = HexColor("#6b7280")
SITE_NAME = "Campus"

_BUNDLED = Path(reportlab.__file__).parent / "fonts"
_FONT_CANDIDATES = [
    (
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ),
    (_BUNDLED / "Vera.ttf", _BUNDLED / "VeraBd.ttf"),
]


@cache
def fonts() -> tuple[str, str]:
    """(regular, bold) font names, registered once per process."""
    for regular, bold in _FONT_CANDIDATES:
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont("CertSans", str(regular)))
            pdfmetrics.registerFont(TTFont("CertSans-Bold", str(bold)))
            return "CertSans", "CertSans-Bold"
    return "Helvetica", "Helvetica-Bold"  # Latin-1 only; never reached with reportlab's fonts


def verification_url(certificate: Certificate) -> str:
    from django.urls import reverse

    path = reverse("certificates:verify", kwargs={"code": certificate.code})
    return f"{settings.SITE_URL}{path}"


def _fit(text: str, font: str, size: float, width: float, minimum: float = 14) -> float:
    while size > minimum and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 1
    return size


def _centered_lines(
    canvas: Canvas, text: str, font: str, size: float, *, top: float, width: float, cx: float
) -> float:
    """Draw `text` centered, wrapped to `width` (at most 3 lines); return the next y."""
    lines = simpleSplit(text, font, size, width)[:3]
    canvas.setFont(font, size)
    y = top
    for line in lines:
        canvas.drawCentredString(cx, y, line)
        y -= size * 1.25
    return y


def _qr(canvas: Canvas, url: str, *, x: float, y: float, size: float) -> None:
    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)
    canvas.linkURL(url, (x, y, x + size, y + size), relative=0)


def render_certificate(certificate: Certificate) -> bytes:
    regular, bold = fonts()
    width, height = landscape(A4)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height))
    canvas.setTitle(f"{_('Certificat')} {certificate.number}")
    canvas.setAuthor(SITE_NAME)
    canvas.setSubject(certificate.course_title)

    # Frame
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(3)
    canvas.rect(24, 24, width - 48, height - 48)
    canvas.setLineWidth(0.8)
    canvas.rect(32, 32, width - 64, height - 64)

    cx = width / 2
    text_width = width - 160
    canvas.setFillColor(ACCENT)
    canvas.setFont(bold, 14)
    canvas.drawCentredString(cx, height - 80, SITE_NAME.upper())

    canvas.setFillColor(INK)
    canvas.setFont(bold, 34)
    canvas.drawCentredString(cx, height - 130, _("Certificat de réussite"))

    canvas.setFillColor(MUTED)
    canvas.setFont(regular, 14)
    canvas.drawCentredString(cx, height - 175, _("Ce certificat atteste que"))

    canvas.setFillColor(INK)
    name_size = _fit(certificate.holder_name, bold, 30, text_width)
    canvas.setFont(bold, name_size)
    canvas.drawCentredString(cx, height - 218, certificate.holder_name)

    canvas.setFillColor(MUTED)
    canvas.setFont(regular, 14)
    canvas.drawCentredString(cx, height - 255, _("a suivi avec succès le cours"))

    canvas.setFillColor(ACCENT)
    next_y = _centered_lines(
        canvas, certificate.course_title, bold, 22, top=height - 290, width=text_width, cx=cx
    )

    completed = certificate.enrollment.completed_at or certificate.issued_at
    canvas.setFillColor(INK)
    canvas.setFont(regular, 12)
    canvas.drawCentredString(
        cx,
        min(next_y - 6, height - 330),
        _("Terminé le %(completed)s · délivré le %(issued)s")
        % {
            "completed": format_date(completed),
            "issued": format_date(certificate.issued_at),
        },
    )

    # Bottom: instructor (left), number (centre), QR code (right)
    base = 70
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(0.6)
    canvas.line(80, base + 40, 320, base + 40)
    canvas.setFillColor(INK)
    canvas.setFont(bold, 12)
    canvas.drawString(80, base + 22, certificate.instructor_name[:60])
    canvas.setFillColor(MUTED)
    canvas.setFont(regular, 10)
    canvas.drawString(80, base + 8, _("Responsable du cours"))

    canvas.setFillColor(INK)
    canvas.setFont(regular, 10)
    canvas.drawCentredString(
        cx, base + 22, _("Certificat n° %(number)s") % {"number": certificate.number}
    )

    url = verification_url(certificate)
    qr_size = 96
    qr_x = width - 80 - qr_size
    _qr(canvas, url, x=qr_x, y=base + 10, size=qr_size)
    canvas.setFillColor(MUTED)
    canvas.setFont(regular, 7)
    canvas.drawRightString(width - 80, base, _("Vérifier : %(url)s") % {"url": url})

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
