"""`{% load content %}`: `{{ lesson.content|markdown }}` (safe HTML) and
`{{ notice.body|excerpt:120 }}` (plain text, for summaries)."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from campus.core import content

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str | None) -> SafeString:
    # render() returns sanitized HTML (nh3 allow-list), so marking it safe is sound.
    return mark_safe(content.render(text or ""))  # noqa: S308


@register.filter(name="excerpt")
def excerpt_filter(text: str | None, max_chars: int = 160) -> str:
    return content.excerpt(text or "", int(max_chars))
