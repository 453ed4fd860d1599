"""One function per accounts email."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from campus.accounts.models import User
from campus.core.emails import send_templated


def send_welcome(user: User) -> None:
    send_templated(
        to=user.email,
        template="welcome",
        context={"name": user.display_name},
        language=user.language,
        tz=user.timezone,
    )


def send_password_reset(user: User) -> None:
    """A one-time link (Django's token: invalid once the password or last login changes)."""
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    send_templated(
        to=user.email,
        template="password_reset",
        context={"name": user.display_name, "reset_url": f"{settings.SITE_URL}{path}"},
        language=user.language,
        tz=user.timezone,
    )
