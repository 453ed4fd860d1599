"""End to end in headless Chromium: a student who completed two courses opens "Mes
certificats", sees the rating dialog, chooses "Plus tard" (the certificate without a
review), gets the other certificate, downloads the PDF and opens the public
verification page. Screenshots at desktop and
phone widths go to test-artifacts/ for a human to look at."""

import io
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from campus.accounts.models import Role
from campus.certificates.models import Certificate
from campus.certificates.tests.helpers import complete, short_course
from conftest import PASSWORD, browser_login, make_user, screenshot_sizes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rating_dialog_then_certificate_pdf_and_verification(
    live_server: Any, new_browser_page: Any, settings: Any
) -> None:
    settings.SITE_URL = live_server.url
    settings.CERTIFICATE_REQUIRES_RATING = "prompt"
    owner = make_user(
        "formatrice@example.test", Role.INSTRUCTOR, first_name="Awa", last_name="Houénou"
    )
    course = short_course(owner, title="Communication interculturelle en Afrique de l'Ouest")
    student = make_user(
        "senan@example.test", Role.STUDENT, first_name="Sènan", last_name="Chimène Dossou"
    )
    complete(student, course)
    second = short_course(owner, title="Gestion de projet")
    complete(student, second)
    base = live_server.url
    page = new_browser_page()
    browser_login(page, base, student.email, PASSWORD)

    nav = page.get_by_role("navigation", name="Navigation principale")
    nav.get_by_text("Mon compte").click()  # the account menu holds it
    nav.get_by_role("link", name="Mes certificats").click()
    page.wait_for_url("**/dashboard/student/certificates")

    # The rating dialog of the course completed last opens by itself, its form inside.
    dialog = page.locator("dialog#rating-dialog")
    dialog.wait_for(state="visible")
    page.wait_for_load_state("networkidle")
    assert "Plus tard" in dialog.inner_text() and "Gestion de projet" in dialog.inner_text()
    screenshot_sizes(page, "certificates-mine-dialog")

    # "Plus tard": the certificate without a review, and the page lands on it.
    dialog.get_by_role("button", name="Plus tard").click()
    page.get_by_text("Félicitations").wait_for()
    later = Certificate.objects.get(user=student, course=second)
    assert f"?issued={later.pk}" in page.url
    assert not page.locator("dialog#rating-dialog").is_visible()
    screenshot_sizes(page, "certificates-mine")

    card = page.locator("li.certificate-card", has_text="Communication interculturelle")
    card.get_by_role("button", name="Obtenir mon certificat").click()
    page.get_by_text("Félicitations").wait_for()
    certificate = Certificate.objects.get(user=student, course=course)
    assert certificate.number in page.locator("main").inner_text()
    # The dialog opened once by itself: it does not come back.
    assert not page.locator("dialog#rating-dialog").is_visible()
    screenshot_sizes(page, "certificates-mine-issued")

    with page.expect_download() as download_info:
        page.locator(f"#certificate-{certificate.pk}").get_by_role(
            "link", name="Télécharger le PDF"
        ).click()
    pdf_path = download_info.value.path()
    text = PdfReader(io.BytesIO(Path(pdf_path).read_bytes())).pages[0].extract_text()
    assert "Sènan Chimène Dossou" in text
    assert "Communication interculturelle" in text

    # The course page shows the same block, loaded by htmx, with no dialog.
    page.goto(f"{base}/courses/{course.slug}/")
    page.locator("#certificate-block").wait_for()
    assert certificate.number in page.locator("#certificate-block").inner_text()
    assert not page.locator("dialog#rating-dialog").count()
    screenshot_sizes(page, "certificates-course-block")
    assert Certificate.objects.filter(user=student).count() == 2

    # The public verification page, without login.
    visitor = new_browser_page()
    visitor.goto(f"{base}/certificates/verify/{certificate.code}")
    visitor.get_by_text("Certificat valide").wait_for()
    body = visitor.locator("main").inner_text()
    assert "Sènan Chimène Dossou" in body and student.email not in body
    screenshot_sizes(visitor, "certificates-verify")
