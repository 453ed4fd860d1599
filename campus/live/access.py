"""Fetch + authorize live sessions in one call (the only way the API gets them).

Sessions follow their course (ARCHITECTURE.md): view/join for active members, the owner
and admins; manage (edit, start, end, participants) for the owner and admins only.
"""

from typing import Literal

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from campus.core.errors import NotFound
from campus.courses.access import (
    AnyUser,
    authorize_course,
    remember_membership,
    with_viewer_membership,
)
from campus.live import selectors
from campus.live.models import LiveSession, SessionSeries

SessionAction = Literal["view", "manage"]


def get_session_for(user: AnyUser, session_id: int, *, action: SessionAction) -> LiveSession:
    return _authorized(user, selectors.session_base().filter(pk=session_id), action=action)


def _authorized(
    user: AnyUser, sessions: QuerySet[LiveSession], *, action: SessionAction
) -> LiveSession:
    session = with_viewer_membership(sessions, user, "course").first()
    if session is None:
        raise NotFound(_("Session introuvable."), code="session_not_found")
    remember_membership(session, session.course, user)
    authorize_course(user, session.course, "content" if action == "view" else "manage")
    return session


def get_polled_session_for(user: AnyUser, session_id: int, *, slug: str) -> LiveSession:
    """For the room's pollers (waiting room, Q&A list: every 5 s from every student):
    the same check as `get_course_session_for(action="view")`, on a session and course
    loaded with only the columns a poll reads (selectors.POLLED_SESSION_FIELDS)."""
    session = get_polled_session_by_id_for(user, session_id)
    if session.course.slug != slug:
        raise NotFound(_("Session introuvable."), code="session_not_found")
    return session


def get_polled_session_by_id_for(user: AnyUser, session_id: int) -> LiveSession:
    """For the room's heartbeat (every 30 s from every student, through the API): the
    same check as `get_session_for(action="view")`, on the pollers' few columns."""
    return _authorized(user, selectors.polled_session().filter(pk=session_id), action="view")


def get_course_session_for(
    user: AnyUser,
    session_id: int,
    *,
    action: SessionAction,
    course_id: int | None = None,
    slug: str | None = None,
) -> LiveSession:
    """For pages, which address a session under its course (by id on the instructor
    dashboard, by slug for students): a session under another course does not exist."""
    session = get_session_for(user, session_id, action=action)
    if (course_id is not None and session.course_id != course_id) or (
        slug is not None and session.course.slug != slug
    ):
        raise NotFound(_("Session introuvable."), code="session_not_found")
    return session


def get_series_for(
    user: AnyUser, series_id: int, *, action: SessionAction, course_id: int | None = None
) -> SessionSeries:
    """A weekly series follows its course like its sessions: view for members, the owner
    and admins; manage (edit, cancel, attendance) for the owner and admins. Pages address
    it under its course (`course_id`): under another course it does not exist."""
    record = selectors.series_base().filter(pk=series_id).first()
    if record is None or (course_id is not None and record.course_id != course_id):
        raise NotFound(_("Série introuvable."), code="series_not_found")
    authorize_course(user, record.course, "content" if action == "view" else "manage")
    return record


def get_course_series_for(
    user: AnyUser, series_id: int, *, action: SessionAction, course_id: int
) -> SessionSeries:
    """For the instructor pages, which address a series under its course."""
    return get_series_for(user, series_id, action=action, course_id=course_id)
