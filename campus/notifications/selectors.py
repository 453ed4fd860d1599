"""Every non-trivial read of notifications."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import IntegerField, QuerySet, Subquery

from campus.accounts.models import User
from campus.core.pagination import Page, PageQuery, paginate
from campus.forum import selectors as forum_selectors
from campus.notifications import kinds
from campus.notifications.models import EmailState, Notification, Preference
from campus.ratings import selectors as ratings_selectors


def preferences_for_kind(*, kind: str, users: QuerySet[User]) -> dict[int, tuple[bool, bool]]:
    """{user_id: (in_app, email)} for the recipients who changed this kind (others: on)."""
    rows = Preference.objects.filter(kind=kind, user__in=users.values("pk")).values_list(
        "user_id", "in_app", "email"
    )
    return {user_id: (in_app, email) for user_id, in_app, email in rows}


def preferences_of(*, user: User) -> dict[str, tuple[bool, bool]]:
    """Every kind the user may receive (students: no moderator kinds) with their
    (in_app, email) choice or the kind's default, in the order of Kind. An in-app-only
    kind's email is always off."""
    saved = {
        kind: (in_app, email)
        for kind, in_app, email in Preference.objects.filter(user=user).values_list(
            "kind", "in_app", "email"
        )
    }
    choices = {}
    for kind in kinds.kinds_for(user):
        in_app, email = saved.get(kind, kinds.default_channels(kind))
        choices[kind] = (in_app, email and kinds.email_offered(kind))
    return choices


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


# --- What waits for a moderator (the navigation's badge and menu) ------------------------


class _Count(Subquery):
    """(SELECT COUNT(*) FROM (<subquery>)): a count as one column of an outer query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = IntegerField()


@dataclass(frozen=True)
class Waiting:
    """What waits for a course's moderator: forum questions without an answer, reviews
    to moderate, open reports (of the courses they teach; every course for admins)."""

    questions: int = 0
    reviews: int = 0
    reports: int = 0

    @property
    def total(self) -> int:
        return self.questions + self.reviews + self.reports


def waiting_for(*, user: Any) -> Waiting:
    """The three counts of the teaching dashboard, in ONE query (three scalar subqueries
    over the same filters as the dashboard's selectors). Nothing for students."""
    if not kinds.is_moderator(user):
        return Waiting()
    row = (
        User.objects.filter(pk=user.pk)
        .values_list(
            _Count(forum_selectors.unanswered_for(user=user).values("pk")),
            _Count(ratings_selectors.pending_for_moderator(user=user).values("pk")),
            _Count(forum_selectors.open_reports_for(user=user).values("pk")),
        )
        .first()
    )
    if row is None:
        return Waiting()
    return Waiting(questions=row[0], reviews=row[1], reports=row[2])
