"""The study-plan algorithm: pure functions, no database, no clock (seed 004 §2.4).

Input: the course's required lessons in course order (module by module), each module's
quiz and the final evaluation, the student's study days / start time / minutes per day
in their time zone, the first day to plan, the course's end date, and busy intervals
(the live sessions the plan must never overlap).

Output: every lesson placed exactly once and in order into study slots within the
daily budget (a lesson longer than what is left of a slot continues in the next free
time, possibly the next study day: it is then split into segments 1..n); each module's
quiz right after that module's lessons; milestones at 25, 50, 75 and 100 % of the total
work; whether it finishes by the end date and, when it does not, the minutes per day
that would make it fit. Deterministic: the same input gives the same plan.
"""

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# A quiz takes this long in the plan (it is done in one sitting: never split unless it
# is longer than a whole day's budget).
QUIZ_MINUTES = 20
MILESTONES = (25, 50, 75, 100)
# How far the planner looks ahead before giving up (a course that never fits).
HORIZON_DAYS = 3 * 366
MAX_MINUTES_PER_DAY = 480


@dataclass(frozen=True)
class LessonIn:
    id: int
    module_id: int
    title: str
    minutes: int  # >= 1


@dataclass(frozen=True)
class QuizIn:
    id: int
    module_id: int | None  # None: the course's final evaluation (after every lesson)
    title: str
    minutes: int = QUIZ_MINUTES


@dataclass(frozen=True)
class Interval:
    """[start, end) with aware datetimes."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class Settings:
    study_days: frozenset[int]  # weekday numbers, Monday = 0; at least one
    start_time: time  # local wall-clock time in `tz`
    minutes_per_day: int  # 15..480
    tz: str  # IANA zone


@dataclass(frozen=True)
class Placed:
    kind: str  # "lesson" | "quiz" | "milestone"
    ref_id: int | None  # lesson or quiz id; None for milestones
    title: str
    start: datetime  # aware, UTC
    end: datetime  # aware, UTC (== start for a milestone)
    segment: int = 1
    segments: int = 1
    percent: int | None = None  # milestones only


@dataclass(frozen=True)
class Plan:
    items: tuple[Placed, ...]
    fits: bool  # finishes on or before ends_on (always True without an end date)
    finishes_on: date | None  # local date of the last work item (None: nothing to plan)
    needed_minutes_per_day: int | None  # when it does not fit: the smallest budget that
    # would (None when it fits, or when even MAX_MINUTES_PER_DAY would not)


def plan_course(
    *,
    lessons: Sequence[LessonIn],
    quizzes: Sequence[QuizIn],
    settings: Settings,
    starts_on: date,
    ends_on: date | None,
    busy: Sequence[Interval] = (),
    not_before: datetime | None = None,
    module_order: Sequence[int] = (),
    done_minutes: int = 0,
) -> Plan:
    """Place `lessons` (already in course order) and `quizzes` from `starts_on` (local
    date in settings.tz); no work before `not_before` (a re-plan from now).

    Rules beyond the module docstring:
    - a study slot is [start_time, start_time + minutes_per_day) on each study day, the
      start read on the wall clock (a start inside a spring-forward gap moves forward by
      the gap, an ambiguous one takes the first occurrence); busy time inside a slot is
      lost, it never lengthens the slot;
    - the planner works to the minute: busy intervals are widened to whole minutes and
      `not_before` is rounded up to the next whole minute;
    - a quiz whose module has no lessons goes where that module would be: after the
      lessons of the modules before it in `module_order` (the course's module ids in
      order); a module missing from `module_order` follows the quiz listed before it
      in `quizzes` (or comes first when there is none);
    - when even HORIZON_DAYS of study days cannot hold everything, the plan holds the
      items that were placed whole, `fits` is False and `finishes_on` is None;
    - `finishes_on` is the local date of the last minute of work, so that a plan ending
      at midnight sharp still finishes on the day before (and fits that day);
    - `done_minutes` is the work already done (not placed again): milestones are
      percentages of the whole course's work, so those already reached are not placed
      and the others fall where the course reaches them.
    """
    _validate(lessons, quizzes, settings, busy, not_before, done_minutes)
    calendar = _Calendar.build(settings, starts_on, busy, not_before)
    work = _work_sequence(lessons, quizzes, module_order)
    deadline = calendar.day_end(ends_on) if ends_on is not None else None

    placements, complete = _place_all(work, calendar, settings.minutes_per_day, stop_at=None)
    fits = complete and (deadline is None or _last_end(placements) <= deadline)
    needed = None
    if not fits:
        needed = _needed_minutes_per_day(work, calendar, settings.minutes_per_day, deadline)
    return Plan(
        items=_items(
            placements, total=done_minutes + sum(w.minutes for w in work), done=done_minutes
        ),
        fits=fits,
        finishes_on=_finishes_on(placements, complete, calendar),
        needed_minutes_per_day=needed,
    )


# --- Validation ---------------------------------------------------------------------


def _validate(
    lessons: Sequence[LessonIn],
    quizzes: Sequence[QuizIn],
    settings: Settings,
    busy: Sequence[Interval],
    not_before: datetime | None,
    done_minutes: int = 0,
) -> None:
    if not settings.study_days:
        raise ValueError("study_days must hold at least one weekday")
    if any(day not in range(7) for day in settings.study_days):
        raise ValueError("study_days are weekday numbers, Monday = 0 … Sunday = 6")
    if done_minutes < 0:
        raise ValueError("done_minutes cannot be negative")
    if not 15 <= settings.minutes_per_day <= MAX_MINUTES_PER_DAY:
        raise ValueError(f"minutes_per_day must be between 15 and {MAX_MINUTES_PER_DAY}")
    if settings.start_time.tzinfo is not None:
        raise ValueError("start_time is a wall-clock time in settings.tz: no tzinfo")
    for lesson in lessons:
        if lesson.minutes < 1:
            raise ValueError(f"lesson {lesson.id} must last at least one minute")
    for quiz in quizzes:
        if quiz.minutes < 1:
            raise ValueError(f"quiz {quiz.id} must last at least one minute")
    for moment in [not_before, *(i.start for i in busy), *(i.end for i in busy)]:
        if moment is not None and moment.utcoffset() is None:
            raise ValueError("datetimes must be aware")


# --- Time, in whole UTC minutes -------------------------------------------------------
# Every instant is an int: minutes since the Unix epoch in UTC. Integer arithmetic keeps
# the planner exact and fast; datetimes come back only when the items are built.

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MINUTE = timedelta(minutes=1)


def _floor_minute(moment: datetime) -> int:
    return (moment - _EPOCH) // _MINUTE


def _ceil_minute(moment: datetime) -> int:
    return -((_EPOCH - moment) // _MINUTE)


def _to_datetime(minute: int) -> datetime:
    return _EPOCH + timedelta(minutes=minute)


@dataclass(frozen=True)
class _Calendar:
    """Where work may go: the study slots of the settings minus busy time and minus
    anything before `not_before`."""

    zone: ZoneInfo
    study_days: frozenset[int]
    start_time: time
    first_day: date
    busy_starts: tuple[int, ...]  # merged, sorted, disjoint intervals
    busy_ends: tuple[int, ...]
    not_before: int | None

    @classmethod
    def build(
        cls,
        settings: Settings,
        starts_on: date,
        busy: Sequence[Interval],
        not_before: datetime | None,
    ) -> "_Calendar":
        try:
            zone = ZoneInfo(settings.tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {settings.tz!r}") from exc
        merged = _merge(sorted((_floor_minute(i.start), _ceil_minute(i.end)) for i in busy))
        first_day = starts_on
        if not_before is not None:
            # A slot never reaches past the next day (480 minutes at most), so days more
            # than one before `not_before` cannot hold any work: skip them, which also
            # gives a re-plan from today the whole horizon.
            first_day = max(starts_on, not_before.astimezone(zone).date() - timedelta(days=1))
        return cls(
            zone=zone,
            study_days=settings.study_days,
            start_time=settings.start_time,
            first_day=first_day,
            busy_starts=tuple(start for start, _ in merged),
            busy_ends=tuple(end for _, end in merged),
            not_before=_ceil_minute(not_before) if not_before is not None else None,
        )

    def slot_start(self, day: date) -> int:
        # fold=0: in a spring-forward gap zoneinfo applies the offset from before the
        # change, which lands after the gap; in a fall-back overlap, the first one.
        return _floor_minute(datetime.combine(day, self.start_time, tzinfo=self.zone))

    def day_end(self, day: date) -> int:
        """First minute of the next local day."""
        return _floor_minute(datetime.combine(day + timedelta(days=1), time(), tzinfo=self.zone))

    def local_date(self, minute: int) -> date:
        return _to_datetime(minute).astimezone(self.zone).date()

    def free_parts(self, minutes_per_day: int, stop_at: int | None) -> Iterator[tuple[int, int]]:
        """The free parts of every study slot in time order, for HORIZON_DAYS days;
        none starting at or after `stop_at` (a plan already too late)."""
        for offset in range(HORIZON_DAYS):
            day = self.first_day + timedelta(days=offset)
            if day.weekday() not in self.study_days:
                continue
            start = self.slot_start(day)
            if stop_at is not None and start >= stop_at:
                return
            yield from self._free_parts_of(start, start + minutes_per_day)

    def _free_parts_of(self, start: int, end: int) -> Iterator[tuple[int, int]]:
        if self.not_before is not None:
            start = max(start, self.not_before)
        # Busy intervals are disjoint and sorted, so their ends are sorted too: the
        # first one that can cut this slot is the first ending after its start.
        index = bisect_right(self.busy_ends, start)
        while start < end and index < len(self.busy_starts):
            busy_start = self.busy_starts[index]
            if busy_start >= end:
                break
            if busy_start > start:
                yield start, busy_start
            start = max(start, self.busy_ends[index])
            index += 1
        if start < end:
            yield start, end


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in intervals:
        if end <= start:
            continue  # an empty interval hides nothing
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


# --- The work, in the order it is done ----------------------------------------------


@dataclass(frozen=True)
class _Work:
    kind: str  # "lesson" | "quiz"
    ref_id: int
    title: str
    minutes: int
    is_quiz: bool


def _work_sequence(
    lessons: Sequence[LessonIn], quizzes: Sequence[QuizIn], module_order: Sequence[int]
) -> list[_Work]:
    """Lessons in the given order, each module's quizzes right after its last lesson,
    the final evaluation(s) after everything."""
    last_lesson_of: dict[int, int] = {}
    for index, lesson in enumerate(lessons):
        last_lesson_of[lesson.module_id] = index
    # Each quiz gets the lesson index it follows (-1: before every lesson); sorting by
    # (that index, position in `quizzes`) keeps the given order among equals.
    anchored: list[tuple[int, int, QuizIn]] = []
    previous_anchor = -1
    for order, quiz in enumerate(quizzes):
        if quiz.module_id is None:
            anchor = len(lessons)  # after everything
        else:
            if quiz.module_id in last_lesson_of:
                anchor = last_lesson_of[quiz.module_id]
            elif quiz.module_id in module_order:  # a module without lessons
                anchor = _after_modules_before(quiz.module_id, module_order, last_lesson_of)
            else:
                anchor = previous_anchor  # no better clue: where the quiz listed before it is
            previous_anchor = anchor
        anchored.append((anchor, order, quiz))
    anchored.sort(key=lambda entry: (entry[0], entry[1]))

    work: list[_Work] = []
    pending = iter(anchored)
    next_quiz = next(pending, None)
    for index in range(-1, len(lessons) + 1):
        if 0 <= index < len(lessons):
            lesson = lessons[index]
            work.append(_Work("lesson", lesson.id, lesson.title, lesson.minutes, False))
        while next_quiz is not None and next_quiz[0] == index:
            quiz = next_quiz[2]
            work.append(_Work("quiz", quiz.id, quiz.title, quiz.minutes, True))
            next_quiz = next(pending, None)
    return work


def _after_modules_before(
    module_id: int, module_order: Sequence[int], last_lesson_of: dict[int, int]
) -> int:
    """The lesson index a module without lessons follows: the last lesson of the
    modules before it in the course (-1: there is none)."""
    before = list(module_order)[: list(module_order).index(module_id)]
    return max((last_lesson_of[m] for m in before if m in last_lesson_of), default=-1)


# --- Placement ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Placement:
    work: _Work
    segments: tuple[tuple[int, int], ...]  # [start, end) in UTC minutes, in order


class _Cursor:
    """The next free minute, walking the free parts in time order."""

    def __init__(self, parts: Iterator[tuple[int, int]]) -> None:
        self._parts = parts
        self.at = 0
        self.end = 0  # an empty part: the first move fetches a real one

    def left(self) -> int:
        return self.end - self.at

    def move_to_next_part(self) -> bool:
        part = next(self._parts, None)
        if part is None:
            return False
        self.at, self.end = part
        return True

    def take(self, minutes: int) -> tuple[int, int]:
        segment = (self.at, self.at + minutes)
        self.at += minutes
        return segment


def _place_all(
    work: Sequence[_Work], calendar: _Calendar, minutes_per_day: int, stop_at: int | None
) -> tuple[list[_Placement], bool]:
    """Place the work in order; False when the free time ran out (horizon or stop_at)."""
    cursor = _Cursor(calendar.free_parts(minutes_per_day, stop_at))
    placements: list[_Placement] = []
    for item in work:
        # A quiz is one sitting unless no single day could ever hold it.
        in_one_sitting = item.is_quiz and item.minutes <= minutes_per_day
        if in_one_sitting:
            segments = _place_whole(cursor, item.minutes)
        else:
            segments = _place_split(cursor, item.minutes)
        if segments is None:
            return placements, False
        placements.append(_Placement(item, segments))
    return placements, True


def _place_split(cursor: _Cursor, minutes: int) -> tuple[tuple[int, int], ...] | None:
    segments: list[tuple[int, int]] = []
    remaining = minutes
    while remaining:
        if not cursor.left() and not cursor.move_to_next_part():
            return None
        segment = cursor.take(min(remaining, cursor.left()))
        segments.append(segment)
        remaining -= segment[1] - segment[0]
    return tuple(segments)


def _place_whole(cursor: _Cursor, minutes: int) -> tuple[tuple[int, int], ...] | None:
    # Parts too short are left empty: the work after the quiz must not go back in time.
    while cursor.left() < minutes:
        if not cursor.move_to_next_part():
            return None
    return (cursor.take(minutes),)


def _last_end(placements: Sequence[_Placement]) -> int:
    return placements[-1].segments[-1][1] if placements else 0


def _finishes_on(
    placements: Sequence[_Placement], complete: bool, calendar: _Calendar
) -> date | None:
    if not complete or not placements:
        return None
    # The date of the last minute of work: ending at 00:00 sharp is finishing the day before.
    return calendar.local_date(_last_end(placements) - 1)


# --- When it does not fit -------------------------------------------------------------


def _needed_minutes_per_day(
    work: Sequence[_Work], calendar: _Calendar, minutes_per_day: int, deadline: int | None
) -> int | None:
    """The smallest budget, a multiple of 5 above `minutes_per_day`, that fits.

    Binary search keeps "budgets[low] does not fit, budgets[high] fits" true, so the
    answer is always verified and the budget 5 minutes below it always fails, even if
    a busy calendar makes fitting not quite monotonic in the budget.
    """
    budgets = list(range(minutes_per_day // 5 * 5 + 5, MAX_MINUTES_PER_DAY + 1, 5))
    if not budgets or not _fits(work, calendar, budgets[-1], deadline):
        return None
    low, high = -1, len(budgets) - 1  # -1 stands for minutes_per_day: it does not fit
    while high - low > 1:
        middle = (low + high) // 2
        if _fits(work, calendar, budgets[middle], deadline):
            high = middle
        else:
            low = middle
    return budgets[high]


def _fits(
    work: Sequence[_Work], calendar: _Calendar, minutes_per_day: int, deadline: int | None
) -> bool:
    # Stop scanning at the deadline: a trial budget only needs a yes or a no.
    placements, complete = _place_all(work, calendar, minutes_per_day, stop_at=deadline)
    return complete and (deadline is None or _last_end(placements) <= deadline)


# --- Output ---------------------------------------------------------------------------


def _items(placements: Sequence[_Placement], total: int, done: int = 0) -> tuple[Placed, ...]:
    """Work segments in order, each milestone right after the segment that reaches it;
    `done` minutes of `total` were done before the plan (their milestones are passed)."""
    items: list[Placed] = []
    # Milestones already reached before this plan are not placed again.
    thresholds = iter([p for p in MILESTONES if done * 100 < total * p])
    percent = next(thresholds, None)
    for placement in placements:
        count = len(placement.segments)
        for number, (start, end) in enumerate(placement.segments, start=1):
            items.append(_work_item(placement.work, start, end, number, count))
            # Compare in hundredths of a minute: percent / 100 * total without rounding.
            while percent is not None and (done + end - start) * 100 >= total * percent:
                items.append(_milestone(percent, start, total * percent - done * 100))
                percent = next(thresholds, None)
            done += end - start
    return tuple(items)


def _work_item(work: _Work, start: int, end: int, segment: int, segments: int) -> Placed:
    return Placed(
        kind=work.kind,
        ref_id=work.ref_id,
        title=work.title,
        start=_to_datetime(start),
        end=_to_datetime(end),
        segment=segment,
        segments=segments,
    )


def _milestone(percent: int, segment_start: int, hundredths_in: int) -> Placed:
    # The exact instant inside the segment: a hundredth of a minute is 600 000 µs.
    moment = _to_datetime(segment_start) + timedelta(microseconds=hundredths_in * 600_000)
    return Placed(
        kind="milestone",
        ref_id=None,
        title=f"{percent} %",
        start=moment,
        end=moment,
        percent=percent,
    )
