"""Who each kind of notice is for, its default channels and how its email leaves.

Most kinds are for every reader (a session, a reply, a certificate): both channels on
by default, one email per notice. The moderator kinds tell a course's owner what waits
for them; they are offered to instructors and admins only, and their email is a digest
(see `digests.py`) so a burst of reports sends one email, not twenty.
"""

from typing import Any, Literal

from campus.notifications.models import Kind

EmailMode = Literal["each", "digest", "never"]

MODERATOR_KINDS: tuple[str, ...] = (
    Kind.FORUM_TOPIC_NEW,
    Kind.FORUM_REPORT,
    Kind.RATING_PENDING,
    Kind.LIVE_QUESTION,
)
# In-app only: the email channel is not offered (a live question is stale by the time an
# email is read).
IN_APP_ONLY: frozenset[str] = frozenset({Kind.LIVE_QUESTION})
# (in_app, email) when the user has not chosen; every other kind: both on.
DEFAULTS: dict[str, tuple[bool, bool]] = {
    Kind.FORUM_TOPIC_NEW: (True, False),
    Kind.LIVE_QUESTION: (True, False),
}
EMAIL_MODES: dict[str, EmailMode] = {
    Kind.FORUM_TOPIC_NEW: "digest",
    Kind.FORUM_REPORT: "digest",
    Kind.RATING_PENDING: "digest",
    Kind.LIVE_QUESTION: "never",
}


def default_channels(kind: str) -> tuple[bool, bool]:
    return DEFAULTS.get(kind, (True, True))


def email_mode(kind: str) -> EmailMode:
    return EMAIL_MODES.get(kind, "each")


def email_offered(kind: str) -> bool:
    return kind not in IN_APP_ONLY


def is_moderator(user: Any) -> bool:
    """Instructors and admins moderate courses (their own; admins every one)."""
    return bool(getattr(user, "is_instructor", False) or getattr(user, "is_admin", False))


def kinds_for(user: Any) -> list[str]:
    """The kinds a user may receive, in the order of Kind, the moderator kinds last (and
    only for instructors and admins: students never see them)."""
    kinds = [kind for kind in Kind.values if kind not in MODERATOR_KINDS]
    return kinds + list(MODERATOR_KINDS) if is_moderator(user) else kinds
