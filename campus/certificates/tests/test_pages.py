"""Pages: "Mes certificats", the course page's certificate block, the issue button, the
PDF download and the public verification page."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from campus.accounts.models import Role, User
from campus.certificates import services
from campus.certificates.models import Certificate
from campus.certificates.tests.helpers import complete, rate, short_course
from campus.courses.models import Enrollment
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

MINE = "/dashboard/student/certificates"


def login(user: User) -> Client:
    client = Client()
    assert client.login(email=user.email, password=PASSWORD)
    return client


@pytest.fixture
def student(user_factory: Any) -> User:
    return user_factory(
        Role.STUDENT, first_name="Sènan", last_name="Dossou", email="senan@example.test"
    )


@pytest.fixture
def short(owner: User) -> Any:
    return short_course(owner)


@pytest.fixture
def enrollment(student: User, short: Any) -> Enrollment:
    return complete(student, short)


def test_mine_needs_login() -> None:
    response = Client().get(MINE)
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_mine_empty(member: User) -> None:
    html = login(member).get(MINE).content.decode()
    assert "Vous n&#x27;avez pas encore de certificat" in html or "pas encore de certificat" in html
    assert f'href="{reverse("courses:my_courses")}"' in html
    assert "<dialog" not in html and "Certificats obtenus" not in html


def test_prompt_mode_opens_the_rating_dialog_first(
    student: User, enrollment: Enrollment, settings: Any
) -> None:
    settings.CERTIFICATE_REQUIRES_RATING = "prompt"
    response = login(student).get(MINE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<dialog" in html and "data-open-on-load" in html
    # The review form is in the dialog at once; publishing it issues the certificate.
    rate_url = reverse("certificates:rate", kwargs={"enrollment_id": enrollment.pk})
    assert f'action="{rate_url}"' in html and 'name="rating"' in html
    assert "Publier mon avis" in html and "Plus tard" in html
    assert 'name="next" value="/dashboard/student/certificates"' in html
    # The card says what comes next, and never that there is no certificate to get.
    assert "Prochaine étape" in html and "Donner mon avis" in html
    assert "Obtenir mon certificat sans avis" in html
    assert "pas encore de certificat" not in html


def test_required_mode_shows_the_review_instead_of_the_button(
    student: User, enrollment: Enrollment, settings: Any
) -> None:
    settings.CERTIFICATE_REQUIRES_RATING = "required"
    html = login(student).get(MINE).content.decode()
    assert "<dialog" in html and "Plus tard" not in html and "Fermer" in html
    assert "Publier mon avis" in html
    assert "Obtenir mon certificat" not in html
    assert "Donner mon avis" in html

    rate(student, enrollment)
    html = login(student).get(MINE).content.decode()
    assert "<dialog" not in html and "Obtenir mon certificat" in html


def test_off_mode_shows_the_button_directly(
    student: User, enrollment: Enrollment, settings: Any
) -> None:
    settings.CERTIFICATE_REQUIRES_RATING = "off"
    html = login(student).get(MINE).content.decode()
    assert "<dialog" not in html and "Obtenir mon certificat" in html


def test_issue_button_then_the_certificate_is_listed(student: User, enrollment: Enrollment) -> None:
    client = login(student)
    url = reverse("certificates:issue", kwargs={"enrollment_id": enrollment.pk})
    assert client.get(url).status_code == 405
    response = client.post(url, {"next": MINE})
    certificate = Certificate.objects.get()
    # Lands on the certificate, with its download and share link.
    assert response.status_code == 302
    landing = f"{MINE}?issued={certificate.pk}"
    assert response["Location"] == landing
    again = client.post(url, {"next": "https://evil.example/"})
    assert again["Location"] == landing  # never an outside next
    assert Certificate.objects.count() == 1
    html = client.get(MINE).content.decode()
    assert "Félicitations" in html
    assert certificate.number in html
    assert reverse("certificates:download", kwargs={"certificate_id": certificate.pk}) in html
    assert f"/certificates/verify/{certificate.code}" in html  # the share link
    assert "data-copy=" in html
    assert "<dialog" not in html


def test_issue_refusals_on_the_page(
    student: User, enrollment: Enrollment, member: User, settings: Any
) -> None:
    url = reverse("certificates:issue", kwargs={"enrollment_id": enrollment.pk})
    anonymous = Client().post(url)
    assert anonymous.status_code == 302 and "/accounts/login" in anonymous["Location"]
    assert login(member).post(url).status_code == 404  # someone else's enrollment

    unfinished = Enrollment.objects.get(user=member)
    other = reverse("certificates:issue", kwargs={"enrollment_id": unfinished.pk})
    response = login(member).post(other, follow=True)
    assert "Terminez le cours" in response.content.decode()

    settings.CERTIFICATE_REQUIRES_RATING = "required"
    response = login(student).post(url, follow=True)
    assert "Donnez votre avis" in response.content.decode()
    assert not Certificate.objects.exists()


def test_download_pdf(
    student: User, enrollment: Enrollment, member: User, admin_user: User
) -> None:
    certificate = services.certificate_issue(actor=student, enrollment=enrollment)
    url = reverse("certificates:download", kwargs={"certificate_id": certificate.pk})
    response = login(student).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert login(member).get(url).status_code == 404
    assert Client().get(url).status_code == 302

    services.certificate_revoke(actor=admin_user, certificate=certificate, reason="Fraude")
    assert login(student).get(url).status_code == 409
    html = login(student).get(MINE).content.decode()
    assert "Révoqué" in html and "Fraude" in html and url not in html


def test_course_page_loads_the_certificate_block_for_a_completed_member(
    student: User, enrollment: Enrollment, member: User, course: Any
) -> None:
    short = enrollment.course
    block = reverse("certificates:course_block", kwargs={"slug": short.slug})
    html = login(student).get(reverse("courses:detail", kwargs={"slug": short.slug})).content
    assert f'hx-get="{block}"'.encode() in html
    # A member who has not finished: no block on the course page.
    other = reverse("courses:detail", kwargs={"slug": course.slug})
    assert b"certificate" not in login(member).get(other).content.split(b"<main")[1]

    fragment = login(student).get(block, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    text = fragment.content.decode()
    assert "Votre certificat" in text and "<html" not in text
    assert "Plus tard" in text and "data-open-on-load" in text
    assert f'name="next" value="/courses/{short.slug}/"' in text


def test_course_block_for_others(
    enrollment: Enrollment, member: User, outsider: User, draft_course: Any, course: Any
) -> None:
    block = reverse("certificates:course_block", kwargs={"slug": enrollment.course.slug})
    assert login(outsider).get(block).content == b""
    assert login(member).get(block).content == b""  # not completed there
    assert Client().get(block).status_code == 302
    draft = reverse("certificates:course_block", kwargs={"slug": draft_course.slug})
    assert login(member).get(draft).status_code == 404


def test_course_block_with_a_certificate(student: User, enrollment: Enrollment) -> None:
    certificate = services.certificate_issue(actor=student, enrollment=enrollment)
    block = reverse("certificates:course_block", kwargs={"slug": enrollment.course.slug})
    text = login(student).get(block).content.decode()
    assert certificate.number in text and "<dialog" not in text
    assert "Télécharger le PDF" in text


def test_verification_page_shows_only_the_allowed_fields(
    student: User, enrollment: Enrollment, admin_user: User
) -> None:
    certificate = services.certificate_issue(actor=student, enrollment=enrollment)
    url = reverse("certificates:verify", kwargs={"code": certificate.code})
    response = Client().get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sènan Dossou" in html and certificate.course_title in html
    assert "Certificat valide" in html
    assert student.email not in html and "senan@" not in html
    assert certificate.number not in html and certificate.instructor_name not in html

    services.certificate_revoke(actor=admin_user, certificate=certificate, reason="Secret")
    html = Client().get(url).content.decode()
    assert "révoqué" in html.lower() and "Secret" not in html  # the reason stays private

    assert Client().get("/certificates/verify/unknown-code").status_code == 404


def test_verification_page_is_rate_limited(
    student: User, enrollment: Enrollment, settings: Any
) -> None:
    settings.CERTIFICATE_VERIFY_MISS_LIMIT = 30
    client = Client()
    for i in range(30):
        client.get(f"/certificates/verify/guess-{i}")
    blocked = client.get("/certificates/verify/guess-last")
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) > 0


def _count(client: Client, django_assert_num_queries: Any) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(MINE).status_code == 200
    return len(captured)


def test_mine_query_count_is_constant(
    student: User, owner: User, django_assert_num_queries: Any
) -> None:
    services.certificate_issue(actor=student, enrollment=complete(student, short_course(owner)))
    complete(student, short_course(owner, title="En attente 0"))
    client = login(student)
    _count(client, django_assert_num_queries)  # warm up (session, caches)
    # Each count with one course whose dialog opens by itself (and is recorded).
    complete(student, short_course(owner, title="Tout juste terminé"))
    one = _count(client, django_assert_num_queries)
    for n in range(12):
        course = short_course(owner, title=f"Cours {n}")
        services.certificate_issue(actor=student, enrollment=complete(student, course))
        complete(student, short_course(owner, title=f"En attente {n + 1}"))
    with django_assert_num_queries(one):
        html = client.get(MINE).content.decode()
    assert html.count("data-open-on-load") == 1
    assert html.count("Obtenir mon certificat sans avis") == 14
    assert html.count("Télécharger le PDF") == 13


def test_plus_tard_from_the_course_page_stays_there(student: User, enrollment: Enrollment) -> None:
    """The dialog that opened by itself on the course page: "Plus tard" issues the
    certificate without a review and leaves the student on the course page they were
    reading (its certificate block now shows the certificate)."""
    course_page = reverse("courses:detail", kwargs={"slug": enrollment.course.slug})
    url = reverse("certificates:issue", kwargs={"enrollment_id": enrollment.pk})
    response = login(student).post(url, {"next": course_page})
    assert response.status_code == 302 and response["Location"] == course_page
    assert Certificate.objects.filter(user=student, course=enrollment.course).exists()
