from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema

from campus.core.dates import InRangeDate, InRangeDatetime
from campus.courses.models import DESCRIPTION_MAX, TITLE_MAX, CourseType


class InstructorOut(Schema):
    id: int
    full_name: str


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


class EnrollmentOut(Schema):
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


class CourseIn(Schema):
    title: str = Field(..., min_length=1, max_length=TITLE_MAX)
    description: str = Field("", max_length=DESCRIPTION_MAX)
    course_type: CourseType = CourseType.ON_DEMAND
    max_students: int | None = Field(None, ge=1, le=100_000)
    enrollment_deadline: InRangeDatetime | None = None
    course_start_date: InRangeDate | None = None
    course_end_date: InRangeDate | None = None


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
