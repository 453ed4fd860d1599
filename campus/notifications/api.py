"""Notifications API: one's own inbox only. Parse -> service/selector -> schema."""

from django.utils.translation import gettext as _
from ninja import Body, Query, Router

from campus.accounts.auth import AuthedRequest
from campus.core.envelope import Envelope, PageEnvelope, ok
from campus.core.pagination import PageQuery
from campus.notifications import kinds, selectors, services
from campus.notifications.models import Kind
from campus.notifications.schemas import (
    ChannelsIn,
    DeletedOut,
    InboxQuery,
    NotificationOut,
    PreferenceOut,
    ReadAllOut,
    UnreadCountOut,
)

router = Router(tags=["notifications"])

# The fixed paths (/preferences, /unread-count, /read-all) come before the
# /{notification_id} ones, which would otherwise swallow them.


def _preferences(request: AuthedRequest) -> list[dict]:
    labels = dict(Kind.choices)
    return [
        {
            "kind": kind,
            "label": _(str(labels[kind])),
            "in_app": in_app,
            "email": email,
            "email_offered": kinds.email_offered(kind),
        }
        for kind, (in_app, email) in selectors.preferences_of(user=request.auth).items()
    ]


@router.get(
    "/notifications/preferences",
    response=Envelope(list[PreferenceOut]),
    summary="My notification preferences",
)
def preferences(request: AuthedRequest) -> dict:
    return ok(_preferences(request))


@router.put(
    "/notifications/preferences",
    response=Envelope(list[PreferenceOut]),
    summary="Change my preferences (kind -> {in_app, email})",
)
def preferences_put(request: AuthedRequest, payload: Body[dict[str, ChannelsIn]]) -> dict:
    choices = {kind: channels.model_dump(exclude_none=True) for kind, channels in payload.items()}
    services.preferences_update(actor=request.auth, choices=choices)
    return ok(_preferences(request))


@router.get("/notifications", response=PageEnvelope(NotificationOut), summary="My notifications")
def inbox(request: AuthedRequest, filters: Query[InboxQuery]) -> dict:
    query = PageQuery(page=filters.page, limit=filters.limit)
    result = selectors.inbox_page(user=request.auth, unread_only=filters.unread, query=query)
    return ok(result.items, pagination=result.pagination())


@router.get(
    "/notifications/unread-count", response=Envelope(UnreadCountOut), summary="Unread count"
)
def unread_count(request: AuthedRequest) -> dict:
    return ok({"unread": selectors.unread_count(user=request.auth)})


@router.post("/notifications/read-all", response=Envelope(ReadAllOut), summary="Mark all as read")
def read_all(request: AuthedRequest) -> dict:
    return ok({"marked_read": services.mark_all_read(actor=request.auth)})


@router.post(
    "/notifications/{notification_id}/read",
    response=Envelope(NotificationOut),
    summary="Mark one as read",
)
def read_one(request: AuthedRequest, notification_id: int) -> dict:
    return ok(services.mark_read(actor=request.auth, notification_id=notification_id))


@router.delete(
    "/notifications/{notification_id}", response=Envelope(DeletedOut), summary="Delete one"
)
def delete_one(request: AuthedRequest, notification_id: int) -> dict:
    services.delete(actor=request.auth, notification_id=notification_id)
    return ok({"id": notification_id, "deleted": True})
