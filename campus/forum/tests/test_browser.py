"""The forum in headless Chromium.

(a) XSS: more than 50 payloads posted as topic titles, topic contents and replies are
    rendered in the real pages; a `window.__xss` probe stays unset, no dialog opens, and
    no post carries a script URL, an event handler or an htmx attribute.
(b) A discussion end to end: a student opens the forum and starts a topic (after an
    error), another member answers (nested), votes, the author marks the solution, the
    owner pins and locks; screenshots at desktop and phone widths.
"""

from collections.abc import Callable
from typing import Any

import pytest

from campus.accounts.models import Role, User
from campus.courses import services as course_services
from campus.courses.models import Course
from campus.forum import services
from campus.forum.models import Reply, Topic, Vote
from campus.forum.tests.helpers import make_reply, make_topic
from conftest import PASSWORD, browser_login, screenshot_sizes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

P = "window.__xss=1"
B64 = "PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg=="  # <script>window.__xss=1</script>

XSS_PAYLOADS = [
    f"<script>{P}</script>",
    f"<SCRIPT>{P}</SCRIPT>",
    f"<script src=data:text/javascript,{P}></script>",
    f'<img src=x onerror="{P}">',
    f"<img src=x onerror={P}>",
    '<img src="x" onerror="&#119;indow.__xss=1">',
    f"<img src=x:y onerror=eval(alt) alt='{P}'>",
    f'<svg onload="{P}">',
    f"<svg><script>{P}</script></svg>",
    f"<svg><animate onbegin={P} attributeName=x dur=1s>",
    f'<svg><a xlink:href="javascript:{P}"><text x=20 y=20>x</text></a></svg>',
    f"[clic](javascript:{P})",
    f"[clic](JaVaScRiPt:{P})",
    f"[clic]( javascript:{P})",
    f"[clic](&#106;avascript:{P})",
    f"[clic](javascript&colon;{P})",
    f"[clic](vbscript:{P})",
    f"[clic](data:text/html,<script>{P}</script>)",
    f"[clic](data:text/html;base64,{B64})",
    f'[clic](https://exemple.org/"onmouseover="{P}")',
    f"[<img src=x onerror={P}>](https://exemple.org)",
    f"![image](javascript:{P})",
    f'![image](x" onerror="{P})',
    f"<javascript:{P}>",
    f'<https://exemple.org" onmouseover="{P}>',
    f"https://exemple.org/<script>{P}</script>",
    f'<a href=" javascript:{P}">lien</a>',
    f'<a href="javascript:{P}">lien</a>',
    f'<a href="&#106;avascript:{P}">lien</a>',
    f'<a href="data:text/html;base64,{B64}">lien</a>',
    f'<iframe src="javascript:{P}"></iframe>',
    '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
    f'<object data="javascript:{P}"></object>',
    f'<embed src="javascript:{P}">',
    f'<div style="background:url(javascript:{P})">style</div>',
    f'<div style="width:expression({P})">expression</div>',
    f"<style>@import 'javascript:{P}';</style>",
    f"<body onload={P}>",
    f"<details open ontoggle={P}>",
    f"<input autofocus onfocus={P}>",
    f"<select autofocus onfocus={P}></select>",
    f"<textarea autofocus onfocus={P}></textarea>",
    f"<video><source onerror={P}></video>",
    f"<audio src=x onerror={P}>",
    f"<marquee onstart={P}>x</marquee>",
    f'<form action="javascript:{P}"><button>envoyer</button></form>',
    f'<meta http-equiv="refresh" content="0;url=javascript:{P}">',
    f'<base href="javascript:{P}//">',
    f'<table background="javascript:{P}"><tr><td>x</td></tr></table>',
    f'"><script>{P}</script>',
    f"'><img src=x onerror={P}>",
    f"</textarea><script>{P}</script>",
    f"</title><script>{P}</script>",
    f"<scr<script>ipt>{P}</script>",
    f"<<script>script>{P}<</script>/script>",
    f'<!--<img src="--><img src=x onerror={P}//">',
    f'<noscript><p title="</noscript><img src=x onerror={P}>">',
    f"<math><mtext><table><mglyph><style><img src=x onerror={P}>",
    f"<template><script>{P}</script></template>",
    f'<div hx-get="/" hx-trigger="load" hx-on::after-request="{P}">htmx</div>',
    f'<a hx-on:click="{P}" hx-trigger="load" hx-get="/">htmx</a>',
    f"`<script>{P}</script>`",
    f"```html\n<script>{P}</script>\n```",
    f"> <img src=x onerror={P}>",
    f"| a | b |\n|---|---|\n| <img src=x onerror={P}> | [x](javascript:{P}) |",
    "jaVasCript:/*-/*`/*\\`/*'/*\"/**/(/* */oNcliCk=window.__xss=1 )//%0D%0A%0d%0a//"
    "</stYle/</titLe/</teXtarEa/</scRipt/--!>\\x3csVg/<sVg/oNloAd=window.__xss=1//>\\x3e",
    f"\"'><svg/onload={P}>",
    f"&lt;script&gt;{P}&lt;/script&gt;",
    f"&#60;script&#62;{P}&#60;/script&#62;",
    f"\\u003cscript\\u003e{P}\\u003c/script\\u003e",
    "{{ 7|add:7 }} {% now 'Y' %} ${7*7} <%= 7*7 %>",
]

# Every post on every page: no script URL, no event handler, no htmx attribute, no
# element outside the Markdown allow-list.
POST_CHECK = """() => {
  const bad = [];
  const allowed = new Set(["P","BR","HR","STRONG","EM","S","DEL","CODE","PRE","BLOCKQUOTE",
    "UL","OL","LI","H1","H2","H3","H4","H5","H6","A","TABLE","THEAD","TBODY","TR","TH","TD"]);
  for (const body of document.querySelectorAll(".post-body")) {
    for (const el of body.querySelectorAll("*")) {
      if (!allowed.has(el.tagName)) bad.push("tag " + el.tagName);
      for (const attr of el.attributes) {
        const name = attr.name.toLowerCase();
        if (name.startsWith("on") || name.startsWith("hx-") || name.startsWith("data-")
            || name === "style" || name === "src") bad.push("attr " + name);
      }
      if (el.tagName === "A" && el.hasAttribute("href")) {
        const protocol = new URL(el.getAttribute("href"), location.href).protocol;
        if (!["http:", "https:", "mailto:"].includes(protocol)) bad.push("href " + protocol);
      }
    }
  }
  return bad;
}"""


@pytest.fixture
def student2(user_factory: Callable[..., User], course: Course) -> User:
    user = user_factory(Role.STUDENT, first_name="Aminata", last_name="Diallo")
    course_services.enrollment_create(actor=user, course=course)
    return user


@pytest.fixture(autouse=True)
def unlimited(monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "POST_LIMIT", 10_000)


def _watch(page: Any) -> list[str]:
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return dialogs


def _assert_clean(page: Any, dialogs: list[str], where: str) -> None:
    page.wait_for_timeout(50)  # let onload/onerror/htmx "load" triggers run
    assert page.evaluate("() => window.__xss") is None, where
    assert dialogs == [], where
    assert page.evaluate(POST_CHECK) == [], where


def test_xss_payloads_execute_nothing(
    live_server: Any,
    browser_page: Any,
    member: User,
    student2: User,
    owner: User,
    course: Course,
) -> None:
    assert len(XSS_PAYLOADS) >= 50
    topics = []
    for i, payload in enumerate(XSS_PAYLOADS):
        title = " ".join(payload.split())[:200] or f"Sujet {i}"
        topics.append(make_topic(member, course, title=title, content=payload))
    # Replies: the payloads again, nested (a chain under the first topic's replies) and
    # one under each topic so every topic page renders a reply.
    host = topics[0]
    parent: Reply | None = None
    for i, payload in enumerate(XSS_PAYLOADS):
        parent = make_reply(
            student2 if i % 2 else owner,
            host,
            payload,
            parent_id=parent.pk if parent is not None and i % 5 else None,
        )
    for topic, payload in zip(topics[1:], reversed(XSS_PAYLOADS), strict=False):
        make_reply(student2, topic, payload)

    page = browser_page
    dialogs = _watch(page)
    browser_login(page, live_server.url, member.email, PASSWORD)
    base = f"{live_server.url}/courses/{course.slug}/forum"
    pages = 0
    page.goto(base)
    while True:  # every page of the list
        _assert_clean(page, dialogs, page.url)
        pages += 1
        following = page.locator("a[rel=next]")
        if following.count() == 0:
            break
        following.click()
        page.wait_for_load_state()
    assert pages == -(-len(XSS_PAYLOADS) // 20)
    page.goto(f"{base}?q=script")
    _assert_clean(page, dialogs, "search")
    for topic in Topic.objects.filter(forum__course=course).order_by("pk"):
        page.goto(f"{base}/{topic.pk}")
        _assert_clean(page, dialogs, f"topic {topic.pk}")
    # The htmx paths too: a reply form loaded and a reply posted with a payload.
    page.goto(f"{base}/{host.pk}")
    page.locator("#children-root > li .post-actions a", has_text="Répondre").first.click()
    page.locator(".reply-slot textarea").first.fill(XSS_PAYLOADS[3])
    page.locator(".reply-slot form button[type=submit]").first.click()
    page.wait_for_timeout(300)
    _assert_clean(page, dialogs, "htmx reply")
    page.goto(f"{live_server.url}/dashboard/student/forum")
    _assert_clean(page, dialogs, "index")
    # The moderator's view (hidden posts shown to them) is as clean.
    owner_page = page.context.browser.new_context(locale="fr-FR").new_page()
    owner_dialogs = _watch(owner_page)
    browser_login(owner_page, live_server.url, owner.email, PASSWORD)
    owner_page.goto(f"{base}/{host.pk}")
    _assert_clean(owner_page, owner_dialogs, "owner topic")
    owner_page.context.close()


def test_a_discussion_end_to_end_with_screenshots(
    live_server: Any,
    new_browser_page: Callable[[], Any],
    member: User,
    student2: User,
    owner: User,
    course: Course,
) -> None:
    # Some history so the list is not empty.
    for title in ("Installer Python sur Windows", "Exercice 3 : la boucle while"):
        old = make_topic(student2, course, title=title, content="Je bloque, une idée ?")
        make_reply(owner, old, "Regardez la leçon 1.2.")
    base = f"{live_server.url}/courses/{course.slug}/forum"

    # 1. The student opens the forum from the index and starts a topic (one error first).
    koffi = new_browser_page()
    browser_login(koffi, live_server.url, member.email, PASSWORD)
    koffi.goto(f"{live_server.url}/dashboard/student/forum")
    screenshot_sizes(koffi, "forum-index")
    koffi.get_by_role("link", name=course.title).click()
    koffi.wait_for_url(f"{base}")
    koffi.get_by_text("Nouveau sujet").click()
    koffi.get_by_label("Titre").fill("Différence entre liste et tuple ?")
    koffi.get_by_label("Message").fill("   ")
    koffi.get_by_role("button", name="Publier le sujet").click()
    koffi.get_by_text("Le message est vide.").wait_for()
    assert koffi.get_by_label("Titre").input_value() == "Différence entre liste et tuple ?"
    screenshot_sizes(koffi, "forum-new-topic-error")
    koffi.get_by_label("Message").fill("Quand utiliser un **tuple** plutôt qu'une `list` ?")
    koffi.get_by_role("button", name="Publier le sujet").click()
    koffi.get_by_role("heading", level=1, name="Différence entre liste et tuple ?").wait_for()
    topic = Topic.objects.get(title="Différence entre liste et tuple ?")
    assert koffi.locator(".post-body strong").first.inner_text() == "tuple"

    # 2. Another member answers (htmx form at the bottom), then Koffi answers her (nested).
    aminata = new_browser_page()
    browser_login(aminata, live_server.url, student2.email, PASSWORD)
    aminata.goto(f"{base}/{topic.pk}")
    aminata.get_by_label("Répondre au sujet").fill(
        "Un tuple ne change pas : clé de dictionnaire, retour multiple…"
    )
    aminata.locator("#reply-slot-root button[type=submit]").click()
    aminata.locator("#children-root > li").first.wait_for()
    answer = Reply.objects.get(topic=topic, author=student2)
    koffi.reload()
    koffi.locator(f"#reply-{answer.pk} > .post .post-actions").get_by_role(
        "link", name="Répondre"
    ).click()
    koffi.locator(f"#reply-slot-{answer.pk} textarea").fill("Merci ! Et pour la mémoire ?")
    koffi.locator(f"#reply-slot-{answer.pk} button[type=submit]").click()
    koffi.locator(f"#children-{answer.pk} > li").first.wait_for()
    nested = Reply.objects.get(topic=topic, author=member)
    assert nested.parent_id == answer.pk
    # A deeper thread (through the services) to see the nesting on a phone.
    parent = nested
    for depth in range(5):
        author = student2 if depth % 2 == 0 else member
        parent = make_reply(
            author, topic, f"Niveau {depth + 3} : un tuple est plus léger.", parent_id=parent.pk
        )
    make_reply(owner, topic, "Voir aussi la documentation officielle : https://docs.python.org")

    # 3. Koffi votes for the answer (htmx), then marks it as the solution.
    koffi.reload()
    votes = koffi.locator(f"#votes-{answer.pk}")
    votes.locator("button.vote-up").click()
    koffi.locator(f"#votes-{answer.pk} button.vote-up.is-mine").wait_for()
    assert Vote.objects.get(reply=answer, user=member).value == 1
    koffi.locator(f"#reply-{answer.pk} > .post .post-actions").get_by_role(
        "button", name="Marquer comme solution"
    ).click()
    koffi.locator(".solution-box").wait_for()
    topic.refresh_from_db()
    assert topic.solution_id == answer.pk

    # 4. The owner pins and locks it.
    awa = new_browser_page()
    browser_login(awa, live_server.url, owner.email, PASSWORD)
    awa.goto(f"{base}/{topic.pk}")
    awa.get_by_role("button", name="Épingler").click()
    awa.get_by_role("button", name="Verrouiller").click()
    awa.get_by_role("button", name="Déverrouiller").wait_for()
    topic.refresh_from_db()
    assert topic.is_pinned and topic.is_locked
    awa.locator(f"#reply-{answer.pk} > .post .post-more > summary").click()
    screenshot_sizes(awa, "forum-topic-moderator")

    # 5. Students see it locked, pinned and solved.
    aminata.goto(f"{base}/{topic.pk}")
    assert aminata.locator("#reply-slot-root").count() == 0
    assert "Verrouillé" in aminata.locator(".locked-note").inner_text()
    aminata.evaluate("() => document.activeElement && document.activeElement.blur()")
    screenshot_sizes(aminata, "forum-topic")
    # On a phone the deepest reply is still wide enough to read.
    deepest = aminata.locator(f"#reply-{parent.pk} > .post").bounding_box()
    assert deepest is not None and deepest["width"] >= 300
    aminata.goto(base)
    first_row = aminata.locator(".topic-row").first
    assert "Différence entre liste et tuple ?" in first_row.inner_text()
    for badge in ("Épinglé", "Verrouillé", "Solution"):
        assert badge in first_row.inner_text()
    screenshot_sizes(aminata, "forum-topics")
