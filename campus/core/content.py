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

The other faces of the same text: `render_inline` (inline Markdown only, for a quiz
question or answer inside its label), `excerpt`/`plain_text` (one plain line, for
summaries: catalogue cards, report excerpts, notices quoting a post) and
`plain_paragraphs` (plain text keeping lines, lists and code: emails' text part, calendar
descriptions, a notice quoting a whole message).
"""

import html
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

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


# The longest text Campus shows (a lesson's body, courses.models.BODY_MAX): the bound of
# the authoring preview (core.views.preview).
PREVIEW_MAX_CHARS = 200_000


def render_uncached(text: str) -> str:
    """`render` without the memo: for drafts (the authoring preview) that would only
    fill the cache."""
    if not text:
        return ""
    return sanitize(_md.render(text)).strip()


# The memo holds many short texts (posts, descriptions) and a few long ones (lessons, up
# to PREVIEW_MAX_CHARS each), so its memory stays bounded: about 16 MB + 13 MB at most.
SHORT_TEXT_CHARS = 4_000
_render_short = lru_cache(maxsize=4096)(render_uncached)
_render_long = lru_cache(maxsize=64)(render_uncached)


def render(text: str) -> str:
    """Markdown (raw HTML off) rendered then sanitized: safe to insert with |safe."""
    return _render_short(text) if len(text) <= SHORT_TEXT_CHARS else _render_long(text)


@lru_cache(maxsize=4096)
def render_inline(text: str) -> str:
    """Short texts shown inside a line (a quiz question in its <legend>, an answer next
    to its checkbox): inline Markdown only (`code`, **bold**, links), so "1." or "- a"
    stay text instead of becoming a list, and no block tag lands inside a label."""
    if not text:
        return ""
    return sanitize(_md.renderInline(text)).strip()


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


def _inline_plain(token: Token) -> str:
    """An inline token's words: text and code as typed, line breaks kept, a link's
    address after its text when the reader could not otherwise see it."""
    parts: list[str] = []
    href = ""
    start = 0
    for child in token.children or []:
        if child.type in {"text", "code_inline"}:
            parts.append(child.content)
        elif child.type in {"softbreak", "hardbreak"}:
            parts.append("\n")
        elif child.type == "link_open":
            href = str(child.attrGet("href") or "")
            start = len(parts)
        elif child.type == "link_close" and href:
            label = "".join(parts[start:])
            if href != label and href.split(":", 1)[0].lower() in ALLOWED_URL_SCHEMES:
                parts.append(f" ({href})")
            href = ""
    return "".join(parts)


@lru_cache(maxsize=1024)
def plain_paragraphs(text: str) -> str:
    """Markdown as a plain-text reader wants it (emails' text part, calendar event
    descriptions, notices): no syntax left, but paragraphs, list items ("•", "1."),
    quotes ("> ") and code lines (indentation intact) each keep their own lines."""
    if not text:
        return ""
    # (text, group): the blocks of one list or table (nested ones included) are one per
    # line, other blocks are paragraphs.
    blocks: list[tuple[str, int | None]] = []
    lists: list[int | None] = []  # the open lists: None (bullets) or the next number
    groups: list[int] = []
    marker = ""
    quote = 0
    row: list[str] | None = None
    tokens = _md.parse(text)

    def add(block: str) -> None:
        nonlocal marker
        indent = "  " * len(lists)
        lead = "> " * quote
        if marker:
            block = ("  " * (len(lists) - 1)) + marker + block.replace("\n", "\n" + indent)
            marker = ""
        elif lists:
            block = indent + block.replace("\n", "\n" + indent)
        if lead:
            block = lead + block.replace("\n", "\n" + lead)
        blocks.append((block, groups[0] if groups else None))

    for index, token in enumerate(tokens):
        kind = token.type
        if kind in {"bullet_list_open", "ordered_list_open", "table_open"}:
            groups.append(index)
            if kind == "bullet_list_open":
                lists.append(None)
            elif kind == "ordered_list_open":
                lists.append(int(token.attrGet("start") or 1))
        elif kind in {"bullet_list_close", "ordered_list_close", "table_close"}:
            groups.pop()
            if kind != "table_close":
                lists.pop()
        elif kind == "list_item_open":
            number = lists[-1]
            marker = "• " if number is None else f"{number}. "
            if number is not None:
                lists[-1] = number + 1
        elif kind == "blockquote_open":
            quote += 1
        elif kind == "blockquote_close":
            quote -= 1
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close" and row is not None:
            add(" | ".join(row))
            row = None
        elif kind == "inline":
            words = _inline_plain(token)
            if row is not None:
                row.append(words)
            else:
                add(words)
        elif kind in {"fence", "code_block"}:
            add(token.content.rstrip("\n"))
        elif kind == "hr":
            add("—" * 8)
    out = ""
    previous: int | None = None
    for position, (block, group) in enumerate(blocks):
        if position:
            out += "\n" if group is not None and group == previous else "\n\n"
        out += block
        previous = group
    return out.strip("\n")
