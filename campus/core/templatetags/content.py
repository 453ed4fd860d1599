"""`{% load content %}`: `{{ lesson.content|markdown }}` (safe HTML, in a `.prose`
container), `{{ choice|markdown_inline }}` (inline Markdown only, for a label or a
legend) and `{{ notice.body|excerpt:120 }}` (plain text, for summaries)."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from campus.core import content

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str | None) -> SafeString:
    # render() returns sanitized HTML (nh3 allow-list), so marking it safe is sound.
    return mark_safe(content.render(text or ""))  # noqa: S308


@register.filter(name="markdown_inline")
def markdown_inline_filter(text: str | None) -> SafeString:
    # render_inline() output is sanitized by the same allow-list.
    return mark_safe(content.render_inline(text or ""))  # noqa: S308


@register.filter(name="excerpt")
def excerpt_filter(text: str | None, max_chars: int = 160) -> str:
    return content.excerpt(text or "", int(max_chars))
