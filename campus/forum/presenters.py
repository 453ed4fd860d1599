"""Shape loaded forum rows for output (the API; the pages may reuse them).

Content goes out as sanitized HTML (`content_html`); the raw Markdown (`content`) only to
its author, who edits it. Authors by name, never their email. A deleted reply is
"message supprimé" without content or author; a hidden one is the same placeholder
("message masqué") for everyone but the moderators.
"""

from typing import Any

from django.utils.translation import gettext as _

from campus.accounts.models import User
from campus.core import content
from campus.forum.models import Forum, Report, Topic
from campus.forum.selectors import FollowState, ForumStats, ReplyNode


def author_name(user: User | None) -> str:
    """A person's public name in the forum: their full name, never their email."""
    if user is None:
        return ""
    return user.full_name or _("Membre")


def person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": author_name(user)}


def forum_row(forum: Forum, stats: ForumStats | None = None) -> dict[str, Any]:
    course = forum.course
    return {
        "id": forum.pk,
        "course_id": forum.course_id,
        "course": {"id": course.pk, "title": course.title, "slug": course.slug},
        "title": forum.title,
        "description": forum.description,
        "is_locked": forum.is_locked,
        "topic_count": stats.topic_count if stats else getattr(forum, "topic_count", None),
        "reply_count": stats.reply_count if stats else None,
        "created_at": forum.created_at,
        "updated_at": forum.updated_at,
    }


def topic_row(topic: Topic) -> dict[str, Any]:
    """A list row (no content: lists stay light)."""
    return {
        "id": topic.pk,
        "forum_id": topic.forum_id,
        "title": topic.title,
        "author": person(topic.author),
        "is_pinned": topic.is_pinned,
        "is_locked": topic.is_locked,
        "is_hidden": topic.is_hidden,
        "is_solved": topic.solution_id is not None,
        "solution_reply_id": topic.solution_id,
        "view_count": topic.view_count,
        "reply_count": topic.reply_count,
        "last_reply_at": topic.last_reply_at,
        "last_reply_by": person(topic.last_reply_by),
        "activity_at": topic.activity_at,
        "created_at": topic.created_at,
        "updated_at": topic.updated_at,
    }


def topic_permissions(
    topic: Topic, *, viewer: User, moderator: bool, others_replied: bool | None = None
) -> dict[str, bool]:
    """What the viewer may do with this topic (for buttons; the services decide).
    `others_replied` (selectors.others_replied) tells whether someone else answered,
    which stops its author deleting it; unknown, any reply counts."""
    is_author = viewer.pk == topic.author_id
    locked = topic.is_locked or topic.forum.is_locked
    if others_replied is None:
        others_replied = topic.reply_count > 0
    return {
        "reply": moderator or not locked,
        "edit": is_author and (moderator or not locked),
        "delete": moderator or (is_author and not locked and not others_replied),
        "moderate": moderator,
        "mark_solution": moderator or is_author,
    }


def reply_permissions(
    row: dict[str, Any], *, viewer: User, can: dict[str, bool]
) -> dict[str, bool]:
    """Which buttons a reply shows to the viewer (the services decide; this only avoids
    offering what they would refuse). `can` is the topic's topic_permissions."""
    live = row["placeholder"] is None and not row["is_deleted"]
    mine = row["author"] is not None and row["author"]["id"] == viewer.pk
    return {
        "vote": live and not mine and not row["is_hidden"],
        "reply": can["reply"] and not row["is_deleted"],
        "edit": live and mine and can["reply"],
        "delete": not row["is_deleted"] and ((mine and can["reply"]) or can["moderate"]),
        "solution": live and can["mark_solution"] and not row["is_hidden"],
        "moderate": can["moderate"] and not row["is_deleted"],
        "report": live and not mine,
    }


def topic_detail(
    topic: Topic,
    *,
    viewer: User,
    moderator: bool,
    follow: FollowState | None = None,
    others_replied: bool | None = None,
) -> dict[str, Any]:
    is_author = viewer.pk == topic.author_id
    return {
        **topic_row(topic),
        "content_html": content.render(topic.content),
        "content": topic.content if is_author else None,
        "is_following": bool(follow and follow.topic),
        "is_following_forum": bool(follow and follow.forum),
        "can": topic_permissions(
            topic, viewer=viewer, moderator=moderator, others_replied=others_replied
        ),
    }


def reply_row(
    node: ReplyNode, *, viewer: User, moderator: bool, solution_id: int | None
) -> dict[str, Any]:
    """One reply and its subtree (`replies`), as the viewer may see it."""
    reply = node.reply
    placeholder = None
    if reply.is_deleted:
        placeholder = _("message supprimé")
    elif reply.is_hidden and not moderator:
        placeholder = _("message masqué")
    base = {
        "id": reply.pk,
        "topic_id": reply.topic_id,
        "parent_reply_id": reply.parent_id,
        "depth": node.depth,
        "is_deleted": reply.is_deleted,
        "is_hidden": reply.is_hidden,
        "is_solution": reply.pk == solution_id,
        "upvotes": reply.upvotes,
        "downvotes": reply.downvotes,
        "created_at": reply.created_at,
        "updated_at": reply.updated_at,
        "replies": [
            reply_row(child, viewer=viewer, moderator=moderator, solution_id=solution_id)
            for child in node.children
        ],
    }
    if placeholder is not None:
        return {
            **base,
            "placeholder": placeholder,
            "author": None,
            "content_html": "",
            "content": None,
            "user_reaction": None,
        }
    is_author = viewer.pk == reply.author_id
    return {
        **base,
        "placeholder": None,
        "author": person(reply.author),
        "content_html": content.render(reply.content),
        "content": reply.content if is_author else None,
        "user_reaction": _reaction_name(node.my_vote),
    }


def _reaction_name(value: int | None) -> str | None:
    return {1: "upvote", -1: "downvote"}.get(value or 0)


def vote_result(reply_id: int, upvotes: int, downvotes: int, mine: int | None) -> dict[str, Any]:
    return {
        "reply_id": reply_id,
        "upvotes": upvotes,
        "downvotes": downvotes,
        "user_reaction": _reaction_name(mine),
    }


def report_row(report: Report) -> dict[str, Any]:
    if report.topic is not None:
        target: dict[str, Any] = {
            "type": "topic",
            "id": report.topic.pk,
            "topic_id": report.topic.pk,
            "title": report.topic.title,
            "excerpt": content.excerpt(report.topic.content, 200),
        }
    else:
        assert report.reply is not None
        target = {
            "type": "reply",
            "id": report.reply.pk,
            "topic_id": report.reply.topic_id,
            "title": report.reply.topic.title,
            "excerpt": content.excerpt(report.reply.content, 200),
        }
    return {
        "id": report.pk,
        "status": report.status,
        "reason": report.reason,
        "reporter": person(report.reporter),
        "target": target,
        "created_at": report.created_at,
    }
