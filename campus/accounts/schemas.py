from typing import Any

from ninja import Field, Schema


class LoginIn(Schema):
    email: str = Field(..., min_length=3, max_length=254)
    password: str = Field(..., min_length=1, max_length=128)


class UserOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    full_name: str
    role: str
    timezone: str
    language: str
    data_saver: bool
    # The same names again as the MdSC frontend reads them (docs/mdsc-frontend.md).
    firstName: str
    lastName: str

    @staticmethod
    def resolve_firstName(obj: Any) -> str:
        return str(_get(obj, "first_name"))

    @staticmethod
    def resolve_lastName(obj: Any) -> str:
        return str(_get(obj, "last_name"))


def _get(obj: Any, name: str) -> Any:
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


class LoginOut(Schema):
    token: str
    # The refresh token of this login, for POST /api/auth/refresh-token.
    refreshToken: str
    user: UserOut


class LogoutOut(Schema):
    logged_out: bool
