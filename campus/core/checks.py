"""Production (DEBUG off) refuses to start with the insecure default secret key.

Enforced twice: as a system check (runserver, migrate and every management command that
runs checks stop on it) and explicitly when the WSGI app or a Celery worker starts.
"""

from typing import Any

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

UNSAFE_KEY_MESSAGE = (
    "SECRET_KEY is the insecure default while DEBUG is off. Set SECRET_KEY (or "
    "SECRET_KEY_FILE) to a long random value, or DEBUG=1 for local development."
)


def production_problems() -> list[str]:
    problems = []
    if not settings.DEBUG and settings.SECRET_KEY == settings.INSECURE_DEFAULT_SECRET_KEY:
        problems.append(UNSAFE_KEY_MESSAGE)
    if not settings.DEBUG and len(settings.SECRET_KEY) < 50:
        problems.append("SECRET_KEY must be at least 50 characters long in production.")
    return problems


@register()
def check_production_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    return [Error(msg, id="campus.E001") for msg in production_problems()]


def refuse_unsafe_production() -> None:
    problems = production_problems()
    if problems:
        raise ImproperlyConfigured(" ".join(problems))
