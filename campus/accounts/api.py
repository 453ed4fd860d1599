from django.http import HttpRequest
from ninja import Router

from campus.accounts import services
from campus.accounts.schemas import LoginIn, LoginOut, LogoutOut, UserOut
from campus.accounts.tokens import token_revoke
from campus.core.envelope import Envelope, ok

router = Router(tags=["auth"])


@router.post("/auth/login", auth=None, response=Envelope(LoginOut), summary="Log in, get a bearer token")
def login(request: HttpRequest, payload: LoginIn) -> dict:
    raw, user = services.api_login(request=request, email=payload.email, password=payload.password)
    return ok({"token": raw, "user": UserOut.from_orm(user)})


@router.post("/auth/logout", response=Envelope(LogoutOut), summary="Revoke the bearer token used")
def logout(request: HttpRequest) -> dict:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        token_revoke(raw=header[7:].strip())
    else:
        from django.contrib.auth import logout as session_logout

        session_logout(request)
    return ok({"logged_out": True})


@router.get("/auth/me", response=Envelope(UserOut), summary="The current user")
def me(request: HttpRequest) -> dict:
    return ok(request.auth)
