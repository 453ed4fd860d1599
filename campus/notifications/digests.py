"""Moderator emails as digests: twenty reports in a minute send ONE email.

Each event (a report, a new topic, a review to moderate) is its own notice in the
moderator's inbox, and its own row never emails (`email_state=skipped`). The email is
carried by a separate row, in_app=False, keyed per moderator, kind and clock-aligned
window (`digest:<kind>:<window start>`, DIGEST_WINDOW long) under the per-user unique
dedupe key, and due at the window's end. Every event of the window inserts that row with
ignore_conflicts: the first creates it, the others (in the same transaction, a retry,
another worker at the same time) find it there, so there is one per window, whatever
runs concurrently. When it is due, the delivery task writes the email from the window's
notices still unread in the inbox (read or deleted ones are not news any more): their
count and titles; none left, no email.

So a moderator receives at most one email per kind every DIGEST_WINDOW, at most that long
after the event; a burst that crosses the window's boundary sends two.
"""

from datetime import UTC, datetime, timedelta

from django.urls import reverse
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext, ngettext

from campus.notifications import kinds
from campus.notifications.models import Kind, Notification

DIGEST_WINDOW = timedelta(minutes=10)
DIGEST_SUBJECT = "digest"
LISTED = 10  # titles listed in the email; the rest are counted


def window(now: datetime) -> tuple[datetime, datetime]:
    """[start, end) of the clock-aligned window that holds `now` (UTC epoch aligned)."""
    step = int(DIGEST_WINDOW.total_seconds())
    start = datetime.fromtimestamp(int(now.timestamp()) // step * step, tz=UTC)
    return start, start + DIGEST_WINDOW


def digest_key(kind: str, start: datetime) -> str:
    return f"digest:{kind}:{int(start.timestamp())}"


def _hub_url(kind: str) -> str:
    """Where the moderator handles everything of this kind."""
    if kind == Kind.FORUM_REPORT:
        return reverse("forum:reports_queue")
    if kind == Kind.RATING_PENDING:
        return reverse("ratings:moderation")
    return reverse("courses:teaching")


def _title(kind: str, count: int) -> str:
    if kind == Kind.FORUM_REPORT:
        return ngettext(
            "%(count)s message signalé dans vos cours",
            "%(count)s messages signalés dans vos cours",
            count,
        ) % {"count": count}
    if kind == Kind.RATING_PENDING:
        return ngettext("%(count)s avis à modérer", "%(count)s avis à modérer", count) % {
            "count": count
        }
    return ngettext(
        "%(count)s nouveau sujet dans le forum de vos cours",
        "%(count)s nouveaux sujets dans le forum de vos cours",
        count,
    ) % {"count": count}


def summary(notification: Notification) -> tuple[str, str, str] | None:
    """(title, body, url) of a digest row's email in the recipient's language, or None
    when nothing of its window is still unread (or the user moderates no more)."""
    user = notification.user
    if not kinds.is_moderator(user):
        return None
    span = notification.data.get("digest") or {}
    since = parse_datetime(span.get("since", ""))
    until = parse_datetime(span.get("until", ""))
    if since is None or until is None:
        return None
    events = (
        Notification.objects.filter(
            user=user,
            kind=notification.kind,
            created_at__gte=since,
            created_at__lt=until,
            read_at__isnull=True,
        )
        .exclude(subject_type=DIGEST_SUBJECT)
        .order_by("created_at", "id")
    )
    titles = list(events.values_list("title", "url")[: LISTED + 1])
    if not titles:
        return None
    count = len(titles) if len(titles) <= LISTED else events.count()
    with translation.override(user.language):
        title = _title(notification.kind, count)
        lines = [f"- {text}" for text, _url in titles[:LISTED]]
        if count > LISTED:
            more = count - LISTED
            lines.append(ngettext("… et %(n)s autre", "… et %(n)s autres", more) % {"n": more})
        url = titles[0][1] if count == 1 and titles[0][1] else _hub_url(notification.kind)
        return title, "\n".join(lines), url


def placeholder_title(kind: str) -> str:
    """The digest row's own title (the admin's list; the email is written when due)."""
    return gettext("Résumé par e-mail : %(kind)s") % {"kind": dict(Kind.choices)[kind]}
