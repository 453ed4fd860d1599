"""The policies as Chromium enforces them: an inline script, an inline style and an hx-on
handler are refused on a real page, with the console wording the browser tests'
violation watch (conftest.py, POLICY_MESSAGES) looks for; camera and microphone reach only the Jitsi
origin of the room page."""

from typing import Any

import pytest
from django.urls import reverse

from campus.accounts.models import User
from campus.courses.models import Course
from campus.live.tests.helpers import make_session
from conftest import PASSWORD, POLICY_MESSAGES, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JITSI = "https://meet.campus.example"

ATTEMPT_INLINE = """() => {
  const script = document.createElement("script");
  script.textContent = "window.__inlineRan = true";
  document.head.appendChild(script);
  const box = document.createElement("div");
  box.setAttribute("style", "color: rgb(255, 0, 0)");
  box.textContent = "x";
  document.body.appendChild(box);
  const button = document.createElement("button");
  button.setAttribute("hx-on:click", "window.__hxOnRan = true");
  document.body.appendChild(button);
  htmx.process(button);
  button.click();
  return {
    inline: window.__inlineRan === true,
    style: getComputedStyle(box).color,
    hxOn: window.__hxOnRan === true,
  };
}"""


def test_chromium_refuses_inline_code_and_style_and_says_so(
    live_server: Any, chromium: Any
) -> None:
    # chromium.new_page() opens its context outside the violation watch: this test breaks
    # the policy on purpose, and checks the watch would have seen it.
    page = chromium.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    try:
        page.goto(f"{live_server.url}{reverse('accounts:login')}")
        outcome = page.evaluate(ATTEMPT_INLINE)
        page.wait_for_timeout(200)  # let the console messages arrive
    finally:
        page.context.close()
    assert outcome["inline"] is False
    assert outcome["style"] != "rgb(255, 0, 0)"
    assert outcome["hxOn"] is False
    refusals = [text for text in console if any(m in text.lower() for m in POLICY_MESSAGES)]
    assert len(refusals) >= 3, console  # the script, the style, htmx's hx-on


def test_only_the_jitsi_origin_of_the_room_gets_camera_and_microphone(
    live_server: Any,
    new_browser_page: Any,
    settings: Any,
    course: Course,
    owner: User,
    member: User,
) -> None:
    settings.JITSI_MODE = "public"
    settings.JITSI_SERVER_URL = JITSI
    settings.JITSI_DOMAIN = "meet.campus.example"
    waiting = make_session(owner, course)  # the waiting room: no script from Jitsi is fetched
    page = new_browser_page()
    browser_login(page, live_server.url, member.email, PASSWORD)
    allows = "([feature, origin]) => document.featurePolicy.allowsFeature(feature, origin)"

    page.goto(f"{live_server.url}{reverse('courses:detail', kwargs={'slug': course.slug})}")
    assert page.evaluate(allows, ["camera", JITSI]) is False
    assert page.evaluate(allows, ["fullscreen", live_server.url]) is True

    room = reverse("live:join", kwargs={"slug": course.slug, "session_id": waiting.pk})
    page.goto(f"{live_server.url}{room}")
    for feature in ("camera", "microphone", "display-capture", "fullscreen"):
        assert page.evaluate(allows, [feature, JITSI]) is True, feature
    for feature in ("camera", "microphone", "display-capture"):
        assert page.evaluate(allows, [feature, live_server.url]) is False, feature
    assert page.evaluate(allows, ["geolocation", JITSI]) is False


def test_api_docs_and_admin_work_under_the_policy(
    live_server: Any, new_browser_page: Any, course: Course
) -> None:
    """Swagger UI (ninja's static copy) and Django's admin pages, whose scripts are static
    files: they render, and the violation watch (conftest.py) sees no refusal."""
    root = User.objects.create_superuser(email="root@example.test", password=PASSWORD)
    page = new_browser_page()
    page.goto(f"{live_server.url}/api/docs")
    page.locator(".swagger-ui .opblock").first.wait_for(timeout=15_000)

    page.goto(f"{live_server.url}{reverse('admin:login')}")
    page.get_by_label("Adresse e-mail").fill(root.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_load_state()
    change = reverse("admin:courses_course_change", args=[course.pk])
    page.goto(f"{live_server.url}{change}")
    page.locator("#course_form").wait_for()
    page.wait_for_load_state("networkidle")
