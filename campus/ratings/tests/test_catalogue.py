"""The catalogue shows each course's rating from the course row (no extra query)."""

from typing import Any

import pytest
from django.test import Client

from campus.courses.models import Course
from campus.ratings import services
from campus.ratings.models import CourseRating
from campus.ratings.tests.helpers import graduate

pytestmark = pytest.mark.django_db


def test_the_catalogue_shows_the_approved_rating(
    course: Course, user_factory: Any, api: Any, settings: Any
) -> None:
    settings.RATINGS_MODERATION = "post"
    student, enrollment = graduate(user_factory, course)
    services.rating_create(actor=student, enrollment=enrollment, rating=4, comment="Bien")
    page = Client().get("/").content.decode()
    assert "4.0 / 5 (1 avis)" in page or "4,0 / 5 (1 avis)" in page
    listed = next(
        c for c in api(None).get("/api/courses").json_body["data"] if c["id"] == course.pk
    )
    assert float(listed["average_rating"]) == 4.0 and listed["rating_count"] == 1
    assert CourseRating.objects.count() == 1
