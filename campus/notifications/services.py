"""Every write of notifications: create (fan-out), read/unread, delete, preferences, the
reminder sweep and the email delivery.

Exactly once: a notice's identity is (user, dedupe_key), unique in the database, and
every fan-out inserts with ignore_conflicts after skipping the users who already have
it. So a sweep that runs twice, late or on two workers at once creates each notice once.
"""

import logging
import smtplib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from campus.accounts.models import User
from campus.core.emails import zone
from campus.core.errors import NotFound
from campus.core.validation import field_error
from campus.notifications import digests, emails, kinds, selectors
from campus.notifications.models import (
    BODY_MAX,
    TITLE_MAX,
    URL_MAX,
    EmailState,
    Kind,
    Notification,
    Preference,
)

logger = logging.getLogger(__name__)

INSERT_BATCH = 1000


@dataclass(frozen=True)
class Notice:
    """One notice to fan out. `render` returns (title, body) for the active language and
    time zone: it runs once per (language, zone) group of recipients, not per user."""

    kind: str
    dedupe_key: str
    render: Callable[[], tuple[str, str]]
    url: str = ""
    subject_type: str = ""
    subject_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _rendered(notice: Notice, language: str, tz: str) -> tuple[str, str]:
    with translation.override(language), timezone.override(zone(tz)):
        title, body = notice.render()
    return str(title)[:TITLE_MAX], str(body)[:BODY_MAX]


def notify(*, recipients: QuerySet[User], notice: Notice, now: datetime | None = None) -> int:
    """Create `notice` for every recipient who doesn't have it yet (by dedupe key),
    following each one's preferences. Returns how many rows were attempted; a concurrent
    run inserting the same rows loses nothing and duplicates nothing (ignore_conflicts)."""
    now = now or timezone.now()
    already = Notification.objects.filter(user=OuterRef("pk"), dedupe_key=notice.dedupe_key)
    users = (
        recipients.filter(is_active=True)
        .exclude(Exists(already))
        .order_by("pk")
        .values_list("pk", "language", "timezone")
    )
    switched_off = selectors.preferences_for_kind(kind=notice.kind, users=recipients)
    default = kinds.default_channels(notice.kind)
    mode = kinds.email_mode(notice.kind)
    texts: dict[tuple[str, str], tuple[str, str]] = {}
    attempted = 0
    digest_to: list[tuple[int, str, str]] = []
    for chunk in _chunks(users.iterator(chunk_size=INSERT_BATCH), INSERT_BATCH):
        rows = []
        for user_id, language, tz in chunk:
            in_app, email = switched_off.get(user_id, default)
            email = email and mode != "never"
            if email and mode == "digest":
                digest_to.append((user_id, language, tz))
                email = False  # the window's digest row carries the email
            if not in_app and not email:
                state = EmailState.SKIPPED  # recorded anyway: the sweep won't retry it
            else:
                state = EmailState.PENDING if email else EmailState.SKIPPED
            if (language, tz) not in texts:
                texts[(language, tz)] = _rendered(notice, language, tz)
            title, body = texts[(language, tz)]
            rows.append(
                Notification(
                    user_id=user_id,
                    kind=notice.kind,
                    title=title,
                    body=body,
                    url=notice.url[:URL_MAX],
                    data=notice.data,
                    subject_type=notice.subject_type,
                    subject_id=notice.subject_id,
                    dedupe_key=notice.dedupe_key,
                    in_app=in_app,
                    created_at=now,
                    email_state=state,
                    email_next_attempt_at=now,
                )
            )
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        attempted += len(rows)
    if digest_to:
        _digest_rows(kind=notice.kind, recipients=digest_to, now=now)
    if attempted:
        transaction.on_commit(_queue_delivery)
    return attempted


def _digest_rows(*, kind: str, recipients: list[tuple[int, str, str]], now: datetime) -> None:
    """The email of the window for each recipient, once: a row per (user, kind, window)
    under the unique dedupe key, due at the window's end (see digests.py)."""
    since, until = digests.window(now)
    key = digests.digest_key(kind, since)
    titles: dict[str, str] = {}
    rows = []
    for user_id, language, _tz in recipients:
        if language not in titles:
            with translation.override(language):
                titles[language] = digests.placeholder_title(kind)[:TITLE_MAX]
        rows.append(
            Notification(
                user_id=user_id,
                kind=kind,
                title=titles[language],
                data={"digest": {"since": since.isoformat(), "until": until.isoformat()}},
                subject_type=digests.DIGEST_SUBJECT,
                dedupe_key=key,
                in_app=False,
                created_at=now,
                email_state=EmailState.PENDING,
                email_next_attempt_at=until,
            )
        )
    for chunk in _chunks(rows, INSERT_BATCH):
        Notification.objects.bulk_create(chunk, ignore_conflicts=True)


def _queue_delivery() -> None:
    from campus.notifications.tasks import deliver_emails  # tasks import this module

    deliver_emails.delay()


def skip_pending(*, subject_type: str, subject_id: int, kinds: Iterable[str]) -> int:
    """Stop the emails not yet sent of notices that became moot (the reminders of a
    cancelled or rescheduled session). The inbox keeps them: they did happen."""
    return Notification.objects.filter(
        subject_type=subject_type,
        subject_id=subject_id,
        kind__in=list(kinds),
        email_state=EmailState.PENDING,
    ).update(email_state=EmailState.SKIPPED, email_last_error="")


# --- The inbox (one's own only) ----------------------------------------------------------


def _own(actor: User, notification_id: int) -> Notification:
    notification = Notification.objects.filter(pk=notification_id, user=actor, in_app=True).first()
    if notification is None:
        # Someone else's notice does not exist for you (no 403 that would confirm it).
        raise NotFound(_("Notification introuvable."), code="notification_not_found")
    return notification


def mark_read(*, actor: User, notification_id: int, now: datetime | None = None) -> Notification:
    notification = _own(actor, notification_id)
    if notification.read_at is None:
        notification.read_at = now or timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(*, actor: User, now: datetime | None = None) -> int:
    return Notification.objects.filter(user=actor, in_app=True, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )


def delete(*, actor: User, notification_id: int) -> None:
    """Removes it from the inbox. A pending email is not sent any more."""
    _own(actor, notification_id).delete()


def preferences_update(*, actor: User, choices: dict[str, dict[str, bool]]) -> None:
    """`choices` maps a kind to {"in_app": bool, "email": bool}. Unknown kinds are a 400,
    and so are the moderator kinds for a student; a kind left at its default keeps no
    row."""
    unknown = sorted(set(choices) - set(Kind.values))
    if unknown:
        raise field_error(unknown[0], _("Type de notification inconnu."), "unknown_kind")
    not_yours = sorted(set(choices) - set(kinds.kinds_for(actor)))
    if not_yours:
        raise field_error(
            not_yours[0],
            _("Ce type de notification est réservé aux responsables de cours."),
            "kind_not_available",
        )
    with transaction.atomic():
        for kind, channels in choices.items():
            default = kinds.default_channels(kind)
            in_app = bool(channels.get("in_app", default[0]))
            # An in-app-only kind never emails: its email choice is ignored.
            email = bool(channels.get("email", default[1])) and kinds.email_offered(kind)
            if (in_app, email) == default:
                Preference.objects.filter(user=actor, kind=kind).delete()
            else:
                Preference.objects.update_or_create(
                    user=actor, kind=kind, defaults={"in_app": in_app, "email": email}
                )


# --- Email delivery ----------------------------------------------------------------------

MAX_ATTEMPTS = 6
DELIVERY_BATCH = 200


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8, 16 minutes… capped at 2 hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 120))


@dataclass
class DeliveryReport:
    listed: int = 0  # due emails this pass found (up to the batch), whoever sent them
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed + self.skipped


def _skip_locked() -> bool:
    return bool(connection.features.has_select_for_update_skip_locked)


def deliver_pending(*, now: datetime | None = None, batch: int | None = None) -> DeliveryReport:
    """Send up to `batch` (default DELIVERY_BATCH) due emails over one SMTP connection.

    Each email is its own transaction: the row is locked (SKIP LOCKED where the database
    has it, so several workers share the queue), sent, and marked sent before the next
    one. A worker killed mid-batch therefore resends at most the one in flight.
    """
    now = now or timezone.now()
    report = DeliveryReport()
    smtp = get_connection(fail_silently=False)
    try:
        due = selectors.due_email_ids(now=now, limit=batch or DELIVERY_BATCH)
        report.listed = len(due)
        for notification_id in due:
            _deliver_one(notification_id, smtp=smtp, now=now, report=report)
    finally:
        smtp.close()
    return report


@transaction.atomic
def _deliver_one(notification_id: int, *, smtp: Any, now: datetime, report: DeliveryReport) -> None:
    # Only the notification row is locked (a join would lock the user row too).
    row = (
        Notification.objects.select_for_update(skip_locked=_skip_locked())
        .filter(pk=notification_id, email_state=EmailState.PENDING, email_next_attempt_at__lte=now)
        .first()
    )
    if row is None:
        return  # another worker has it, or it was sent or skipped meanwhile
    message = emails.notification_email(row)
    if message is None:
        row.email_state = EmailState.SKIPPED
        report.skipped += 1
        row.save(update_fields=["email_state"])
        return
    row.email_attempts += 1
    try:
        # Opened once and kept for the batch (a no-op when already open); Django closes
        # a connection after sending only when it opened it itself.
        smtp.open()
        message.connection = smtp
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        smtp.close()  # a broken connection is reopened by the next send
        row.email_last_error = f"{type(exc).__name__}: {exc}"[:500]
        if row.email_attempts >= MAX_ATTEMPTS:
            row.email_state = EmailState.FAILED
            report.failed += 1
            logger.warning("notification %s: email failed for good: %s", row.pk, exc)
        else:
            row.email_next_attempt_at = now + retry_delay(row.email_attempts)
            report.retried += 1
    else:
        row.email_state = EmailState.SENT
        row.email_sent_at = timezone.now()
        row.email_last_error = ""
        report.sent += 1
    row.save(
        update_fields=[
            "email_state",
            "email_attempts",
            "email_next_attempt_at",
            "email_sent_at",
            "email_last_error",
        ]
    )
