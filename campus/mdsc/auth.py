"""MdSC frontend contract: auth (users/me, refresh tokens, register, password).

The login, logout and current-user routes are Campus's own (campus/accounts/api.py:
their answers carry the frontend's `refreshToken`, `firstName`, `lastName` too). Here,
the calls Campus had no route for, each a thin face over campus.accounts.services.

What the frontend does with an expired bearer token: Campus answers 401 (code
`invalid_token`, details.reason `token_expired`, message "Token expiré : …"), the
standard answer the seeds' clients rely on; the frontend's api.ts refreshes only on a
403 "Token expiré" and logs out on any 401, so with Campus it logs out and the person
logs in again. The refresh route works for a client that calls it (authService's
refreshToken / handleTokenExpiration). Refresh tokens rotate: the answer carries the
new one, which the client must keep (the old one is spent; presenting it again revokes
the whole login).
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja import Status as NinjaStatus

from campus.accounts import services
from campus.accounts.auth import AuthedRequest
from campus.accounts.models import Language, User
from campus.accounts.schemas import UserOut
from campus.accounts.tokens import token_refresh
from campus.core.envelope import Envelope, ok
from campus.core.errors import Conflict
from campus.core.validation import field_error

router = Router(tags=["MdSC frontend"])

NAME_MAX = 150  # User.first_name / last_name
PASSWORD_MAX = 128
EMAIL_MAX = 254
TOKEN_MAX = 200


# --- schemas ---------------------------------------------------------------------------


class MdscProfileOut(UserOut):
    """Campus's user, plus the other profile fields the frontend's pages read."""

    fullName: str
    isActive: bool
    createdAt: datetime
    lastLoginAt: datetime | None

    @staticmethod
    def resolve_fullName(obj: User) -> str:
        return obj.full_name

    @staticmethod
    def resolve_isActive(obj: User) -> bool:
        return obj.is_active

    @staticmethod
    def resolve_createdAt(obj: User) -> datetime:
        return obj.date_joined

    @staticmethod
    def resolve_lastLoginAt(obj: User) -> datetime | None:
        return obj.last_login


class MdscProfileIn(Schema):
    """PUT /users/me. Both spellings of the names; anything else the frontend sends
    (phone, organization, country, bio, role, ...) is not part of a Campus profile and
    is ignored. The email cannot change here."""

    firstName: str | None = Field(None, max_length=NAME_MAX)
    lastName: str | None = Field(None, max_length=NAME_MAX)
    first_name: str | None = Field(None, max_length=NAME_MAX)
    last_name: str | None = Field(None, max_length=NAME_MAX)
    timezone: str | None = Field(None, max_length=64)
    language: str | None = Field(None, max_length=8)
    data_saver: bool | None = None
    email: str | None = Field(None, max_length=EMAIL_MAX)


class MdscRefreshIn(Schema):
    refreshToken: str | None = Field(None, max_length=TOKEN_MAX)
    refresh_token: str | None = Field(None, max_length=TOKEN_MAX)


class MdscRefreshOut(Schema):
    token: str
    refreshToken: str  # the new one: the one sent is spent


class MdscRegisterIn(Schema):
    """POST /auth/register. A `role` (or npi, phone, organization, country,
    acceptTerms) sent by the frontend is ignored: registration creates a student."""

    email: str = Field(..., min_length=3, max_length=EMAIL_MAX)
    password: str = Field(..., min_length=1, max_length=PASSWORD_MAX)
    firstName: str | None = Field(None, max_length=NAME_MAX)
    lastName: str | None = Field(None, max_length=NAME_MAX)
    first_name: str | None = Field(None, max_length=NAME_MAX)
    last_name: str | None = Field(None, max_length=NAME_MAX)
    language: str | None = Field(None, max_length=8)
    timezone: str | None = Field(None, max_length=64)


class MdscRegisterOut(Schema):
    user: MdscProfileOut


class MdscRegisterEnvelope(Schema):
    success: Literal[True]
    message: str
    data: MdscRegisterOut


class MdscForgotPasswordIn(Schema):
    email: str = Field(..., min_length=1, max_length=EMAIL_MAX)


class MdscPasswordChangeIn(Schema):
    currentPassword: str | None = Field(None, max_length=PASSWORD_MAX)
    newPassword: str | None = Field(None, max_length=PASSWORD_MAX)
    current_password: str | None = Field(None, max_length=PASSWORD_MAX)
    new_password: str | None = Field(None, max_length=PASSWORD_MAX)


class MdscMessageOut(Schema):
    message: str


class MdscMessageEnvelope(Schema):
    success: Literal[True]
    message: str
    data: MdscMessageOut


def _message(text: str) -> dict[str, Any]:
    return {"success": True, "message": text, "data": {"message": text}}


def _required(value: str | None, field: str) -> str:
    if not value:
        raise field_error(field, _("Ce champ est obligatoire."), "missing")
    return value


# --- routes ----------------------------------------------------------------------------


@router.get("/users/me", response=Envelope(MdscProfileOut), summary="MdSC: the current user")
def profile(request: AuthedRequest) -> dict:
    return ok(request.auth)


@router.put("/users/me", response=Envelope(MdscProfileOut), summary="MdSC: update the current user")
def profile_update(request: AuthedRequest, payload: MdscProfileIn) -> dict:
    user = request.auth
    if payload.email and payload.email.strip().lower() != user.email:
        raise field_error(
            "email",
            _("L'adresse e-mail ne peut pas être modifiée depuis le profil."),
            "email_change_refused",
            headline=True,
        )
    updated = services.profile_update(
        actor=user,
        first_name=payload.firstName if payload.firstName is not None else payload.first_name,
        last_name=payload.lastName if payload.lastName is not None else payload.last_name,
        timezone=payload.timezone,
        language=payload.language,
        data_saver=payload.data_saver,
    )
    return ok(updated)


@router.post(
    "/auth/refresh-token",
    auth=None,
    response=Envelope(MdscRefreshOut),
    summary="MdSC: spend a refresh token for a new bearer token and refresh token",
)
def refresh_token(request: HttpRequest, payload: MdscRefreshIn) -> dict:
    raw = _required(payload.refreshToken or payload.refresh_token, "refreshToken")
    pair, _user = token_refresh(raw=raw)
    return ok({"token": pair.token, "refreshToken": pair.refresh_token})


@router.post(
    "/auth/register",
    auth=None,
    response={201: MdscRegisterEnvelope},
    summary="MdSC: create a student account",
)
def register(request: HttpRequest, payload: MdscRegisterIn) -> NinjaStatus:
    first_name = payload.firstName if payload.firstName is not None else payload.first_name
    last_name = payload.lastName if payload.lastName is not None else payload.last_name
    try:
        user = services.user_register(
            email=payload.email,
            password=payload.password,
            first_name=first_name or "",
            last_name=last_name or "",
            language=payload.language or translation.get_language() or Language.FR,
            timezone=payload.timezone,
            request=request,
        )
    except Conflict as exc:
        # A public operation answers no 409 (campus/core/openapi.py); the frontend shows
        # a field error under the field it names.
        raise field_error("email", exc.message, exc.code, headline=True) from exc
    return NinjaStatus(
        201,
        {
            "success": True,
            "message": _("Votre compte est créé. Vous pouvez vous connecter."),
            "data": {"user": user},
        },
    )


@router.post(
    "/auth/forgot-password",
    auth=None,
    response=MdscMessageEnvelope,
    summary="MdSC: ask for a password reset link (same answer whether or not the address exists)",
)
def forgot_password(request: HttpRequest, payload: MdscForgotPasswordIn) -> dict:
    services.password_reset_request(request=request, email=payload.email)
    return _message(
        _(
            "Si un compte existe avec cette adresse, un e-mail de réinitialisation vient "
            "d'être envoyé."
        )
    )


def _password_change(request: AuthedRequest, payload: MdscPasswordChangeIn) -> dict:
    services.password_change(
        request=request,
        actor=request.auth,
        current_password=_required(
            payload.currentPassword or payload.current_password, "current_password"
        ),
        new_password=_required(payload.newPassword or payload.new_password, "new_password"),
    )
    return _message(_("Mot de passe modifié. Vos autres connexions sont fermées."))


@router.put(
    "/auth/change-password",
    response=MdscMessageEnvelope,
    summary="MdSC: change one's password (other logins end; this one stays)",
)
def change_password(request: AuthedRequest, payload: MdscPasswordChangeIn) -> dict:
    return _password_change(request, payload)


@router.post(
    "/auth/change-password",
    response=MdscMessageEnvelope,
    summary="MdSC: change one's password (POST spelling)",
)
def change_password_post(request: AuthedRequest, payload: MdscPasswordChangeIn) -> dict:
    return _password_change(request, payload)


# Statuses no rule of campus/core/openapi.py can see (429 where a limit is checked, ...),
# by operation function, merged into the API's EXTRA_ERROR_STATUSES.
extra_error_statuses: dict[Callable[..., Any], set[int]] = {
    refresh_token: {401},
    register: {429},
    forgot_password: {429},
    change_password: {429},
    change_password_post: {429},
}
