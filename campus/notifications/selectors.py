"""Every non-trivial read of notifications."""

from datetime import datetime

from django.db.models import QuerySet

from campus.accounts.models import User
from campus.core.pagination import Page, PageQuery, paginate
from campus.notifications.models import EmailState, Kind, Notification, Preference


def preferences_for_kind(*, kind: str, users: QuerySet[User]) -> dict[int, tuple[bool, bool]]:
    """{user_id: (in_app, email)} for the recipients who changed this kind (others: on)."""
    rows = Preference.objects.filter(kind=kind, user__in=users.values("pk")).values_list(
        "user_id", "in_app", "email"
    )
    return {user_id: (in_app, email) for user_id, in_app, email in rows}


def preferences_of(*, user: User) -> dict[str, tuple[bool, bool]]:
    """Every kind with the user's (in_app, email) choice, in the order of Kind."""
    saved = {
        kind: (in_app, email)
        for kind, in_app, email in Preference.objects.filter(user=user).values_list(
            "kind", "in_app", "email"
        )
    }
    return {kind: saved.get(kind, (True, True)) for kind in Kind.values}


def inbox_page(*, user: User, unread_only: bool, query: PageQuery) -> Page:
    queryset = Notification.objects.filter(user=user, in_app=True).order_by("-created_at", "-id")
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    return paginate(queryset, query)


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, in_app=True, read_at__isnull=True).count()


def due_email_ids(*, now: datetime, limit: int) -> list[int]:
    """Pending emails whose time has come, oldest first (the outbox index)."""
    return list(
        Notification.objects.filter(email_state=EmailState.PENDING, email_next_attempt_at__lte=now)
        .order_by("email_next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
