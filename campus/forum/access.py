"""Fetch + authorize forum objects in one call: the only way the API and pages get them.

The forum follows its course (ARCHITECTURE.md): reading and posting for active members,
the owner and admins (outsiders 403 `not_enrolled`, anonymous 401, a draft course 404
for anyone but its owner and admins). Moderators are the course's owner and admins.
A hidden topic does not exist (404) for anyone but the moderators.
"""

from typing import Literal

from django.utils.translation import gettext_lazy as _

from campus.core.errors import Forbidden, NotFound
from campus.courses.access import (
    AnyUser,
    authorize_course,
    is_owner_or_admin,
    remember_membership,
    with_viewer_membership,
)
from campus.courses.models import Course
from campus.forum import selectors
from campus.forum.models import Forum, Reply, Report, Topic

ForumAction = Literal["read", "moderate"]


def is_moderator(user: AnyUser, course: Course) -> bool:
    """The course's owner and admins moderate its forum."""
    return is_owner_or_admin(user, course)


def _authorize(user: AnyUser, course: Course, action: ForumAction) -> None:
    authorize_course(user, course, "content" if action == "read" else "manage")


def forum_not_found() -> NotFound:
    return NotFound(_("Forum introuvable."), code="forum_not_found")


def topic_not_found() -> NotFound:
    return NotFound(_("Sujet introuvable."), code="topic_not_found")


def reply_not_found() -> NotFound:
    return NotFound(_("Réponse introuvable."), code="reply_not_found")


def get_forum_for(user: AnyUser, forum_id: int, *, action: ForumAction = "read") -> Forum:
    forums = selectors.forum_base().filter(pk=forum_id)
    forum = with_viewer_membership(forums, user, "course").first()
    if forum is None:
        raise forum_not_found()
    remember_membership(forum, forum.course, user)
    _authorize(user, forum.course, action)
    return forum


def get_course_forum_for(user: AnyUser, course: Course, *, action: ForumAction = "read") -> Forum:
    """The forum of an already-fetched course (pages address it by the course's slug)."""
    _authorize(user, course, action)
    forum = selectors.forum_of_course(course=course)
    if forum is None:
        raise forum_not_found()
    return forum


def get_topic_for(user: AnyUser, topic_id: int, *, action: ForumAction = "read") -> Topic:
    topics = selectors.topic_base().filter(pk=topic_id)
    topic = with_viewer_membership(topics, user, "forum__course").first()
    if topic is None:
        raise topic_not_found()
    course = topic.forum.course
    remember_membership(topic, course, user)
    _authorize(user, course, action)
    if topic.is_hidden and not is_moderator(user, course):
        raise topic_not_found()
    return topic


def get_reply_for(user: AnyUser, reply_id: int, *, action: ForumAction = "read") -> Reply:
    replies = selectors.reply_base().filter(pk=reply_id)
    reply = with_viewer_membership(replies, user, "topic__forum__course").first()
    if reply is None:
        raise reply_not_found()
    course = reply.topic.forum.course
    remember_membership(reply, course, user)
    _authorize(user, course, action)
    if reply.topic.is_hidden and not is_moderator(user, course):
        raise reply_not_found()
    return reply


def get_report_for(user: AnyUser, report_id: int) -> Report:
    """Reports are the moderators' business: anyone else is refused."""
    report = selectors.report_base().filter(pk=report_id).first()
    if report is None:
        raise NotFound(_("Signalement introuvable."), code="report_not_found")
    _authorize(user, selectors.report_course(report), "moderate")
    return report


def require_moderator(user: AnyUser, course: Course) -> None:
    if not is_moderator(user, course):
        raise Forbidden(
            _(
                "La modération de ce forum est réservée à la personne responsable du cours "
                "et à l'administration."
            ),
            code="forbidden",
        )
