"""markdown.render: Markdown with raw HTML off, then nh3's allow-list. Nothing a post
contains can run script, load a resource or leave the allowed URL schemes."""

from html.parser import HTMLParser

import pytest

from campus.core.content import ALLOWED_TAGS, excerpt, plain_paragraphs, render, render_inline

PAYLOADS = [
    "<script>window.__xss=1</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    '<a href="javascript:alert(1)">x</a>',
    "[clic](javascript:alert(1))",
    "[clic](JaVaScRiPt:alert(1))",
    "[clic](javascript&#58;alert(1))",
    "[clic](vbscript:msgbox(1))",
    "[clic](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](javascript:alert(1))",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<body onload=alert(1)>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    '<form action="javascript:alert(1)"><button>x</button></form>',
    "<object data=javascript:alert(1)></object>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<<script>script>alert(1)<</script>/script>",
    "<details open ontoggle=alert(1)>",
    "[a](<javascript:alert(1)>)",
    '[a](https://ok.example "t" onclick="alert(1)")',
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "<style>*{background:red}</style>",
    "<!-- <script>alert(1)</script> -->",
    "<base href=javascript:alert(1)//>",
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "[x](file:///etc/passwd)",
]


class _Elements(HTMLParser):
    """Every element and attribute the browser would build from the output."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.found


def assert_safe(html: str) -> None:
    for tag, attrs in elements(html):
        assert tag in ALLOWED_TAGS, (tag, html)
        for name, value in attrs.items():
            assert not name.startswith("on"), (name, html)
            assert name in {"href", "title", "rel", "start"}, (name, html)
            if name == "href":
                assert (value or "").split(":", 1)[0].lower() in {"http", "https", "mailto"}, html
        if tag == "a" and "href" in attrs:
            assert attrs.get("rel") == "nofollow ugc noopener", html


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_are_neutralised(payload: str) -> None:
    assert_safe(render(payload))


def test_raw_html_is_text_not_markup() -> None:
    html = render("<b>gras</b> et <script>alert(1)</script>")
    assert "<b>" not in html and "<script" not in html
    assert "&lt;script&gt;" in html


def test_links_get_rel_and_keep_safe_schemes() -> None:
    html = render("[site](https://example.org) [mail](mailto:a@example.org) [h](http://x.org)")
    assert html.count('rel="nofollow ugc noopener"') == 3
    assert 'href="https://example.org"' in html
    assert 'href="mailto:a@example.org"' in html


def test_javascript_link_loses_its_href() -> None:
    html = render("[clic](javascript:alert(1))")
    assert "href" not in html or "javascript" not in html


def test_images_are_off() -> None:
    html = render("![chat](https://example.org/chat.jpg)")
    assert "<img" not in html
    assert 'href="https://example.org/chat.jpg"' in html  # a link the reader may open


def test_markdown_features() -> None:
    html = render("# Titre\n\n**gras** *it* ~~barré~~ `code`\n\n- a\n- b\n\n|a|b|\n|-|-|\n|1|2|")
    for tag in ("<h1>", "<strong>", "<em>", "<s>", "<code>", "<ul>", "<li>", "<table>", "<td>"):
        assert tag in html, tag


def test_code_blocks_escape_their_content() -> None:
    html = render("```\n<script>alert(1)</script>\n```")
    assert "<pre><code>&lt;script&gt;" in html


def test_empty() -> None:
    assert render("") == ""


# --- render_inline: short texts inside a line (quiz questions and answers) -------------


def test_inline_keeps_code_and_bold_but_no_block() -> None:
    html = render_inline('Que vaut `len("Bénin")` ? **deux** réponses')
    assert html == 'Que vaut <code>len("Bénin")</code> ? <strong>deux</strong> réponses'


def test_inline_does_not_turn_a_number_or_a_dash_into_a_list() -> None:
    assert render_inline("1. Cotonou") == "1. Cotonou"
    assert render_inline("- moins") == "- moins"
    assert render_inline("# pas un titre") == "# pas un titre"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_inline_payloads_are_neutralised(payload: str) -> None:
    assert_safe(render_inline(payload))


# --- excerpt and plain text: summaries without Markdown syntax ------------------------


def test_excerpt_strips_markdown_syntax() -> None:
    text = (
        "## Titre\n\nUn texte **gras**, *italique*, ~~barré~~ et `code`, [un lien](https://x.org)."
    )
    assert excerpt(text) == "Titre Un texte gras, italique, barré et code, un lien."


def test_excerpt_unescapes_entities_once() -> None:
    assert excerpt("Tom &amp; Jerry &lt;b&gt; 3 < 4 & 5") == "Tom & Jerry <b> 3 < 4 & 5"


def test_excerpt_of_a_code_block_is_its_words_on_one_line() -> None:
    text = 'Exemple :\n\n```python\nif note >= 16:\n    print("Très bien")\n```'
    assert excerpt(text) == 'Exemple : if note >= 16: print("Très bien")'


def test_excerpt_cuts_at_a_word_with_an_ellipsis() -> None:
    text = "Python est un langage **lisible**, gratuit et utilisé partout dans le monde."
    short = excerpt(text, 40)
    assert len(short) <= 40
    assert short.endswith("…")
    assert short == "Python est un langage lisible, gratuit…"
    words = short[:-1].split()
    assert all(word in text.replace("**", "") for word in words)


def test_excerpt_of_a_word_longer_than_the_bound_is_cut_inside_it() -> None:
    assert excerpt("a" * 50, 10) == "a" * 9 + "…"


def test_excerpt_short_text_is_unchanged_and_empty_stays_empty() -> None:
    assert excerpt("Bonjour") == "Bonjour"
    assert excerpt("") == ""


def test_excerpt_of_a_script_payload_is_text() -> None:
    assert excerpt("<script>alert(1)</script> **ok**") == "<script>alert(1)</script> ok"


def test_plain_paragraphs_keep_lines_lists_and_code_indentation() -> None:
    text = (
        "## Décider\n\nBonjour **à tous**, voir [le site](https://ex.org).\n\n"
        "- un `code`\n- deux\n\n1. a\n2. b\n\n> citation\n\n"
        '```python\nif note >= 16:\n    print("Très bien")\n```'
    )
    assert plain_paragraphs(text) == (
        "Décider\n\nBonjour à tous, voir le site (https://ex.org).\n\n"
        "• un code\n• deux\n\n1. a\n2. b\n\n> citation\n\n"
        'if note >= 16:\n    print("Très bien")'
    )


def test_plain_paragraphs_show_a_link_address_once() -> None:
    assert plain_paragraphs("<https://ex.org>") == "https://ex.org"
    assert plain_paragraphs("[doc](mailto:a@ex.org)") == "doc (mailto:a@ex.org)"
    # Not a link for the renderer either: the words as typed, no address added.
    assert plain_paragraphs("[clic](javascript:alert(1))") == "[clic](javascript:alert(1))"


def test_plain_paragraphs_of_empty_is_empty() -> None:
    assert plain_paragraphs("") == ""
