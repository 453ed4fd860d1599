"""Every read of ratings: one's own review, whether one may rate, the public lists, the
moderation queue and the statistics recomputed from the approved rows."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from django.db.models import Count, Q, QuerySet

from campus.accounts.models import User
from campus.core.pagination import Page, PageQuery, paginate
from campus.courses.models import Course, Enrollment, EnrollmentStatus
from campus.ratings.models import CourseRating, RatingStatus

Sort = Literal["recent", "rating"]
CanRateReason = Literal["ok", "not_completed", "already_rated", "not_yours", "inactive"]
TWO_PLACES = Decimal("0.01")


def rating_of(*, enrollment: Enrollment) -> CourseRating | None:
    """The review written for this enrollment, if any."""
    return CourseRating.objects.filter(enrollment=enrollment).first()


def rating_by(*, user: Any, course: Course) -> CourseRating | None:
    """The user's review of the course (any status), or None (also for anonymous)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return CourseRating.objects.filter(user_id=user.pk, course=course).first()


def can_rate(*, user: Any, enrollment: Enrollment) -> tuple[bool, str]:
    """(True, "ok") or (False, reason): not_yours, inactive, not_completed, already_rated."""
    if not getattr(user, "is_authenticated", False) or enrollment.user_id != user.pk:
        return False, "not_yours"
    if not enrollment.is_active:
        return False, "inactive"
    if enrollment.status != EnrollmentStatus.COMPLETED:
        return False, "not_completed"
    already = CourseRating.objects.filter(
        Q(enrollment=enrollment) | Q(user_id=user.pk, course_id=enrollment.course_id)
    ).exists()
    if already:
        return False, "already_rated"
    return True, "ok"


def enrollment_in(*, user: Any, course: Course) -> Enrollment | None:
    """The user's enrollment in the course (active or not), with its course."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Enrollment.objects.select_related("course").filter(user_id=user.pk, course=course).first()
    )


def approved_for_course(*, course: Course, sort: Sort = "recent") -> QuerySet[CourseRating]:
    order = ("-created_at", "-id") if sort == "recent" else ("-rating", "-created_at", "-id")
    return (
        CourseRating.objects.filter(course=course, status=RatingStatus.APPROVED)
        .select_related("user")
        .order_by(*order)
    )


def approved_page(*, course: Course, sort: Sort, query: PageQuery) -> Page:
    return paginate(approved_for_course(course=course, sort=sort), query)


def latest_approved(*, course: Course, limit: int = 5) -> list[CourseRating]:
    return list(approved_for_course(course=course)[:limit])


def _pending_for(user: User) -> QuerySet[CourseRating]:
    queryset = CourseRating.objects.filter(status=RatingStatus.PENDING)
    if not user.is_admin:
        queryset = queryset.filter(course__instructor=user)
    return queryset


def pending_for_moderator(*, user: User) -> QuerySet[CourseRating]:
    """Reviews waiting for `user`'s decision (their courses; every course for admins)."""
    return _pending_for(user)


def moderation_queue(*, user: User, course_id: int | None = None) -> QuerySet[CourseRating]:
    """Pending reviews of the courses the user teaches (every course for admins), or of
    one of them, oldest first."""
    queryset = _pending_for(user)
    if course_id is not None:
        queryset = queryset.filter(course__pk=course_id)  # see rating_in_course
    return queryset.select_related("user", "course").order_by("created_at", "id")


def moderation_page(*, user: User, query: PageQuery, course_id: int | None = None) -> Page:
    return paginate(moderation_queue(user=user, course_id=course_id), query)


def pending_counts_for_instructor(*, user: User) -> dict[int, int]:
    """Reviews waiting for `user`'s decision, per course id (admins: every course): one
    grouped query over the (course, status) index."""
    return dict(_pending_for(user).order_by().values_list("course_id").annotate(n=Count("*")))


def rating_in_course(*, course_id: int, rating_id: int) -> CourseRating | None:
    return (
        CourseRating.objects.select_related("user", "course", "course__instructor")
        # course__pk, not course_id: an integer lookup, so an id past the database's
        # range (a client's path) matches nothing instead of overflowing (a 500).
        .filter(pk=rating_id, course__pk=course_id)
        .first()
    )


def rating_with_course(*, rating_id: int) -> CourseRating | None:
    return (
        CourseRating.objects.select_related("user", "course", "course__instructor")
        .filter(pk=rating_id)
        .first()
    )


def approved_stats(*, course_id: int) -> dict[str, Any]:
    """Count, 1-5 distribution, recommendations and the exact average (2 decimals, half
    up) of the course's APPROVED reviews, in one aggregate query."""
    approved = Q(status=RatingStatus.APPROVED)
    aggregates: dict[str, Any] = {
        f"s{stars}": Count("id", filter=approved & Q(rating=stars)) for stars in range(1, 6)
    }
    aggregates["recommend"] = Count("id", filter=approved & Q(would_recommend=True))
    row = CourseRating.objects.filter(course_id=course_id).aggregate(**aggregates)
    distribution = {str(stars): int(row[f"s{stars}"]) for stars in range(1, 6)}
    count = sum(distribution.values())
    total = sum(stars * n for stars, n in enumerate(distribution.values(), start=1))
    average = (
        (Decimal(total) / Decimal(count)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
        if count
        else Decimal("0.00")
    )
    return {
        "rating_average": average,
        "rating_count": count,
        "rating_distribution": distribution,
        "rating_recommend_count": int(row["recommend"]),
    }
