"""Rate the course, then get the certificate, in one flow (issue 12): the review form of
the certificate offer issues the certificate in the same request; "Plus tard" issues it
without a review; the dialog opens by itself once, then only on demand. Bad input and
forbidden actors change nothing."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from campus.accounts.models import Role, User
from campus.certificates import services
from campus.certificates.models import Certificate, RatingPrompt
from campus.certificates.tests.helpers import complete, rate, short_course
from campus.core.errors import Conflict, Forbidden, ValidationFailed
from campus.courses import services as course_services
from campus.courses.models import Course, Enrollment
from campus.ratings.models import CourseRating, RatingStatus

pytestmark = pytest.mark.django_db

MINE = "/dashboard/student/certificates"


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def student(user_factory: Any) -> User:
    return user_factory(
        Role.STUDENT, first_name="Sènan", last_name="Dossou", email="senan@example.test"
    )


@pytest.fixture
def short(owner: User) -> Course:
    return short_course(owner)


@pytest.fixture
def enrollment(student: User, short: Course) -> Enrollment:
    return complete(student, short)


def rate_url(enrollment: Enrollment) -> str:
    return reverse("certificates:rate", kwargs={"enrollment_id": enrollment.pk})


def review(**overrides: Any) -> dict[str, Any]:
    data = {
        "rating": "4",
        "comment": "Très clair, merci !",
        "pros": "Les exemples",
        "cons": "",
        "would_recommend": "on",
        "next": MINE,
    }
    data.update(overrides)
    return data


# --- The combined flow ------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["prompt", "required", "off"])
def test_publishing_the_review_issues_the_certificate_in_the_same_request(
    student: User, enrollment: Enrollment, settings: Any, mode: str
) -> None:
    settings.CERTIFICATE_REQUIRES_RATING = mode
    settings.RATINGS_MODERATION = "pre"
    client = login(student)
    response = client.post(rate_url(enrollment), review())
    certificate = Certificate.objects.get(user=student)
    assert response.status_code == 302
    assert response["Location"] == f"{MINE}?issued={certificate.pk}"
    stored = CourseRating.objects.get(enrollment=enrollment)
    assert stored.rating == 4 and stored.comment == "Très clair, merci !"
    assert stored.pros == "Les exemples" and stored.would_recommend is True
    assert stored.status == RatingStatus.PENDING  # a pending review counts as given

    page = client.get(response["Location"]).content.decode()
    assert "Votre certificat est prêt" in page and "après vérification" in page
    assert f'id="certificate-{certificate.pk}"' in page and certificate.number in page
    assert reverse("certificates:download", kwargs={"certificate_id": certificate.pk}) in page
    assert f"/certificates/verify/{certificate.code}" in page  # the share link
    assert "Prochaine étape" not in page and "<dialog" not in page


def test_post_moderation_publishes_the_review_at_once(
    student: User, enrollment: Enrollment, settings: Any
) -> None:
    settings.RATINGS_MODERATION = "post"
    response = login(student).post(rate_url(enrollment), review(rating="5"))
    assert response.status_code == 302
    assert CourseRating.objects.get().status == RatingStatus.APPROVED
    course = Course.objects.get(pk=enrollment.course_id)
    assert course.rating_count == 1 and course.rating_average == 5
    assert Certificate.objects.filter(user=student).count() == 1


def test_from_the_course_page_it_lands_on_the_certificate(
    student: User, enrollment: Enrollment, owner: User
) -> None:
    complete(student, short_course(owner, title="Un autre cours terminé"))
    course_page = reverse("courses:detail", kwargs={"slug": enrollment.course.slug})
    client = login(student)
    response = client.post(rate_url(enrollment), review(next=course_page))
    certificate = Certificate.objects.get()
    landing = f"{MINE}?issued={certificate.pk}"
    assert response.status_code == 302 and response["Location"] == landing
    html = client.get(landing).content.decode()
    # No other course's dialog over the certificate just issued (it opens next time).
    assert "<dialog" not in html and "Un autre cours terminé" in html
    assert "data-open-on-load" in client.get(MINE).content.decode()
    block = reverse("certificates:course_block", kwargs={"slug": enrollment.course.slug})
    text = client.get(block).content.decode()
    assert certificate.number in text and "Télécharger le PDF" in text


def test_htmx_submit_redirects_the_browser_to_the_certificate(
    student: User, enrollment: Enrollment
) -> None:
    response = login(student).post(rate_url(enrollment), review(), HTTP_HX_REQUEST="true")
    certificate = Certificate.objects.get()
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{MINE}?issued={certificate.pk}"


def test_double_submit_gives_one_review_and_one_certificate(
    student: User, enrollment: Enrollment
) -> None:
    client = login(student)
    first = client.post(rate_url(enrollment), review())
    second = client.post(rate_url(enrollment), review(rating="1", comment="Autre"))
    assert first["Location"] == second["Location"]  # both land on the one certificate
    assert CourseRating.objects.count() == 1 and CourseRating.objects.get().rating == 4
    assert Certificate.objects.count() == 1


def test_plus_tard_issues_the_certificate_without_a_review(
    student: User, enrollment: Enrollment, settings: Any
) -> None:
    settings.CERTIFICATE_REQUIRES_RATING = "prompt"
    client = login(student)
    html = client.get(MINE).content.decode()
    issue = reverse("certificates:issue", kwargs={"enrollment_id": enrollment.pk})
    assert f'action="{issue}"' in html.split("<dialog", 1)[1].split("</dialog>", 1)[0]
    response = client.post(issue, {"next": MINE})
    certificate = Certificate.objects.get()
    assert response["Location"] == f"{MINE}?issued={certificate.pk}"
    assert not CourseRating.objects.exists()


# --- Bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stars", "message"),
    [
        ("6", "La note doit être un nombre entier de 1 à 5."),
        ("0", "La note doit être un nombre entier de 1 à 5."),
        ("abc", "La note doit être un nombre entier de 1 à 5."),
        ("", "Choisissez une note de 1 à 5 étoiles."),
    ],
)
def test_invalid_stars_keep_the_text_and_issue_nothing(
    student: User, enrollment: Enrollment, stars: str, message: str
) -> None:
    client = login(student)
    response = client.post(rate_url(enrollment), review(rating=stars, comment="Mon texte gardé"))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html.replace("&#x27;", "'")
    assert "Mon texte gardé" in html and "Les exemples" in html  # what was typed stays
    assert "Publier mon avis" in html
    assert not Certificate.objects.exists() and not CourseRating.objects.exists()

    fragment = client.post(rate_url(enrollment), review(rating=stars), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 400
    body = fragment.content.decode()
    assert "<html" not in body and f'id="rate-box-{enrollment.pk}"' in body
    assert not Certificate.objects.exists()


def test_too_long_a_comment_is_a_form_error(student: User, enrollment: Enrollment) -> None:
    response = login(student).post(rate_url(enrollment), review(comment="x" * 2001))
    assert response.status_code == 400
    assert "2000" in response.content.decode()
    assert not Certificate.objects.exists() and not CourseRating.objects.exists()


def test_the_service_refuses_bad_stars_before_issuing(
    student: User, enrollment: Enrollment
) -> None:
    for bad in (0, 6, "4", 3.5, True, None):
        with pytest.raises(ValidationFailed):
            services.certificate_rate_and_issue(actor=student, enrollment=enrollment, rating=bad)
    assert not Certificate.objects.exists() and not CourseRating.objects.exists()


def test_the_service_keeps_a_review_already_given(student: User, enrollment: Enrollment) -> None:
    earlier = rate(student, enrollment, stars=2)
    certificate, created = services.certificate_rate_and_issue(
        actor=student, enrollment=enrollment, rating=5
    )
    assert created is None and certificate.enrollment_id == enrollment.pk
    assert list(CourseRating.objects.values_list("pk", "rating")) == [(earlier.pk, 2)]
    again, created = services.certificate_rate_and_issue(
        actor=student, enrollment=enrollment, rating=5
    )
    assert again == certificate and created is None


# --- Who may --------------------------------------------------------------------------------


def test_forbidden_actors(
    student: User,
    enrollment: Enrollment,
    member: User,
    outsider: User,
    owner: User,
    admin_user: User,
    course: Course,
) -> None:
    url = rate_url(enrollment)
    anonymous = Client().post(url, review())
    assert anonymous.status_code == 302 and "/accounts/login" in anonymous["Location"]
    assert Client().get(url).status_code == 302
    for other in (member, outsider, owner, admin_user):  # someone else's enrollment
        assert login(other).get(url).status_code == 404
        assert login(other).post(url, review()).status_code == 404
    with pytest.raises(Forbidden):
        services.certificate_rate_and_issue(actor=member, enrollment=enrollment, rating=4)
    with pytest.raises(Forbidden):
        services.rating_prompt_shown(actor=member, enrollments=[enrollment])

    # A member who has not finished the course: a clear 409, nothing stored.
    unfinished = Enrollment.objects.get(user=member, course=course)
    response = login(member).post(rate_url(unfinished), review())
    assert response.status_code == 409 and "Terminez le cours" in response.content.decode()
    with pytest.raises(Conflict):
        services.certificate_rate_and_issue(actor=member, enrollment=unfinished, rating=4)

    # Unenrolled: the enrollment is no longer one's own active one.
    course_services.enrollment_deactivate(actor=student, course=enrollment.course)
    assert login(student).post(url, review()).status_code == 404
    assert not Certificate.objects.exists() and not CourseRating.objects.exists()
    assert (
        login(student)
        .get(reverse("certificates:rate", kwargs={"enrollment_id": 999999}))
        .status_code
        == 404
    )


# --- The form on its own page, and the dialog on demand -----------------------------------


def test_form_page_and_dialog_fragment(student: User, enrollment: Enrollment) -> None:
    client = login(student)
    page = client.get(rate_url(enrollment) + f"?next={MINE}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<html" in html and "Votre avis, puis votre certificat" in html
    assert "Publier mon avis" in html and 'name="rating"' in html

    fragment = client.get(rate_url(enrollment) + f"?next={MINE}", HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in body
    assert "<dialog" in body and "data-open-on-load" in body and "Publier mon avis" in body
    assert 'name="next" value="/dashboard/student/certificates"' in body
    assert not RatingPrompt.objects.exists()  # asked for: not the "once by itself" record


def test_form_after_the_certificate_or_a_review_goes_on(
    student: User, enrollment: Enrollment, owner: User
) -> None:
    certificate = services.certificate_issue(actor=student, enrollment=enrollment)
    client = login(student)
    response = client.get(rate_url(enrollment))
    assert response["Location"] == f"{MINE}?issued={certificate.pk}"

    other = complete(student, short_course(owner, title="Déjà noté"))
    rate(student, other)
    assert client.get(rate_url(other))["Location"] == MINE


# --- The dialog opens by itself once, then only on demand -----------------------------------


def test_the_dialog_opens_by_itself_once(student: User, enrollment: Enrollment) -> None:
    client = login(student)
    block = reverse("certificates:course_block", kwargs={"slug": enrollment.course.slug})
    first = client.get(block, HTTP_HX_REQUEST="true").content.decode()
    assert "data-open-on-load" in first and "Bravo, vous avez terminé ce cours" in first
    prompt = RatingPrompt.objects.get(enrollment=enrollment)

    again = client.get(block, HTTP_HX_REQUEST="true").content.decode()
    assert "<dialog" not in again
    assert "Donner mon avis" in again  # on demand
    assert rate_url(enrollment) in again
    mine = client.get(MINE).content.decode()
    assert "<dialog" not in mine and "Donner mon avis" in mine
    assert RatingPrompt.objects.get(enrollment=enrollment).shown_at == prompt.shown_at


def test_mine_opens_one_dialog_and_then_offers_the_others_on_demand(
    student: User, enrollment: Enrollment, owner: User
) -> None:
    other = complete(student, short_course(owner, title="Un autre cours"))
    client = login(student)
    html = client.get(MINE).content.decode()
    assert html.count("data-open-on-load") == 1 and "Un autre cours" in html
    assert RatingPrompt.objects.count() == 2  # both listed with "Donner mon avis"
    html = client.get(MINE).content.decode()
    assert "<dialog" not in html and html.count("Donner mon avis") == 2
    # A course completed later opens its own dialog, once (here on its course page).
    third = complete(student, short_course(owner, title="Un troisième cours"))
    block = reverse("certificates:course_block", kwargs={"slug": third.course.slug})
    assert "data-open-on-load" in client.get(block).content.decode()
    assert "<dialog" not in client.get(block).content.decode()
    assert "<dialog" not in client.get(MINE).content.decode()
    assert set(RatingPrompt.objects.values_list("enrollment_id", flat=True)) == {
        enrollment.pk,
        other.pk,
        third.pk,
    }


def test_recording_the_dialog_twice_is_harmless(student: User, enrollment: Enrollment) -> None:
    services.rating_prompt_shown(actor=student, enrollments=[enrollment])
    services.rating_prompt_shown(actor=student, enrollments=[enrollment])
    assert RatingPrompt.objects.filter(enrollment=enrollment).count() == 1


def test_no_dialog_when_no_review_is_asked(
    student: User, enrollment: Enrollment, settings: Any
) -> None:
    settings.CERTIFICATE_REQUIRES_RATING = "off"
    html = login(student).get(MINE).content.decode()
    assert "<dialog" not in html and "Obtenir mon certificat" in html
    assert not RatingPrompt.objects.exists()


def test_the_landing_shows_the_new_certificate_first(
    student: User, enrollment: Enrollment, owner: User
) -> None:
    complete(student, short_course(owner, title="Encore à noter"))
    client = login(student)
    response = client.post(rate_url(enrollment), review())
    html = client.get(response["Location"]).content.decode()
    certificate = Certificate.objects.get()
    assert html.index(f'id="certificate-{certificate.pk}"') < html.index("Encore à noter")
    assert "is-new" in html and "nouveau" in html
    for odd in ("abc", "-1", "9" * 40, ""):
        assert client.get(f"{MINE}?issued={odd}").status_code == 200
