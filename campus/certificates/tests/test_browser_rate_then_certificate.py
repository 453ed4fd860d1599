"""End to end in headless Chromium on a 360x640 phone, from the demo data: a student
who completed "Introduction à Python" (no review, no certificate yet) opens the course,
the rating dialog opens by itself with "Publier mon avis" in view, they rate the course
and land on their certificate (download, share) in one flow. Screenshots at 360 and
1280 px go to test-artifacts/ for a human to look at."""

from typing import Any

import pytest
from django.core.management import call_command

from campus.accounts.models import User
from campus.certificates.models import Certificate, RatingPrompt
from campus.certificates.tests.helpers import complete, short_course
from campus.courses.management import demo_content
from campus.courses.models import Course, Enrollment, EnrollmentStatus
from campus.ratings.models import CourseRating, RatingStatus
from conftest import ARTIFACTS, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KOFFI = "koffi.adjovi@demo.campus.local"
SMALL_PHONE = {"width": 360, "height": 640}
DESKTOP = {"width": 1280, "height": 900}


def _completed_unrated(student: User) -> Enrollment:
    """Koffi's completed "Introduction à Python" with no review and no certificate, as
    the demo keeps it; if the demo ever changes that, a course of our own in that state."""
    enrollment = (
        Enrollment.objects.filter(
            user=student,
            course__title="Introduction à Python",
            status=EnrollmentStatus.COMPLETED,
            is_active=True,
        )
        .select_related("course")
        .first()
    )
    if (
        enrollment is None
        or CourseRating.objects.filter(enrollment=enrollment).exists()
        or Certificate.objects.filter(enrollment=enrollment).exists()
        or RatingPrompt.objects.filter(enrollment=enrollment).exists()
    ):
        owner = Course.objects.filter(title="Introduction à Python").get().instructor
        enrollment = complete(student, short_course(owner, title="Python pour les données"))
    return enrollment


def _in_view(page: Any, locator: Any) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return bool(
        box
        and box["y"] >= 0
        and box["x"] >= 0
        and box["y"] + box["height"] <= size["height"]
        and box["x"] + box["width"] <= size["width"]
    )


def test_rate_then_certificate_in_one_flow_on_a_small_phone(
    live_server: Any, chromium: Any, settings: Any
) -> None:
    settings.SITE_URL = live_server.url
    settings.CERTIFICATE_REQUIRES_RATING = "prompt"
    settings.RATINGS_MODERATION = "pre"
    call_command("demo", force=True, verbosity=0)
    student = User.objects.get(email=KOFFI)
    enrollment = _completed_unrated(student)
    course = enrollment.course
    base = live_server.url

    context = chromium.new_context(locale="fr-FR", viewport=SMALL_PHONE)
    try:
        page = context.new_page()
        browser_login(page, base, KOFFI, demo_content.DEMO_PASSWORD)
        page.goto(f"{base}/courses/{course.slug}/")

        # The dialog opens by itself (the first time), the whole form reachable at 360 px:
        # "Publier mon avis" and "Plus tard" stay in view while the fields scroll.
        dialog = page.locator("dialog#rating-dialog")
        dialog.wait_for(state="visible")
        page.wait_for_load_state("networkidle")
        publish = dialog.get_by_role("button", name="Publier mon avis")
        later = dialog.get_by_role("button", name="Plus tard")
        assert _in_view(page, publish) and _in_view(page, later)
        page.screenshot(path=_artifact("rate-then-certificate-dialog-360"))

        dialog.locator("label.star").nth(3).click()  # 4 stars
        comment = dialog.get_by_label("Commentaire")
        comment.fill("Des exemples clairs, j'ai enfin compris les boucles.")
        dialog.get_by_label("Publier de manière anonyme").check()
        assert _in_view(page, publish)
        page.screenshot(path=_artifact("rate-then-certificate-dialog-filled-360"))
        publish.click()

        # One flow: the review is stored (pending moderation, which counts) and the
        # certificate is issued; the student lands on it, with download and share link.
        page.wait_for_url("**/dashboard/student/certificates?issued=*")
        certificate = Certificate.objects.get(user=student, course=course)
        review = CourseRating.objects.get(enrollment=enrollment)
        assert review.rating == 4 and review.is_anonymous
        assert review.status == RatingStatus.PENDING
        card = page.locator(f"#certificate-{certificate.pk}")
        download = card.get_by_role("link", name="Télécharger le PDF")
        download.wait_for()
        assert _in_view(page, download)  # the new certificate comes first
        assert certificate.number in card.inner_text()
        share = card.locator("input[readonly]").input_value()
        assert share == f"{base}/certificates/verify/{certificate.code}"
        assert not page.locator("dialog[open]").count()  # nothing over it
        page.screenshot(path=_artifact("rate-then-certificate-done-360"))
        page.screenshot(path=_artifact("rate-then-certificate-done-360-full"), full_page=True)
        assert "Votre certificat est prêt" in page.locator(".messages").inner_text()
        page.set_viewport_size(DESKTOP)
        page.screenshot(path=_artifact("rate-then-certificate-done-1280"), full_page=True)

        # The course page shows the certificate; the dialog does not come back.
        page.set_viewport_size(SMALL_PHONE)
        page.goto(f"{base}/courses/{course.slug}/")
        block = page.locator("#certificate-block")
        block.get_by_role("link", name="Télécharger le PDF").wait_for()
        assert certificate.number in block.inner_text()
        assert not page.locator("dialog#rating-dialog").count()
        page.set_viewport_size(DESKTOP)
        page.screenshot(path=_artifact("rate-then-certificate-course-1280"), full_page=True)

        # Another completed course: on "Mes certificats" its dialog opens by itself once;
        # closed, it comes back only with "Donner mon avis". A missing star is an error
        # inside the dialog (the text kept, no certificate); then it goes through.
        page.set_viewport_size(SMALL_PHONE)
        owner = course.instructor
        other = complete(student, short_course(owner, title="Python pour les données"))
        page.goto(f"{base}/dashboard/student/certificates")
        dialog.wait_for(state="visible")
        assert "Python pour les données" in dialog.inner_text()
        dialog.get_by_role("button", name="Fermer").click()
        dialog.wait_for(state="hidden")
        page.reload()
        page.wait_for_load_state("networkidle")
        assert not page.locator("dialog[open]").count()
        offer = page.locator(f"#offer-{other.pk}")
        offer.get_by_role("link", name="Donner mon avis").click()
        dialog.wait_for(state="visible")
        dialog.get_by_label("Commentaire").fill("Texte gardé malgré l'erreur")
        dialog.get_by_role("button", name="Publier mon avis").click()
        dialog.get_by_text("Choisissez une note de 1 à 5 étoiles.").wait_for()
        assert dialog.get_by_label("Commentaire").input_value() == "Texte gardé malgré l'erreur"
        assert not Certificate.objects.filter(enrollment=other).exists()
        page.screenshot(path=_artifact("rate-then-certificate-dialog-error-360"))
        dialog.locator("label.star").nth(4).click()
        dialog.get_by_role("button", name="Publier mon avis").click()
        page.wait_for_url("**/dashboard/student/certificates?issued=*")
        assert Certificate.objects.filter(enrollment=other).exists()
        assert CourseRating.objects.get(enrollment=other).rating == 5
    finally:
        context.close()
    assert Certificate.objects.filter(user=student, course=course).count() == 1
    assert CourseRating.objects.filter(user=student, course=course).count() == 1


def _artifact(name: str) -> str:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return str(ARTIFACTS / f"{name}.png")
