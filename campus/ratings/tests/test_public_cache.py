"""The public list of reviews is answered from a cached copy (campus.ratings.public),
never a stale one: every write of a review, a name change and the admin's edits renew
it, and readers with private fields (the author, the owner, admins) are never served the
anonymous copy. Through the public API; the cross-process proof is in
test_public_cache_processes.py."""

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from campus.accounts import services as account_services
from campus.accounts.models import User
from campus.courses.models import Course
from campus.ratings import services
from campus.ratings.models import CourseRating
from campus.ratings.tests.helpers import graduate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _post_moderation(settings: Any) -> None:
    settings.RATINGS_MODERATION = "post"  # a review is public as soon as it is written


def listed(api: Any, course: Course, viewer: User | None = None, **params: Any) -> list[dict]:
    response = api(viewer).get(f"/api/courses/{course.pk}/ratings", params)
    assert response.status_code == 200, response.json_body
    return list(response.json_body["data"])


def write(user_factory: Any, course: Course, **fields: Any) -> tuple[User, CourseRating]:
    user, enrollment = graduate(user_factory, course)
    review = services.rating_create(actor=user, enrollment=enrollment, rating=4, **fields)
    return user, review


def test_a_second_read_asks_the_database_for_the_course_only(
    api: Any, course: Course, user_factory: Any
) -> None:
    write(user_factory, course, comment="Premier avis")
    first = listed(api, course)
    with CaptureQueriesContext(connection) as ctx:
        again = listed(api, course)
    assert again == first and [r["comment"] for r in again] == ["Premier avis"]
    tables = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "ratings_courserating" not in tables, tables
    assert len(ctx.captured_queries) == 1  # the course, with its visibility


def test_every_write_of_a_review_renews_the_list(
    api: Any, course: Course, owner: User, user_factory: Any, settings: Any
) -> None:
    author, review = write(user_factory, course, comment="Avant")
    assert [r["comment"] for r in listed(api, course)] == ["Avant"]

    services.rating_update(actor=author, review=review, comment="Après")
    assert [r["comment"] for r in listed(api, course)] == ["Après"]

    _, second = write(user_factory, course, comment="Deuxième")
    assert {r["comment"] for r in listed(api, course)} == {"Après", "Deuxième"}

    services.rating_delete(actor=author, review=review)
    assert [r["id"] for r in listed(api, course)] == [second.pk]

    # Under pre-moderation an edit takes the review off the list until approved.
    settings.RATINGS_MODERATION = "pre"
    second.refresh_from_db()
    services.rating_update(actor=second.user, review=second, comment="Revu")
    assert listed(api, course) == []
    pending = CourseRating.objects.get(pk=second.pk)
    services.rating_moderate(actor=owner, review=pending, approve=True)
    assert [r["comment"] for r in listed(api, course)] == ["Revu"]


def test_pages_and_sorts_are_kept_apart(api: Any, course: Course, user_factory: Any) -> None:
    for stars in (2, 5, 3):
        user, enrollment = graduate(user_factory, course)
        services.rating_create(actor=user, enrollment=enrollment, rating=stars)
    assert [r["rating"] for r in listed(api, course, sort="rating")] == [5, 3, 2]
    assert [r["rating"] for r in listed(api, course, sort="recent")] == [3, 5, 2]
    assert [r["rating"] for r in listed(api, course, limit=1, page=2)] == [5]
    assert [r["rating"] for r in listed(api, course, sort="rating", limit=1, page=2)] == [3]


def test_a_name_change_is_seen_at_once(
    api: Any, course: Course, user_factory: Any, django_capture_on_commit_callbacks: Any
) -> None:
    author, _ = write(user_factory, course)
    assert listed(api, course)[0]["first_name"] == author.first_name
    with django_capture_on_commit_callbacks(execute=True):
        account_services.profile_update(actor=author, first_name="Rosine")
    row = listed(api, course)[0]
    assert (row["first_name"], row["author"]["display_name"]) == (
        "Rosine",
        f"Rosine {author.last_name}",
    )


def test_the_author_owner_and_admin_see_their_private_fields(
    api: Any, course: Course, owner: User, admin_user: User, user_factory: Any
) -> None:
    author, review = write(user_factory, course, is_anonymous=True)
    CourseRating.objects.filter(pk=review.pk).update(moderation_note="Merci !")
    services.reviews_edited_elsewhere(course_id=course.pk)
    outsider = user_factory()
    public = listed(api, course)  # the anonymous copy is now in the cache
    assert public[0]["is_mine"] is False and public[0]["moderation_note"] is None
    assert public[0]["author"] is None
    assert listed(api, course, outsider) == public

    mine = listed(api, course, author)[0]
    assert mine["is_mine"] is True and mine["moderation_note"] == "Merci !"
    assert mine["author"] is None  # anonymous, even to its author's list
    for moderator in (owner, admin_user):
        row = listed(api, course, moderator)[0]
        assert row["is_mine"] is False and row["moderation_note"] == "Merci !"


def _admin_client(admin_user: User) -> Client:
    """The admin site, as a superuser (Campus admins have no model permissions there)."""
    admin_user.is_superuser = True
    admin_user.save(update_fields=["is_superuser"])
    client = Client()
    client.force_login(admin_user)
    return client


def test_the_admin_deleting_a_review_renews_list_and_stats(
    api: Any, course: Course, admin_user: User, user_factory: Any
) -> None:
    _, review = write(user_factory, course)
    assert len(listed(api, course)) == 1
    response = _admin_client(admin_user).post(
        f"/admin/ratings/courserating/{review.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302, response.content[:500]
    assert listed(api, course) == []
    stats = api(None).get(f"/api/courses/{course.pk}/ratings/stats").json_body["data"]
    assert stats["rating_count"] == 0


def test_the_admin_deleting_an_author_renews_list_and_stats(
    api: Any,
    course: Course,
    admin_user: User,
    user_factory: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    author, _ = write(user_factory, course)
    write(user_factory, course)
    assert len(listed(api, course)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = _admin_client(admin_user).post(
            f"/admin/accounts/user/{author.pk}/delete/", {"post": "yes"}
        )
    assert response.status_code == 302, response.content[:500]
    assert len(listed(api, course)) == 1
    stats = api(None).get(f"/api/courses/{course.pk}/ratings/stats").json_body["data"]
    assert stats["rating_count"] == 1
