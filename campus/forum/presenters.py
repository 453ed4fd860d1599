"""Shape loaded forum rows for output (the API; the pages may reuse them).

Content goes out as sanitized HTML (`content_html`) and as the raw Markdown text (`content`,
data: the author edits it, the MdSC frontend shows it as text) to whoever may read the post.
Authors by name (`author.name`, and `first_name`/`last_name`), never their email. A deleted reply is
"message supprimé" without content or author; a hidden one is the same placeholder
("message masqué") for everyone but the moderators.
"""

from typing import Any

from django.utils.translation import gettext as _

from campus.accounts.models import User
from campus.core import content
from campus.forum.models import Forum, Reply, Report, ReportStatus, Topic
from campus.forum.selectors import FollowState, ForumStats, ReplyNode, ReportGroup


def author_name(user: User | None) -> str:
    """A person's public name in the forum: their full name, never their email."""
    if user is None:
        return ""
    return user.full_name or _("Membre")


def person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": author_name(user)}


def _names(user: User | None) -> tuple[str | None, str | None]:
    """(first_name, last_name) of a post's author, as the MdSC frontend reads them."""
    if user is None:
        return None, None
    return user.first_name, user.last_name


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
    first_name, last_name = _names(topic.author)
    last_first_name, last_last_name = _names(topic.last_reply_by)
    return {
        "id": topic.pk,
        "forum_id": topic.forum_id,
        "title": topic.title,
        "author": person(topic.author),
        "user_id": topic.author_id,
        "first_name": first_name,
        "last_name": last_name,
        "is_pinned": topic.is_pinned,
        "is_locked": topic.is_locked,
        "is_hidden": topic.is_hidden,
        "is_solved": topic.solution_id is not None,
        "solution_reply_id": topic.solution_id,
        "view_count": topic.view_count,
        "reply_count": topic.reply_count,
        "last_reply_at": topic.last_reply_at,
        "last_reply_by": person(topic.last_reply_by),
        "last_reply_first_name": last_first_name,
        "last_reply_last_name": last_last_name,
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
        # Moderators act on posts rather than report them; nobody reports their own.
        "report": not moderator and not is_author,
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
        "report": live and not mine and not row["is_hidden"] and not can["moderate"],
    }


def topic_detail(
    topic: Topic,
    *,
    viewer: User,
    moderator: bool,
    follow: FollowState | None = None,
    others_replied: bool | None = None,
) -> dict[str, Any]:
    return {
        **topic_row(topic),
        "content_html": content.render(topic.content),
        "content": topic.content,
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
            "user_id": None,
            "first_name": None,
            "last_name": None,
            "content_html": "",
            "content": None,
            "user_reaction": None,
            "has_upvoted": False,
            "has_downvoted": False,
        }
    first_name, last_name = _names(reply.author)
    return {
        **base,
        "placeholder": None,
        "author": person(reply.author),
        "user_id": reply.author_id,
        "first_name": first_name,
        "last_name": last_name,
        "content_html": content.render(reply.content),
        "content": reply.content,
        "user_reaction": _reaction_name(node.my_vote),
        "has_upvoted": node.my_vote == 1,
        "has_downvoted": node.my_vote == -1,
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


def _report_target(report: Report) -> dict[str, Any]:
    if report.topic is not None:
        return {
            "type": "topic",
            "id": report.topic.pk,
            "topic_id": report.topic.pk,
            "title": report.topic.title,
            "excerpt": content.excerpt(report.topic.content, 200),
            "author": person(report.topic.author),
            "is_hidden": report.topic.is_hidden,
            "is_deleted": False,
        }
    reply = report.reply
    assert reply is not None
    return {
        "type": "reply",
        "id": reply.pk,
        "topic_id": reply.topic_id,
        "title": reply.topic.title,
        "excerpt": content.excerpt(reply.content, 200),
        "author": None if reply.is_deleted else person(reply.author),
        "is_hidden": reply.is_hidden,
        "is_deleted": reply.is_deleted,
    }


def report_row(report: Report) -> dict[str, Any]:
    """A report as its course's moderators see it (the reporter's name included: only
    moderators ever get a report)."""
    return {
        "id": report.pk,
        "status": report.status,
        "reason": report.reason,
        "reporter": person(report.reporter),
        "target": _report_target(report),
        "created_at": report.created_at,
        "resolution": report.resolution or None,
        "resolved_by": person(report.resolved_by),
        "resolved_at": report.resolved_at,
    }


def _report_post(report: Report) -> tuple[Topic, Reply | None]:
    """(the topic, the reply or None) a report is about."""
    if report.reply is not None:
        return report.reply.topic, report.reply
    assert report.topic is not None
    return report.topic, None


def report_actions(report: Report) -> list[str]:
    """The decisions the queue offers on a reported post now (report_handle decides):
    hide it while it shows, lock its topic while open, close the reports of a post
    already hidden or deleted, dismiss always."""
    topic, reply = _report_post(report)
    gone = reply is not None and reply.is_deleted
    hidden = reply.is_hidden if reply is not None else topic.is_hidden
    actions = []
    if not gone and not hidden:
        actions.append("hide")
    if not topic.is_locked:
        actions.append("lock")
    if gone or hidden:
        actions.append("resolve")
    actions.append("dismiss")
    return actions


def report_group(group: ReportGroup) -> dict[str, Any]:
    """One card of the moderators' queue: the post in context (its topic, its author,
    the message it answers), the reports' reasons and reporters, and the decisions
    offered (open) or the decision taken, by whom and when (handled)."""
    latest = group.latest
    topic, reply = _report_post(latest)
    course = topic.forum.course
    parent = None
    if reply is not None and reply.parent is not None:
        parent = {
            "id": reply.parent.pk,
            "author": None if reply.parent.is_deleted else author_name(reply.parent.author),
            "content": "" if reply.parent.is_deleted else reply.parent.content,
            "is_deleted": reply.parent.is_deleted,
        }
    post: Topic | Reply = reply if reply is not None else topic
    return {
        "id": latest.pk,
        "course": course,
        "topic": topic,
        "reply": reply,
        "is_reply": reply is not None,
        "parent": parent,
        "post_author": author_name(post.author),
        "post_created_at": post.created_at,
        "post_content": post.content,
        "is_deleted": reply is not None and reply.is_deleted,
        "is_hidden": post.is_hidden,
        "count": group.count,
        "first_at": group.first_at,
        "reports": [
            {"reason": r.reason, "reporter": author_name(r.reporter), "created_at": r.created_at}
            for r in group.reports
        ],
        "more": group.count - len(group.reports),
        "is_open": latest.status == ReportStatus.OPEN,
        "resolution": latest.resolution,
        "resolution_label": latest.get_resolution_display() if latest.resolution else "",
        "resolved_by": author_name(latest.resolved_by) if latest.resolved_by else "",
        "resolved_at": latest.resolved_at,
        "actions": report_actions(latest) if latest.status == ReportStatus.OPEN else [],
    }
