"""Live class pages (issue 4). Paths follow the seeds (000 §6, 002).

Instructor pages live under the dashboard and address a course by id; student pages
address it by slug. The join page's JavaScript talks to the JSON API for join, token,
heartbeat and leave; the small HTML endpoints here serve htmx (waiting room, Q&A) and
the leave beacon (sendBeacon cannot set the CSRF header, so it posts a form).
"""

from django.urls import path

from campus.live.views import instructor, recordings, room, student

app_name = "live"

MANAGE = "dashboard/instructor/courses/<int:course_id>/live-sessions"
SESSION = MANAGE + "/<int:session_id>"
SERIES = MANAGE + "/series/<int:series_id>"
ROOM = "courses/<slug:slug>/live-sessions/<int:session_id>"

urlpatterns = [
    # Instructor (owner, admin)
    path("dashboard/instructor/live-sessions", instructor.upcoming, name="instructor_upcoming"),
    path(MANAGE, instructor.manager, name="manager"),
    path(MANAGE + "/new", instructor.session_create, name="session_create"),
    path(MANAGE + "/series/new", instructor.series_create, name="series_create"),
    path(SERIES, instructor.series_manage, name="series_manage"),
    path(SERIES + "/edit", instructor.series_edit, name="series_edit"),
    path(SERIES + "/cancel", instructor.series_cancel, name="series_cancel"),
    path(
        SERIES + "/attendance.csv",
        instructor.series_attendance_csv,
        name="series_attendance_csv",
    ),
    path(SESSION, instructor.session_manage, name="session_manage"),
    path(SESSION + "/edit", instructor.session_edit, name="session_edit"),
    path(SESSION + "/start", instructor.session_start, name="session_start"),
    path(SESSION + "/end", instructor.session_end, name="session_end"),
    path(SESSION + "/cancel", instructor.session_cancel, name="session_cancel"),
    path(SESSION + "/delete", instructor.session_delete, name="session_delete"),
    path(SESSION + "/attendance.csv", instructor.attendance_csv, name="attendance_csv"),
    path(SESSION + "/recordings/<int:recording_id>/hide", recordings.hide, name="recording_hide"),
    path(SESSION + "/recordings/<int:recording_id>/show", recordings.show, name="recording_show"),
    path(
        SESSION + "/recordings/<int:recording_id>/delete",
        recordings.delete,
        name="recording_delete",
    ),
    # Students (and everyone allowed in the course)
    path("dashboard/student/live-sessions", student.my_sessions, name="student_sessions"),
    path("courses/<slug:slug>/live-sessions", student.course_sessions, name="course_sessions"),
    path(ROOM, student.session_detail, name="session_detail"),
    # A stored recording, streamed (Range requests) after an access check each time
    path(ROOM + "/recordings/<int:recording_id>", recordings.stream, name="recording"),
    # The room: waiting room, Jitsi embed, Q&A panel
    path(ROOM + "/join", room.join, name="join"),
    path(ROOM + "/join/status", room.waiting_status, name="waiting_status"),
    path(ROOM + "/leave", room.leave_beacon, name="leave_beacon"),
    path(ROOM + "/data-saver", room.data_saver, name="data_saver"),
    path(ROOM + "/questions", room.questions, name="questions"),
    path(ROOM + "/questions/<int:message_id>/answer", room.question_answer, name="question_answer"),
    path(
        ROOM + "/questions/<int:message_id>/<str:action>",
        room.question_moderate,
        name="question_moderate",
    ),
]
