"""Forum API schemas. Lengths are checked by the services (the pages share them), so a
too-long title or message is a 400 with the same French message on both faces."""

from datetime import datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import AliasChoices

from campus.core.pagination import CursorQuery
from campus.core.schemas import RowOut

# Generous transport bounds (the services apply the real limits, with their messages).
_BOUND = 100_000


class ForumIn(Schema):
    title: str = Field("", max_length=_BOUND)
    description: str = Field("", max_length=_BOUND)


class TopicIn(Schema):
    title: str = Field(..., max_length=_BOUND)
    content: str = Field(..., max_length=_BOUND)


class TopicUpdateIn(Schema):
    title: str | None = Field(None, max_length=_BOUND)
    content: str | None = Field(None, max_length=_BOUND)


class ReplyIn(Schema):
    content: str = Field(..., max_length=_BOUND)
    parent_reply_id: int | None = Field(
        None, validation_alias=AliasChoices("parent_reply_id", "parent_id")
    )


class ReplyUpdateIn(Schema):
    content: str = Field(..., max_length=_BOUND)


class ReactionIn(Schema):
    type: Literal["upvote", "downvote"] = Field(
        ..., validation_alias=AliasChoices("type", "reaction_type")
    )


class ReportIn(Schema):
    reason: str = Field(..., max_length=_BOUND)


class TopicListQuery(CursorQuery):
    sort: Literal["recent", "pinned", "popular", "unanswered", "solved"] = Field(
        "recent",
        description="recent (last activity); pinned (the same order: pinned topics come "
        "first in every sort); popular; unanswered; solved.",
    )
    search: str | None = Field(
        None,
        max_length=200,
        validation_alias=AliasChoices("search", "q"),
        description="Words to find (accents and case ignored); ranked, one page.",
    )


class ReportHandleIn(Schema):
    action: str = Field(
        ...,
        max_length=32,
        description="hide (the post), lock (its topic), dismiss, or resolve (close only).",
    )


class ReportListQuery(CursorQuery):
    status: Literal["open", "resolved", "all"] = "open"


# --- Out -------------------------------------------------------------------------------


class PersonOut(RowOut):
    id: int
    name: str


class CourseRefOut(RowOut):
    id: int
    title: str
    slug: str


class ForumOut(Schema):
    id: int
    course_id: int
    course: CourseRefOut
    title: str
    description: str
    is_locked: bool
    topic_count: int | None
    reply_count: int | None
    created_at: datetime
    updated_at: datetime


class TopicOut(RowOut):
    id: int
    forum_id: int
    title: str
    author: PersonOut | None
    user_id: int | None = Field(..., description="The author's id (null once they are gone).")
    first_name: str | None = Field(..., description="The author's first name.")
    last_name: str | None = Field(..., description="The author's last name.")
    is_pinned: bool
    is_locked: bool
    is_hidden: bool
    is_solved: bool
    solution_reply_id: int | None
    view_count: int
    reply_count: int
    last_reply_at: datetime | None
    last_reply_by: PersonOut | None
    last_reply_first_name: str | None
    last_reply_last_name: str | None
    activity_at: datetime
    created_at: datetime
    updated_at: datetime


class TopicPermissionsOut(Schema):
    reply: bool
    edit: bool
    delete: bool
    moderate: bool
    mark_solution: bool
    report: bool


class TopicDetailOut(TopicOut):
    content_html: str
    content: str = Field(
        ..., description="The raw Markdown text, as data (show it as text, or content_html)."
    )
    is_following: bool
    is_following_forum: bool
    can: TopicPermissionsOut


class ReplyOut(RowOut):
    id: int
    topic_id: int
    parent_reply_id: int | None
    depth: int
    is_deleted: bool
    is_hidden: bool
    is_solution: bool
    placeholder: str | None
    author: PersonOut | None
    user_id: int | None = Field(..., description="The author's id; null with a placeholder.")
    first_name: str | None = Field(..., description="null with a placeholder.")
    last_name: str | None = Field(..., description="null with a placeholder.")
    content_html: str
    content: str | None = Field(
        ..., description="The raw Markdown text, as data; null with a placeholder."
    )
    upvotes: int
    downvotes: int
    user_reaction: str | None
    has_upvoted: bool = Field(..., description="user_reaction == upvote")
    has_downvoted: bool = Field(..., description="user_reaction == downvote")
    created_at: datetime
    updated_at: datetime
    replies: list["ReplyOut"]


ReplyOut.model_rebuild()


class VoteOut(Schema):
    reply_id: int
    upvotes: int
    downvotes: int
    user_reaction: str | None


class DoneOut(Schema):
    id: int
    done: bool = True


class FollowOut(Schema):
    id: int
    following: bool


class ReportTargetOut(Schema):
    type: str
    id: int
    topic_id: int
    title: str
    excerpt: str
    author: PersonOut | None
    is_hidden: bool
    is_deleted: bool


class ReportOut(Schema):
    id: int
    status: str
    reason: str
    reporter: PersonOut | None
    target: ReportTargetOut
    created_at: datetime
    resolution: str | None = Field(
        None, description="hidden, dismissed, locked, deleted or resolved; null while open."
    )
    resolved_by: PersonOut | None
    resolved_at: datetime | None


class ReportDecisionOut(ReportOut):
    action: str
    report_ids: list[int] = Field(
        ..., description="Every report the decision settled (all the post's open reports)."
    )
