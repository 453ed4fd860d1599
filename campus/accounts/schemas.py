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


class LoginOut(Schema):
    token: str
    user: UserOut


class LogoutOut(Schema):
    logged_out: bool
