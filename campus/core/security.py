"""The pages' browser policies, in one place (docs/configuration.md, "Content-Security-Policy").

- Content-Security-Policy: settings.CONTENT_SECURITY_POLICY (django-csp) is the policy of
  every page: scripts, styles, images and frames from this site only, scripts also by
  nonce. JSON answers get `API_POLICY` instead: they are never documents.
- Permissions-Policy: camera, microphone, screen capture nowhere; fullscreen and
  autoplay for this site.
- A page that embeds a third party (the live room embeds Jitsi Meet) says so with
  `@embeds(origins)`: for that page only, those origins may serve scripts and frames and
  receive camera, microphone, screen capture, fullscreen and autoplay.
"""

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any

from csp.constants import NONE
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

# A JSON answer opened in a browser may run and load nothing, nor be framed.
API_POLICY = {"default-src": [NONE], "frame-ancestors": [NONE]}
# The same, as a header, for what answers before the policy middleware runs (a polled
# fragment served by campus.core.polls: swapped into a page, never a document itself).
FRAGMENT_POLICY_HEADER = "; ".join(
    f"{directive} {' '.join(values)}" for directive, values in API_POLICY.items()
)

# What an embedded conference needs (the iframe's `allow` asks for the same), granted
# only to the embedded origins: this site itself never films, listens or shares a screen.
EMBED_ONLY_FEATURES = ("camera", "microphone", "display-capture")
SELF_AND_EMBED_FEATURES = ("fullscreen", "autoplay")
# Powerful features no page uses: denied to the page and to any frame. (Not hid: recent
# Jitsi versions ask for it in their iframe, for headset buttons.)
DENIED_FEATURES = (
    "accelerometer",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "midi",
    "payment",
    "serial",
    "usb",
)

# The response attribute that carries a page's embedded origins to the middlewares.
EMBED_ORIGINS_ATTR = "campus_embed_origins"


def permissions_policy(embed_origins: Sequence[str] = ()) -> str:
    """`camera=("https://meet.example")`, `fullscreen=(self …)`, `usb=()`: the header's value."""
    embedded = [f'"{origin}"' for origin in embed_origins]
    rules = [f"{feature}=({' '.join(embedded)})" for feature in EMBED_ONLY_FEATURES]
    rules += [f"{feature}=({' '.join(['self', *embedded])})" for feature in SELF_AND_EMBED_FEATURES]
    rules += [f"{feature}=()" for feature in DENIED_FEATURES]
    return ", ".join(rules)


def embed_origins_of(response: HttpResponseBase) -> tuple[str, ...]:
    return tuple(getattr(response, EMBED_ORIGINS_ATTR, ()))


def embeds(
    origins: Callable[[], Sequence[str]],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """View decorator: this page embeds `origins()` (read per request, from settings)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            allowed = tuple(dict.fromkeys(origins()))
            setattr(response, EMBED_ORIGINS_ATTR, allowed)
            # django-csp adds these sources to the settings' policy for this response
            # (what its @csp_update decorator sets, computed here per request).
            response._csp_update = {"script-src": list(allowed), "frame-src": list(allowed)}  # type: ignore[attr-defined]
            return response

        return wrapped

    return decorator
