"""The one shape every calendar entry takes, whatever it comes from (a live session, a
plan item, a quiz deadline, a course date): the API, the pages and the iCalendar feeds
all render these."""

from dataclasses import dataclass
from datetime import datetime

# Types, and the legend of the original platform they map to.
LIVE_SESSION = "live_session"  # classe en direct (a LiveSession), its own colour and mark
LESSON = "lesson"  # leçon (plan item)
QUIZ = "quiz"  # quiz / examen (plan item)
DEADLINE = "deadline"  # date limite d'un quiz (Quiz.due_at)
MILESTONE = "milestone"  # étape du planning (25/50/75/100 %)
COURSE = "course"  # début et fin du cours
TYPES = (LIVE_SESSION, LESSON, QUIZ, DEADLINE, MILESTONE, COURSE)


@dataclass(frozen=True)
class CalendarEvent:
    key: str  # unique and stable within Campus: "live_session-12", "plan_item-5", …
    uid: str  # the iCalendar UID, stable forever: "live-session-12@campus.example"
    type: str  # one of TYPES
    title: str
    start: datetime  # aware
    end: datetime  # aware (>= start); all-day events: midnight to midnight, local
    all_day: bool
    status: str  # sessions: scheduled/live/ended/cancelled; plan items: pending/
    # in_progress/done/late/skipped; others: ""
    url: str  # a path on this site (the session, the lesson, the quiz, the course)
    course_id: int
    course_title: str
    description: str = ""
    sequence: int = 0  # iCalendar SEQUENCE (the session's; 0 for the others)
    updated_at: datetime | None = None  # for DTSTAMP / LAST-MODIFIED
    join_url: str = ""  # live sessions while live: the room (the pages link there)
    course_slug: str = ""
