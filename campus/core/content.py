"""Every user- or instructor-written text that is shown: Markdown in, safe HTML out, and
plain-text excerpts for the places that show a summary (inbox, bell, emails' text part,
lists). One renderer for forum posts, lessons, quiz questions and choices, course and
session descriptions.

Two layers, each from a well-kept library (ARCHITECTURE.md: never hand-write either):

1. markdown-it-py, CommonMark preset with raw HTML OFF (`<script>` typed in a post is
   text, escaped), plus tables and strikethrough. Images are disabled: on the phones and
   paid data plans Campus is built for, a post must never make every reader download
   someone's 5 MB picture (or a tracking pixel) just by opening a thread. `![alt](url)`
   therefore shows as "!" followed by a plain link the reader may choose to open.
2. nh3 (ammonia) cleans the result against an allow-list of tags and attributes: only
   http, https and mailto URLs survive (no `javascript:`, `data:`, `vbscript:` ...), no
   event handler, no style, and every link gets rel="nofollow ugc noopener".

`render` is pure (text -> html), so its results are memoised per process: a thread read
by a hundred students renders each post once. Code blocks come out as `<pre><code>`, so
their whitespace (Python's indentation) is kept.
"""

import html
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "hr",
        "strong",
        "em",
        "s",
        "del",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "a",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"

_md = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .enable(["table", "strikethrough"])
    .disable("image")
)


def sanitize(html: str) -> str:
    """The allow-list pass alone (for HTML that did not come from `render`)."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


@lru_cache(maxsize=4096)
def render(text: str) -> str:
    """Markdown (raw HTML off) rendered then sanitized: safe to insert with |safe."""
    if not text:
        return ""
    return sanitize(_md.render(text)).strip()


_WHITESPACE = re.compile(r"\s+")


@lru_cache(maxsize=4096)
def plain_text(text: str) -> str:
    """The words a reader sees, without Markdown syntax or tags, on one line."""
    if not text:
        return ""
    stripped = nh3.clean(_md.render(text), tags=set(), strip_comments=True)
    return _WHITESPACE.sub(" ", html.unescape(stripped)).strip()


def excerpt(text: str, max_chars: int = 160) -> str:
    """A plain-text summary of at most `max_chars` characters, cut at a word with "…"."""
    words = plain_text(text)
    if len(words) <= max_chars:
        return words
    cut = words[: max_chars - 1]
    if " " in cut[max_chars // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.") + "…"
