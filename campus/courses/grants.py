"""Access stamps: a value in the shared cache that changes whenever who may read a
course's content might have changed, for polls that serve cached content to viewers
the full path has already authorized (`campus.core.polls`, grants).

A grant holds the stamps read before the full path checked access; it is honoured only
while they are all unchanged. So every write that could take access away must replace
a stamp once it commits:

- a user's row (role, activity, password, language, time zone; deletion): their stamp;
- an enrollment's row (deactivation, deletion) and a course's row (status, instructor,
  deletion): the course's stamp;
- what other apps add on top (the live session's own stamp: `campus.live.apps`).

These are model signals, not service calls, on purpose: they also catch the admin's
edits and cascading deletions, which no service sees. A row just created takes no
access away (no grant can rest on it), so creations replace nothing. Writes that bypass
signals (`QuerySet.update`, `bulk_update`, `bulk_create`, raw SQL) must not take access
away, or must call `access_changed` themselves.
"""

from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from campus.core import polls
from campus.courses.models import Course, Enrollment


def user_key(user_id: int) -> str:
    return f"access-user-{user_id}"


def course_key(course_id: int) -> str:
    return f"access-course-{course_id}"


def course_access_keys(*, user_id: int, course_id: int) -> list[str]:
    """The stamps behind `user_id`'s access to `course_id`'s content."""
    return [user_key(user_id), course_key(course_id)]


def access_changed(keys: list[str]) -> None:
    """Once committed, grants held under `keys` no longer hold."""
    transaction.on_commit(partial(polls.states_changed, keys))


def _user_written(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    if not created:
        access_changed([user_key(instance.pk)])


def _course_written(sender: Any, instance: Course, created: bool = False, **kwargs: Any) -> None:
    if not created:
        access_changed([course_key(instance.pk)])


def _enrollment_written(
    sender: Any, instance: Enrollment, created: bool = False, **kwargs: Any
) -> None:
    if not created:
        access_changed([course_key(instance.course_id)])


def connect() -> None:
    """Called once, from CoursesConfig.ready."""
    for signal in (post_save, post_delete):
        signal.connect(_user_written, sender=settings.AUTH_USER_MODEL, dispatch_uid="grants-user")
        signal.connect(_course_written, sender=Course, dispatch_uid="grants-course")
        signal.connect(_enrollment_written, sender=Enrollment, dispatch_uid="grants-enrollment")
