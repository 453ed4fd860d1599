"""Live sessions API: parse -> access/service/selector -> schema. No rules here."""

from typing import Any

from django.utils import timezone
from ninja import Query, Router, Status

from campus.accounts.auth import AuthedRequest
from campus.agenda.selectors import local_bound
from campus.core.envelope import CursorEnvelope, Envelope, PageEnvelope, created, ok
from campus.core.pagination import PageQuery
from campus.courses.access import get_course_for, is_owner_or_admin
from campus.live import access, presenters, selectors, services
from campus.live.schemas import (
    AttendanceOut,
    AttendanceQuery,
    CalendarSessionOut,
    CancelIn,
    ChatIn,
    ChatMessageOut,
    ChatQuery,
    EndOut,
    HeartbeatOut,
    JitsiAccessOut,
    JoinOut,
    LeaveOut,
    LiveCalendarQuery,
    NotifyIn,
    NotifyOut,
    ParticipantOut,
    RecordingIn,
    SeriesAttendanceOut,
    SeriesDetailOut,
    SeriesIn,
    SeriesOut,
    SeriesUpdateIn,
    SessionDeletedOut,
    SessionDetailOut,
    SessionIn,
    SessionListQuery,
    SessionOut,
    SessionUpdateIn,
    StudentSessionsOut,
    StudentSessionsQuery,
    TransitionOut,
)

router = Router(tags=["live"])


@router.post(
    "/courses/{course_id}/live-sessions",
    response={201: Envelope(SessionOut)},
    summary="Schedule a live session (owner, admin)",
)
def session_create(request: AuthedRequest, course_id: int, payload: SessionIn) -> Status:
    course = get_course_for(request.auth, course_id, action="manage")
    session = services.session_create(actor=request.auth, course=course, **payload.dict())
    return created(presenters.session_row(selectors.session_with_counts(session=session)))


@router.get(
    "/courses/{course_id}/live-sessions",
    response=PageEnvelope(SessionOut),
    summary="A course's live sessions (members, owner, admin)",
)
def session_list(
    request: AuthedRequest, course_id: int, filters: Query[SessionListQuery], page: Query[PageQuery]
) -> dict:
    course = get_course_for(request.auth, course_id, action="content")
    result = selectors.sessions_of_course_page(course=course, status=filters.status, query=page)
    return ok([presenters.session_row(s) for s in result.items], pagination=result.pagination())


@router.get(
    "/live-sessions/{session_id}",
    response=Envelope(SessionDetailOut),
    summary="A live session (owner, admin: with the room's name)",
    exclude_unset=True,
)
def session_detail(request: AuthedRequest, session_id: int) -> dict:
    session = access.get_session_for(request.auth, session_id, action="view")
    moderator = is_owner_or_admin(request.auth, session.course)
    session = selectors.session_with_counts(session=session)
    return ok(presenters.session_row(session, moderator=moderator))


def _update(request: AuthedRequest, session_id: int, payload: SessionUpdateIn) -> dict:
    session = access.get_session_for(request.auth, session_id, action="manage")
    changes = payload.dict(exclude_unset=True)
    session = services.session_update(actor=request.auth, session=session, **changes)
    return ok(presenters.session_row(selectors.session_with_counts(session=session)))


@router.put("/live-sessions/{session_id}", response=Envelope(SessionOut), summary="Update")
def session_put(request: AuthedRequest, session_id: int, payload: SessionUpdateIn) -> dict:
    return _update(request, session_id, payload)


@router.patch("/live-sessions/{session_id}", response=Envelope(SessionOut), summary="Update")
def session_patch(request: AuthedRequest, session_id: int, payload: SessionUpdateIn) -> dict:
    return _update(request, session_id, payload)


@router.delete(
    "/live-sessions/{session_id}",
    response=Envelope(SessionDeletedOut),
    summary="Delete a session no one attended (else cancel it)",
)
def session_delete(request: AuthedRequest, session_id: int) -> dict:
    session = access.get_session_for(request.auth, session_id, action="manage")
    return ok({"id": services.session_delete(actor=request.auth, session=session), "deleted": True})


@router.post("/live-sessions/{session_id}/cancel", response=Envelope(SessionOut), summary="Cancel")
def session_cancel(request: AuthedRequest, session_id: int, payload: CancelIn) -> dict:
    session = access.get_session_for(request.auth, session_id, action="manage")
    session = services.session_cancel(actor=request.auth, session=session, reason=payload.reason)
    return ok(presenters.session_row(selectors.session_with_counts(session=session)))


@router.post(
    "/live-sessions/{session_id}/start", response=Envelope(TransitionOut), summary="Go live"
)
def session_start(request: AuthedRequest, session_id: int) -> dict:
    session = access.get_session_for(request.auth, session_id, action="manage")
    return ok(presenters.transition(services.session_start(actor=request.auth, session=session)))


@router.post(
    "/live-sessions/{session_id}/end", response=Envelope(EndOut), summary="End, with stats"
)
def session_end(request: AuthedRequest, session_id: int) -> dict:
    session = access.get_session_for(request.auth, session_id, action="manage")
    return ok(presenters.ended(*services.session_end(actor=request.auth, session=session)))


@router.put(
    "/live-sessions/{session_id}/recording",
    response=Envelope(SessionOut),
    summary="Set or clear the recording link of an ended session (owner, admin)",
)
def session_recording(request: AuthedRequest, session_id: int, payload: RecordingIn) -> dict:
    session = access.get_session_for(request.auth, session_id, action="manage")
    session = services.session_set_recording(
        actor=request.auth, session=session, url=payload.recording_url
    )
    return ok(presenters.session_row(selectors.session_with_counts(session=session)))


# --- Joining and presence -------------------------------------------------------------------


@router.post(
    "/live-sessions/{session_id}/join",
    response=Envelope(JoinOut),
    summary="Join: what the Jitsi embed needs (members while live; owner, admin)",
)
def session_join(request: AuthedRequest, session_id: int) -> dict:
    session = access.get_session_for(request.auth, session_id, action="view")
    return ok(services.session_join(actor=request.auth, session=session))


@router.post(
    "/live-sessions/{session_id}/jitsi-token",
    response=Envelope(JitsiAccessOut),
    summary="A fresh Jitsi token for someone already admitted",
)
def session_token(request: AuthedRequest, session_id: int) -> dict:
    session = access.get_session_for(request.auth, session_id, action="view")
    return ok(services.session_token(actor=request.auth, session=session))


@router.post("/live-sessions/{session_id}/leave", response=Envelope(LeaveOut), summary="Leave")
def session_leave(request: AuthedRequest, session_id: int) -> dict:
    session = access.get_session_for(request.auth, session_id, action="view")
    return ok(services.session_leave(actor=request.auth, session=session))


@router.post(
    "/live-sessions/{session_id}/heartbeat", response=Envelope(HeartbeatOut), summary="Presence"
)
def session_heartbeat(request: AuthedRequest, session_id: int) -> dict:
    session = access.get_polled_session_by_id_for(request.auth, session_id)
    return ok(services.session_heartbeat(actor=request.auth, session=session))


@router.get(
    "/live-sessions/{session_id}/participants",
    response=PageEnvelope(ParticipantOut),
    summary="Participants and attendance (owner, admin)",
)
def session_participants(request: AuthedRequest, session_id: int, page: Query[PageQuery]) -> dict:
    session = access.get_session_for(request.auth, session_id, action="manage")
    result = selectors.participants_page(session=session, query=page)
    return ok([presenters.participant_row(p) for p in result.items], pagination=result.pagination())


# --- Chat and the student's sessions --------------------------------------------------------


@router.get(
    "/live-sessions/{session_id}/chat",
    response=CursorEnvelope(ChatMessageOut),
    summary="Chat messages after `since` (poll with pagination.next)",
)
def chat_list(request: AuthedRequest, session_id: int, query: Query[ChatQuery]) -> dict:
    session = access.get_session_for(request.auth, session_id, action="view")
    moderator = is_owner_or_admin(request.auth, session.course)
    messages = selectors.chat_since(
        session=session, since=query.since, limit=query.limit, moderator=moderator
    )
    return presenters.chat_page(messages, since=query.since, limit=query.limit)


@router.post(
    "/live-sessions/{session_id}/chat",
    response={201: Envelope(ChatMessageOut)},
    summary="Post a message, a question, or (owner, admin) an answer",
)
def chat_post(request: AuthedRequest, session_id: int, payload: ChatIn) -> Status:
    session = access.get_session_for(request.auth, session_id, action="view")
    message = services.chat_post(actor=request.auth, session=session, **payload.dict())
    return created(presenters.chat_message(message))


@router.get(
    "/student/live-sessions",
    response=Envelope(StudentSessionsOut),
    summary="My live sessions: upcoming, live, past",
)
def student_sessions(request: AuthedRequest, query: Query[StudentSessionsQuery]) -> dict:
    groups = selectors.sessions_for_student(
        user=request.auth, now=timezone.now(), limit=query.limit
    )
    return ok(presenters.student_sessions(groups))


# --- Series, attendance report, calendar ----------------------------------------------------

# The attendance reports answer a CSV file for ?format=csv: the document lists it beside
# the JSON body (ninja deep-merges this into the operation).
CSV_FILE_TOO = {"responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}}


@router.post(
    "/courses/{course_id}/live-session-series",
    response={201: Envelope(SeriesOut)},
    summary="Schedule a weekly series and all its sessions (owner, admin)",
)
def series_create(request: AuthedRequest, course_id: int, payload: SeriesIn) -> Status:
    course = get_course_for(request.auth, course_id, action="manage")
    record, sessions = services.series_create(actor=request.auth, course=course, **payload.dict())
    return created(presenters.series_row(record, selectors.sessions_with_counts(sessions)))


@router.patch(
    "/live-sessions/{session_id}/series",
    response=Envelope(list[SessionOut]),
    summary="Edit this occurrence and the following scheduled ones of its series (owner, admin)",
)
def series_update_following(
    request: AuthedRequest, session_id: int, payload: SeriesUpdateIn
) -> dict:
    session = access.get_session_for(request.auth, session_id, action="manage")
    sessions = services.series_update_following(
        actor=request.auth, session=session, **payload.dict(exclude_unset=True)
    )
    return ok([presenters.session_row(s) for s in selectors.sessions_with_counts(sessions)])


def _series_detail(request: AuthedRequest, series_id: int) -> dict:
    record = access.get_series_for(request.auth, series_id, action="view")
    sessions = selectors.series_occurrences(series=record)
    return presenters.series_detail(selectors.series_group(record, sessions, now=timezone.now()))


@router.get(
    "/live-series/{series_id}",
    response=Envelope(SeriesDetailOut),
    summary="A weekly series: its rule and every occurrence (members, owner, admin)",
)
def series_detail(request: AuthedRequest, series_id: int) -> dict:
    return ok(_series_detail(request, series_id))


@router.patch(
    "/live-series/{series_id}",
    response=Envelope(SeriesDetailOut),
    summary="Edit a series for all its future occurrences (owner, admin)",
)
def series_update(request: AuthedRequest, series_id: int, payload: SeriesUpdateIn) -> dict:
    record = access.get_series_for(request.auth, series_id, action="manage")
    services.series_update(actor=request.auth, series=record, **payload.dict(exclude_unset=True))
    return ok(_series_detail(request, series_id))


@router.post(
    "/live-series/{series_id}/cancel",
    response=Envelope(SeriesDetailOut),
    summary="Cancel all future occurrences of a series, with one reason (owner, admin)",
)
def series_cancel(request: AuthedRequest, series_id: int, payload: CancelIn) -> dict:
    record = access.get_series_for(request.auth, series_id, action="manage")
    services.series_cancel(actor=request.auth, series=record, reason=payload.reason)
    return ok(_series_detail(request, series_id))


@router.get(
    "/live-sessions/{session_id}/attendance",
    response=Envelope(AttendanceOut),
    summary="Attendance per participant (owner, admin); ?format=csv for a file",
    openapi_extra=CSV_FILE_TOO,
)
def session_attendance(
    request: AuthedRequest, session_id: int, query: Query[AttendanceQuery]
) -> Any:
    session = access.get_session_for(request.auth, session_id, action="manage")
    now = timezone.now()
    report = selectors.session_attendance(session=session, now=now)
    if query.format == "csv":
        return presenters.attendance_csv(report)
    rows = selectors.attendance_report(session=session, now=now)
    return ok(presenters.attendance(session, rows, report))


@router.get(
    "/live-series/{series_id}/attendance",
    response=Envelope(SeriesAttendanceOut),
    summary="Each enrolled student's attendance over the series' classes held (owner, admin); "
    "?format=csv for a file",
    openapi_extra=CSV_FILE_TOO,
)
def series_attendance(request: AuthedRequest, series_id: int, query: Query[AttendanceQuery]) -> Any:
    record = access.get_series_for(request.auth, series_id, action="manage")
    report = selectors.series_attendance(series=record, now=timezone.now())
    if query.format == "csv":
        return presenters.series_attendance_csv(report)
    return ok(presenters.series_attendance(report))


@router.get(
    "/student/calendar/live-sessions",
    response=Envelope(list[CalendarSessionOut]),
    summary="My live sessions overlapping [start, end) (enrolled and taught courses), as "
    "calendar rows; start_date/end_date are accepted for start/end",
)
def calendar_sessions(request: AuthedRequest, query: Query[LiveCalendarQuery]) -> dict:
    zone = request.auth.timezone
    start = local_bound(query.lower, tz=zone)
    end = local_bound(query.upper, tz=zone, end=True)
    sessions = selectors.sessions_in_window(user=request.auth, start=start, end=end)
    return ok(presenters.calendar_rows(sessions))


# --- Notify and chat moderation (owner, admin) ----------------------------------------------


@router.post(
    "/live-sessions/{session_id}/notify",
    response=Envelope(NotifyOut),
    summary="Email the session's active members (owner, admin; 5 an hour per session)",
)
def session_notify(request: AuthedRequest, session_id: int, payload: NotifyIn) -> dict:
    session = access.get_session_for(request.auth, session_id, action="manage")
    sent = services.session_notify(actor=request.auth, session=session, **payload.dict())
    return ok({"recipients": sent})


def _moderate(request: AuthedRequest, session_id: int, message_id: int, action: str) -> dict:
    session = access.get_session_for(request.auth, session_id, action="manage")
    message = services.chat_moderate(
        actor=request.auth, session=session, message_id=message_id, action=action
    )
    return ok(presenters.chat_message(message))


@router.post(
    "/live-sessions/{session_id}/chat/{message_id}/pin",
    response=Envelope(ChatMessageOut),
    summary="Pin a chat message (owner, admin)",
)
def chat_pin(request: AuthedRequest, session_id: int, message_id: int) -> dict:
    return _moderate(request, session_id, message_id, "pin")


@router.post(
    "/live-sessions/{session_id}/chat/{message_id}/unpin",
    response=Envelope(ChatMessageOut),
    summary="Unpin a chat message (owner, admin)",
)
def chat_unpin(request: AuthedRequest, session_id: int, message_id: int) -> dict:
    return _moderate(request, session_id, message_id, "unpin")


@router.post(
    "/live-sessions/{session_id}/chat/{message_id}/hide",
    response=Envelope(ChatMessageOut),
    summary="Hide a chat message from students (owner, admin)",
)
def chat_hide(request: AuthedRequest, session_id: int, message_id: int) -> dict:
    return _moderate(request, session_id, message_id, "hide")


@router.post(
    "/live-sessions/{session_id}/chat/{message_id}/unhide",
    response=Envelope(ChatMessageOut),
    summary="Show a hidden chat message again (owner, admin)",
)
def chat_unhide(request: AuthedRequest, session_id: int, message_id: int) -> dict:
    return _moderate(request, session_id, message_id, "unhide")
