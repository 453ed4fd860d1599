"""One function per live-sessions email."""

from campus.accounts.models import User
from campus.core.emails import send_templated
from campus.live.models import LiveSession


def send_session_notice(
    user: User, *, session: LiveSession, sender: str, title: str, message: str
) -> None:
    """The owner's (or an admin's) message to a session's members; the start time is
    rendered in the recipient's zone (render_email overrides it)."""
    send_templated(
        to=user.email,
        template="live_notify",
        context={
            "name": user.display_name,
            "sender": sender,
            "title": title,
            "message": message,
            "session_title": session.title,
            "course_title": session.course.title,
            "start": session.scheduled_start_at,
        },
        language=user.language,
        tz=user.timezone,
    )
