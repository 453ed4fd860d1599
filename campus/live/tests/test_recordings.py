"""Recordings kept by Campus (issue 18): the worker fetches the server's pre-authenticated
link (a local HTTP server here) into storage once, survives a failed attempt, refuses
what is too large or on a refused scheme; members stream it with Range requests, access
checked each time; the owner hides or deletes it."""

import hashlib
import http.server
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campus.accounts.models import User
from campus.core.errors import Forbidden
from campus.courses.models import Course
from campus.live import recordings, services, tasks
from campus.live.models import (
    ConferenceEvent,
    ConferenceEventKind,
    ConferenceSource,
    LiveSession,
    RecordingKind,
    RecordingState,
    SessionRecording,
)
from campus.live.tests.helpers import make_live
from conftest import build_course

pytestmark = pytest.mark.django_db

# An MP4-like file: an ftyp box then bytes that differ at every offset, so a wrong range
# gives different bytes.
VIDEO = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(
    (i * 7 + 3) % 256 for i in range(5000)
)


class LinkServer:
    """What the local server answers: `fail` statuses first, then the file (or a
    redirect to `redirect_to`); counts the requests."""

    def __init__(self) -> None:
        self.body = VIDEO
        self.fail: list[int] = []
        self.redirect_to = ""
        self.content_type = "video/mp4"
        self.send_length = True
        self.announce: int | None = None  # a Content-Length other than the body's
        self.hits = 0
        self.url = ""


def _handler(state: LinkServer) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            state.hits += 1
            if state.fail:
                self.send_response(state.fail.pop(0))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if state.redirect_to and self.path.startswith("/link"):
                self.send_response(302)
                self.send_header("Location", state.redirect_to)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", state.content_type)
            if state.send_length:
                self.send_header("Content-Length", str(state.announce or len(state.body)))
            else:
                self.close_connection = True  # the body ends when the connection does
            self.end_headers()
            self.wfile.write(state.body)

    return Handler


@pytest.fixture(autouse=True)
def eager_retries() -> Iterator[None]:
    """Eager tasks (conftest) raise Celery's Retry to the caller when errors propagate;
    without propagation Celery runs each retry at once, as a worker would after the
    backoff. `fetch_now` asserts the last run succeeded."""
    conf = tasks.recording_fetch.app.conf
    propagates = conf.task_eager_propagates
    conf.task_eager_propagates = False
    try:
        yield
    finally:
        conf.task_eager_propagates = propagates


def fetch_now(recording: SessionRecording) -> str:
    result = tasks.recording_fetch.delay(recording.pk)
    assert result.successful(), result.traceback
    recording.refresh_from_db()
    return str(result.result)


@pytest.fixture
def link_server(settings: Any, tmp_path: Path) -> Iterator[LinkServer]:
    settings.RECORDING_LINK_SCHEMES = ["https", "http"]
    settings.MEDIA_ROOT = tmp_path / "media"
    state = LinkServer()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def ended(owner: User, course: Course) -> LiveSession:
    session = make_live(owner, course)
    return services.session_end(actor=owner, session=session)[0]


def make_recording(
    session: LiveSession,
    link: str,
    *,
    kind: str = RecordingKind.VIDEO,
    **fields: Any,
) -> SessionRecording:
    event = ConferenceEvent.objects.create(
        session=session,
        source=ConferenceSource.JAAS,
        idempotency_key=str(uuid.uuid4()),
        kind=ConferenceEventKind.RECORDING_UPLOADED,
        occurred_at=timezone.now(),
        payload={"eventType": "RECORDING_UPLOADED", "data": {"preAuthenticatedLink": link}},
    )
    return SessionRecording.objects.create(
        session=session, event=event, kind=kind, source_url=link, **fields
    )


@pytest.fixture
def fetched(link_server: LinkServer, ended: LiveSession) -> SessionRecording:
    recording = make_recording(ended, f"{link_server.url}/link/rec.mp4")
    fetch_now(recording)
    assert recording.state == RecordingState.STORED
    return recording


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def stream_url(recording: SessionRecording, *, slug: str | None = None) -> str:
    session = recording.session
    return reverse(
        "live:recording",
        kwargs={
            "slug": slug or session.course.slug,
            "session_id": session.pk,
            "recording_id": recording.pk,
        },
    )


def action_url(recording: SessionRecording, action: str) -> str:
    session = recording.session
    return reverse(
        f"live:recording_{action}",
        kwargs={
            "course_id": session.course_id,
            "session_id": session.pk,
            "recording_id": recording.pk,
        },
    )


def body_of(response: Any) -> bytes:
    return b"".join(response.streaming_content)


# --- The worker ---------------------------------------------------------------------------


def test_fetch_stores_the_file_once_even_when_run_twice(
    link_server: LinkServer, ended: LiveSession, settings: Any
) -> None:
    recording = make_recording(ended, f"{link_server.url}/link/rec.mp4")
    fetch_now(recording)
    fetch_now(recording)  # a redelivered task
    assert link_server.hits == 1
    assert recording.state == RecordingState.STORED
    assert recording.attempts == 1
    assert recording.size_bytes == len(VIDEO)
    assert recording.sha256 == hashlib.sha256(VIDEO).hexdigest()
    assert recording.content_type == "video/mp4"
    assert recording.stored_at is not None
    assert str(recording.file.name).startswith("recordings/")
    assert default_storage.open(str(recording.file.name)).read() == VIDEO
    assert stored_files(Path(settings.MEDIA_ROOT)) == [
        Path(settings.MEDIA_ROOT) / str(recording.file.name)
    ]


def test_a_second_recording_for_the_same_event_is_impossible(
    link_server: LinkServer, ended: LiveSession
) -> None:
    recording = make_recording(ended, f"{link_server.url}/link/rec.mp4")
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionRecording.objects.create(
            session=ended,
            event=recording.event,
            kind=RecordingKind.VIDEO,
            source_url=recording.source_url,
        )
    assert SessionRecording.objects.filter(event=recording.event).count() == 1


def test_of_two_runs_racing_to_the_end_only_the_first_keeps_its_file(
    link_server: LinkServer, ended: LiveSession, settings: Any, monkeypatch: Any
) -> None:
    """Another worker stores the row while this one downloads: this one's copy goes."""
    recording = make_recording(ended, f"{link_server.url}/link/rec.mp4")
    download = recordings._download

    def download_while_another_stores(row: SessionRecording) -> Any:
        result = download(row)
        SessionRecording.objects.filter(pk=row.pk).update(
            state=RecordingState.STORED, file="recordings/theirs.mp4"
        )
        return result

    monkeypatch.setattr(recordings, "_download", download_while_another_stores)
    assert recordings.fetch(recording.pk) == RecordingState.STORED
    recording.refresh_from_db()
    assert str(recording.file.name) == "recordings/theirs.mp4"
    assert stored_files(Path(settings.MEDIA_ROOT)) == []


def test_the_download_survives_a_failed_attempt(
    link_server: LinkServer, ended: LiveSession
) -> None:
    link_server.fail = [500]
    recording = make_recording(ended, f"{link_server.url}/link/rec.mp4")
    fetch_now(recording)  # eager: Celery runs the retry at once
    assert link_server.hits == 2
    assert recording.state == RecordingState.STORED
    assert recording.attempts == 2
    assert recording.last_error == ""
    assert default_storage.open(str(recording.file.name)).read() == VIDEO


def test_after_the_last_attempt_the_recording_is_failed(
    link_server: LinkServer, ended: LiveSession, settings: Any
) -> None:
    attempts = settings.RECORDING_FETCH_ATTEMPTS
    link_server.fail = [503] * (attempts + 5)
    recording = make_recording(ended, f"{link_server.url}/link/rec.mp4")
    fetch_now(recording)
    assert link_server.hits == attempts
    assert recording.state == RecordingState.FAILED
    assert recording.attempts == attempts
    assert "503" in recording.last_error
    assert stored_files(Path(settings.MEDIA_ROOT)) == []


def test_a_storage_failure_is_retried(
    link_server: LinkServer, ended: LiveSession, monkeypatch: Any
) -> None:
    save = default_storage.save
    failures = [OSError("No space left on device")]

    def failing_once(*args: Any, **kwargs: Any) -> str:
        if failures:
            raise failures.pop()
        return save(*args, **kwargs)

    monkeypatch.setattr(default_storage, "save", failing_once)
    recording = make_recording(ended, f"{link_server.url}/link/rec.mp4")
    fetch_now(recording)
    assert recording.state == RecordingState.STORED
    assert recording.attempts == 2
    assert link_server.hits == 2


def test_the_task_backs_off_well_inside_the_links_24_hours() -> None:
    task: Any = tasks.recording_fetch
    assert task.max_retries == 7  # RECORDING_FETCH_ATTEMPTS (8) - 1
    assert task.retry_jitter is True
    waits = [
        min(task.retry_backoff * 2**n, task.retry_backoff_max) for n in range(task.max_retries)
    ]
    assert sum(waits) < 6 * 3600


@pytest.mark.parametrize("mode", ["announced", "announced_only", "streamed"])
def test_a_file_over_the_limit_is_failed_and_nothing_is_kept(
    link_server: LinkServer, ended: LiveSession, settings: Any, mode: str
) -> None:
    settings.RECORDING_MAX_BYTES = len(VIDEO) - 1
    # announced_only: the announced length alone refuses it, before reading the body.
    link_server.announce = 10**12 if mode == "announced_only" else None
    link_server.send_length = mode != "streamed"
    recording = make_recording(ended, f"{link_server.url}/link/rec.mp4")
    fetch_now(recording)
    assert link_server.hits == 1  # not retried
    assert recording.state == RecordingState.FAILED
    assert "too large" in recording.last_error
    assert not recording.file
    assert stored_files(Path(settings.MEDIA_ROOT)) == []


def test_a_file_at_the_limit_is_kept(
    link_server: LinkServer, ended: LiveSession, settings: Any
) -> None:
    settings.RECORDING_MAX_BYTES = len(VIDEO)
    link_server.send_length = False
    recording = make_recording(ended, f"{link_server.url}/link/rec.mp4")
    fetch_now(recording)
    assert recording.state == RecordingState.STORED
    assert recording.size_bytes == len(VIDEO)


def test_a_link_on_a_refused_scheme_is_never_fetched(
    link_server: LinkServer, ended: LiveSession, settings: Any
) -> None:
    settings.RECORDING_LINK_SCHEMES = ["https"]
    recording = make_recording(ended, f"{link_server.url}/link/rec.mp4")
    fetch_now(recording)
    assert link_server.hits == 0
    assert recording.state == RecordingState.FAILED
    assert "scheme" in recording.last_error


def test_redirects_are_followed_to_allowed_schemes_only(
    link_server: LinkServer, ended: LiveSession
) -> None:
    link_server.redirect_to = f"{link_server.url}/files/rec.mp4"
    followed = make_recording(ended, f"{link_server.url}/link/a.mp4")
    fetch_now(followed)
    assert followed.state == RecordingState.STORED
    assert link_server.hits == 2

    link_server.redirect_to = "ftp://127.0.0.1/rec.mp4"
    refused = make_recording(ended, f"{link_server.url}/link/b.mp4")
    fetch_now(refused)
    assert refused.state == RecordingState.FAILED
    assert "scheme" in refused.last_error


def test_a_servers_type_outside_the_kinds_types_is_not_trusted(
    link_server: LinkServer, ended: LiveSession
) -> None:
    link_server.content_type = "text/html; charset=utf-8"
    video = make_recording(ended, f"{link_server.url}/link/a.mp4")
    fetch_now(video)
    assert video.content_type == "video/mp4"

    link_server.content_type = "application/octet-stream"
    chat = make_recording(ended, f"{link_server.url}/link/chat", kind=RecordingKind.CHAT)
    fetch_now(chat)
    assert chat.content_type == "application/json"
    assert str(chat.file.name).endswith(".json")


# --- Streaming ------------------------------------------------------------------------------


def test_a_member_streams_one_range(fetched: SessionRecording, member: User) -> None:
    response = client_for(member).get(
        stream_url(fetched), HTTP_RANGE="bytes=0-99", HTTP_ACCEPT_ENCODING="gzip, br"
    )
    assert response.status_code == 206
    assert body_of(response) == VIDEO[:100]
    assert response["Content-Range"] == f"bytes 0-99/{len(VIDEO)}"
    assert response["Content-Length"] == "100"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "video/mp4"
    assert response["Cache-Control"] == "private"
    assert response["Content-Disposition"] == "inline"
    assert "Content-Encoding" not in response


@pytest.mark.parametrize(
    ("header", "start", "stop"),
    [
        ("bytes=100-", 100, len(VIDEO)),
        ("bytes=-50", len(VIDEO) - 50, len(VIDEO)),
        ("bytes=1000-1999", 1000, 2000),
        ("bytes=5000-999999", 5000, len(VIDEO)),
        ("bytes=-999999", 0, len(VIDEO)),
    ],
)
def test_open_ended_and_suffix_ranges(
    fetched: SessionRecording, member: User, header: str, start: int, stop: int
) -> None:
    response = client_for(member).get(stream_url(fetched), HTTP_RANGE=header)
    assert response.status_code == 206
    assert body_of(response) == VIDEO[start:stop]
    assert response["Content-Range"] == f"bytes {start}-{stop - 1}/{len(VIDEO)}"
    assert response["Content-Length"] == str(stop - start)


@pytest.mark.parametrize("header", [f"bytes={len(VIDEO)}-", f"bytes={len(VIDEO) + 10}-99999"])
def test_an_unsatisfiable_range_is_416(
    fetched: SessionRecording, member: User, header: str
) -> None:
    response = client_for(member).get(stream_url(fetched), HTTP_RANGE=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(VIDEO)}"


@pytest.mark.parametrize(
    "header", [None, "bytes=0-1,5-6", "lines=0-5", "nonsense"], ids=["none", "multi", "unit", "bad"]
)
def test_without_one_byte_range_the_whole_file(
    fetched: SessionRecording, member: User, header: str | None
) -> None:
    extra: dict[str, Any] = {"HTTP_RANGE": header} if header else {}
    response = client_for(member).get(stream_url(fetched), HTTP_ACCEPT_ENCODING="gzip", **extra)
    assert response.status_code == 200
    assert response.streaming
    assert body_of(response) == VIDEO
    assert response["Content-Length"] == str(len(VIDEO))
    assert response["Accept-Ranges"] == "bytes"
    assert response["Cache-Control"] == "private"
    assert "Content-Encoding" not in response


def test_a_stale_if_range_gets_the_whole_file(fetched: SessionRecording, member: User) -> None:
    client = client_for(member)
    fresh = client.get(
        stream_url(fetched), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=f'"{fetched.sha256}"'
    )
    assert fresh.status_code == 206
    stale = client.get(stream_url(fetched), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"other"')
    assert stale.status_code == 200


def test_owner_and_admin_stream(fetched: SessionRecording, owner: User, admin_user: User) -> None:
    for user in (owner, admin_user):
        response = client_for(user).get(stream_url(fetched), HTTP_RANGE="bytes=0-9")
        assert response.status_code == 206
        assert body_of(response) == VIDEO[:10]


def test_an_outsider_gets_403(fetched: SessionRecording, outsider: User) -> None:
    response = client_for(outsider).get(stream_url(fetched), HTTP_RANGE="bytes=0-99")
    assert response.status_code == 403
    assert not response.streaming


def test_anonymous_is_sent_to_log_in(fetched: SessionRecording) -> None:
    url = stream_url(fetched)
    response = client_for(None).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=" in response["Location"]


def test_access_ends_with_the_enrollment(fetched: SessionRecording, member: User) -> None:
    from campus.courses.models import Enrollment

    client = client_for(member)
    assert client.get(stream_url(fetched), HTTP_RANGE="bytes=0-9").status_code == 206
    Enrollment.objects.filter(user=member).delete()
    assert client.get(stream_url(fetched), HTTP_RANGE="bytes=0-9").status_code == 403


def test_under_another_course_or_session_it_does_not_exist(
    fetched: SessionRecording, owner: User, member: User, link_server: LinkServer
) -> None:
    other_course = build_course(owner, title="Autre cours", modules=1, with_final=False)
    other = services.session_end(actor=owner, session=make_live(owner, other_course))[0]
    # This course's recording under the other course's slug (the owner may see both).
    wrong_slug = stream_url(fetched, slug=other_course.slug)
    assert client_for(owner).get(wrong_slug).status_code == 404
    # Another session's recording under this session's address.
    theirs = make_recording(other, f"{link_server.url}/link/x.mp4")
    fetch_now(theirs)
    url = reverse(
        "live:recording",
        kwargs={
            "slug": fetched.session.course.slug,
            "session_id": fetched.session_id,
            "recording_id": theirs.pk,
        },
    )
    assert client_for(member).get(url).status_code == 404
    assert client_for(owner).get(url).status_code == 404


@pytest.mark.parametrize("state", [RecordingState.PENDING, RecordingState.FAILED])
def test_a_recording_not_stored_is_404(
    ended: LiveSession, member: User, owner: User, state: str
) -> None:
    # Even with a file name left on it (a row is served only once marked stored).
    recording = make_recording(
        ended, "https://example.invalid/rec.mp4", state=state, file="recordings/left.mp4"
    )
    assert client_for(member).get(stream_url(recording)).status_code == 404
    assert client_for(owner).get(stream_url(recording)).status_code == 404


def test_an_unknown_recording_is_404(fetched: SessionRecording, member: User) -> None:
    url = stream_url(fetched).replace(f"/recordings/{fetched.pk}", f"/recordings/{fetched.pk + 99}")
    assert client_for(member).get(url).status_code == 404


def test_a_hidden_recording_is_only_for_the_owner_and_admins(
    fetched: SessionRecording, member: User, owner: User, admin_user: User
) -> None:
    assert client_for(owner).post(action_url(fetched, "hide")).status_code == 302
    fetched.refresh_from_db()
    assert fetched.is_hidden
    assert client_for(member).get(stream_url(fetched)).status_code == 404
    assert client_for(owner).get(stream_url(fetched)).status_code == 200
    assert client_for(admin_user).get(stream_url(fetched)).status_code == 200
    assert client_for(owner).post(action_url(fetched, "show")).status_code == 302
    assert client_for(member).get(stream_url(fetched)).status_code == 200


# --- Owner's actions ------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["hide", "show", "delete"])
def test_a_member_may_not_hide_or_delete(
    fetched: SessionRecording, member: User, outsider: User, action: str
) -> None:
    for user in (member, outsider):
        assert client_for(user).post(action_url(fetched, action)).status_code == 403
    assert client_for(None).post(action_url(fetched, action)).status_code == 302
    fetched.refresh_from_db()
    assert not fetched.is_hidden
    assert default_storage.exists(str(fetched.file.name))


def test_the_services_check_the_actor_first(fetched: SessionRecording, member: User) -> None:
    with pytest.raises(Forbidden):
        recordings.recording_set_hidden(actor=member, recording=fetched, hidden=True)
    with pytest.raises(Forbidden):
        recordings.recording_delete(actor=member, recording=fetched)
    fetched.refresh_from_db()
    assert not fetched.is_hidden


@pytest.mark.parametrize("action", ["hide", "delete"])
def test_the_actions_want_post(fetched: SessionRecording, owner: User, action: str) -> None:
    assert client_for(owner).get(action_url(fetched, action)).status_code == 405
    fetched.refresh_from_db()
    assert not fetched.is_hidden


def test_the_actions_want_the_csrf_token(fetched: SessionRecording, owner: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.post(action_url(fetched, "delete")).status_code == 403
    assert SessionRecording.objects.filter(pk=fetched.pk).exists()


def test_delete_removes_the_file_from_storage(
    fetched: SessionRecording,
    owner: User,
    member: User,
    settings: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    name = str(fetched.file.name)
    url = stream_url(fetched)
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(owner).post(action_url(fetched, "delete"))
    assert response.status_code == 302
    assert not SessionRecording.objects.filter(pk=fetched.pk).exists()
    assert not default_storage.exists(name)
    assert stored_files(Path(settings.MEDIA_ROOT)) == []
    assert client_for(member).get(url).status_code == 404
    assert client_for(owner).get(url).status_code == 404
    # The server's event stays: a retried webhook finds it and fetches nothing again.
    assert ConferenceEvent.objects.filter(pk=fetched.event_id).exists()


def test_a_deleted_recording_is_not_stored_by_a_late_fetch(
    link_server: LinkServer, ended: LiveSession, settings: Any, monkeypatch: Any
) -> None:
    recording = make_recording(ended, f"{link_server.url}/link/rec.mp4")
    download = recordings._download

    def download_while_deleted(row: SessionRecording) -> Any:
        result = download(row)
        SessionRecording.objects.filter(pk=row.pk).delete()
        return result

    monkeypatch.setattr(recordings, "_download", download_while_deleted)
    assert recordings.fetch(recording.pk) == ""
    assert stored_files(Path(settings.MEDIA_ROOT)) == []


# --- Pages ----------------------------------------------------------------------------------


def _detail(session: LiveSession) -> str:
    return reverse(
        "live:session_detail", kwargs={"slug": session.course.slug, "session_id": session.pk}
    )


def _join(session: LiveSession) -> str:
    return reverse("live:join", kwargs={"slug": session.course.slug, "session_id": session.pk})


def _manage(session: LiveSession) -> str:
    return reverse(
        "live:session_manage", kwargs={"course_id": session.course_id, "session_id": session.pk}
    )


def test_members_see_the_recording_on_the_session_pages(
    fetched: SessionRecording, member: User
) -> None:
    src = stream_url(fetched)
    client = client_for(member)
    for url in (_detail(fetched.session), _join(fetched.session)):
        page = client.get(url).content.decode()
        assert f'<video controls preload="none" src="{src}"' in page
        assert "Ouvrir la vidéo" in page
        assert fetched.source_url not in page  # the server's link is a secret
        assert "/media/" not in page


def test_the_session_cards_say_a_recording_waits(fetched: SessionRecording, member: User) -> None:
    """The student's sessions page and the course's: the ended class's card leads to
    its recording; once hidden, it says there is none."""
    client = client_for(member)
    pages = (
        reverse("live:student_sessions"),
        reverse("live:course_sessions", kwargs={"slug": fetched.session.course.slug}),
    )
    for url in pages:
        page = client.get(url).content.decode()
        assert "Regarder l&#x27;enregistrement" in page or "Regarder l'enregistrement" in page
    fetched.is_hidden = True
    fetched.save(update_fields=["is_hidden"])
    for url in pages:
        page = client.get(url).content.decode()
        assert "Regarder l" not in page and "Pas d" in page


def test_hidden_or_pending_recordings_are_not_shown_to_members(
    fetched: SessionRecording, member: User, ended: LiveSession
) -> None:
    fetched.is_hidden = True
    fetched.save(update_fields=["is_hidden"])
    make_recording(ended, "https://example.invalid/pending.mp4")
    page = client_for(member).get(_detail(ended)).content.decode()
    assert "/recordings/" not in page
    assert "<video" not in page


def test_the_owner_sees_states_and_buttons(
    fetched: SessionRecording, owner: User, ended: LiveSession
) -> None:
    failed = make_recording(
        ended,
        "https://example.invalid/failed.mp4",
        state=RecordingState.FAILED,
        attempts=8,
        last_error="the server answered 503",
    )
    page = client_for(owner).get(_manage(ended)).content.decode()
    assert stream_url(fetched) in page
    assert action_url(fetched, "hide") in page
    assert action_url(fetched, "delete") in page
    assert action_url(failed, "delete") in page
    assert "8 tentatives" in page
    assert "the server answered 503" in page
    assert failed.source_url not in page
