"""Template helpers of the student live pages (issue 4): the countdown text that
countdown.js keeps fresh, and durations."""

from datetime import UTC, datetime

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campus.core.formatting import format_duration
from campus.live.models import LiveSession, RecordingState, SessionRecording

register = template.Library()


def countdown_text(start: datetime, now: datetime) -> str:
    """ "dans 2 h 15 min", "dans 3 jours": what is left before `start`. countdown.js
    mirrors these rules with the formats of `live/student/_countdown_formats.html`."""
    seconds = int((start - now).total_seconds())
    if seconds <= 0:
        return _("maintenant")
    if seconds < 60:
        return _("dans moins d'une minute")
    minutes = seconds // 60
    if minutes < 60:
        return _("dans %(m)s min") % {"m": minutes}
    if minutes < 24 * 60:
        return _("dans %(h)s h %(m)s min") % {"h": minutes // 60, "m": f"{minutes % 60:02d}"}
    days = minutes // (24 * 60)
    return ngettext("dans %(d)s jour", "dans %(d)s jours", days) % {"d": days}


@register.simple_tag
def countdown_formats() -> dict[str, str]:
    """The formats countdown.js fills in, translated here with the same msgids as
    countdown_text (rendered with json_script)."""
    return {
        "now": _("maintenant"),
        "soon": _("dans moins d'une minute"),
        "minutes": _("dans %(m)s min"),
        "hours": _("dans %(h)s h %(m)s min"),
        "day": ngettext("dans %(d)s jour", "dans %(d)s jours", 1),
        "days": ngettext("dans %(d)s jour", "dans %(d)s jours", 2),
    }


@register.filter
def countdown(start: datetime | None) -> str:
    return countdown_text(start, timezone.now()) if start else ""


@register.filter
def iso_utc(value: datetime | None) -> str:
    """2026-11-21T18:00:00Z, for `<time datetime>` and countdown.js."""
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@register.filter
def never_held(session: LiveSession) -> bool:
    """Still "scheduled" after its planned end: nobody started it."""
    return session.status == "scheduled" and session.scheduled_end_at <= timezone.now()


@register.filter
def planned_duration(session: LiveSession) -> str:
    return format_duration(session.scheduled_end_at - session.scheduled_start_at)


@register.filter
def actual_duration(session: LiveSession) -> str:
    if session.actual_start_at is None or session.actual_end_at is None:
        return ""
    return format_duration(session.actual_end_at - session.actual_start_at)


@register.filter
def visible_recordings(session: LiveSession) -> list[SessionRecording]:
    """The session's recordings its members may watch: stored and not hidden (from
    `session.recordings`, prefetched or not)."""
    return [
        r for r in session.recordings.all() if r.state == RecordingState.STORED and not r.is_hidden
    ]
