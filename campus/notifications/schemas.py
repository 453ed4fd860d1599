from datetime import datetime
from typing import Any

from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict

from campus.core.pagination import PageQuery


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    data: dict[str, Any]
    created_at: datetime
    read_at: datetime | None
    is_read: bool


class InboxQuery(PageQuery):
    unread: bool = Field(False, description="Only unread notifications (?unread=1).")


class UnreadCountOut(Schema):
    unread: int


class ReadAllOut(Schema):
    marked_read: int


class DeletedOut(Schema):
    id: int
    deleted: bool


class ChannelsIn(BaseModel):
    """A plain pydantic model: ninja's Schema would read attributes off any object and
    take a string such as "off" for an object with both channels on."""

    model_config = ConfigDict(extra="forbid")

    # A channel left out keeps the kind's default (most kinds: on).
    in_app: bool | None = None
    email: bool | None = None


class PreferenceOut(Schema):
    kind: str
    label: str
    in_app: bool
    email: bool
    email_offered: bool = True  # False: in-app only (a live question)
