"""Recordings the conference server made of a session (issue 18), kept by Campus.

The server (JaaS) posts RECORDING_UPLOADED / CHAT_UPLOADED / TRANSCRIPTION_UPLOADED with a
pre-authenticated link that works for 24 hours; campus.live.conference stores one
SessionRecording per such event (pending) and queues `tasks.recording_fetch`, which
calls `fetch` here until the file is in Campus's storage (Django's storage API: the
filesystem under MEDIA_ROOT by default, an S3-compatible store when configured).

- `fetch(recording_id)`: stream the link to a temporary file (timeouts, redirects only
  to allowed schemes, RECORDING_MAX_BYTES enforced while reading, SHA-256 on the way),
  save it to storage, then mark the row stored under its row lock. Exactly once: a
  stored row is never fetched again, and of two runs that raced to the end only the
  first keeps its file (the other's copy is deleted). A transient failure (network,
  5xx, 429, the storage) raises `FetchRetry` so the task retries with backoff; a permanent one (a
  refused scheme, too large, a 4xx) marks the row failed at once.
- Pages: `recording_for_viewer` (what the streaming view serves), `recording_of`
  (what the owner's buttons act on); the session lists' `has_recording` is
  `selectors.visible_recording_exists`.
- Writes (owner, admin): `recording_set_hidden`, `recording_delete`.
"""

import hashlib
import logging
import mimetypes
import tempfile
from dataclasses import dataclass
from typing import IO

import httpx
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campus.accounts.models import User
from campus.core.errors import NotFound
from campus.courses.access import AnyUser, authorize_course, is_owner_or_admin
from campus.live.models import LiveSession, RecordingKind, RecordingState, SessionRecording

logger = logging.getLogger(__name__)

ERROR_MAX = 500  # SessionRecording.last_error's length
CHUNK_BYTES = 1024 * 1024
MAX_REDIRECTS = 5
TIMEOUT = httpx.Timeout(connect=15.0, read=60.0, write=60.0, pool=15.0)

# What a stored file is served as: the server's type when it is one of these (a type
# outside the list, such as text/html, would let a file script Campus's own origin),
# else the kind's default.
DEFAULT_TYPES = {
    RecordingKind.VIDEO: "video/mp4",
    RecordingKind.CHAT: "application/json",
    RecordingKind.TRANSCRIPTION: "application/json",
}
ALLOWED_TYPES = {
    RecordingKind.VIDEO: ("video/", "audio/"),
    RecordingKind.CHAT: ("application/json", "text/plain"),
    RecordingKind.TRANSCRIPTION: ("application/json", "text/plain", "text/vtt"),
}


class FetchRetry(Exception):
    """A transient failure (network, the server's 5xx or 429): the task tries again."""


class FetchRefused(Exception):
    """A permanent failure: retrying would give the same answer."""


@dataclass(frozen=True)
class Downloaded:
    file: IO[bytes]
    size: int
    sha256: str
    content_type: str


def _short(text: str) -> str:
    return text[:ERROR_MAX]


def _check_scheme(url: httpx.URL) -> None:
    allowed = {scheme.lower() for scheme in settings.RECORDING_LINK_SCHEMES}
    if url.scheme.lower() not in allowed:
        raise FetchRefused(f"link scheme {url.scheme!r} is not allowed")


def _content_type(kind: str, header: str) -> str:
    value = header.split(";", 1)[0].strip().lower()
    if value and value.startswith(ALLOWED_TYPES[RecordingKind(kind)]):
        return value
    return DEFAULT_TYPES[RecordingKind(kind)]


def _download(recording: SessionRecording) -> Downloaded:
    """Stream the link into a temporary file; the caller closes it (deleted on close)."""
    limit = settings.RECORDING_MAX_BYTES
    try:
        url = httpx.URL(recording.source_url)
    except httpx.InvalidURL as exc:
        raise FetchRefused(f"invalid link: {exc}") from exc
    target = tempfile.TemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR)  # noqa: SIM115
    try:
        with httpx.Client(timeout=TIMEOUT, follow_redirects=False) as client:
            for _hop in range(MAX_REDIRECTS + 1):
                _check_scheme(url)
                with client.stream("GET", url) as response:
                    if response.is_redirect and response.next_request is not None:
                        url = response.next_request.url
                        continue
                    if response.status_code >= 500 or response.status_code == 429:
                        raise FetchRetry(f"the server answered {response.status_code}")
                    if response.status_code != 200:
                        raise FetchRefused(f"the server answered {response.status_code}")
                    announced = response.headers.get("Content-Length", "")
                    if announced.isdigit() and int(announced) > limit:
                        raise FetchRefused(f"file too large: {announced} bytes (limit {limit})")
                    digest, size = hashlib.sha256(), 0
                    for chunk in response.iter_bytes(CHUNK_BYTES):
                        size += len(chunk)
                        if size > limit:
                            raise FetchRefused(f"file too large: over {limit} bytes")
                        digest.update(chunk)
                        target.write(chunk)
                    content_type = _content_type(
                        recording.kind, response.headers.get("Content-Type", "")
                    )
                    target.seek(0)
                    return Downloaded(target, size, digest.hexdigest(), content_type)
            raise FetchRefused(f"more than {MAX_REDIRECTS} redirects")
    except httpx.HTTPError as exc:
        target.close()
        raise FetchRetry(f"{type(exc).__name__}: {exc}") from exc
    except BaseException:
        target.close()
        raise


def _file_name(recording: SessionRecording, content_type: str) -> str:
    extension = mimetypes.guess_extension(content_type) or ".bin"
    base = f"session-{recording.session_id}-{recording.kind}-{recording.pk}{extension}"
    return recording.file.field.generate_filename(recording, base)


def _claim(recording_id: int) -> SessionRecording | None:
    """Count this attempt under the row lock; None when there is nothing to fetch (the
    row is gone, already stored, or given up)."""
    with transaction.atomic():
        recording = SessionRecording.objects.select_for_update().filter(pk=recording_id).first()
        if recording is None or recording.state != RecordingState.PENDING:
            return None
        recording.attempts += 1
        recording.save(update_fields=["attempts"])
        return recording


def _fail(recording_id: int, error: str, *, final: bool) -> None:
    fields: dict[str, object] = {"last_error": _short(error)}
    if final:
        fields["state"] = RecordingState.FAILED
    SessionRecording.objects.filter(pk=recording_id, state=RecordingState.PENDING).update(**fields)


def fetch(recording_id: int, *, final: bool = False) -> str:
    """Fetch one recording into storage; returns its state afterwards ("" when the row is
    gone). `final`: this is the last attempt, so a transient failure marks it failed
    instead of raising FetchRetry."""
    recording = _claim(recording_id)
    if recording is None:
        return _state_of(recording_id)
    try:
        downloaded = _download(recording)
    except FetchRefused as exc:
        logger.warning("recording %s: not kept: %s", recording_id, exc)
        _fail(recording_id, str(exc), final=True)
        return RecordingState.FAILED
    except FetchRetry as exc:
        logger.warning("recording %s: attempt %s failed: %s", recording_id, recording.attempts, exc)
        _fail(recording_id, str(exc), final=final)
        if final:
            return RecordingState.FAILED
        raise
    storage = recording.file.storage
    try:
        with downloaded.file:
            name = storage.save(
                _file_name(recording, downloaded.content_type),
                File(downloaded.file),
                max_length=recording.file.field.max_length,
            )
    except Exception as exc:  # the storage (a full disk, an S3 outage): try again later
        logger.warning("recording %s: storage failed: %s", recording_id, exc)
        _fail(recording_id, f"storage: {type(exc).__name__}: {exc}", final=final)
        if final:
            return RecordingState.FAILED
        raise FetchRetry(str(exc)) from exc
    try:
        kept = _store(recording_id, name, downloaded)
    except BaseException:
        storage.delete(name)
        raise
    if not kept:
        storage.delete(name)  # another run stored it first, or the row was deleted
    return RecordingState.STORED if kept else _state_of(recording_id)


def _state_of(recording_id: int) -> str:
    state = SessionRecording.objects.filter(pk=recording_id).values_list("state", flat=True)
    return state.first() or ""


@transaction.atomic
def _store(recording_id: int, name: str, downloaded: Downloaded) -> bool:
    recording = SessionRecording.objects.select_for_update().filter(pk=recording_id).first()
    if recording is None or recording.state == RecordingState.STORED:
        return False
    recording.file.name = name
    recording.size_bytes = downloaded.size
    recording.sha256 = downloaded.sha256
    recording.content_type = downloaded.content_type
    recording.state = RecordingState.STORED
    recording.stored_at = timezone.now()
    recording.last_error = ""
    recording.save(
        update_fields=[
            "file",
            "size_bytes",
            "sha256",
            "content_type",
            "state",
            "stored_at",
            "last_error",
        ]
    )
    return True


# --- Reads for the pages --------------------------------------------------------------


def _not_found() -> NotFound:
    return NotFound(_("Enregistrement introuvable."), code="recording_not_found")


def recording_of(*, session: LiveSession, recording_id: int) -> SessionRecording:
    """A recording of this session in any state (the owner's buttons), else NotFound."""
    recording = SessionRecording.objects.filter(session=session, pk=recording_id).first()
    if recording is None:
        raise _not_found()
    return recording


def recording_for_viewer(
    *, user: AnyUser, session: LiveSession, recording_id: int
) -> SessionRecording:
    """The stored recording a viewer of `session` (already authorized for it) may
    watch: a hidden one only for the owner and admins; anything else is NotFound."""
    recording = (
        SessionRecording.objects.filter(
            session=session, pk=recording_id, state=RecordingState.STORED
        )
        .exclude(file="")
        .first()
    )
    if recording is None or (recording.is_hidden and not is_owner_or_admin(user, session.course)):
        raise _not_found()
    return recording


# --- Writes (owner, admin) ------------------------------------------------------------


@transaction.atomic
def recording_set_hidden(
    *, actor: User, recording: SessionRecording, hidden: bool
) -> SessionRecording:
    """Hide a recording from the course's members (the owner and admins still see it),
    or show it again."""
    authorize_course(actor, recording.session.course, "manage")
    locked = SessionRecording.objects.select_for_update().filter(pk=recording.pk).first()
    if locked is None:
        raise _not_found()
    locked.is_hidden = hidden
    locked.save(update_fields=["is_hidden"])
    return locked


@transaction.atomic
def recording_delete(*, actor: User, recording: SessionRecording) -> None:
    """Delete a recording: its row, then (once committed) its file in storage. The
    server's event stays, so a retried webhook never brings the file back."""
    authorize_course(actor, recording.session.course, "manage")
    locked = SessionRecording.objects.select_for_update().filter(pk=recording.pk).first()
    if locked is None:
        raise _not_found()
    name, storage = locked.file.name, locked.file.storage
    locked.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name), robust=True)
