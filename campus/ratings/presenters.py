"""Shape reviews and statistics for output (API and pages). No queries.

Anonymity: an anonymous review carries no author at all (no name, email, avatar or id);
a named one shows the display name (and first and last names), never the email."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from campus.courses.access import is_owner_or_admin
from campus.courses.models import Course, empty_distribution
from campus.ratings.models import CourseRating


def author_name(review: CourseRating) -> str | None:
    return None if review.is_anonymous else review.user.display_name


def rating_row(review: CourseRating, *, viewer: Any) -> dict[str, Any]:
    mine = bool(viewer.is_authenticated and review.user_id == viewer.pk)
    name = author_name(review)
    private = mine or is_owner_or_admin(viewer, review.course)
    return {
        "id": review.pk,
        "course_id": review.course_id,
        "rating": review.rating,
        "comment": review.comment,
        "pros": review.pros,
        "cons": review.cons,
        "would_recommend": review.would_recommend,
        "is_anonymous": review.is_anonymous,
        "is_verified_purchase": True,  # only students who completed the course rate
        "status": review.status,
        "created_at": review.created_at,
        "updated_at": review.updated_at,
        "author": None if name is None else {"display_name": name},
        # The MdSC frontend's names; none at all for an anonymous review.
        "first_name": None if name is None else review.user.first_name,
        "last_name": None if name is None else review.user.last_name,
        "is_mine": mine,
        "moderation_note": review.moderation_note if private else None,
    }


def moderation_row(review: CourseRating, *, viewer: Any) -> dict[str, Any]:
    course = review.course
    return {
        **rating_row(review, viewer=viewer),
        "course": {"id": course.pk, "title": course.title, "slug": course.slug},
    }


def percent(part: int, whole: int) -> int:
    if not whole:
        return 0
    return int((Decimal(part) * 100 / whole).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def course_stats(course: Course) -> dict[str, Any]:
    """The statistics stored on the Course row (kept exact by the services)."""
    distribution = {**empty_distribution(), **(course.rating_distribution or {})}
    count = course.rating_count
    return {
        "course_id": course.pk,
        "average_rating": course.rating_average,
        "rating_count": count,
        "rating_distribution": distribution,
        "recommend_count": course.rating_recommend_count,
        "recommendation_rate": percent(course.rating_recommend_count, count),
    }


def histogram(course: Course) -> list[dict[str, Any]]:
    """Bars 5 to 1 for the course page: stars, count and width in percent."""
    stats = course_stats(course)
    count = stats["rating_count"]
    return [
        {
            "stars": stars,
            "count": stats["rating_distribution"][str(stars)],
            "percent": percent(stats["rating_distribution"][str(stars)], count),
        }
        for stars in range(5, 0, -1)
    ]
