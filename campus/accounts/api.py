from django.http import HttpRequest
from ninja import Router

from campus.accounts import services
from campus.accounts.auth import AuthedRequest
from campus.accounts.schemas import LoginIn, LoginOut, LogoutOut, UserOut
from campus.core.envelope import Envelope, ok

router = Router(tags=["auth"])


@router.post(
    "/auth/login", auth=None, response=Envelope(LoginOut), summary="Log in, get a bearer token"
)
def login(request: HttpRequest, payload: LoginIn) -> dict:
    pair, user = services.api_login(request=request, email=payload.email, password=payload.password)
    return ok(
        {"token": pair.token, "refreshToken": pair.refresh_token, "user": UserOut.from_orm(user)}
    )


@router.post(
    "/auth/logout",
    response=Envelope(LogoutOut),
    summary="Revoke the bearer token used and its login's refresh tokens",
)
def logout(request: HttpRequest) -> dict:
    services.api_logout(request=request)
    return ok({"logged_out": True})


@router.get("/auth/me", response=Envelope(UserOut), summary="The current user")
def me(request: AuthedRequest) -> dict:
    return ok(request.auth)
