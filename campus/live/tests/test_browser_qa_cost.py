"""What the Q&A panel's poll costs in Chromium, measured with the DevTools protocol
(bytes on the wire, headers included): while nothing changes each poll is an empty 204
that htmx leaves alone (the list's DOM node stays the same), and a new question still
arrives by the next poll."""

from typing import Any

import pytest

from campus.accounts.models import User
from campus.courses.models import Course
from campus.live import services
from campus.live.models import ChatKind
from campus.live.tests.helpers import make_live
from conftest import PASSWORD, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UNCHANGED_POLL_MAX_BYTES = 400  # status line and headers of a 204


@pytest.fixture(autouse=True)
def fast_polls(settings: Any) -> None:
    settings.LIVE_QA_POLL_SECONDS = 1


def test_an_unchanged_qa_poll_costs_only_its_headers(
    live_server: Any,
    new_browser_page: Any,
    jitsi_standin: str,
    owner: User,
    member: User,
    course: Course,
) -> None:
    session = make_live(owner, course)
    for n in range(20):
        text = f"Question {n} : " + "pourquoi la boucle s'arrête-t-elle avant la fin ? " * 2
        services.chat_post(actor=member, session=session, text=text, kind=ChatKind.QUESTION)
    page = new_browser_page()
    browser_login(page, live_server.url, member.email, PASSWORD)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    polls: dict[str, dict[str, Any]] = {}

    def on_response(event: dict[str, Any]) -> None:
        if "part=list" in event["response"]["url"]:
            polls.setdefault(event["requestId"], {})["status"] = event["response"]["status"]

    def on_finished(event: dict[str, Any]) -> None:
        if event["requestId"] in polls:
            polls[event["requestId"]]["bytes"] = event["encodedDataLength"]

    cdp.on("Network.responseReceived", on_response)
    cdp.on("Network.loadingFinished", on_finished)
    page.goto(f"{live_server.url}/courses/{course.slug}/live-sessions/{session.pk}/join")
    page.locator(".qa-item", has_text="Question 19").wait_for()
    page.evaluate("() => { document.querySelector('.qa-list').dataset.probe = 'same-node' }")
    page.wait_for_timeout(4_500)  # about four polls with nothing new

    done = [p for p in polls.values() if "bytes" in p]
    assert len(done) >= 3, polls
    assert all(p["status"] == 204 for p in done), done
    assert max(p["bytes"] for p in done) <= UNCHANGED_POLL_MAX_BYTES, done
    assert page.evaluate("() => document.querySelector('.qa-list').dataset.probe") == "same-node"

    # Something new: the next poll brings the whole list once, then quiet again.
    polls.clear()
    services.chat_post(actor=owner, session=session, text="Nouvelle ?", kind=ChatKind.QUESTION)
    page.locator(".qa-item", has_text="Nouvelle ?").wait_for(timeout=10_000)
    page.wait_for_timeout(2_500)
    done = [p for p in polls.values() if "bytes" in p]
    full = [p for p in done if p["status"] == 200]
    quiet = [p for p in done if p["status"] == 204]
    assert len(full) == 1 and quiet, done
    per_hour_full = full[0]["bytes"] * 720
    per_hour_quiet = max(p["bytes"] for p in quiet) * 720
    print(
        f"\nQ&A poll: full list {full[0]['bytes']} B, unchanged {quiet[0]['bytes']} B on the "
        f"wire; an hour at 5 s: {per_hour_full / 1e6:.2f} MB re-sent vs "
        f"{per_hour_quiet / 1e6:.2f} MB now"
    )
