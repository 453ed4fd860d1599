"""The notices of live sessions (seeds 000 §8.1, 002 §2): scheduled, rescheduled,
reminders 24 h and 1 h before, started, cancelled, and the owner's message.

The live services call these inside their own transaction, so a notice exists exactly
when its change does. The reminders come from a sweep (Celery beat, every minute) that
computes what is due from current rows, within windows:

- 24 h reminder while now ∈ [start - 24 h, start - 1 h)
- 1 h reminder while now ∈ [start - 1 h, start)

A sweep that was down catches up on what is still due, and never sends a stale one (no
"starts in one hour" after the start). The dedupe key carries the session's `sequence`:
a reschedule makes fresh reminders for the new time, and never repeats the old ones.
"""

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campus.accounts.models import User
from campus.core import content
from campus.core.formatting import format_date
from campus.live.models import LiveSession, LiveSessionStatus, SessionSeries
from campus.notifications import invitations, services
from campus.notifications.emails import SESSION_SUBJECT
from campus.notifications.models import Kind
from campus.notifications.services import Notice

REMINDER_WINDOWS: list[tuple[str, timedelta, timedelta]] = [
    # kind, opens this long before the start, closes this long before the start
    (Kind.SESSION_REMINDER_24H, timedelta(hours=24), timedelta(hours=1)),
    (Kind.SESSION_REMINDER_1H, timedelta(hours=1), timedelta(0)),
]
REMINDER_KINDS = [kind for kind, _opens, _closes in REMINDER_WINDOWS]


def _members(session: LiveSession) -> QuerySet[User]:
    return User.objects.filter(
        enrollments__course_id=session.course_id, enrollments__is_active=True
    ).distinct()


def _when(moment: datetime) -> str:
    """A date and time in the active zone and language (the recipient's)."""
    return format_date(moment, "weekday_datetime")


def _url(session: LiveSession) -> str:
    return reverse(
        "live:session_detail", kwargs={"slug": session.course.slug, "session_id": session.pk}
    )


def _key(session: LiveSession, name: str) -> str:
    return f"live:{session.pk}:{session.sequence}:{name}"


def _notice(
    session: LiveSession, kind: str, key: str, render: Callable[[], tuple[str, str]]
) -> Notice:
    return Notice(
        kind=kind,
        dedupe_key=key,
        render=render,
        url=_url(session),
        subject_type=SESSION_SUBJECT,
        subject_id=session.pk,
        data={
            "session_id": session.pk,
            "course_id": session.course_id,
            "event": invitations.session_snapshot(session),
        },
    )


def session_scheduled(session: LiveSession, *, now: datetime | None = None) -> int:
    def render() -> tuple[str, str]:
        title = _("Nouvelle session : %(title)s") % {"title": session.title}
        body = _("Cours « %(course)s », le %(start)s.") % {
            "course": session.course.title,
            "start": _when(session.scheduled_start_at),
        }
        return title, body

    notice = _notice(session, Kind.SESSION_SCHEDULED, _key(session, "scheduled"), render)
    return services.notify(recipients=_members(session), notice=notice, now=now)


def series_scheduled(record: SessionSeries, sessions: list[LiveSession]) -> int:
    """One notice for a whole new series (not one email per occurrence), with every
    occurrence in an attached calendar file."""
    if not sessions:
        return 0
    first = sessions[0]

    def render() -> tuple[str, str]:
        title = _("Nouvelle série de sessions : %(title)s") % {"title": record.title}
        body = ngettext(
            "Cours « %(course)s » : %(count)d session, à partir du %(start)s.",
            "Cours « %(course)s » : %(count)d sessions, à partir du %(start)s.",
            len(sessions),
        ) % {
            "course": first.course.title,
            "count": len(sessions),
            "start": _when(first.scheduled_start_at),
        }
        return title, body

    notice = Notice(
        kind=Kind.SESSION_SCHEDULED,
        dedupe_key=f"live-series:{record.pk}:scheduled",
        render=render,
        url=reverse("live:course_sessions", kwargs={"slug": first.course.slug}),
        subject_type="live_series",
        subject_id=record.pk,
        data={
            "series_id": record.pk,
            "course_id": first.course_id,
            "events": [invitations.session_snapshot(s) for s in sessions],
        },
    )
    return services.notify(recipients=_members(first), notice=notice)


def session_rescheduled(session: LiveSession, *, old_start: datetime) -> int:
    """After the times changed (the sequence was bumped): old reminders not yet sent are
    stopped; the sweep makes fresh ones for the new time."""
    services.skip_pending(subject_type=SESSION_SUBJECT, subject_id=session.pk, kinds=REMINDER_KINDS)

    def render() -> tuple[str, str]:
        title = _("Session reportée : %(title)s") % {"title": session.title}
        body = _("Cours « %(course)s » : prévue le %(old)s, elle aura lieu le %(new)s.") % {
            "course": session.course.title,
            "old": _when(old_start),
            "new": _when(session.scheduled_start_at),
        }
        return title, body

    notice = _notice(session, Kind.SESSION_RESCHEDULED, _key(session, "rescheduled"), render)
    return services.notify(recipients=_members(session), notice=notice)


def _series_url(sessions: list[LiveSession]) -> str:
    """Students' page of the course's sessions (the series page is the instructor's)."""
    return reverse("live:course_sessions", kwargs={"slug": sessions[0].course.slug})


def _skip_reminders(sessions: list[LiveSession]) -> None:
    for session in sessions:
        services.skip_pending(
            subject_type=SESSION_SUBJECT, subject_id=session.pk, kinds=REMINDER_KINDS
        )


def series_rescheduled(
    record: SessionSeries, sessions: list[LiveSession], *, moved: list[int]
) -> int:
    """ONE notice for a whole-series edit (not one per occurrence), carrying the updated
    invitation of every future occurrence (each with its UID and SEQUENCE). Reminders of
    the moved ones not yet sent are stopped; the sweep makes fresh ones for the new time."""
    if not sessions:
        return 0
    moved_sessions = [s for s in sessions if s.pk in set(moved)]
    _skip_reminders(moved_sessions)
    first = sessions[0]

    def render() -> tuple[str, str]:
        title = _("Série modifiée : %(title)s") % {"title": record.title}
        body = ngettext(
            "Cours « %(course)s » : la séance à venir a changé ; prochaine le %(start)s.",
            "Cours « %(course)s » : les %(count)d séances à venir ont changé ; "
            "prochaine le %(start)s.",
            len(sessions),
        ) % {
            "course": first.course.title,
            "count": len(sessions),
            "start": _when(first.scheduled_start_at),
        }
        return title, body

    # Each edit is its own notice (its caller's transaction writes it once).
    key = f"live-series:{record.pk}:rescheduled:{uuid.uuid4().hex}"
    return _notify_series(Kind.SERIES_RESCHEDULED, key, render, record, sessions)


def series_cancelled(record: SessionSeries, sessions: list[LiveSession], *, reason: str) -> int:
    """ONE notice when a series' future occurrences are cancelled together, with a
    METHOD:CANCEL calendar file for all of them (each with its UID and bumped SEQUENCE).
    Their reminders not yet sent are stopped."""
    if not sessions:
        return 0
    _skip_reminders(sessions)
    first = sessions[0]

    def render() -> tuple[str, str]:
        title = _("Série annulée : %(title)s") % {"title": record.title}
        body = ngettext(
            "Cours « %(course)s » : la séance du %(start)s est annulée.",
            "Cours « %(course)s » : les %(count)d séances à venir, à partir du %(start)s, "
            "sont annulées.",
            len(sessions),
        ) % {
            "course": first.course.title,
            "count": len(sessions),
            "start": _when(first.scheduled_start_at),
        }
        if reason:
            body += "\n" + _("Motif : %(reason)s") % {"reason": reason}
        return title, body

    key = f"live-series:{record.pk}:cancelled:{first.pk}:{first.sequence}"
    return _notify_series(Kind.SERIES_CANCELLED, key, render, record, sessions)


def _notify_series(
    kind: str,
    dedupe_key: str,
    render: Callable[[], tuple[str, str]],
    record: SessionSeries,
    sessions: list[LiveSession],
) -> int:
    """One notice to the course's members about several sessions of a series, carrying
    each session's invitation snapshot (the email's calendar file holds them all)."""
    first = sessions[0]
    notice = Notice(
        kind=kind,
        dedupe_key=dedupe_key,
        render=render,
        url=_series_url(sessions),
        subject_type="live_series",
        subject_id=record.pk,
        data={
            "series_id": record.pk,
            "course_id": first.course_id,
            "events": [invitations.session_snapshot(s) for s in sessions],
        },
    )
    return services.notify(recipients=_members(first), notice=notice)


def session_started(session: LiveSession, *, now: datetime | None = None) -> int:
    services.skip_pending(subject_type=SESSION_SUBJECT, subject_id=session.pk, kinds=REMINDER_KINDS)

    def render() -> tuple[str, str]:
        title = _("En direct : %(title)s") % {"title": session.title}
        body = _("La session du cours « %(course)s » a commencé. Rejoignez-la.") % {
            "course": session.course.title
        }
        return title, body

    notice = _notice(session, Kind.SESSION_STARTED, f"live:{session.pk}:started", render)
    return services.notify(recipients=_members(session), notice=notice, now=now)


def session_cancelled(session: LiveSession) -> int:
    services.skip_pending(subject_type=SESSION_SUBJECT, subject_id=session.pk, kinds=REMINDER_KINDS)

    def render() -> tuple[str, str]:
        title = _("Session annulée : %(title)s") % {"title": session.title}
        body = _("La session du %(start)s (cours « %(course)s ») est annulée.") % {
            "start": _when(session.scheduled_start_at),
            "course": session.course.title,
        }
        if session.cancel_reason:
            body += "\n" + _("Motif : %(reason)s") % {"reason": session.cancel_reason}
        return title, body

    notice = _notice(session, Kind.SESSION_CANCELLED, f"live:{session.pk}:cancelled", render)
    return services.notify(recipients=_members(session), notice=notice)


def session_message(session: LiveSession, *, sender: User, title: str, message: str) -> int:
    """The owner's message (the seed's notify endpoint): each one is a new notice."""

    def render() -> tuple[str, str]:
        lead = _("%(sender)s vous écrit au sujet de la session « %(session)s » :") % {
            "sender": sender.display_name,
            "session": session.title,
        }
        # A notice body is plain text (inbox, API, emails' text part): the owner's
        # Markdown as words, its paragraphs and list items kept.
        return f"{session.course.title} — {title}", f"{lead}\n\n{content.plain_paragraphs(message)}"

    key = f"live:{session.pk}:message:{uuid.uuid4().hex}"
    notice = _notice(session, Kind.SESSION_MESSAGE, key, render)
    return services.notify(recipients=_members(session), notice=notice)


# --- The reminder sweep -------------------------------------------------------------------


def _reminder(session: LiveSession, kind: str) -> Notice:
    def render() -> tuple[str, str]:
        if kind == Kind.SESSION_REMINDER_24H:
            title = _("Demain : %(title)s") % {"title": session.title}
        else:
            title = _("Dans moins d'une heure : %(title)s") % {"title": session.title}
        body = _("Cours « %(course)s », le %(start)s.") % {
            "course": session.course.title,
            "start": _when(session.scheduled_start_at),
        }
        return title, body

    return _notice(session, kind, _key(session, kind), render)


def reminders_sweep(*, now: datetime | None = None) -> int:
    """Create the reminders due now (see the module docstring). Returns rows attempted."""
    now = now or timezone.now()
    created = 0
    for kind, opens, closes in REMINDER_WINDOWS:
        due = LiveSession.objects.filter(
            status=LiveSessionStatus.SCHEDULED,
            scheduled_start_at__gt=now + closes,
            scheduled_start_at__lte=now + opens,
        ).select_related("course", "instructor")
        for session in due.order_by("scheduled_start_at", "pk"):
            created += services.notify(
                recipients=_members(session), notice=_reminder(session, kind), now=now
            )
    return created
