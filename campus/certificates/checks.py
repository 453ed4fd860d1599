"""System check for CERTIFICATE_REQUIRES_RATING: a typo ("requierd") would otherwise
silently behave like another mode; `manage.py check` (and so every deploy) fails instead."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

MODES = ("off", "prompt", "required")


def certificate_problems() -> list[str]:
    mode = getattr(settings, "CERTIFICATE_REQUIRES_RATING", "prompt")
    if mode not in MODES:
        return [f"CERTIFICATE_REQUIRES_RATING={mode!r} is unknown: use one of {', '.join(MODES)}."]
    return []


@register()
def check_certificate_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    return [Error(message, id="certificates.E001") for message in certificate_problems()]
