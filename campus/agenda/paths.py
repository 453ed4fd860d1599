"""Site paths for long lists without a `reverse()` per row.

`reverse()` walks the URL resolver for every call (about 15 µs); a calendar of a few
hundred events built two or three paths per event. `path_for` reverses a view once per
URLconf and script prefix with placeholder arguments and then only fills them in, so
it answers the very string `reverse()` would (SCRIPT_NAME prefix and quoting included)
for arguments that match the route's converters, as database slugs, ids and event keys
do. It does not re-check the converters: pass what `reverse()` would accept.
"""

import re
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import quote

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# What `reverse()` leaves unquoted (RFC 3986 pchar).
_SAFE = "!$&'()*+,;=" + "/~:@"
_PLAIN = re.compile(r"[A-Za-z0-9_.~!$&'()*+,;=/:@-]*\Z").match
# Digits pass every converter the routes use (int, slug, str); long enough never to be
# part of a route's literal text.
_PLACEHOLDER = 918_273_645_500


@lru_cache(maxsize=256)
def _template(
    viewname: str, names: tuple[str, ...], prefix: str, urlconf: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The reversed path cut around its arguments: (literal pieces, argument names in
    order); the pieces are one more than the names."""
    marks = {name: str(_PLACEHOLDER + i) for i, name in enumerate(names)}
    path = reverse(viewname, kwargs=marks)
    pieces: list[str] = []
    order: list[str] = []
    rest = path
    while True:
        found = [(rest.find(mark), name) for name, mark in marks.items() if mark in rest]
        if not found:
            break
        at, name = min(found)
        pieces.append(rest[:at])
        order.append(name)
        rest = rest[at + len(marks[name]) :]
    pieces.append(rest)
    if sorted(order) != sorted(names):
        raise ValueError(f"{viewname}: each argument must appear once in its path")
    return tuple(pieces), tuple(order)


def _text(value: object) -> str:
    if type(value) is int:
        return str(value)
    text = str(value)
    return text if _PLAIN(text) else quote(text, safe=_SAFE)


def template(viewname: str, *names: str) -> Callable[..., str]:
    """A function of the arguments `names` (positional, in that order) that answers
    `reverse(viewname, kwargs=dict(zip(names, args)))`. Take it once per list (it holds
    the current script prefix), call it per row."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    pieces, order = _template(viewname, tuple(sorted(names)), get_script_prefix(), urlconf)
    if len(order) == 1:
        head, tail = pieces

        def fill_one(value: object) -> str:
            return head + _text(value) + tail

        return fill_one
    index = [names.index(name) for name in order]

    def fill(*values: object) -> str:
        out = [pieces[0]]
        for i, piece in zip(index, pieces[1:], strict=True):
            out.append(_text(values[i]))
            out.append(piece)
        return "".join(out)

    return fill


def path_for(viewname: str, **kwargs: object) -> str:
    """`reverse(viewname, kwargs=kwargs)`, from a template cached per URLconf and prefix."""
    return template(viewname, *kwargs)(*kwargs.values())
