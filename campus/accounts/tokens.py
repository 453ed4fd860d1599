"""Bearer tokens: random, stored hashed, expiring, revocable. And refresh tokens: the
same, plus rotation (each use spends the token and issues a new one in its family) and
reuse detection (a spent token presented again revokes the whole family)."""

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campus.accounts.models import ApiToken, RefreshToken, User
from campus.core.errors import NotAuthenticated

TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 200  # what a client may send; ours are 43 characters


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_issue(*, user: User, family: uuid.UUID | None = None) -> tuple[str, ApiToken]:
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    token = ApiToken.objects.create(
        user=user,
        key_hash=hash_token(raw),
        expires_at=timezone.now() + timedelta(hours=settings.API_TOKEN_TTL_HOURS),
        family=family,
    )
    return raw, token


def token_user(raw: str) -> User | None:
    """The active user behind a live token, or None."""
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
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


def token_is_expired(raw: str) -> bool:
    """Whether `raw` is one of our tokens, not revoked, past its expiry (the one refusal
    a client can repair with its refresh token). Asked only after token_user said no."""
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        return False
    return ApiToken.objects.filter(
        key_hash=hash_token(raw), revoked_at__isnull=True, expires_at__lte=timezone.now()
    ).exists()


def family_revoke(*, family: uuid.UUID, now: datetime | None = None) -> None:
    """Revoke every access and refresh token one login produced."""
    now = now or timezone.now()
    ApiToken.objects.filter(family=family, revoked_at__isnull=True).update(revoked_at=now)
    RefreshToken.objects.filter(family=family, revoked_at__isnull=True).update(revoked_at=now)


def token_revoke(*, raw: str) -> None:
    """Revoke a bearer token and, when it came from a login, that login's whole family
    (its refresh tokens and the access tokens they issued)."""
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        return
    now = timezone.now()
    token = ApiToken.objects.filter(key_hash=hash_token(raw)).only("pk", "family").first()
    if token is None:
        return
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    if token.family is not None:
        family_revoke(family=token.family, now=now)


@dataclass(frozen=True)
class TokenPair:
    token: str  # the bearer (access) token
    refresh_token: str


def _refresh_issue(*, user: User, family: uuid.UUID) -> str:
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    RefreshToken.objects.create(
        user=user,
        family=family,
        key_hash=hash_token(raw),
        expires_at=timezone.now() + timedelta(days=settings.API_REFRESH_TOKEN_TTL_DAYS),
    )
    return raw


def token_pair_issue(*, user: User, family: uuid.UUID | None = None) -> TokenPair:
    """A bearer token and a refresh token of one family (a new one: a new login)."""
    family = family or uuid.uuid4()
    access, _token = token_issue(user=user, family=family)
    return TokenPair(token=access, refresh_token=_refresh_issue(user=user, family=family))


def _refusal(code: str) -> NotAuthenticated:
    messages = {
        "invalid_refresh_token": _("Jeton de rafraîchissement invalide. Reconnectez-vous."),
        "refresh_token_expired": _("Jeton de rafraîchissement expiré. Reconnectez-vous."),
        "refresh_token_revoked": _("Jeton de rafraîchissement révoqué. Reconnectez-vous."),
        "refresh_token_reused": _(
            "Ce jeton de rafraîchissement a déjà servi : par sécurité, la connexion dont il "
            "vient est fermée partout. Reconnectez-vous."
        ),
        "account_inactive": _("Ce compte est désactivé."),
    }
    return NotAuthenticated(messages[code], code=code)


@transaction.atomic
def _rotate(raw: str) -> tuple[str | None, TokenPair | None, User | None]:
    """(refusal code, None, None) or (None, new pair, user). A refusal is returned, not
    raised, so that a reuse's family revocation commits."""
    now = timezone.now()
    # The row lock serializes two uses of the same token: the second waits for the first
    # to commit, then sees it spent (a reuse). SQLite serializes writers anyway; the
    # conditional UPDATE below is the guard on every database.
    token = RefreshToken.objects.select_for_update().filter(key_hash=hash_token(raw)).first()
    if token is None:
        return "invalid_refresh_token", None, None
    if token.revoked_at is not None:
        return "refresh_token_revoked", None, None
    if token.used_at is not None:
        family_revoke(family=token.family, now=now)
        return "refresh_token_reused", None, None
    if token.expires_at <= now:
        return "refresh_token_expired", None, None
    user = User.objects.get(pk=token.user_id)
    if not user.is_active:
        return "account_inactive", None, None
    spent = RefreshToken.objects.filter(
        pk=token.pk, used_at__isnull=True, revoked_at__isnull=True
    ).update(used_at=now)
    if spent != 1:
        family_revoke(family=token.family, now=now)
        return "refresh_token_reused", None, None
    return None, token_pair_issue(user=user, family=token.family), user


def token_refresh(*, raw: str) -> tuple[TokenPair, User]:
    """Spend a refresh token for a new pair of the same family (401 otherwise)."""
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        raise _refusal("invalid_refresh_token")
    code, pair, user = _rotate(raw)
    if code is not None or pair is None or user is None:
        raise _refusal(code or "invalid_refresh_token")
    return pair, user


def tokens_revoke_all(*, user: User, keep_raw: str | None = None) -> int:
    """Revoke every access and refresh token of a user, except, when `keep_raw` names
    one of the user's live access tokens, that token and its family (the caller's own
    login). Returns the number of access tokens revoked."""
    now = timezone.now()
    access = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    refresh = RefreshToken.objects.filter(user=user, revoked_at__isnull=True)
    kept = None
    if keep_raw and len(keep_raw) <= MAX_TOKEN_LENGTH:
        kept = access.filter(key_hash=hash_token(keep_raw)).only("pk", "family").first()
    if kept is not None:
        access = access.exclude(pk=kept.pk)
        if kept.family is not None:
            access = access.exclude(family=kept.family)
            refresh = refresh.exclude(family=kept.family)
    refresh.update(revoked_at=now)
    return access.update(revoked_at=now)
