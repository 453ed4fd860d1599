from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    return {"SITE_URL": settings.SITE_URL, "SITE_NAME": "Campus"}
