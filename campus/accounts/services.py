"""Every write about accounts: registration, login (throttled), profile, roles."""

import zoneinfo

from django.conf import settings
from django.contrib.auth import authenticate, logout, update_session_auth_hash
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from campus.accounts import selectors, tokens
from campus.accounts.models import Language, Role, User
from campus.accounts.tasks import send_password_reset_email, send_welcome_email
from campus.accounts.tokens import TokenPair, token_pair_issue, token_revoke
from campus.core import polls, ratelimit
from campus.core.errors import Conflict, Forbidden, NotAuthenticated, ValidationFailed
from campus.core.validation import field_error

LOGIN_SCOPE = "login-failures"
REGISTER_SCOPE = "register"


def _validate_timezone(name: str) -> str:
    if name not in zoneinfo.available_timezones():
        raise field_error("timezone", _("Fuseau horaire inconnu."), "invalid_timezone")
    return name


def _validate_language(code: str) -> str:
    if code not in Language.values:
        raise field_error("language", _("Langue non prise en charge."), "invalid_language")
    return code


def _validate_new_password(password: str, *, user: User, field: str = "password") -> None:
    """Django's password validators (settings.AUTH_PASSWORD_VALIDATORS), as field errors."""
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise ValidationFailed(
            details=[{"field": field, "code": "weak_password", "message": m} for m in exc.messages]
        ) from exc


def user_register(
    *,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    language: str = Language.FR,
    timezone: str | None = None,
    request: HttpRequest | None = None,
) -> User:
    """Self-registration always creates a student: roles are granted by an admin. Every
    attempt counts against REGISTER_ADDRESS_LIMIT per client address and window (429);
    counted outside the transaction, so a refused attempt counts too (the database cache
    writes through the same connection)."""
    ratelimit.limit_action(
        REGISTER_SCOPE,
        ratelimit.client_address(request),
        limit=settings.REGISTER_ADDRESS_LIMIT,
        window=settings.REGISTER_WINDOW_SECONDS,
        message=_("Trop d'inscriptions depuis votre réseau. Réessayez plus tard."),
    )
    return _user_create(
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        language=language,
        timezone=timezone,
    )


@transaction.atomic
def _user_create(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    language: str,
    timezone: str | None,
) -> User:
    email = User.objects.normalize_email(email).strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError as exc:
        raise field_error("email", _("Adresse e-mail invalide."), "invalid_email") from exc
    if User.objects.filter(email=email).exists():
        raise Conflict(_("Un compte existe déjà avec cette adresse e-mail."), code="email_taken")
    candidate = User(email=email, first_name=first_name, last_name=last_name)
    _validate_new_password(password, user=candidate)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email,
                password=password,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                role=Role.STUDENT,
                language=_validate_language(language),
                timezone=_validate_timezone(timezone or settings.DEFAULT_USER_TIME_ZONE),
            )
    except IntegrityError as exc:  # a concurrent registration with the same email won
        raise Conflict(
            _("Un compte existe déjà avec cette adresse e-mail."), code="email_taken"
        ) from exc
    transaction.on_commit(lambda: send_welcome_email.delay(user.pk))
    return user


def login_check(*, request: HttpRequest | None, email: str, password: str) -> User:
    """Authenticate, refusing (429) after repeated failures for this email, whatever the
    address (LOGIN_FAILURE_LIMIT: protects each password), or from this address, whatever
    the accounts (LOGIN_ADDRESS_FAILURE_LIMIT: high, since one address may be a whole
    campus behind NAT; it stops one machine trying passwords across many accounts)."""
    email = email.strip().lower()
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    address = ratelimit.client_address(request)
    limit = settings.LOGIN_FAILURE_LIMIT
    ratelimit.ensure_below(LOGIN_SCOPE, f"email:{email}", limit=limit, window=window)
    address_limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    ratelimit.ensure_below(LOGIN_SCOPE, address, limit=address_limit, window=window)
    user = authenticate(request, username=email, password=password)
    if user is None:
        ratelimit.hit(LOGIN_SCOPE, f"email:{email}", window=window)
        ratelimit.hit(LOGIN_SCOPE, address, window=window)
        raise NotAuthenticated(_("E-mail ou mot de passe incorrect."), code="invalid_credentials")
    ratelimit.reset(LOGIN_SCOPE, f"email:{email}", window=window)
    assert isinstance(user, User)
    return user


def api_login(*, request: HttpRequest, email: str, password: str) -> tuple[TokenPair, User]:
    """A bearer token and a refresh token of a new family (this login)."""
    user = login_check(request=request, email=email, password=password)
    return token_pair_issue(user=user), user


def _bearer(request: HttpRequest) -> str | None:
    """The bearer token a request carries, if any."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return None


def api_logout(*, request: HttpRequest) -> None:
    """Revoke the bearer token the request used with its login's family (the refresh
    tokens and the access tokens they issued), or end its page session."""
    raw = _bearer(request)
    if raw is not None:
        token_revoke(raw=raw)
    else:
        logout(request)


def password_change(
    *, request: HttpRequest, actor: User, current_password: str, new_password: str
) -> User:
    """Change one's password: the current one is required (wrong guesses count as failed
    logins of the account, so a stolen token cannot try passwords), the new one passes
    Django's validators. Every other login of the user ends (their bearer and refresh
    tokens, their page sessions); the caller's own login (the bearer token used and its
    family, or the page session) stays."""
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    ident = f"email:{actor.email}"
    ratelimit.ensure_below(LOGIN_SCOPE, ident, limit=settings.LOGIN_FAILURE_LIMIT, window=window)
    if not actor.check_password(current_password):
        ratelimit.hit(LOGIN_SCOPE, ident, window=window)
        raise field_error(
            "current_password",
            _("Le mot de passe actuel est incorrect."),
            "wrong_password",
            headline=True,
        )
    _validate_new_password(new_password, user=actor, field="new_password")
    raw = _bearer(request)
    with transaction.atomic():
        actor.set_password(new_password)
        actor.save(update_fields=["password"])
        tokens.tokens_revoke_all(user=actor, keep_raw=raw)
    if raw is None and request.user.is_authenticated:
        update_session_auth_hash(request, actor)
    return actor


@transaction.atomic
def profile_update(
    *,
    actor: User,
    first_name: str | None = None,
    last_name: str | None = None,
    timezone: str | None = None,
    language: str | None = None,
    data_saver: bool | None = None,
) -> User:
    names_before = (actor.first_name, actor.last_name)
    if first_name is not None:
        actor.first_name = first_name.strip()
    if last_name is not None:
        actor.last_name = last_name.strip()
    if (actor.first_name, actor.last_name) != names_before:
        names_changed()
    if timezone is not None:
        actor.timezone = _validate_timezone(timezone)
    if language is not None:
        actor.language = _validate_language(language)
    if data_saver is not None:
        actor.data_saver = bool(data_saver)
    actor.save(update_fields=["first_name", "last_name", "timezone", "language", "data_saver"])
    return actor


def names_changed() -> None:
    """Users' shown names changed, or users went away: copies of lists that show them
    (campus.core.polls) are stale once this commits."""
    transaction.on_commit(lambda: polls.states_changed([selectors.NAMES_STATE]))


@transaction.atomic
def user_set_role(*, actor: User, user: User, role: str) -> User:
    if not actor.is_admin:
        raise Forbidden(_("Seul un administrateur peut attribuer un rôle."))
    if role not in Role.values:
        raise field_error("role", _("Rôle inconnu."), "invalid_role")
    user.role = role
    user.is_staff = role == Role.ADMIN or user.is_superuser
    user.save(update_fields=["role", "is_staff"])
    return user


def tokens_revoke_all(*, user: User) -> int:
    """Revoke every bearer and refresh token of a user (number of bearer tokens revoked)."""
    return tokens.tokens_revoke_all(user=user)


PASSWORD_RESET_SCOPE = "password-reset"  # noqa: S105 - a rate-limit scope name


def password_reset_request(*, request: HttpRequest | None, email: str) -> None:
    """Queue a reset link for an active account with a password. Says nothing about
    whether the address exists. Two limits per window (PASSWORD_RESET_WINDOW_SECONDS):
    per client address, every request counts, past PASSWORD_RESET_ADDRESS_LIMIT a 429
    (high: one address may be a whole campus); per account, at most
    PASSWORD_RESET_EMAIL_LIMIT emails, the rest silently dropped (one inbox is never
    flooded, whatever the addresses asking, and the answer never tells accounts apart)."""
    window = settings.PASSWORD_RESET_WINDOW_SECONDS
    ratelimit.limit_action(
        PASSWORD_RESET_SCOPE,
        ratelimit.client_address(request),
        limit=settings.PASSWORD_RESET_ADDRESS_LIMIT,
        window=window,
        message=_("Trop de demandes de réinitialisation depuis votre réseau. Réessayez plus tard."),
    )
    email = email.strip().lower()
    user = User.objects.filter(email=email, is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    sent = ratelimit.hit(PASSWORD_RESET_SCOPE, f"user:{user.pk}", window=window)
    if sent > settings.PASSWORD_RESET_EMAIL_LIMIT:
        return  # silently: the mailbox owner already has fresh links
    user_id = user.pk
    transaction.on_commit(lambda: send_password_reset_email.delay(user_id))
