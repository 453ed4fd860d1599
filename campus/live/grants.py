"""The live session's access stamp (`campus.courses.grants`): a session moved to another
course, or deleted, is no longer readable under a grant given before."""

from typing import Any

from django.db.models.signals import post_delete, post_save

from campus.courses import grants
from campus.live.models import LiveSession


def session_key(session_id: int) -> str:
    return f"access-live-{session_id}"


def session_access_keys(*, user_id: int, course_id: int, session_id: int) -> list[str]:
    """The stamps behind `user_id`'s access to a live session of `course_id`."""
    return [
        *grants.course_access_keys(user_id=user_id, course_id=course_id),
        session_key(session_id),
    ]


def _session_written(
    sender: Any, instance: LiveSession, created: bool = False, **kwargs: Any
) -> None:
    if not created:  # a new session has no grant to end
        grants.access_changed([session_key(instance.pk)])


def connect() -> None:
    """Called once, from LiveConfig.ready."""
    for signal in (post_save, post_delete):
        signal.connect(_session_written, sender=LiveSession, dispatch_uid="grants-live-session")
