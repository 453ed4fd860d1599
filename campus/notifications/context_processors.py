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
