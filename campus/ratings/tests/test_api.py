"""Ratings API: create, validation, conflicts, edit/delete, moderation, statistics,
anonymity, can-rate. Every request goes through the public API."""

from decimal import Decimal
from typing import Any

import pytest

from campus.accounts.models import Role, User
from campus.courses import services as course_services
from campus.courses.models import Course
from campus.notifications.models import Kind, Notification
from campus.ratings.checks import ratings_problems
from campus.ratings.models import CourseRating
from campus.ratings.tests.helpers import body, complete, graduate
from conftest import assert_error, build_course

pytestmark = pytest.mark.django_db


def url(course: Course, suffix: str = "") -> str:
    return f"/api/courses/{course.pk}/ratings{suffix}"


def create(api: Any, user: User, course: Course, **overrides: Any) -> dict:
    response = api(user).post(url(course), body(**overrides))
    assert response.status_code == 201, response.json_body
    return response.json_body["data"]


def approve(api: Any, moderator: User, rating_id: int) -> Any:
    return api(moderator).post(f"/api/ratings/{rating_id}/approve")


# --- Create ------------------------------------------------------------------------


def test_a_graduate_rates_and_the_review_waits_for_moderation(
    api: Any, course: Course, user_factory: Any
) -> None:
    user, enrollment = graduate(user_factory, course)
    data = create(api, user, course, enrollment_id=enrollment.pk)
    assert data["status"] == "pending" and data["rating"] == 4 and data["is_mine"] is True
    assert data["author"] == {"display_name": user.display_name}
    # Invisible publicly, and not counted.
    assert api(None).get(url(course)).json_body["data"] == []
    assert_error(api(None).get(url(course, f"/{data['id']}")), 404, "rating_not_found")
    assert api(None).get(url(course, "/stats")).json_body["data"]["rating_count"] == 0
    # The author sees their own pending review.
    mine = api(user).get(url(course, f"/{data['id']}"))
    assert mine.status_code == 200 and mine.json_body["data"]["status"] == "pending"


def test_post_moderation_shows_the_review_at_once(
    api: Any, course: Course, user_factory: Any, settings: Any
) -> None:
    settings.RATINGS_MODERATION = "post"
    user, _ = graduate(user_factory, course)
    data = create(api, user, course, rating=5)
    assert data["status"] == "approved"
    listed = api(None).get(url(course)).json_body["data"]
    assert [r["id"] for r in listed] == [data["id"]]
    stats = api(None).get(url(course, "/stats")).json_body["data"]
    assert stats["rating_count"] == 1 and Decimal(stats["average_rating"]) == 5


def test_the_enrollment_is_found_without_enrollment_id(
    api: Any, course: Course, user_factory: Any
) -> None:
    user, enrollment = graduate(user_factory, course)
    create(api, user, course)
    assert CourseRating.objects.get().enrollment == enrollment


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (0, "greater_than_equal"),
        (6, "less_than_equal"),
        (-1, "greater_than_equal"),
        ("abc", "int_type"),
        (3.5, "int_type"),
        ("4", "int_type"),  # decided: the stars are a JSON integer, never a string
        (None, "int_type"),
        (True, "int_type"),
        ([4], "int_type"),
    ],
)
def test_bad_stars_are_400(
    api: Any, course: Course, user_factory: Any, value: Any, code: str
) -> None:
    user, _ = graduate(user_factory, course)
    response = api(user).post(url(course), body(rating=value))
    error = assert_error(response, 400, "validation_error")
    assert error["error"]["details"][0]["field"] == "rating"
    assert error["error"]["details"][0]["code"] == code
    assert not CourseRating.objects.exists()


def test_missing_stars_are_400(api: Any, course: Course, user_factory: Any) -> None:
    user, _ = graduate(user_factory, course)
    payload = body()
    del payload["rating"]
    assert_error(api(user).post(url(course), payload), 400, "validation_error")


@pytest.mark.parametrize(
    ("sent", "stored"), [("false", False), ("False", False), ("true", True), (False, False)]
)
def test_would_recommend_strings_are_read_exactly(
    api: Any, course: Course, user_factory: Any, sent: Any, stored: bool
) -> None:
    user, _ = graduate(user_factory, course)
    data = create(api, user, course, would_recommend=sent, is_anonymous=sent)
    assert data["would_recommend"] is stored and data["is_anonymous"] is stored
    review = CourseRating.objects.get()
    assert review.would_recommend is stored and review.is_anonymous is stored


@pytest.mark.parametrize("value", ["yes", "0", 1, 0, None, "", "no"])
def test_would_recommend_anything_else_is_400(
    api: Any, course: Course, user_factory: Any, value: Any
) -> None:
    user, _ = graduate(user_factory, course)
    response = api(user).post(url(course), body(would_recommend=value))
    assert_error(response, 400, "validation_error")


@pytest.mark.parametrize(("field", "limit"), [("comment", 2000), ("pros", 1000), ("cons", 1000)])
def test_texts_over_their_limit_are_400(
    api: Any, course: Course, user_factory: Any, field: str, limit: int
) -> None:
    user, _ = graduate(user_factory, course)
    error = assert_error(
        api(user).post(url(course), body(**{field: "x" * (limit + 1)})), 400, "validation_error"
    )
    assert error["error"]["details"][0]["field"] == field
    assert create(api, user, course, **{field: "x" * limit})[field] == "x" * limit


def test_unknown_fields_and_malformed_json_are_400(
    api: Any, course: Course, user_factory: Any
) -> None:
    user, _ = graduate(user_factory, course)
    assert_error(api(user).post(url(course), body(user_id=1)), 400, "validation_error")
    assert_error(api(user).post(url(course), body(status="approved")), 400, "validation_error")
    response = api(user).request("POST", url(course), raw="{nope")
    assert_error(response, 400)


def test_an_unfinished_course_is_409(api: Any, course: Course, member: User) -> None:
    error = assert_error(api(member).post(url(course), body()), 409, "not_completed")
    assert "Terminez le cours" in error["message"]


def test_rating_twice_is_409(api: Any, course: Course, user_factory: Any) -> None:
    user, _ = graduate(user_factory, course)
    create(api, user, course)
    error = assert_error(api(user).post(url(course), body(rating=1)), 409, "already_rated")
    assert "déjà noté" in error["message"]
    assert CourseRating.objects.get().rating == 4


def test_an_inactive_enrollment_is_409(api: Any, course: Course, user_factory: Any) -> None:
    user, _ = graduate(user_factory, course)
    course_services.enrollment_deactivate(actor=user, course=course)
    assert_error(api(user).post(url(course), body()), 409, "inactive")


def test_someone_elses_or_another_courses_enrollment_is_404(
    api: Any, course: Course, owner: User, user_factory: Any
) -> None:
    user, _ = graduate(user_factory, course)
    _, theirs = graduate(user_factory, course)
    other_course = build_course(owner, title="Autre cours")
    elsewhere = complete(user, other_course)
    assert_error(
        api(user).post(url(course), body(enrollment_id=theirs.pk)), 404, "enrollment_not_found"
    )
    assert_error(
        api(user).post(url(course), body(enrollment_id=elsewhere.pk)), 404, "enrollment_not_found"
    )


# --- Edit and delete ---------------------------------------------------------------


def test_editing_goes_back_to_pending_under_pre_moderation(
    api: Any, course: Course, owner: User, user_factory: Any
) -> None:
    user, _ = graduate(user_factory, course)
    data = create(api, user, course, rating=5)
    approve(api, owner, data["id"])
    assert api(None).get(url(course, "/stats")).json_body["data"]["rating_count"] == 1
    edited = api(user).put(url(course, f"/{data['id']}"), {"rating": 2, "comment": "Bof"})
    assert edited.status_code == 200
    assert edited.json_body["data"]["status"] == "pending"
    assert (
        edited.json_body["data"]["rating"] == 2
        and edited.json_body["data"]["pros"] == "Les exemples"
    )
    stats = api(None).get(url(course, "/stats")).json_body["data"]
    assert stats["rating_count"] == 0 and Decimal(stats["average_rating"]) == 0


def test_editing_stays_visible_under_post_moderation(
    api: Any, course: Course, user_factory: Any, settings: Any
) -> None:
    settings.RATINGS_MODERATION = "post"
    user, _ = graduate(user_factory, course)
    data = create(api, user, course, rating=5)
    edited = api(user).put(url(course, f"/{data['id']}"), {"rating": 3})
    assert edited.json_body["data"]["status"] == "approved"
    stats = api(None).get(url(course, "/stats")).json_body["data"]
    assert stats["rating_count"] == 1 and Decimal(stats["average_rating"]) == 3


@pytest.mark.parametrize(
    "payload",
    [
        {"rating": 0},
        {"rating": "5"},
        {"rating": None},
        {"rating": 4.5},
        {"would_recommend": "nope"},
        {"would_recommend": None},
        {"comment": "x" * 2001},
        {"status": "approved"},
    ],
)
def test_edit_bad_input_is_400(api: Any, course: Course, user_factory: Any, payload: dict) -> None:
    user, _ = graduate(user_factory, course)
    data = create(api, user, course)
    assert_error(api(user).put(url(course, f"/{data['id']}"), payload), 400, "validation_error")
    assert CourseRating.objects.get().rating == 4


def test_edit_would_recommend_false_string(api: Any, course: Course, user_factory: Any) -> None:
    user, _ = graduate(user_factory, course)
    data = create(api, user, course)
    edited = api(user).put(url(course, f"/{data['id']}"), {"would_recommend": "false"})
    assert edited.json_body["data"]["would_recommend"] is False


def test_only_the_author_edits_or_deletes(
    api: Any, course: Course, owner: User, admin_user: User, user_factory: Any
) -> None:
    user, _ = graduate(user_factory, course)
    other, _ = graduate(user_factory, course)
    data = create(api, user, course)
    approve(api, owner, data["id"])
    path = url(course, f"/{data['id']}")
    for actor in (other, owner, admin_user):
        assert_error(api(actor).put(path, {"rating": 1}), 403, "not_author")
    assert_error(api(other).delete(path), 403, "not_author")
    assert_error(api(None).delete(path), 401)
    assert CourseRating.objects.get().rating == 4


def test_a_review_under_another_course_is_404(
    api: Any, course: Course, owner: User, user_factory: Any
) -> None:
    user, _ = graduate(user_factory, course)
    data = create(api, user, course)
    other_course = build_course(owner, title="Autre")
    assert_error(api(user).get(url(other_course, f"/{data['id']}")), 404, "rating_not_found")
    assert_error(api(user).put(url(other_course, f"/{data['id']}"), {"rating": 1}), 404)


def test_a_course_id_past_the_database_range_is_404_not_500(
    api: Any, course: Course, user_factory: Any
) -> None:
    """Found by the apifuzz run: a path's course id beyond 64 bits overflowed the query."""
    user, _ = graduate(user_factory, course)
    data = create(api, user, course)
    path = f"/api/courses/{2**70}/ratings/{data['id']}"
    assert_error(api(user).get(path), 404, "rating_not_found")
    assert_error(api(user).put(path, {"rating": 1}), 404, "rating_not_found")
    assert_error(api(user).delete(path), 404, "rating_not_found")


def test_deleting_updates_the_stats_and_allows_rating_again(
    api: Any, course: Course, owner: User, user_factory: Any
) -> None:
    user, _ = graduate(user_factory, course)
    data = create(api, user, course, rating=2)
    approve(api, owner, data["id"])
    response = api(user).delete(url(course, f"/{data['id']}"))
    assert response.status_code == 200
    stats = api(None).get(url(course, "/stats")).json_body["data"]
    assert stats["rating_count"] == 0 and stats["rating_distribution"]["2"] == 0
    create(api, user, course, rating=5)


# --- Moderation --------------------------------------------------------------------


def test_approve_and_reject_notify_the_author(
    api: Any, course: Course, owner: User, user_factory: Any
) -> None:
    user, _ = graduate(user_factory, course)
    data = create(api, user, course)
    approved = approve(api, owner, data["id"])
    assert approved.status_code == 200 and approved.json_body["data"]["status"] == "approved"
    rejected = api(owner).post(f"/api/ratings/{data['id']}/reject", {"note": "Propos hors sujet."})
    assert rejected.json_body["data"]["status"] == "rejected"
    assert rejected.json_body["data"]["moderation_note"] == "Propos hors sujet."
    notices = list(Notification.objects.filter(user=user, kind=Kind.RATING_MODERATED))
    assert len(notices) == 2
    assert any("Propos hors sujet." in n.body for n in notices)
    # The author sees the note; the public never sees rejected reviews.
    mine = api(user).get(url(course, f"/{data['id']}")).json_body["data"]
    assert mine["moderation_note"] == "Propos hors sujet."
    assert_error(api(None).get(url(course, f"/{data['id']}")), 404)


def test_moderating_twice_the_same_way_is_409(
    api: Any, course: Course, owner: User, user_factory: Any
) -> None:
    user, _ = graduate(user_factory, course)
    data = create(api, user, course)
    approve(api, owner, data["id"])
    assert_error(approve(api, owner, data["id"]), 409, "already_moderated")


def test_moderation_note_too_long_is_400(
    api: Any, course: Course, owner: User, user_factory: Any
) -> None:
    user, _ = graduate(user_factory, course)
    data = create(api, user, course)
    response = api(owner).post(f"/api/ratings/{data['id']}/reject", {"note": "x" * 501})
    assert_error(response, 400, "validation_error")
    assert CourseRating.objects.get().status == "pending"
    assert_error(api(owner).post(f"/api/ratings/{data['id']}/reject", {"note": 5}), 400)


def test_forbidden_moderators(
    api: Any, course: Course, other_instructor: User, user_factory: Any, settings: Any
) -> None:
    settings.RATINGS_MODERATION = "post"
    user, _ = graduate(user_factory, course)
    data = create(api, user, course)
    assert_error(api(other_instructor).post(f"/api/ratings/{data['id']}/reject"), 403)
    assert_error(api(user).post(f"/api/ratings/{data['id']}/reject"), 403)
    assert_error(api(None).post(f"/api/ratings/{data['id']}/reject"), 401)
    assert_error(api(user).post("/api/ratings/999999/reject"), 404, "rating_not_found")


def test_the_queue_holds_the_pending_reviews_of_my_courses(
    api: Any,
    course: Course,
    owner: User,
    other_instructor: User,
    admin_user: User,
    user_factory: Any,
) -> None:
    other_course = build_course(other_instructor, title="Autre")
    a, _ = graduate(user_factory, course)
    b, _ = graduate(user_factory, other_course)
    c, _ = graduate(user_factory, course)
    mine = create(api, a, course)
    create(api, b, other_course)
    done = create(api, c, course)
    approve(api, owner, done["id"])
    queue = api(owner).get("/api/ratings/moderation").json_body
    assert [r["id"] for r in queue["data"]] == [mine["id"]]
    assert queue["data"][0]["course"]["slug"] == course.slug
    assert queue["pagination"]["total"] == 1
    assert api(admin_user).get("/api/ratings/moderation").json_body["pagination"]["total"] == 2
    assert (
        api(other_instructor).get("/api/ratings/moderation").json_body["pagination"]["total"] == 1
    )
    assert_error(api(a).get("/api/ratings/moderation"), 403, "not_instructor")
    assert_error(api(owner).get("/api/ratings/moderation", {"limit": 0}), 400)


# --- Statistics --------------------------------------------------------------------


def test_stats_are_exact_over_approved_reviews_only(
    api: Any, course: Course, owner: User, user_factory: Any
) -> None:
    ids = []
    for stars, recommend in [(5, True), (4, True), (4, False), (1, False), (2, True)]:
        user, _ = graduate(user_factory, course)
        ids.append(create(api, user, course, rating=stars, would_recommend=recommend)["id"])
    for rating_id in ids[:4]:
        approve(api, owner, rating_id)
    stats = api(None).get(url(course, "/stats")).json_body["data"]
    assert stats["rating_count"] == 4
    assert Decimal(stats["average_rating"]) == Decimal("3.50")  # (5+4+4+1)/4
    assert stats["rating_distribution"] == {"1": 1, "2": 0, "3": 0, "4": 2, "5": 1}
    assert stats["recommend_count"] == 2 and stats["recommendation_rate"] == 50
    # Reject one: recomputed.
    api(owner).post(f"/api/ratings/{ids[3]}/reject")
    stats = api(None).get(url(course, "/stats")).json_body["data"]
    assert stats["rating_count"] == 3 and Decimal(stats["average_rating"]) == Decimal("4.33")
    assert stats["recommendation_rate"] == 67
    course.refresh_from_db()
    assert course.rating_average == Decimal("4.33") and course.rating_count == 3
    assert course.rating_distribution == {"1": 0, "2": 0, "3": 0, "4": 2, "5": 1}
    assert course.rating_recommend_count == 2


def test_average_rounds_half_up_to_two_decimals(
    api: Any, course: Course, owner: User, user_factory: Any, settings: Any
) -> None:
    settings.RATINGS_MODERATION = "post"
    for stars in (5, 5, 4, 4, 4, 4, 4, 4):  # 34 / 8 = 4.25
        user, _ = graduate(user_factory, course)
        create(api, user, course, rating=stars)
    assert api(None).get(url(course, "/stats")).json_body["data"]["average_rating"] == "4.25"
    user, _ = graduate(user_factory, course)
    create(api, user, course, rating=4)  # 38 / 9 = 4.2222
    assert api(None).get(url(course, "/stats")).json_body["data"]["average_rating"] == "4.22"


def test_stats_route_is_not_swallowed_by_the_rating_id_route(api: Any, course: Course) -> None:
    response = api(None).get(url(course, "/stats"))
    assert response.status_code == 200 and "rating_distribution" in response.json_body["data"]


def test_draft_course_ratings_are_404(api: Any, draft_course: Course, outsider: User) -> None:
    for path in ("", "/stats"):
        assert_error(api(outsider).get(url(draft_course, path)), 404, "course_not_found")


# --- List --------------------------------------------------------------------------


def test_list_sorts_and_paginates(
    api: Any, course: Course, user_factory: Any, settings: Any
) -> None:
    settings.RATINGS_MODERATION = "post"
    ids = {}
    for stars in (3, 5, 1):
        user, _ = graduate(user_factory, course)
        ids[stars] = create(api, user, course, rating=stars)["id"]
    recent = api(None).get(url(course)).json_body
    assert [r["id"] for r in recent["data"]] == [ids[1], ids[5], ids[3]]
    best = api(None).get(url(course), {"sort": "rating"}).json_body
    assert [r["rating"] for r in best["data"]] == [5, 3, 1]
    page2 = api(None).get(url(course), {"sort": "rating", "limit": 2, "page": 2}).json_body
    assert [r["rating"] for r in page2["data"]] == [1]
    assert page2["pagination"] == {"page": 2, "limit": 2, "total": 3}
    assert_error(api(None).get(url(course), {"sort": "helpful"}), 400, "validation_error")
    assert_error(api(None).get(url(course), {"limit": 1000}), 400, "validation_error")


# --- Anonymity ---------------------------------------------------------------------


def _leaks(text: str, user: User) -> list[str]:
    needles = [
        user.email,
        user.first_name,
        user.last_name,
        user.display_name,
        f'"user_id": {user.pk}',
    ]
    return [n for n in needles if n and n in text]


def test_anonymous_reviews_expose_nothing_on_any_public_api_surface(
    api: Any, course: Course, owner: User, user_factory: Any, settings: Any
) -> None:
    settings.RATINGS_MODERATION = "post"
    user, _ = graduate(user_factory, course, first_name="Secrète", last_name="Zinsou")
    data = create(api, user, course, is_anonymous=True)
    named, _ = graduate(user_factory, course, first_name="Publique", last_name="Dossou")
    named_data = create(api, named, course)
    for viewer in (None, owner, named):
        for path in (url(course), url(course, f"/{data['id']}"), url(course, "/stats")):
            response = api(viewer).get(path)
            assert response.status_code == 200
            assert _leaks(response.content.decode(), user) == [], path
    listed = {r["id"]: r for r in api(None).get(url(course)).json_body["data"]}
    assert listed[data["id"]]["author"] is None
    assert "user_id" not in listed[data["id"]] and "user" not in listed[data["id"]]
    # A named review shows the display name only, never the email.
    assert listed[named_data["id"]]["author"] == {"display_name": named.display_name}
    assert named.email not in api(None).get(url(course)).content.decode()


# --- can-rate ----------------------------------------------------------------------


def test_can_rate_reasons(api: Any, course: Course, member: User, user_factory: Any) -> None:
    from campus.courses.models import Enrollment

    enrollment = Enrollment.objects.get(user=member, course=course)
    data = api(member).get(f"/api/enrollments/{enrollment.pk}/can-rate").json_body["data"]
    assert data == {
        "can_rate": False,
        "reason": "not_completed",
        "has_rated": False,
        "rating_id": None,
        "rating_status": None,
    }
    user, done = graduate(user_factory, course)
    ok = api(user).get(f"/api/enrollments/{done.pk}/can-rate").json_body["data"]
    assert ok["can_rate"] is True and ok["reason"] == "ok"
    created = create(api, user, course)
    rated = api(user).get(f"/api/enrollments/{done.pk}/can-rate").json_body["data"]
    assert rated["reason"] == "already_rated" and rated["rating_id"] == created["id"]
    assert rated["rating_status"] == "pending"
    assert_error(api(member).get(f"/api/enrollments/{done.pk}/can-rate"), 404)


def test_can_rate_selector_reasons(course: Course, member: User, user_factory: Any) -> None:
    from campus.courses.models import Enrollment
    from campus.ratings import selectors

    enrollment = Enrollment.objects.get(user=member, course=course)
    other = user_factory(Role.STUDENT)
    assert selectors.can_rate(user=other, enrollment=enrollment) == (False, "not_yours")
    assert selectors.can_rate(user=member, enrollment=enrollment) == (False, "not_completed")
    user, done = graduate(user_factory, course)
    assert selectors.can_rate(user=user, enrollment=done) == (True, "ok")
    assert selectors.rating_of(enrollment=done) is None
    course_services.enrollment_deactivate(actor=user, course=course)
    done.refresh_from_db()
    assert selectors.can_rate(user=user, enrollment=done) == (False, "inactive")


# --- Settings ----------------------------------------------------------------------


def test_unknown_moderation_mode_fails_the_system_check(settings: Any) -> None:
    settings.RATINGS_MODERATION = "pre"
    assert ratings_problems() == []
    settings.RATINGS_MODERATION = "post"
    assert ratings_problems() == []
    settings.RATINGS_MODERATION = "sometimes"
    assert "RATINGS_MODERATION" in ratings_problems()[0]
