"""The ratings block of the course page: statistics from the Course row, the latest
approved reviews and the visitor's own review. A constant number of queries (the
latest reviews, one's own review, and whether one may rate)."""

from typing import Any

from django import template

from campus.courses.models import Course, Enrollment
from campus.ratings import presenters, selectors, services

register = template.Library()

LATEST = 5


@register.inclusion_tag("ratings/_course_ratings.html", takes_context=True)
def course_ratings(
    context: dict[str, Any], course: Course, enrollment: Enrollment | None = None
) -> dict[str, Any]:
    request = context["request"]
    user = request.user
    mine = selectors.rating_by(user=user, course=course)
    may_rate = False
    if mine is None and enrollment is not None:
        may_rate, _reason = selectors.can_rate(user=user, enrollment=enrollment)
    return {
        "request": request,
        "user": user,
        "course": course,
        "stats": presenters.course_stats(course),
        "histogram": presenters.histogram(course),
        "reviews": selectors.latest_approved(course=course, limit=LATEST)
        if course.rating_count
        else [],
        "mine": mine,
        "may_rate": may_rate,
        "moderation": services.moderation_mode(),
    }


@register.filter
def star_text(value: Any) -> str:
    """★★★★☆ for 4 (decoration: the number is always written next to it)."""
    try:
        stars = max(0, min(5, int(value)))
    except (TypeError, ValueError):
        stars = 0
    return "★" * stars + "☆" * (5 - stars)
