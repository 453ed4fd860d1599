"""Ratings API schemas. Strict on purpose: the stars are a JSON integer 1-5 ("4", 3.5,
true, null and "abc" are refused); the flags are JSON booleans or exactly the strings
"true"/"false" ("false" is false, never a truthy string)."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator, ConfigDict, StrictBool, StrictInt

from campus.core.schemas import RowOut
from campus.ratings.models import COMMENT_MAX, MODERATION_NOTE_MAX, PROS_CONS_MAX


def _bool_words(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    return value


Stars = Annotated[StrictInt, Field(ge=1, le=5, description="1 to 5, a JSON integer")]
Flag = Annotated[StrictBool, BeforeValidator(_bool_words)]


class RatingIn(Schema):
    model_config = ConfigDict(extra="forbid")

    enrollment_id: StrictInt | None = Field(
        None, description="Optional: defaults to your enrollment in this course."
    )
    rating: Stars
    comment: str = Field("", max_length=COMMENT_MAX)
    pros: str = Field("", max_length=PROS_CONS_MAX)
    cons: str = Field("", max_length=PROS_CONS_MAX)
    would_recommend: Flag = True
    is_anonymous: Flag = False


class RatingUpdateIn(Schema):
    """Only the fields sent change; null is refused for the stars and the flags."""

    model_config = ConfigDict(extra="forbid")

    rating: Stars = None  # type: ignore[assignment]
    comment: str = Field(None, max_length=COMMENT_MAX)  # type: ignore[assignment]
    pros: str = Field(None, max_length=PROS_CONS_MAX)  # type: ignore[assignment]
    cons: str = Field(None, max_length=PROS_CONS_MAX)  # type: ignore[assignment]
    would_recommend: Flag = None  # type: ignore[assignment]
    is_anonymous: Flag = None  # type: ignore[assignment]


class ModerateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    note: str = Field("", max_length=MODERATION_NOTE_MAX)


class ListQuery(Schema):
    sort: Literal["recent", "rating"] = "recent"


class AuthorOut(RowOut):
    display_name: str


class RatingOut(RowOut):
    id: int
    course_id: int
    rating: int
    comment: str
    pros: str
    cons: str
    would_recommend: bool
    is_anonymous: bool
    is_verified_purchase: bool
    status: str
    created_at: datetime
    updated_at: datetime
    author: AuthorOut | None = Field(..., description="null when the review is anonymous")
    first_name: str | None = Field(..., description="The author's; null when anonymous")
    last_name: str | None = Field(..., description="The author's; null when anonymous")
    is_mine: bool
    moderation_note: str | None = Field(
        None, description="Only for the author, the course's owner and admins."
    )


class RatingCourseRefOut(RowOut):
    id: int
    title: str
    slug: str


class ModerationItemOut(RatingOut):
    course: RatingCourseRefOut


class StatsOut(Schema):
    course_id: int
    average_rating: Decimal
    rating_count: int
    rating_distribution: dict[str, int]
    recommend_count: int
    recommendation_rate: int = Field(..., description="Percent of approved reviews, 0-100")


class CanRateOut(Schema):
    can_rate: bool
    reason: str = Field(..., description="ok, not_completed, already_rated, not_yours, inactive")
    has_rated: bool
    rating_id: int | None
    rating_status: str | None
