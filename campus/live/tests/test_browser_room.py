"""The room in headless Chromium, against a stand-in Jitsi server (conftest.py): the
waiting room opens by itself, the embed gets the right room, token and options,
heartbeats and leave reach Campus, the Q&A panel carries a question and its answer
between two browsers, and the French errors (full session, script failure) offer a retry.
"""

import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from django.conf import settings as django_settings

from campus.accounts.models import Role, User
from campus.courses import services as course_services
from campus.courses.models import Course
from campus.live import services
from campus.live.models import AttendanceInterval, ChatKind, ChatMessage, LiveSession
from campus.live.tests.helpers import make_live, make_session
from conftest import PASSWORD, browser_login, screenshot_sizes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WAIT_MS = 15_000


@pytest.fixture(autouse=True)
def fast_room(settings: Any) -> None:
    settings.LIVE_HEARTBEAT_SECONDS = 1
    settings.LIVE_WAITING_POLL_SECONDS = 1
    settings.LIVE_QA_POLL_SECONDS = 1


def join_url(base: str, session: LiveSession) -> str:
    return f"{base}/courses/{session.course.slug}/live-sessions/{session.pk}/join"


def open_room(new_page: Callable[[], Any], base: str, user: User, session: LiveSession) -> Any:
    page = new_page()
    browser_login(page, base, user.email, PASSWORD)
    page.goto(join_url(base, session))
    return page


def wait_for_embed(page: Any, calls: int = 1) -> dict[str, Any]:
    """The last JitsiMeetExternalAPI(...) call the stand-in recorded."""
    page.wait_for_function(
        f"() => window.__jitsi && window.__jitsi.calls.length >= {calls}", timeout=WAIT_MS
    )
    page.locator("#live-stage .jitsi-standin").wait_for(timeout=WAIT_MS)
    return page.evaluate("() => window.__jitsi.calls[window.__jitsi.calls.length - 1]")


def claims(token: str, secret: str) -> dict[str, Any]:
    return jwt.decode(token, secret, algorithms=["HS256"], audience=django_settings.JITSI_AUDIENCE)


def eventually(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def open_interval(session: LiveSession, user: User) -> AttendanceInterval:
    return AttendanceInterval.objects.filter(
        participant__session=session, participant__user=user
    ).latest("joined_at")


def test_waiting_room_enters_by_itself_then_embed_heartbeat_qa_and_leave(
    live_server: Any,
    new_browser_page: Any,
    jitsi_standin: str,
    jitsi_selfhosted: dict[str, str],
    owner: User,
    member: User,
    course: Course,
) -> None:
    base = live_server.url
    session = make_session(owner, course, title="Atelier Python en direct")

    # The student waits: the waiting room shows the start time and polls.
    student = open_room(new_browser_page, base, member, session)
    student.get_by_role("heading", name="Salle d\u2019attente").wait_for()
    assert "La session commence le" in student.inner_text(".live-waiting")
    assert "Programmée" in student.inner_text("main")
    screenshot_sizes(student, "live-room-waiting")

    # The instructor starts: the student's page reloads into the room by itself.
    services.session_start(actor=owner, session=session)
    session.refresh_from_db()
    call = wait_for_embed(student)
    assert "En direct" in student.inner_text("main")
    options = call["options"]
    assert call["domain"] == django_settings.JITSI_DOMAIN
    assert options["roomName"] == session.jitsi_room_name
    assert options["lang"] == "fr"
    assert options["userInfo"] == {"displayName": member.display_name, "email": member.email}
    assert options["parentNode"] == "live-stage"
    overwrite = options["configOverwrite"]
    assert overwrite["startWithVideoMuted"] is True
    assert overwrite["prejoinPageEnabled"] is True and overwrite["disableDeepLinking"] is True
    assert "startAudioOnly" not in overwrite
    student_claims = claims(options["jwt"], jitsi_selfhosted["secret"])
    assert student_claims["room"] == session.jitsi_room_name
    assert student_claims["moderator"] is False
    assert student_claims["context"]["user"]["moderator"] == "false"
    assert student_claims["context"]["user"]["email"] == member.email
    # No secret in the page's HTML: it came from the join API.
    html = student.content()
    assert options["jwt"] not in html and session.jitsi_room_password not in html

    # The room password: Jitsi asks for it, the page gives it.
    student.evaluate("() => window.__jitsiFire('passwordRequired', {})")
    commands = student.evaluate("() => window.__jitsi.commands")
    assert {"name": "password", "args": [session.jitsi_room_password]} in commands

    # The instructor's embed: moderator token, video on, sets the password once moderator.
    instructor = open_room(new_browser_page, base, owner, session)
    owner_call = wait_for_embed(instructor)
    assert owner_call["options"]["configOverwrite"]["startWithVideoMuted"] is False
    owner_claims = claims(owner_call["options"]["jwt"], jitsi_selfhosted["secret"])
    assert owner_claims["moderator"] is True
    assert owner_claims["context"]["user"]["moderator"] == "true"
    assert owner_claims["context"]["user"]["affiliation"] == "owner"
    instructor.evaluate("() => window.__jitsiFire('participantRoleChanged', {role: 'moderator'})")
    commands = instructor.evaluate("() => window.__jitsi.commands")
    assert commands == [{"name": "password", "args": [session.jitsi_room_password]}]

    # Heartbeats once in the conference.
    student.evaluate("() => window.__jitsiFire('videoConferenceJoined', {})")
    first_seen = open_interval(session, member).last_seen_at
    eventually(lambda: open_interval(session, member).last_seen_at > first_seen)

    # Q&A: the student asks, the instructor sees it and answers, the student sees that.
    student.get_by_label("Posez une question").fill("Peut-on revoir les boucles ?")
    student.get_by_role("button", name="Envoyer").click()
    student.locator(".qa-item", has_text="Peut-on revoir les boucles ?").wait_for()
    assert student.get_by_label("Posez une question").input_value() == ""
    instructor.locator(".qa-item", has_text="Peut-on revoir les boucles ?").wait_for(
        timeout=WAIT_MS
    )
    item = instructor.locator(".qa-item", has_text="Peut-on revoir les boucles ?")
    item.get_by_placeholder("Votre réponse…").fill("Oui, juste après la pause.")
    item.get_by_role("button", name="Répondre").click()
    student.locator(".qa-answer", has_text="Oui, juste après la pause.").wait_for(timeout=WAIT_MS)
    question = ChatMessage.objects.get(session=session, kind=ChatKind.QUESTION)
    assert question.author == member
    instructor.locator(".qa-item", has_text="Peut-on revoir").get_by_role(
        "button", name="Épingler"
    ).click()
    student.locator(".qa-pinned", has_text="Peut-on revoir").wait_for(timeout=WAIT_MS)
    screenshot_sizes(student, "live-room-student")
    screenshot_sizes(instructor, "live-room-instructor")

    # Leaving the conference closes the attendance interval.
    student.evaluate("() => window.__jitsiFire('videoConferenceLeft', {})")
    student.get_by_text("Vous avez quitté la session.").wait_for()
    student.get_by_role("button", name="Revenir").wait_for()
    eventually(lambda: open_interval(session, member).left_at is not None)
    # "Revenir" gets back in (a new interval).
    student.get_by_role("button", name="Revenir").click()
    wait_for_embed(student, calls=2)
    eventually(lambda: open_interval(session, member).left_at is None)


def test_polling_does_not_wipe_an_answer_being_typed(
    live_server: Any,
    new_browser_page: Any,
    jitsi_standin: str,
    owner: User,
    member: User,
    course: Course,
) -> None:
    session = make_live(owner, course)
    services.chat_post(actor=member, session=session, text="Première ?", kind=ChatKind.QUESTION)
    instructor = open_room(new_browser_page, live_server.url, owner, session)
    wait_for_embed(instructor)
    box = instructor.locator(".qa-item", has_text="Première ?").get_by_placeholder("Votre réponse…")
    box.fill("Je réponds tranquillement")
    instructor.locator("body").click(position={"x": 5, "y": 5})  # focus leaves the list
    services.chat_post(actor=member, session=session, text="Deuxième ?", kind=ChatKind.QUESTION)
    time.sleep(2.5)  # more than two polls
    assert box.input_value() == "Je réponds tranquillement"
    # Once the box is empty again, the poll brings the new question.
    box.fill("")
    instructor.locator("body").click(position={"x": 5, "y": 5})
    instructor.locator(".qa-item", has_text="Deuxième ?").wait_for(timeout=WAIT_MS)
    # An empty question: the 400 fragment is swapped in, the French message inline.
    instructor.get_by_role("button", name="Envoyer").click()
    instructor.locator(".qa-ask .errorlist", has_text="Le message est vide.").wait_for()


def test_data_saver_toggle_changes_the_embed_options(
    live_server: Any,
    new_browser_page: Any,
    jitsi_standin: str,
    owner: User,
    member: User,
    course: Course,
) -> None:
    session = make_live(owner, course)
    page = open_room(new_browser_page, live_server.url, member, session)
    wait_for_embed(page)
    page.get_by_label("Économiseur de données (audio seul)").check()
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state()
    call = wait_for_embed(page)  # a fresh page: the stand-in's record starts over
    overwrite = call["options"]["configOverwrite"]
    assert overwrite["startAudioOnly"] is True
    assert overwrite["startWithVideoMuted"] is True
    assert overwrite["resolution"] == 180
    assert page.get_by_label("Économiseur de données (audio seul)").is_checked()
    member.refresh_from_db()
    assert member.data_saver is True


def test_full_session_shows_the_french_message_with_retry(
    live_server: Any,
    new_browser_page: Any,
    jitsi_standin: str,
    owner: User,
    member: User,
    course: Course,
    user_factory: Callable[..., User],
) -> None:
    session = make_live(owner, course, max_participants=1)
    first = user_factory(Role.STUDENT)
    course_services.enrollment_create(actor=first, course=course)
    services.session_join(actor=first, session=session)
    page = open_room(new_browser_page, live_server.url, member, session)
    page.get_by_text("Cette session est complète.").wait_for(timeout=WAIT_MS)
    page.get_by_role("button", name="Réessayer").wait_for()
    assert page.evaluate("() => window.__jitsi === undefined")
    screenshot_sizes(page, "live-room-full")
    # A seat frees up (the first student's participant row goes): retry gets in.
    services.session_leave(actor=first, session=session)
    session.participants.filter(user=first).delete()
    page.get_by_role("button", name="Réessayer").click()
    wait_for_embed(page)


def test_script_failure_shows_the_french_error_and_retry_recovers(
    live_server: Any,
    new_browser_page: Any,
    jitsi_standin: str,
    settings: Any,
    owner: User,
    member: User,
    course: Course,
) -> None:
    # The Jitsi server fails to serve its script (a 404 here). It stays the same origin:
    # the page's Content-Security-Policy allows the configured Jitsi origin only.
    settings.JITSI_SERVER_URL = f"{jitsi_standin}/unavailable"
    session = make_live(owner, course)
    page = open_room(new_browser_page, live_server.url, member, session)
    page.get_by_text("Impossible de charger la visioconférence.", exact=False).wait_for(
        timeout=WAIT_MS
    )
    page.get_by_role("button", name="Réessayer").wait_for()
    screenshot_sizes(page, "live-room-script-error")
    # The server comes back: "Réessayer" asks the API again and loads the script.
    settings.JITSI_SERVER_URL = jitsi_standin
    page.get_by_role("button", name="Réessayer").click()
    wait_for_embed(page)
