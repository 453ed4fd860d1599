"""Fetch + authorize reviews (API and pages).

- An approved review of a visible course is public; a pending or rejected one exists
  only for its author, the course's owner and admins (404 for anyone else).
- Editing and deleting are for the author (admins may delete): others get 403.
- Moderating is for the course's owner and admins: others get 403.
"""

from typing import Literal

from django.utils.translation import gettext_lazy as _

from campus.core.errors import Forbidden, NotAuthenticated, NotFound
from campus.courses.access import (
    AnyUser,
    authorize_course,
    get_course_by_slug_for,
    is_owner_or_admin,
)
from campus.courses.models import Course, Enrollment
from campus.ratings import selectors
from campus.ratings.models import CourseRating, RatingStatus

RatingAction = Literal["view", "edit"]


def _not_found() -> NotFound:
    return NotFound(_("Avis introuvable."), code="rating_not_found")


def may_see(user: AnyUser, review: CourseRating) -> bool:
    return (
        review.status == RatingStatus.APPROVED
        or (user.is_authenticated and review.user_id == user.pk)
        or is_owner_or_admin(user, review.course)
    )


def get_rating_for(
    user: AnyUser, course_id: int, rating_id: int, *, action: RatingAction = "view"
) -> CourseRating:
    review = selectors.rating_in_course(course_id=course_id, rating_id=rating_id)
    if review is None:
        raise _not_found()
    authorize_course(user, review.course, "view")
    if not may_see(user, review):
        raise _not_found()
    if action == "edit" and not user.is_authenticated:
        raise NotAuthenticated()
    return review


def get_rating_to_moderate(user: AnyUser, rating_id: int) -> CourseRating:
    if not user.is_authenticated:
        raise NotAuthenticated()
    review = selectors.rating_with_course(rating_id=rating_id)
    if review is None:
        raise _not_found()
    if not is_owner_or_admin(user, review.course):
        if not review.course.is_published or not may_see(user, review):
            raise _not_found()
        raise Forbidden(
            _(
                "La modération des avis est réservée à la personne responsable du cours "
                "et à l'administration."
            )
        )
    return review


def get_own_enrollment_for(user: AnyUser, enrollment_id: int) -> Enrollment:
    """One's own enrollment (a review is personal: anyone else's is a 404)."""
    if not user.is_authenticated:
        raise NotAuthenticated()
    enrollment = (
        Enrollment.objects.select_related("course", "course__instructor")
        .filter(pk=enrollment_id, user_id=user.pk)
        .first()
    )
    if enrollment is None or not enrollment.course.is_published:
        raise NotFound(_("Inscription introuvable."), code="enrollment_not_found")
    return enrollment


def get_enrollment_to_rate(
    user: AnyUser, course: Course, enrollment_id: int | None = None
) -> Enrollment:
    """The user's enrollment in `course` (the given one must be theirs and of this
    course: 404 otherwise). Not enrolled at all is a 403 not_enrolled."""
    if not user.is_authenticated:
        raise NotAuthenticated()
    if enrollment_id is not None:
        enrollment = get_own_enrollment_for(user, enrollment_id)
        if enrollment.course_id != course.pk:
            raise NotFound(_("Inscription introuvable."), code="enrollment_not_found")
        return enrollment
    found = selectors.enrollment_in(user=user, course=course)
    if found is None:
        raise Forbidden(
            _("Seuls les étudiants qui ont terminé ce cours peuvent le noter."),
            code="not_enrolled",
        )
    return found


def get_rate_target_by_slug(user: AnyUser, slug: str) -> tuple[Course, Enrollment]:
    """For the rating page: the published course and the user's enrollment in it."""
    if not user.is_authenticated:
        raise NotAuthenticated()
    course = get_course_by_slug_for(user, slug, action="view")
    if not course.is_published:
        raise NotFound(_("Cours introuvable."), code="course_not_found")
    return course, get_enrollment_to_rate(user, course)
