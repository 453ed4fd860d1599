"""Rating pages through the Django test client: the rating form (full page and htmx
fragment), deleting, the course page's ratings block, all reviews, the moderation queue."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from campus.accounts.models import User
from campus.courses.models import Course
from campus.ratings import services
from campus.ratings.models import CourseRating, RatingStatus
from campus.ratings.tests.helpers import graduate
from conftest import build_course

pytestmark = pytest.mark.django_db

HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "rating": "4",
        "comment": "Très bien expliqué.",
        "pros": "Les exercices",
        "cons": "La vidéo 2",
        "would_recommend": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def rate_url(course: Course) -> str:
    return reverse("ratings:rate", kwargs={"slug": course.slug})


def review_of(user: User) -> CourseRating:
    return CourseRating.objects.get(user=user)


# --- The rating form ---------------------------------------------------------------


def test_the_form_has_keyboard_stars_and_every_field(course: Course, user_factory: Any) -> None:
    user, _ = graduate(user_factory, course)
    html = client_for(user).get(rate_url(course)).content.decode()
    for stars in range(1, 6):
        assert f'id="id_rating_{stars - 1}" value="{stars}"' in html
    for label in (
        "1 étoile<",
        "5 étoiles<",
        "Ce que vous avez aimé",
        "Ce qui pourrait être amélioré",
        "Je recommande ce cours",
        "Publier de manière anonyme",
    ):
        assert label in html
    assert 'type="radio"' in html


def test_posting_creates_the_review_and_redirects(course: Course, user_factory: Any) -> None:
    user, _ = graduate(user_factory, course)
    response = client_for(user).post(rate_url(course), form_data(), follow=True)
    assert response.redirect_chain[-1][0] == reverse("courses:detail", kwargs={"slug": course.slug})
    review = review_of(user)
    assert review.rating == 4 and review.would_recommend is True and review.is_anonymous is False
    assert review.status == RatingStatus.PENDING
    html = response.content.decode()
    assert "Merci pour votre avis" in html and "en attente de modération" in html


def test_unchecked_recommend_is_false(course: Course, user_factory: Any) -> None:
    user, _ = graduate(user_factory, course)
    client_for(user).post(rate_url(course), form_data(would_recommend=None, is_anonymous="on"))
    review = review_of(user)
    assert review.would_recommend is False and review.is_anonymous is True


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"rating": None}, "Choisissez une note"),
        ({"rating": "0"}, "nombre entier de 1 à 5"),
        ({"rating": "6"}, "nombre entier de 1 à 5"),
        ({"rating": "abc"}, "nombre entier de 1 à 5"),
        ({"rating": "3.5"}, "nombre entier de 1 à 5"),
        ({"comment": "x" * 2001}, "2000"),
        ({"pros": "x" * 1001}, "1000"),
    ],
)
def test_bad_input_is_400_with_the_message_inline_and_values_kept(
    course: Course, user_factory: Any, overrides: dict, message: str
) -> None:
    user, _ = graduate(user_factory, course)
    data = form_data(**overrides)
    response = client_for(user).post(rate_url(course), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and 'class="errorlist' in html
    assert "La vidéo 2" in html  # nothing lost
    assert not CourseRating.objects.exists()


def test_an_unfinished_course_is_409_with_a_clear_message(course: Course, member: User) -> None:
    response = client_for(member).get(rate_url(course))
    assert response.status_code == 409
    assert "Terminez le cours" in response.content.decode()
    response = client_for(member).post(rate_url(course), form_data())
    assert response.status_code == 409 and not CourseRating.objects.exists()


def test_forbidden_actors(
    course: Course, draft_course: Course, outsider: User, owner: User, user_factory: Any
) -> None:
    anonymous = Client().get(rate_url(course))
    assert anonymous.status_code == 302 and "/accounts/login" in anonymous["Location"]
    assert client_for(outsider).get(rate_url(course)).status_code == 403
    assert client_for(owner).get(rate_url(course)).status_code == 403
    assert client_for(outsider).get(rate_url(draft_course)).status_code == 404
    assert client_for(outsider).get("/courses/nope/rate").status_code == 404
    # htmx: the login redirect is an HX-Redirect.
    htmx = Client().get(rate_url(course), **HTMX)
    assert "/accounts/login" in htmx["HX-Redirect"]


def test_a_second_post_edits_the_review(course: Course, user_factory: Any, owner: User) -> None:
    user, _ = graduate(user_factory, course)
    client = client_for(user)
    client.post(rate_url(course), form_data(rating="5"))
    services.rating_moderate(actor=owner, review=review_of(user), approve=True)
    page = client.get(rate_url(course)).content.decode()
    assert "Modifier votre avis" in page and 'value="5" checked' in page
    client.post(rate_url(course), form_data(rating="2"))
    review = review_of(user)
    assert review.rating == 2 and review.status == RatingStatus.PENDING
    assert CourseRating.objects.count() == 1


def test_next_is_honoured_when_safe(course: Course, user_factory: Any) -> None:
    user, _ = graduate(user_factory, course)
    client = client_for(user)
    response = client.post(rate_url(course) + "?next=/dashboard/student/courses", form_data())
    assert response["Location"] == "/dashboard/student/courses"
    other, _ = graduate(user_factory, course)
    evil = client_for(other).post(rate_url(course), {**form_data(), "next": "https://evil.test/"})
    assert evil["Location"] == reverse("courses:detail", kwargs={"slug": course.slug})


def test_htmx_gets_the_fragment_and_an_hx_redirect(course: Course, user_factory: Any) -> None:
    user, _ = graduate(user_factory, course)
    client = client_for(user)
    fragment = client.get(rate_url(course) + "?next=/certificates/", **HTMX)
    html = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in html
    assert 'hx-post="' in html and 'name="next" value="/certificates/"' in html
    bad = client.post(rate_url(course), form_data(rating="9", next="/certificates/"), **HTMX)
    assert bad.status_code == 400 and "<html" not in bad.content.decode()
    assert "nombre entier de 1 à 5" in bad.content.decode()
    good = client.post(rate_url(course), form_data(next="/certificates/"), **HTMX)
    assert good["HX-Redirect"] == "/certificates/"
    assert review_of(user).rating == 4


def test_delete_own_review(course: Course, user_factory: Any) -> None:
    user, _ = graduate(user_factory, course)
    client = client_for(user)
    client.post(rate_url(course), form_data())
    response = client.post(reverse("ratings:delete", kwargs={"slug": course.slug}), follow=True)
    assert "Votre avis a été supprimé" in response.content.decode()
    assert not CourseRating.objects.exists()
    assert client.get(reverse("ratings:delete", kwargs={"slug": course.slug})).status_code == 405


# --- The course page ---------------------------------------------------------------


def _approved(user_factory: Any, course: Course, owner: User, **fields: Any) -> CourseRating:
    user, enrollment = graduate(user_factory, course, **fields.pop("user", {}))
    review = services.rating_create(actor=user, enrollment=enrollment, **fields)
    return services.rating_moderate(actor=owner, review=review, approve=True)


def test_course_page_shows_stats_histogram_and_reviews(
    course: Course, owner: User, user_factory: Any
) -> None:
    _approved(user_factory, course, owner, rating=5, comment="Excellent cours")
    _approved(user_factory, course, owner, rating=4, would_recommend=False)
    html = Client().get(reverse("courses:detail", kwargs={"slug": course.slug})).content.decode()
    assert "Avis des étudiants" in html
    assert "4,5" in html and "2 avis" in html
    assert "50 % recommandent ce cours" in html
    assert '<rect class="histogram-bar" width="50"' in html
    assert '<rect class="histogram-bar" width="0"' in html
    assert "Excellent cours" in html


def test_course_page_without_reviews(course: Course) -> None:
    html = Client().get(reverse("courses:detail", kwargs={"slug": course.slug})).content.decode()
    assert "Pas encore d&#x27;avis publié" in html or "Pas encore d'avis publié" in html


def test_course_page_shows_the_members_own_status_and_invites_graduates(
    course: Course, user_factory: Any
) -> None:
    user, _ = graduate(user_factory, course)
    detail = reverse("courses:detail", kwargs={"slug": course.slug})
    before = client_for(user).get(detail).content.decode()
    assert "Noter ce cours" in before
    client_for(user).post(rate_url(course), form_data(comment="Mon avis secret"))
    after = client_for(user).get(detail).content.decode()
    assert "en attente de modération" in after and "Modifier mon avis" in after
    # Pending: not shown to the public.
    assert "Mon avis secret" not in Client().get(detail).content.decode()


def test_anonymous_reviews_hide_the_author_on_every_page(
    course: Course, owner: User, user_factory: Any
) -> None:
    review = _approved(
        user_factory,
        course,
        owner,
        rating=5,
        is_anonymous=True,
        comment="Anonyme mais ravi",
        user={"first_name": "Secrète", "last_name": "Zinsou"},
    )
    author = review.user
    pages = [
        reverse("courses:detail", kwargs={"slug": course.slug}),
        reverse("ratings:course_reviews", kwargs={"slug": course.slug}),
    ]
    for viewer in (None, owner):
        for page in pages:
            html = client_for(viewer).get(page).content.decode()
            assert "Anonyme mais ravi" in html and "Anonyme" in html
            for needle in (author.email, "Secrète", "Zinsou", author.display_name):
                assert needle not in html, (page, needle)


def test_named_reviews_show_the_display_name_not_the_email(
    course: Course, owner: User, user_factory: Any
) -> None:
    review = _approved(user_factory, course, owner, rating=3)
    html = Client().get(reverse("courses:detail", kwargs={"slug": course.slug})).content.decode()
    assert review.user.display_name in html and review.user.email not in html


# --- All reviews -------------------------------------------------------------------


def test_all_reviews_page_paginates_and_htmx_loads_more(
    course: Course, owner: User, user_factory: Any, settings: Any
) -> None:
    settings.RATINGS_MODERATION = "post"
    for n in range(12):
        user, enrollment = graduate(user_factory, course)
        services.rating_create(
            actor=user, enrollment=enrollment, rating=1 + n % 5, comment=f"Avis {n}"
        )
    page_url = reverse("ratings:course_reviews", kwargs={"slug": course.slug})
    html = Client().get(page_url).content.decode()
    assert html.count('class="review"') == 10 and "Voir plus" in html
    more = Client().get(page_url + "?page=2", **HTMX).content.decode()
    assert "<html" not in more and more.count('class="review"') == 2 and "Voir plus" not in more
    best = Client().get(page_url + "?sort=rating").content.decode()
    assert best.index("★★★★★") < best.index("★☆☆☆☆")


def test_all_reviews_of_a_draft_are_404(draft_course: Course, outsider: User) -> None:
    url = reverse("ratings:course_reviews", kwargs={"slug": draft_course.slug})
    assert client_for(outsider).get(url).status_code == 404


# --- Moderation queue --------------------------------------------------------------


def _pending(user_factory: Any, course: Course, **fields: Any) -> CourseRating:
    user, enrollment = graduate(user_factory, course)
    return services.rating_create(actor=user, enrollment=enrollment, rating=4, **fields)


def test_queue_lists_my_pending_reviews(
    course: Course, owner: User, other_instructor: User, user_factory: Any
) -> None:
    mine = _pending(user_factory, course, comment="À modérer chez moi")
    other_course = build_course(other_instructor, title="Autre")
    _pending(user_factory, other_course, comment="Pas chez moi")
    html = client_for(owner).get(reverse("ratings:moderation")).content.decode()
    assert "À modérer chez moi" in html and "Pas chez moi" not in html
    assert f'action="{reverse("ratings:moderate", kwargs={"rating_id": mine.pk})}"' in html
    assert "Avis à modérer" in html


def test_queue_forbidden_actors(member: User, owner: User) -> None:
    assert client_for(member).get(reverse("ratings:moderation")).status_code == 403
    assert Client().get(reverse("ratings:moderation")).status_code == 302


def test_approve_and_reject_from_the_queue(
    course: Course, owner: User, admin_user: User, user_factory: Any
) -> None:
    first = _pending(user_factory, course)
    second = _pending(user_factory, course)
    url = reverse("ratings:moderate", kwargs={"rating_id": first.pk})
    response = client_for(owner).post(url, {"decision": "approve"}, follow=True)
    assert "Avis publié." in response.content.decode()
    url = reverse("ratings:moderate", kwargs={"rating_id": second.pk})
    client_for(admin_user).post(url, {"decision": "reject", "note": "Insultant"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == RatingStatus.APPROVED
    assert second.status == RatingStatus.REJECTED and second.moderation_note == "Insultant"
    course.refresh_from_db()
    assert course.rating_count == 1


def test_moderation_bad_input_is_400_with_the_note_kept(
    course: Course, owner: User, user_factory: Any
) -> None:
    review = _pending(user_factory, course)
    url = reverse("ratings:moderate", kwargs={"rating_id": review.pk})
    long_note = "Trop long " * 60
    response = client_for(owner).post(url, {"decision": "reject", "note": long_note})
    assert response.status_code == 400
    html = response.content.decode()
    assert "500" in html and long_note.strip() in html
    bad = client_for(owner).post(url, {"decision": "maybe"})
    assert bad.status_code == 400 and "Décision inconnue" in bad.content.decode()
    review.refresh_from_db()
    assert review.status == RatingStatus.PENDING


def test_moderation_forbidden_actors(
    course: Course, other_instructor: User, member: User, user_factory: Any, settings: Any
) -> None:
    settings.RATINGS_MODERATION = "post"
    review = _pending(user_factory, course)
    url = reverse("ratings:moderate", kwargs={"rating_id": review.pk})
    assert client_for(other_instructor).post(url, {"decision": "reject"}).status_code == 403
    assert client_for(member).post(url, {"decision": "reject"}).status_code == 403
    assert Client().post(url, {"decision": "reject"}).status_code == 302
    assert client_for(other_instructor).get(url).status_code == 405
    review.refresh_from_db()
    assert review.status == RatingStatus.APPROVED
