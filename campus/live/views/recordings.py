"""A session's stored recordings: streamed to those allowed in, hidden or deleted by the
course's owner and admins (issue 18).

The stream has no public URL: every request (each Range request a player makes while
seeking) checks access like the session's page (campus.live.access), then reads the
file through Django's storage API. One byte range gives 206, an unsatisfiable one 416,
anything else the whole file (RFC 9110 lets a server ignore several ranges).
"""

from typing import IO, Any, TypeVar

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from werkzeug.http import parse_range_header

from campus.core.errors import DomainError
from campus.core.middleware import keep_uncompressed
from campus.core.views import action_call, current_user, error_response, page, safe_next
from campus.live import access, recordings
from campus.live.models import LiveSession

R = TypeVar("R", bound=HttpResponseBase)
BLOCK_BYTES = 256 * 1024  # read at a time (FileResponse's 4 KiB default is for small files)


class _Slice:
    """`length` bytes of an open file from `start`, read by FileResponse, which closes
    it when the response is done (sent or not)."""

    def __init__(self, handle: IO[bytes], start: int, length: int) -> None:
        self.handle, self.left = handle, length
        handle.seek(start)

    def read(self, size: int = -1) -> bytes:
        size = self.left if size < 0 else min(size, self.left)
        chunk = self.handle.read(size) if size > 0 else b""
        self.left -= len(chunk)
        return chunk

    def close(self) -> None:
        self.handle.close()


def _byte_range(header: str | None, if_range: str | None, etag: str, size: int) -> Any:
    """(start, stop) for one satisfiable byte range; "unsatisfiable" (416); None: send
    the whole file (no Range, a malformed one, several ranges, a stale If-Range)."""
    if not header or (if_range and if_range != etag):
        return None
    parsed = parse_range_header(header)
    if parsed is None or parsed.units != "bytes" or len(parsed.ranges) != 1:
        return None
    bounds = parsed.range_for_length(size)
    if bounds is not None:
        return bounds
    start, stop = parsed.ranges[0]
    if start < 0 and stop is None and size > 0:
        return (0, size)  # a suffix longer than the file: the whole file, as a range
    return "unsatisfiable"


def _headers(response: R, etag: str) -> R:
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private"
    response["ETag"] = etag
    response["Content-Disposition"] = "inline"
    if isinstance(response, FileResponse):
        response.block_size = BLOCK_BYTES
    keep_uncompressed(response)  # a range counts the file's own bytes; videos do not shrink
    return response


@require_safe
def stream(request: HttpRequest, slug: str, session_id: int, recording_id: int) -> HttpResponseBase:
    # `@page`'s error mapping, for a view whose answer is a file (not an HttpResponse).
    try:
        return _stream(request, slug, session_id, recording_id)
    except DomainError as exc:
        return error_response(request, exc)


def _stream(
    request: HttpRequest, slug: str, session_id: int, recording_id: int
) -> HttpResponseBase:
    user = current_user(request)
    session = access.get_course_session_for(user, session_id, action="view", slug=slug)
    recording = recordings.recording_for_viewer(
        user=user, session=session, recording_id=recording_id
    )
    size = recording.size_bytes if recording.size_bytes is not None else recording.file.size
    etag = f'"{recording.sha256}"'
    bounds = _byte_range(request.headers.get("Range"), request.headers.get("If-Range"), etag, size)
    if bounds == "unsatisfiable":
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return _headers(response, etag)
    handle = recording.file.storage.open(recording.file.name or "", "rb")
    if bounds is None:
        whole = FileResponse(handle, content_type=recording.content_type)
        whole["Content-Length"] = str(size)
        return _headers(whole, etag)
    start, stop = bounds
    part = FileResponse(
        _Slice(handle, start, stop - start), status=206, content_type=recording.content_type
    )
    part["Content-Length"] = str(stop - start)
    part["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"
    return _headers(part, etag)


# --- Owner, admin -----------------------------------------------------------------------


def _managed(request: HttpRequest, course_id: int, session_id: int, recording_id: int) -> Any:
    user = current_user(request)
    session = access.get_course_session_for(user, session_id, action="manage", course_id=course_id)
    return user, session, recordings.recording_of(session=session, recording_id=recording_id)


def _manage_url(session: LiveSession) -> str:
    return reverse(
        "live:session_manage", kwargs={"course_id": session.course_id, "session_id": session.pk}
    )


def _set_hidden(
    request: HttpRequest, course_id: int, session_id: int, recording_id: int, *, hidden: bool
) -> HttpResponse:
    user, session, recording = _managed(request, course_id, session_id, recording_id)
    if action_call(
        request, recordings.recording_set_hidden, actor=user, recording=recording, hidden=hidden
    ):
        messages.success(
            request,
            _("Enregistrement masqué aux participants.")
            if hidden
            else _("Enregistrement de nouveau visible par les participants."),
        )
    return redirect(safe_next(request, _manage_url(session)))


@require_POST
@page
def hide(request: HttpRequest, course_id: int, session_id: int, recording_id: int) -> HttpResponse:
    return _set_hidden(request, course_id, session_id, recording_id, hidden=True)


@require_POST
@page
def show(request: HttpRequest, course_id: int, session_id: int, recording_id: int) -> HttpResponse:
    return _set_hidden(request, course_id, session_id, recording_id, hidden=False)


@require_POST
@page
def delete(
    request: HttpRequest, course_id: int, session_id: int, recording_id: int
) -> HttpResponse:
    user, session, recording = _managed(request, course_id, session_id, recording_id)
    if action_call(request, recordings.recording_delete, actor=user, recording=recording):
        messages.success(request, _("Enregistrement supprimé."))
    return redirect(safe_next(request, _manage_url(session)))
