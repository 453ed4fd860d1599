from django.http import HttpRequest
from ninja import Router, Schema

from campus.core.envelope import Envelope, ok

router = Router(tags=["core"])


class PingOut(Schema):
    pong: bool
    user_id: int


@router.get("/ping", response=Envelope(PingOut), summary="Trivial authenticated JSON (bench floor)")
def ping(request: HttpRequest) -> dict:
    return ok({"pong": True, "user_id": request.auth.pk})  # type: ignore[attr-defined]
