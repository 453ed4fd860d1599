"""Live sessions API schemas. Canonical names out; both seed spellings accepted in.

List and detail never carry the room password, a JWT or a join link: only join and
jitsi-token return those, and only to those allowed in.
"""

from datetime import date, datetime
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AliasChoices, model_validator

from campus.agenda.schemas import Bound
from campus.core.dates import InRangeDate, InRangeDatetime, LocalTime
from campus.core.schemas import RowOut
from campus.courses.models import TITLE_MAX
from campus.live.models import (
    CANCEL_REASON_MAX,
    CHAT_TEXT_MAX,
    MAX_PARTICIPANTS_LIMIT,
    SESSION_DESCRIPTION_MAX,
    ChatKind,
    LiveSessionStatus,
)


class SessionIn(Schema):
    title: str = Field(..., min_length=1, max_length=TITLE_MAX)
    description: str = Field("", max_length=SESSION_DESCRIPTION_MAX)
    scheduled_start_at: InRangeDatetime = Field(
        ..., validation_alias=AliasChoices("scheduled_start_at", "scheduled_start_time")
    )
    scheduled_end_at: InRangeDatetime = Field(
        ..., validation_alias=AliasChoices("scheduled_end_at", "scheduled_end_time")
    )
    max_participants: int = Field(100, ge=1, le=MAX_PARTICIPANTS_LIMIT)
    is_recording_enabled: bool = Field(
        False, validation_alias=AliasChoices("is_recording_enabled", "recording_enabled")
    )


class SessionUpdateIn(Schema):
    """PUT and PATCH: only the fields sent change (the seed's PUT sends a subset)."""

    title: str | None = Field(None, min_length=1, max_length=TITLE_MAX)
    description: str | None = Field(None, max_length=SESSION_DESCRIPTION_MAX)
    scheduled_start_at: InRangeDatetime | None = Field(
        None, validation_alias=AliasChoices("scheduled_start_at", "scheduled_start_time")
    )
    scheduled_end_at: InRangeDatetime | None = Field(
        None, validation_alias=AliasChoices("scheduled_end_at", "scheduled_end_time")
    )
    max_participants: int | None = Field(None, ge=1, le=MAX_PARTICIPANTS_LIMIT)
    is_recording_enabled: bool | None = Field(
        None, validation_alias=AliasChoices("is_recording_enabled", "recording_enabled")
    )


class CancelIn(Schema):
    reason: str = Field("", max_length=CANCEL_REASON_MAX)


class SessionListQuery(Schema):
    status: LiveSessionStatus | None = None


class LivePersonOut(RowOut):
    id: int
    full_name: str


class LiveCourseRefOut(RowOut):
    id: int
    title: str
    slug: str


class SessionOut(RowOut):
    id: int
    course_id: int
    course: LiveCourseRefOut
    instructor_id: int
    instructor: LivePersonOut
    title: str
    description: str
    status: str
    scheduled_start_at: datetime
    scheduled_end_at: datetime
    actual_start_at: datetime | None
    actual_end_at: datetime | None
    cancel_reason: str
    jitsi_server_url: str
    max_participants: int
    participants_count: int
    is_recording_enabled: bool
    recording_url: str
    series_id: int | None
    sequence: int


class SessionDetailOut(SessionOut):
    """A session as GET /live-sessions/{id} answers it: its owner and admins also get the
    room's name (the instructor's embedded player builds its URL from it); for anyone
    else the key is absent. Never the password, a JWT or a join link: those only come
    from join and jitsi-token."""

    jitsi_room_name: str | None = Field(
        None, description="Owner and admins only (absent for members)."
    )


class SessionDeletedOut(Schema):
    id: int
    deleted: bool


class TransitionOut(Schema):
    session_id: int
    status: str
    actual_start_at: datetime | None
    actual_end_at: datetime | None
    recording_url: str = ""


class SessionStatsOut(Schema):
    actual_duration_seconds: int
    actual_duration_minutes: int
    participants_count: int
    average_attendance_seconds: int
    average_attendance_minutes: int
    active_enrollments: int
    attended_students: int
    attendance_rate: float = Field(
        ..., description="Students who attended / active enrollments, in %."
    )


class EndOut(TransitionOut):
    stats: SessionStatsOut


class JitsiAccessOut(Schema):
    session_id: int
    user_id: int
    jitsi_join_url: str
    jitsi_domain: str
    jitsi_room_name: str
    jitsi_script_url: str
    jitsi_mode: str
    jwt: str | None
    expires_at: datetime | None
    jitsi_room_password: str
    is_moderator: bool
    display_name: str


class JoinOut(JitsiAccessOut):
    joined_at: datetime


class LeaveOut(Schema):
    session_id: int
    user_id: int
    left_at: datetime
    attendance_seconds: int
    attendance_duration: int = Field(..., description="Minutes (the seeds' unit).")


class HeartbeatOut(Schema):
    session_id: int
    last_seen_at: datetime


class ParticipantUserOut(Schema):
    id: int
    first_name: str
    last_name: str
    email: str


class ParticipantOut(Schema):
    id: int
    user_id: int
    user: ParticipantUserOut
    role: str
    admitted_at: datetime | None
    joined_at: datetime | None
    is_present: bool
    attendance_seconds: int
    attendance_duration: int = Field(..., description="Minutes (the seeds' unit).")


class ChatQuery(Schema):
    since: int = Field(0, ge=0, description="Return messages with an id above this one.")
    limit: int = Field(50, ge=1, le=100)


class ChatIn(Schema):
    text: str = Field(..., min_length=1, max_length=CHAT_TEXT_MAX)
    kind: ChatKind = ChatKind.MESSAGE
    answer_to: int | None = Field(
        None, ge=1, validation_alias=AliasChoices("answer_to", "answer_to_id", "question_id")
    )


class ChatMessageOut(Schema):
    id: int
    session_id: int
    author: LivePersonOut
    kind: str
    text: str
    answer_to_id: int | None
    is_pinned: bool
    is_hidden: bool
    created_at: datetime


class ChatPageOut(Schema):
    limit: int
    next: str | None = Field(..., description="Pass as `since` to poll for newer messages.")


class StudentSessionOut(RowOut):
    id: int
    course_id: int
    course_title: str
    course: LiveCourseRefOut
    title: str
    scheduled_start_at: datetime
    scheduled_end_at: datetime
    actual_start_at: datetime | None
    status: str
    can_join: bool
    max_participants: int
    participants_count: int = Field(..., description="Students admitted so far.")


class StudentSessionsOut(Schema):
    upcoming: list[StudentSessionOut]
    live: list[StudentSessionOut]
    past: list[StudentSessionOut]


class StudentSessionsQuery(Schema):
    limit: int = Field(20, ge=1, le=100, description="At most this many per group.")


# --- Series, attendance report, calendar ----------------------------------------------------


class SeriesIn(Schema):
    title: str = Field(..., min_length=1, max_length=TITLE_MAX)
    description: str = Field("", max_length=SESSION_DESCRIPTION_MAX)
    days_of_week: list[int] = Field(
        ..., max_length=50, description="0 = Monday … 6 = Sunday (duplicates are folded)."
    )
    start_time: LocalTime = Field(..., description="Local wall-clock time, HH:MM.")
    timezone_name: str | None = Field(
        None,
        max_length=64,
        validation_alias=AliasChoices("timezone", "timezone_name"),
        description="IANA zone of start_time; default: the course instructor's.",
    )
    starts_on: InRangeDate
    duration_minutes: int
    count: int | None = None
    until: InRangeDate | None = None
    max_participants: int = Field(100, ge=1, le=MAX_PARTICIPANTS_LIMIT)
    is_recording_enabled: bool = Field(
        False, validation_alias=AliasChoices("is_recording_enabled", "recording_enabled")
    )


class SeriesUpdateIn(Schema):
    """PATCH …/series ("this and following"): only the fields sent change; at least one."""

    title: str | None = Field(None, min_length=1, max_length=TITLE_MAX)
    description: str | None = Field(None, max_length=SESSION_DESCRIPTION_MAX)
    max_participants: int | None = Field(None, ge=1, le=MAX_PARTICIPANTS_LIMIT)
    is_recording_enabled: bool | None = Field(
        None, validation_alias=AliasChoices("is_recording_enabled", "recording_enabled")
    )
    start_time: LocalTime | None = Field(
        None, description="New local wall-clock start (HH:MM) in the series' time zone."
    )
    duration_minutes: int | None = Field(None, description="New length of each occurrence.")


class SeriesOut(Schema):
    id: int
    course_id: int
    title: str
    description: str
    days_of_week: list[int]
    start_time: LocalTime
    timezone: str
    starts_on: date
    duration_minutes: int
    count: int | None
    until: date | None
    max_participants: int
    is_recording_enabled: bool
    sessions: list[SessionOut]


class SeriesCountsOut(Schema):
    scheduled: int
    live: int
    ended: int
    cancelled: int


class SeriesDetailOut(SeriesOut):
    rule: str = Field(..., description="The rule in words, in the reader's language and zone.")
    counts: SeriesCountsOut
    future_count: int = Field(
        ..., description="Scheduled occurrences not yet begun: what PATCH and cancel change."
    )
    next_session_id: int | None


class AttendanceQuery(Schema):
    format: Literal["json", "csv"] = "json"


AttendanceSourceValue = Literal["webhook", "heartbeat"]
SOURCE_DESCRIPTION = (
    "Who witnessed the figure: webhook = the Jitsi server's events (JaaS webhooks or "
    "Prosody event_sync), heartbeat = the browser's presence signals."
)


class AttendanceRowOut(Schema):
    user_id: int
    full_name: str
    email: str
    role: str
    admitted_at: datetime | None
    attendance_seconds: int
    attendance_minutes: int
    attendance_source: AttendanceSourceValue = Field(..., description=SOURCE_DESCRIPTION)
    is_present: bool
    intervals_count: int


AttendanceStatus = Literal["present", "partial", "absent", "not_expected"]


class StudentAttendanceOut(Schema):
    user_id: int
    full_name: str
    email: str
    is_enrolled: bool = Field(
        ..., description="Active enrollment now; false for one who came, then left the course."
    )
    attended: bool = Field(..., description="Any time in the room between start and end.")
    attendance_status: AttendanceStatus = Field(
        ...,
        description="partial: attended under summary.partial_below_percent of the class; "
        "not_expected: enrolled after the class ended (not counted).",
    )
    attendance_seconds: int = Field(..., description="Union of the intervals within the class.")
    attendance_minutes: int
    share_percent: int | None = Field(
        ..., description="Of the actual class duration (so far while live); null if not held."
    )
    first_joined_at: datetime | None
    last_left_at: datetime | None = Field(..., description="Null while still in the room.")
    online_now: bool | None = Field(..., description="Null unless the class is live.")
    intervals_count: int
    attendance_source: AttendanceSourceValue = Field(..., description=SOURCE_DESCRIPTION)


class TeamAttendanceOut(Schema):
    user_id: int
    full_name: str
    email: str
    role: str
    attendance_seconds: int
    attendance_minutes: int
    online_now: bool | None


class AttendanceSummaryOut(Schema):
    held: bool
    is_live: bool
    class_seconds: int
    class_minutes: int
    enrolled_students: int
    expected_students: int
    attended_students: int
    partial_students: int
    absent_students: int
    online_now: int | None
    average_attendance_seconds: int = Field(..., description="Among those who attended.")
    average_attendance_minutes: int
    average_share_percent: int | None
    partial_below_percent: int


class AttendanceOut(Schema):
    session_id: int
    status: str
    participants: list[AttendanceRowOut] = Field(
        ..., description="Everyone who joined, moderators included (unchanged)."
    )
    students: list[StudentAttendanceOut] = Field(
        ..., description="Every enrolled student, absences first, then partial, present."
    )
    team: list[TeamAttendanceOut]
    summary: AttendanceSummaryOut


class SeriesHeldSessionOut(Schema):
    id: int
    title: str
    scheduled_start_at: datetime
    actual_start_at: datetime | None
    actual_end_at: datetime | None


class SeriesCellOut(Schema):
    session_id: int
    attendance_status: AttendanceStatus
    attended: bool
    attendance_seconds: int
    share_percent: int | None


class SeriesStudentOut(Schema):
    user_id: int
    full_name: str
    email: str
    attended_sessions: int
    expected_sessions: int = Field(
        ..., description="Classes held since the student enrolled: the rate's denominator."
    )
    attendance_rate_percent: int | None
    missed_last_two: bool = Field(..., description="Absent from the last two classes held.")
    total_attendance_seconds: int
    sessions: list[SeriesCellOut] = Field(..., description="One per held class, in order.")


class SeriesAttendanceSummaryOut(Schema):
    held_sessions: int
    upcoming_sessions: int
    students: int
    average_rate_percent: int | None
    missed_last_two: int
    partial_below_percent: int


class SeriesAttendanceOut(Schema):
    series_id: int
    course_id: int
    title: str
    held_sessions: list[SeriesHeldSessionOut]
    students: list[SeriesStudentOut]
    summary: SeriesAttendanceSummaryOut


class LiveCalendarQuery(Schema):
    """`start`/`end`, or the seeds' (and the MdSC frontend's) `start_date`/`end_date`:
    an ISO date (midnight in the user's zone; an end date includes that day) or a
    datetime with its offset. Each bound is required under one of its two names."""

    start: Bound | None = Field(None, description="Or `start_date`.")
    end: Bound | None = Field(
        None, description="Or `end_date`: an exclusive datetime, or an inclusive date."
    )
    start_date: Bound | None = Field(None, description="The seeds' name of `start`.")
    end_date: Bound | None = Field(None, description="The seeds' name of `end`.")

    @model_validator(mode="after")
    def _one_name_each(self) -> "LiveCalendarQuery":
        for name, alias in (("start", "start_date"), ("end", "end_date")):
            if getattr(self, name) is None and getattr(self, alias) is None:
                raise ValueError(_("Paramètre obligatoire : %(n)s.") % {"n": f"{name}/{alias}"})
        return self

    @property
    def lower(self) -> date | datetime:
        return self.start if self.start is not None else self.start_date  # type: ignore[return-value]

    @property
    def upper(self) -> date | datetime:
        return self.end if self.end is not None else self.end_date  # type: ignore[return-value]


# LiveSessionStatus's values, for the documentation (a test keeps them the same).
SessionStatusName = Literal["scheduled", "live", "ended", "cancelled"]


class CalendarSessionOut(RowOut):
    """A row of GET /student/calendar/live-sessions: seed 000's calendar row (§2.4, the
    MdSC frontend's CalendarLiveSession) plus `course_id` and `status`. The full session
    is GET /live-sessions/{id}."""

    id: int = Field(..., description="The live session's id.")
    title: str = Field(..., description="The session's title.")
    course_id: int
    course_title: str
    status: SessionStatusName = Field(
        ..., description="A cancelled session stays listed: show it struck through."
    )
    start: datetime = Field(..., description="Scheduled start (UTC).")
    end: datetime = Field(..., description="Scheduled end (UTC).")
    type: Literal["live_session"] = Field(
        ..., description="Always live_session (the seed's calendar row kind)."
    )
    url: str = Field(
        ...,
        description="Path of the session's page on Campus for students "
        "(/courses/{slug}/live-sessions/{id}), without the host.",
    )


class NotifyIn(Schema):
    message: str = Field(..., min_length=1, max_length=1000)
    title: str = Field(
        "", max_length=TITLE_MAX, description="Subject; the session's title if empty."
    )


class NotifyOut(Schema):
    recipients: int = Field(..., description="Active members an email was queued for.")


# --- Recording link (issue 4, instructor pages) ---------------------------------------------


class RecordingIn(Schema):
    recording_url: str = Field(
        "", max_length=2000, description="http(s) link to the recording; empty clears it."
    )
