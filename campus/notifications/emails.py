"""The email of a notification: the stored title and body (already in the recipient's
language), a link, the preferences link, and for session notices an iCalendar part."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEText
from django.urls import reverse

from campus.core.emails import render_email
from campus.courses.models import Enrollment
from campus.notifications import digests, invitations
from campus.notifications.models import Kind, Notification

SESSION_SUBJECT = "live_session"
# Kinds whose email carries the session as an invitation, and with which iTIP method.
INVITATION_METHOD = {
    Kind.SESSION_SCHEDULED: "REQUEST",
    Kind.SESSION_RESCHEDULED: "REQUEST",
    Kind.SESSION_REMINDER_24H: "REQUEST",
    Kind.SESSION_REMINDER_1H: "REQUEST",
    Kind.SESSION_CANCELLED: "CANCEL",
}
# A whole series edited or cancelled: one email, every occurrence in one iTIP file.
SERIES_METHOD = {
    Kind.SERIES_RESCHEDULED: "REQUEST",
    Kind.SERIES_CANCELLED: "CANCEL",
}


def _absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) or not url else settings.SITE_URL + url


def _calendar_part(filename: str, ics: bytes, *, method: str) -> SafeMIMEText:
    """The .ics attachment: `text/calendar; charset="utf-8"; method=…` with each parameter
    once. (Handing Django a mimetype that already names a charset makes it add its own: the
    header then carried the charset twice.) The `method` parameter must equal the file's
    METHOD (RFC 5545 §3.7.2) for mail clients to offer it as an invitation."""
    part = SafeMIMEText(ics.decode(), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


def notification_email(notification: Notification) -> EmailMultiAlternatives | None:
    """The message to send, or None when there is nobody to send it to."""
    user = notification.user
    if not user.is_active or not user.email:
        return None
    course_id = notification.data.get("course_id")
    if (
        course_id
        and not Enrollment.objects.filter(user=user, course_id=course_id, is_active=True).exists()
    ):
        return None  # left the course since: its news are not theirs any more
    title, body, url = notification.title, notification.body, notification.url
    if notification.data.get("digest"):
        written = digests.summary(notification)  # a moderator's window, written when due
        if written is None:
            return None
        title, body, url = written
    context = {
        "name": user.display_name,
        "title": title,
        "body": body,
        "url": _absolute(url),
        "preferences_url": settings.SITE_URL + reverse("notifications:preferences"),
    }
    subject, text, html = render_email(
        "notification", context, language=user.language, tz=user.timezone
    )
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
    message.attach_alternative(html, "text/html")
    method = INVITATION_METHOD.get(notification.kind)  # type: ignore[call-overload]
    snapshot = notification.data.get("event")
    if method and snapshot:
        ics = invitations.session_invitation(snapshot, attendee=user, method=method)
        message.attach(_calendar_part("invitation.ics", ics, method=method))
    events = notification.data.get("events")
    series_method = SERIES_METHOD.get(notification.kind)  # type: ignore[call-overload]
    if events and series_method:
        ics = invitations.series_invitation(events, attendee=user, method=series_method)
        name = "annulation.ics" if series_method == "CANCEL" else "invitation.ics"
        message.attach(_calendar_part(name, ics, method=series_method))
    elif events:
        ics = invitations.series_calendar(events)
        message.attach(_calendar_part("seances.ics", ics, method="PUBLISH"))
    return message
