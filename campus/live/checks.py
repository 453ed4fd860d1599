"""System checks for the Jitsi configuration (docs/jitsi.md).

A mode whose credentials are missing would only fail when the first student joins a
class; the check makes `manage.py check` (and so every deploy) fail at once instead.
"""

from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from django.conf import settings
from django.core.checks import Error, register

from campus.live.jitsi import MIN_SECRET_LENGTH, MODES, Mode


def _selfhosted_problems() -> list[str]:
    problems = []
    if not settings.JITSI_APP_ID:
        problems.append("JITSI_MODE=selfhosted needs JITSI_APP_ID (prosody's app_id).")
    secret = settings.JITSI_APP_SECRET
    if len(secret) < MIN_SECRET_LENGTH:
        problems.append(
            f"JITSI_MODE=selfhosted needs JITSI_APP_SECRET (or JITSI_APP_SECRET_FILE) of at "
            f"least {MIN_SECRET_LENGTH} characters, shared with prosody's app_secret."
        )
    elif secret == settings.SECRET_KEY:
        # A leaked Jitsi server would otherwise hand out Django's signing key.
        problems.append("JITSI_APP_SECRET must not be SECRET_KEY: give Jitsi its own secret.")
    return problems


def _jaas_key_problem(pem: str) -> str | None:
    try:
        key = load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError):
        return "JITSI_JAAS_PRIVATE_KEY is not an unencrypted PEM private key."
    if not isinstance(key, RSAPrivateKey):
        return "JITSI_JAAS_PRIVATE_KEY must be an RSA key (JaaS signs with RS256)."
    return None


def _jaas_problems() -> list[str]:
    missing = [
        name
        for name in ("JITSI_JAAS_APP_ID", "JITSI_JAAS_KEY_ID", "JITSI_JAAS_PRIVATE_KEY")
        if not getattr(settings, name)
    ]
    if missing:
        return [f"JITSI_MODE=jaas needs {', '.join(missing)}."]
    key_problem = _jaas_key_problem(settings.JITSI_JAAS_PRIVATE_KEY)
    return [key_problem] if key_problem else []


def _lifetime_problems() -> list[str]:
    problems = []
    if settings.JITSI_TOKEN_GRACE_MINUTES < 0:
        problems.append("JITSI_TOKEN_GRACE_MINUTES must be 0 or more.")
    if settings.JITSI_TOKEN_MAX_HOURS < 1:
        problems.append("JITSI_TOKEN_MAX_HOURS must be at least 1.")
    return problems


def jitsi_problems() -> list[str]:
    mode = settings.JITSI_MODE
    if mode not in MODES:
        return [f"JITSI_MODE={mode!r} is unknown: use one of {', '.join(MODES)}."]
    problems = _lifetime_problems()
    if mode == Mode.SELFHOSTED:
        problems += _selfhosted_problems()
    elif mode == Mode.JAAS:
        problems += _jaas_problems()
    return problems


@register()
def check_jitsi_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    return [Error(message, id="live.E001") for message in jitsi_problems()]
