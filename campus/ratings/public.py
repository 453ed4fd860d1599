"""The public list of a course's approved reviews, shaped for the API and kept in the
shared cache per version, so the many readers of a course page pay one cache read
instead of two queries and the shaping.

Exact, never stale: a copy is kept under the course row's `rating_version`, which every
write of a review renews in the same transaction (`services.refresh_course_stats`),
and under the stamp of users' names (`accounts.selectors.NAMES_STATE`), replaced when a
name changes or a user is deleted. The copy is the anonymous reader's: a reader who
wrote a review on the page, the course's owner and admins see private fields and are
answered from the database."""

from typing import Any

from django.contrib.auth.models import AnonymousUser

from campus.accounts.selectors import NAMES_STATE
from campus.core import polls
from campus.core.pagination import Page, PageQuery
from campus.courses.access import is_owner_or_admin
from campus.courses.models import Course
from campus.ratings import presenters, selectors


def approved_rows(
    *, course: Course, sort: selectors.Sort, query: PageQuery, viewer: Any
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """One page of approved reviews as the viewer may see them, and its pagination."""
    if is_owner_or_admin(viewer, course):
        return _from_database(course=course, sort=sort, query=query, viewer=viewer)
    variant = f"{course.pk}:{course.rating_version}:{sort}:{query.page}:{query.limit}"
    public = polls.stamped_value(
        NAMES_STATE,
        variant,
        lambda: _public_page(course=course, sort=sort, query=query),
    )
    if viewer.is_authenticated and viewer.pk in public["authors"]:
        return _from_database(course=course, sort=sort, query=query, viewer=viewer)
    return public["rows"], public["pagination"]


def _from_database(
    *, course: Course, sort: selectors.Sort, query: PageQuery, viewer: Any
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    result = _page(course=course, sort=sort, query=query)
    rows = [presenters.rating_row(review, viewer=viewer) for review in result.items]
    return rows, result.pagination()


def _public_page(*, course: Course, sort: selectors.Sort, query: PageQuery) -> dict[str, Any]:
    result = _page(course=course, sort=sort, query=query)
    anonymous = AnonymousUser()
    return {
        "rows": [presenters.rating_row(review, viewer=anonymous) for review in result.items],
        "pagination": result.pagination(),
        # Who wrote them, so that an author is never served the anonymous copy.
        "authors": {review.user_id for review in result.items},
    }


def _page(*, course: Course, sort: selectors.Sort, query: PageQuery) -> Page:
    """The page's reviews, each knowing its course (already loaded: no query per row)."""
    result = selectors.approved_page(course=course, sort=sort, query=query)
    for review in result.items:
        review.course = course
    return result
