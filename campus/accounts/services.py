"""Every write about accounts: registration, login (throttled), profile, roles."""

import zoneinfo

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from campus.accounts.models import ApiToken, Language, Role, User
from campus.accounts.tokens import token_issue
from campus.core import ratelimit
from campus.core.errors import Conflict, Forbidden, NotAuthenticated, ValidationFailed

LOGIN_SCOPE = "login-failures"


def _field_error(field: str, message: object, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed(details=[{"field": field, "code": code, "message": str(message)}])


def _validate_timezone(name: str) -> str:
    if name not in zoneinfo.available_timezones():
        raise _field_error("timezone", _("Fuseau horaire inconnu."), "invalid_timezone")
    return name


def _validate_language(code: str) -> str:
    if code not in Language.values:
        raise _field_error("language", _("Langue non prise en charge."), "invalid_language")
    return code


@transaction.atomic
def user_register(
    *,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    language: str = Language.FR,
    timezone: str | None = None,
) -> User:
    """Self-registration always creates a student: roles are granted by an admin."""
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email=email).exists():
        raise Conflict(_("Un compte existe déjà avec cette adresse e-mail."), code="email_taken")
    candidate = User(email=email, first_name=first_name, last_name=last_name)
    try:
        validate_password(password, user=candidate)
    except DjangoValidationError as exc:
        raise ValidationFailed(
            details=[{"field": "password", "code": "weak_password", "message": m} for m in exc.messages]
        ) from exc
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email=email,
                password=password,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                role=Role.STUDENT,
                language=_validate_language(language),
                timezone=_validate_timezone(timezone or settings.DEFAULT_USER_TIME_ZONE),
            )
    except IntegrityError as exc:  # a concurrent registration with the same email won
        raise Conflict(_("Un compte existe déjà avec cette adresse e-mail."), code="email_taken") from exc


def client_ip(request: HttpRequest | None) -> str:
    if request is None:
        return "-"
    return str(request.META.get("REMOTE_ADDR", "-"))


def login_check(*, request: HttpRequest | None, email: str, password: str) -> User:
    """Authenticate, refusing (429) after repeated failures for this email or address."""
    email = email.strip().lower()
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    limit = settings.LOGIN_FAILURE_LIMIT
    ip = client_ip(request)
    ratelimit.ensure_below(LOGIN_SCOPE, f"email:{email}", limit=limit, window=window)
    ratelimit.ensure_below(LOGIN_SCOPE, f"ip:{ip}", limit=limit * 4, window=window)
    user = authenticate(request, username=email, password=password)
    if user is None:
        ratelimit.hit(LOGIN_SCOPE, f"email:{email}", window=window)
        ratelimit.hit(LOGIN_SCOPE, f"ip:{ip}", window=window)
        raise NotAuthenticated(_("E-mail ou mot de passe incorrect."), code="invalid_credentials")
    ratelimit.reset(LOGIN_SCOPE, f"email:{email}", window=window)
    assert isinstance(user, User)
    return user


def api_login(*, request: HttpRequest, email: str, password: str) -> tuple[str, User]:
    user = login_check(request=request, email=email, password=password)
    raw, _token = token_issue(user=user)
    return raw, user


@transaction.atomic
def profile_update(
    *,
    actor: User,
    first_name: str | None = None,
    last_name: str | None = None,
    timezone: str | None = None,
    language: str | None = None,
) -> User:
    if first_name is not None:
        actor.first_name = first_name.strip()
    if last_name is not None:
        actor.last_name = last_name.strip()
    if timezone is not None:
        actor.timezone = _validate_timezone(timezone)
    if language is not None:
        actor.language = _validate_language(language)
    actor.save(update_fields=["first_name", "last_name", "timezone", "language"])
    return actor


@transaction.atomic
def user_set_role(*, actor: User, user: User, role: str) -> User:
    if not actor.is_admin:
        raise Forbidden(_("Seul un administrateur peut attribuer un rôle."))
    if role not in Role.values:
        raise _field_error("role", _("Rôle inconnu."), "invalid_role")
    user.role = role
    user.is_staff = role == Role.ADMIN or user.is_superuser
    user.save(update_fields=["role", "is_staff"])
    return user


def tokens_revoke_all(*, user: User) -> int:
    from django.utils import timezone as dj_tz

    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=dj_tz.now())
