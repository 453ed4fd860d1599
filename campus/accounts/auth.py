"""API authentication: a bearer token or the session cookie (+CSRF), and an optional
variant for public endpoints that still want to know who is asking."""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from campus.accounts.models import User
from campus.accounts.tokens import token_is_expired, token_user
from campus.core.errors import NotAuthenticated


class AuthedRequest(HttpRequest):
    """The request a handler behind `default_auth` gets: `auth` is the logged-in user."""

    auth: User


class MaybeAuthedRequest(HttpRequest):
    """Behind `optional_auth`: the user, or AnonymousUser."""

    auth: User | AnonymousUser


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_user(token)
        if user is None:
            # A token was sent but is wrong, expired or revoked: say so, even on public
            # endpoints, rather than silently serving the anonymous view. An expired one
            # says so (details.reason), the refusal its refresh token can repair.
            if token_is_expired(token):
                raise NotAuthenticated(
                    _("Token expiré : rafraîchissez-le ou reconnectez-vous."),
                    code="invalid_token",
                    details={"reason": "token_expired"},
                )
            raise NotAuthenticated(code="invalid_token")
        request.user = user
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language
        return user


class SessionCookieAuth(APIKeyCookie):
    """The page session, with CSRF checked only when it actually authenticates someone:
    an anonymous request without a session gets 401, not a confusing CSRF 403."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        if check_csrf(request):
            raise HttpError(403, "CSRF check failed")
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if key and request.user.is_authenticated else None


class Anonymous:
    """Last resort of optional auth: lets the request through as AnonymousUser."""

    # Read by the OpenAPI builder (campus.core.openapi): such operations need no auth.
    allows_anonymous = True

    def __call__(self, request: HttpRequest) -> Any:
        return AnonymousUser()


default_auth = [BearerAuth(), SessionCookieAuth()]
optional_auth = [BearerAuth(), SessionCookieAuth(), Anonymous()]
