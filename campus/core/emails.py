"""Email rendering: every email is a template triple (subject, text, HTML) rendered in
the recipient's language and time zone. One function per email lives in each app's
emails.py and calls `send_templated`.
"""

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes | str
    mimetype: str


def zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIME_ZONE)


def render_email(
    template: str, context: dict[str, Any], *, language: str, tz: str
) -> tuple[str, str, str]:
    """(subject, text, html) of `emails/<template>.*` in the given language and zone."""
    ctx = {"SITE_URL": settings.SITE_URL, "SITE_NAME": "Campus", **context}
    with translation.override(language), timezone.override(zone(tz)):
        subject = " ".join(render_to_string(f"emails/{template}.subject.txt", ctx).split())
        text = render_to_string(f"emails/{template}.txt", ctx)
        html = render_to_string(f"emails/{template}.html", ctx)
    return subject, text, html


def send_templated(
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    language: str,
    tz: str,
    attachments: Iterable[Attachment] = (),
) -> None:
    subject, text, html = render_email(template, context, language=language, tz=tz)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    for item in attachments:
        message.attach(item.filename, item.content, item.mimetype)
    message.send()
