"""System check: RATINGS_MODERATION must be "pre" or "post" (a typo would otherwise
silently publish every review, or hold every one)."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

MODES = ("pre", "post")


def ratings_problems() -> list[str]:
    mode = settings.RATINGS_MODERATION
    if mode not in MODES:
        return [f"RATINGS_MODERATION={mode!r} is unknown: use one of {', '.join(MODES)}."]
    return []


@register()
def check_ratings_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    return [Error(message, id="ratings.E001") for message in ratings_problems()]
