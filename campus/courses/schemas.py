from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import PlainValidator, TypeAdapter, ValidationError, WithJsonSchema
from pydantic_core import PydanticCustomError

from campus.core.dates import InRangeDate, InRangeDatetime
from campus.core.schemas import RowOut
from campus.courses.models import DESCRIPTION_MAX, TITLE_MAX, CourseType


def _read(obj: Any, name: str) -> Any:
    """A value of what a schema is built from: a presenter's dict or a model."""
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


class InstructorOut(Schema):
    id: int
    full_name: str
    # The MdSC frontend's course page greets the instructor by these.
    first_name: str
    last_name: str
    # The MdSC frontend's name for full_name (its catalogue cards read instructor.name).
    name: str = ""

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(_read(obj, "full_name"))


class CourseOut(Schema):
    id: int
    slug: str
    title: str
    description: str
    status: str
    course_type: str
    max_students: int | None
    enrolled_count: int = 0
    enrollment_deadline: datetime | None
    course_start_date: date | None
    course_end_date: date | None
    instructor: InstructorOut
    average_rating: Decimal = Decimal(0)
    rating_count: int = 0
    # The MdSC frontend's names for average_rating and enrolled_count (catalogue cards).
    rating: float = 0.0
    enrollment_count: int = 0

    @staticmethod
    def resolve_rating(obj: Any) -> float:
        return float(_read(obj, "average_rating"))

    @staticmethod
    def resolve_enrollment_count(obj: Any) -> int:
        return int(_read(obj, "enrolled_count") or 0)


class LessonOut(Schema):
    id: int
    title: str
    content_type: str
    duration_minutes: int
    is_required: bool
    position: int
    is_completed: bool = False


class LessonDetailOut(LessonOut):
    module_id: int
    course_id: int
    body: str
    video_url: str


class QuizSummaryOut(Schema):
    id: int
    title: str
    passing_score: int
    max_attempts: int | None
    due_at: datetime | None
    is_final: bool


class ModuleOut(Schema):
    id: int
    title: str
    description: str
    position: int
    lessons: list[LessonOut]
    quiz: QuizSummaryOut | None


class EnrollmentOut(RowOut):
    id: int
    course_id: int
    status: str
    is_active: bool
    progress_percentage: Decimal
    enrolled_at: datetime
    completed_at: datetime | None


class CourseDetailOut(CourseOut):
    is_member: bool
    can_manage: bool
    enrollment: EnrollmentOut | None
    # Only for members, the owner and admins; None for everyone else.
    modules: list[ModuleOut] | None
    final_quiz: QuizSummaryOut | None


class MyEnrollmentOut(EnrollmentOut):
    course: CourseOut


class CatalogueQuery(Schema):
    q: str = Field("", max_length=100, description="Search in titles and descriptions.")
    course_type: CourseType | None = None


class EnrollIn(Schema):
    course_id: int = Field(..., ge=1)


_DAY: TypeAdapter[date] = TypeAdapter(InRangeDate)
_INSTANT: TypeAdapter[datetime] = TypeAdapter(InRangeDatetime)


def _course_day(value: Any) -> date | datetime:
    """A course's first or last day: a date ("2027-01-10"), or an instant with its offset
    (the MdSC frontend sends "2027-01-10T08:00:00.000Z"), which the API handlers turn into
    the day it is in the instructor's time zone (`services.course_days_in_zone`). Text
    longer than a date is read as an instant only, so a naive "2027-01-10T00:00:00" is
    refused, not taken for a day. One error either way (date_out_of_range included)."""
    is_instant = isinstance(value, datetime) or (
        isinstance(value, str) and len(value.strip()) > len("2027-01-10")
    )
    try:
        return (_INSTANT if is_instant else _DAY).validate_python(value)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise PydanticCustomError(error["type"], "{message}", {"message": error["msg"]}) from exc


CourseDay = Annotated[
    date | datetime,
    PlainValidator(_course_day),
    WithJsonSchema(
        {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]}
    ),
]


class CourseIn(Schema):
    title: str = Field(..., min_length=1, max_length=TITLE_MAX)
    description: str = Field("", max_length=DESCRIPTION_MAX)
    course_type: CourseType = CourseType.ON_DEMAND
    max_students: int | None = Field(None, ge=1, le=100_000)
    enrollment_deadline: InRangeDatetime | None = None
    course_start_date: CourseDay | None = None
    course_end_date: CourseDay | None = None


class ProgressOut(Schema):
    enrollment: EnrollmentOut
    lesson_id: int


class QuestionOut(Schema):
    id: int
    text: str
    choices: list[str]
    points: int


class QuizOut(QuizSummaryOut):
    course_id: int
    questions: list[QuestionOut]
    attempts_used: int


class AttemptIn(Schema):
    answers: dict[str, list[int]] = Field(
        ..., description='{"<question_id>": [chosen choice indexes]}', max_length=200
    )


class AttemptOut(Schema):
    id: int
    quiz_id: int
    attempt_number: int
    score: Decimal
    passed: bool
    submitted_at: datetime
    enrollment: EnrollmentOut
