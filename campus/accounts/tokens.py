"""Bearer tokens: random, stored hashed, expiring, revocable."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from campus.accounts.models import ApiToken, User

TOKEN_BYTES = 32


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_issue(*, user: User) -> tuple[str, ApiToken]:
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    token = ApiToken.objects.create(
        user=user,
        key_hash=hash_token(raw),
        expires_at=timezone.now() + timedelta(hours=settings.API_TOKEN_TTL_HOURS),
    )
    return raw, token


def token_user(raw: str) -> User | None:
    """The active user behind a live token, or None."""
    if not raw or len(raw) > 200:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    # Touch at most once a minute: a write per request would cost more than the request.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def token_revoke(*, raw: str) -> None:
    ApiToken.objects.filter(key_hash=hash_token(raw), revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
