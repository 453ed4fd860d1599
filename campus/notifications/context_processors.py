"""The header bell's unread count: one COUNT on the (user, in_app, read_at) index, run
only when a template shows it (a cache would save little and hide new notices)."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from campus.notifications import selectors


def unread_notifications(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: selectors.unread_count(user=user))}


def waiting_for_moderators(request: HttpRequest) -> dict[str, object]:
    """The navigation's "what waits" counts for instructors and admins (questions,
    reviews, reports): one query, run only when a template shows them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not (user.is_instructor or user.is_admin):
        return {}
    return {"waiting_counts": SimpleLazyObject(lambda: selectors.waiting_for(user=user))}
