"""The MdSC frontend's course and enrollment calls (campus/mdsc/courses.py), through HTTP:
the fields its components read, bad input, each forbidden actor, constant query counts."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campus.accounts.models import Role, User
from campus.courses import services
from campus.courses.models import Course, Enrollment, Lesson
from conftest import assert_error, build_course

pytestmark = pytest.mark.django_db


def lessons_of(course: Course) -> list[Lesson]:
    return list(Lesson.objects.filter(course=course).order_by("module__position", "position", "id"))


def queries_of(call: Callable[[], Any]) -> int:
    """The queries of `call`, measured on its second run (the first one also records the
    token's first use)."""
    call()
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries)


def small_course(owner: User, title: str, *, publish: bool = True) -> Course:
    return build_course(owner, title=title, modules=1, with_final=False, publish=publish)


# --- Catalogue ---------------------------------------------------------------------------


def test_catalogue_cards_read_name_rating_and_count(api: Any, course: Course, member: User) -> None:
    item = api(None).get("/api/courses").json_body["data"][0]
    assert item["instructor"]["name"] == "Awa Formatrice"
    assert item["instructor"]["full_name"] == "Awa Formatrice"  # canonical names kept
    assert item["rating"] == 0 and item["average_rating"] == "0.00"
    assert item["enrollment_count"] == 1 == item["enrolled_count"]


def test_popular_courses_for_the_home_page(
    api: Any, course: Course, owner: User, member: User
) -> None:
    quiet = small_course(owner, "Sans avis")
    reviewed = small_course(owner, "Très commenté")
    small_course(owner, "Brouillon", publish=False)
    Course.objects.filter(pk=reviewed.pk).update(rating_count=3, rating_average=4)
    response = api(None).get("/api/courses/popular", {"limit": 6})
    assert response.status_code == 200
    data = response.json_body["data"]  # the home page reads the raw body's data
    # Most reviewed first, then (no reviews) the newest.
    assert [c["id"] for c in data] == [reviewed.pk, quiet.pk, course.pk]
    assert data[0]["instructor"]["name"] == "Awa Formatrice" and data[0]["rating"] == 4
    assert len(api(member).get("/api/courses/popular", {"limit": 1}).json_body["data"]) == 1
    for bad in (0, 21, "x"):
        assert_error(api(None).get("/api/courses/popular", {"limit": bad}), 400)


def test_popular_courses_query_count_is_constant(
    api: Any, owner: User, django_assert_num_queries: Any
) -> None:
    small_course(owner, "Cours 0")
    client = api(None)
    n = queries_of(lambda: client.get("/api/courses/popular"))
    for i in range(1, 4):
        small_course(owner, f"Cours {i}")
    with django_assert_num_queries(n):
        assert len(client.get("/api/courses/popular").json_body["data"]) == 4


# --- Course by slug ----------------------------------------------------------------------


def test_slug_detail_is_the_detail(api: Any, course: Course, member: User) -> None:
    by_slug = api(member).get(f"/api/courses/slug/{course.slug}")
    by_id = api(member).get(f"/api/courses/{course.pk}")
    assert by_slug.status_code == 200
    assert by_slug.json_body == by_id.json_body
    data = by_slug.json_body["data"]
    assert data["title"] == course.title and data["description"] == "Un cours."
    assert [m["title"] for m in data["modules"]] == ["Module 1", "Module 2"]


def test_slug_detail_hides_the_outline_from_outsiders(
    api: Any, course: Course, outsider: User
) -> None:
    for user in (None, outsider):
        response = api(user).get(f"/api/courses/slug/{course.slug}")
        assert response.status_code == 200
        assert response.json_body["data"]["modules"] is None


def test_slug_detail_of_a_draft_exists_for_its_owner_only(
    api: Any, draft_course: Course, owner: User, outsider: User, other_instructor: User
) -> None:
    path = f"/api/courses/slug/{draft_course.slug}"
    assert api(owner).get(path).status_code == 200
    for user in (None, outsider, other_instructor):
        assert_error(api(user).get(path), 404, "course_not_found")


def test_slug_detail_bad_input(api: Any, course: Course) -> None:
    assert_error(api(None).get("/api/courses/slug/nope"), 404, "course_not_found")
    assert_error(api(None).get("/api/courses/slug/" + "a" * 300), 400)
    assert_error(api(None).get("/api/courses/slug/a%00b"), 400)
    assert_error(api(None).get("/api/courses/slug/caf%C3%A9"), 400)


# --- My courses --------------------------------------------------------------------------


def test_my_courses_reads_progress(api: Any, course: Course, member: User) -> None:
    services.lesson_complete(actor=member, lesson=lessons_of(course)[0])
    response = api(member).get("/api/courses/my")
    assert response.status_code == 200
    [row] = response.json_body["data"]
    assert (row["id"], row["slug"], row["title"]) == (course.pk, course.slug, course.title)
    enrollment = Enrollment.objects.get(user=member, course=course)
    assert row["progress"] == float(enrollment.progress_percentage) > 0
    assert row["enrollment"]["id"] == enrollment.pk
    assert row["instructor"]["name"] == "Awa Formatrice"
    assert response.json_body["pagination"]["total"] == 1


def test_my_courses_leaves_out_unenrolled_ones_and_is_per_user(
    api: Any, course: Course, member: User, owner: User, outsider: User
) -> None:
    other = small_course(owner, "Autre cours")
    services.enrollment_create(actor=member, course=other)
    services.enrollment_deactivate(actor=member, course=course)
    assert [c["id"] for c in api(member).get("/api/courses/my").json_body["data"]] == [other.pk]
    assert api(outsider).get("/api/courses/my").json_body["data"] == []
    assert api(owner).get("/api/courses/my").json_body["data"] == []  # teaching is not taking


def test_my_courses_refusals(api: Any, member: User) -> None:
    assert_error(api(None).get("/api/courses/my"), 401)
    assert_error(api(member).get("/api/courses/my", {"limit": 1000}), 400)


def test_my_courses_query_count_is_constant(
    api: Any, owner: User, user_factory: Callable[..., User], django_assert_num_queries: Any
) -> None:
    student = user_factory(Role.STUDENT)
    services.enrollment_create(actor=student, course=small_course(owner, "Cours 0"))
    client = api(student)
    n = queries_of(lambda: client.get("/api/courses/my"))
    for i in range(1, 4):
        services.enrollment_create(actor=student, course=small_course(owner, f"Cours {i}"))
    with django_assert_num_queries(n):
        assert len(client.get("/api/courses/my").json_body["data"]) == 4


# --- Check enrollment --------------------------------------------------------------------


def test_check_enrollment(api: Any, course: Course, member: User, outsider: User) -> None:
    path = f"/api/courses/{course.pk}/check-enrollment"
    mine = api(member).get(path).json_body["data"]
    assert mine["is_enrolled"] is True
    assert mine["enrollment"]["id"] == Enrollment.objects.get(user=member, course=course).pk
    assert api(outsider).get(path).json_body["data"] == {"is_enrolled": False, "enrollment": None}


def test_check_enrollment_refusals(
    api: Any, course: Course, draft_course: Course, outsider: User
) -> None:
    assert_error(api(None).get(f"/api/courses/{course.pk}/check-enrollment"), 401)
    assert_error(
        api(outsider).get(f"/api/courses/{draft_course.pk}/check-enrollment"),
        404,
        "course_not_found",
    )
    assert_error(api(outsider).get("/api/courses/999999/check-enrollment"), 404)
    assert_error(api(outsider).get("/api/courses/abc/check-enrollment"), 400)


# --- An instructor's courses -------------------------------------------------------------


def test_instructor_courses_drafts_only_for_that_instructor_and_admins(
    api: Any,
    course: Course,
    draft_course: Course,
    owner: User,
    admin_user: User,
    other_instructor: User,
    outsider: User,
) -> None:
    path = f"/api/courses/instructor/{owner.pk}"
    for user in (owner, admin_user):
        assert {c["id"] for c in api(user).get(path).json_body["data"]} == {
            course.pk,
            draft_course.pk,
        }
    for someone in (None, outsider, other_instructor):
        assert [c["id"] for c in api(someone).get(path).json_body["data"]] == [course.pk]
    # A status filter never widens what one may see.
    assert api(outsider).get(path, {"status": "draft"}).json_body["data"] == []
    drafts = api(owner).get(path, {"status": "draft"}).json_body["data"]
    assert [c["id"] for c in drafts] == [draft_course.pk]
    assert api(owner).get(path, {"status": "all"}).json_body["pagination"]["total"] == 2


def test_instructor_courses_bad_input(api: Any, owner: User) -> None:
    assert_error(api(owner).get(f"/api/courses/instructor/{owner.pk}", {"status": "x"}), 400)
    assert_error(api(owner).get(f"/api/courses/instructor/{owner.pk}", {"limit": 0}), 400)
    assert api(owner).get("/api/courses/instructor/999999").json_body["data"] == []


def test_instructor_courses_query_count_is_constant(
    api: Any, owner: User, django_assert_num_queries: Any
) -> None:
    small_course(owner, "Cours 0")
    client = api(None)
    path = f"/api/courses/instructor/{owner.pk}"
    n = queries_of(lambda: client.get(path))
    for i in range(1, 4):
        small_course(owner, f"Cours {i}")
    with django_assert_num_queries(n):
        assert len(client.get(path).json_body["data"]) == 4


# --- My taught courses -------------------------------------------------------------------


def test_my_taught_courses(
    api: Any, course: Course, draft_course: Course, owner: User, other_instructor: User
) -> None:
    data = api(owner).get("/api/instructor/courses").json_body["data"]
    assert {c["id"] for c in data["courses"]} == {course.pk, draft_course.pk}
    assert data["pagination"] == {"page": 1, "limit": 20, "total": 2}
    assert api(other_instructor).get("/api/instructor/courses").json_body["data"]["courses"] == []
    published = api(owner).get("/api/instructor/courses", {"status": "published"}).json_body
    assert [c["id"] for c in published["data"]["courses"]] == [course.pk]


def test_my_taught_courses_refusals(api: Any, owner: User, outsider: User, member: User) -> None:
    assert_error(api(None).get("/api/instructor/courses"), 401)
    for student in (outsider, member):
        assert_error(api(student).get("/api/instructor/courses"), 403, "not_instructor")
    assert_error(api(owner).get("/api/instructor/courses", {"limit": 101}), 400)


def test_my_taught_courses_query_count_is_constant(
    api: Any, owner: User, django_assert_num_queries: Any
) -> None:
    small_course(owner, "Cours 0")
    client = api(owner)
    n = queries_of(lambda: client.get("/api/instructor/courses"))
    for i in range(1, 4):
        small_course(owner, f"Cours {i}", publish=bool(i % 2))
    with django_assert_num_queries(n):
        assert len(client.get("/api/instructor/courses").json_body["data"]["courses"]) == 4


# --- Create with ISO datetimes -----------------------------------------------------------


def test_create_course_takes_iso_datetimes_as_days_in_the_instructor_zone(
    api: Any, owner: User
) -> None:
    owner.timezone = "Africa/Porto-Novo"  # UTC+1
    owner.save(update_fields=["timezone"])
    response = api(owner).post(
        "/api/courses",
        {
            "title": "Nouveau cours",
            "course_start_date": "2027-01-10T23:30:00.000Z",  # 11 January in Porto-Novo
            "course_end_date": "2027-01-20T08:00:00+01:00",
        },
    )
    assert response.status_code == 201, response.json_body
    data = response.json_body["data"]
    assert (data["course_start_date"], data["course_end_date"]) == ("2027-01-11", "2027-01-20")
    plain = api(owner).post(
        "/api/courses", {"title": "Cours daté", "course_start_date": "2027-01-10"}
    )
    assert plain.json_body["data"]["course_start_date"] == "2027-01-10"


@pytest.mark.parametrize(
    "value", ["2027-01-10T08:00:00", "2027-01-10T00:00:00", "10/01/2027", "9999-01-01T00:00:00Z"]
)
def test_create_course_refuses_naive_or_bad_days(api: Any, owner: User, value: str) -> None:
    response = api(owner).post("/api/courses", {"title": "X", "course_start_date": value})
    assert_error(response, 400)


def test_create_course_checks_the_converted_days(api: Any, owner: User) -> None:
    response = api(owner).post(
        "/api/courses",
        {
            "title": "X",
            "course_start_date": "2027-01-10T12:00:00Z",
            "course_end_date": "2027-01-09T12:00:00Z",
        },
    )
    body = assert_error(response, 400, "validation_error")
    assert body["errors"][0]["code"] == "end_before_start"


# --- Update ------------------------------------------------------------------------------


def test_update_course_by_owner_and_admin(
    api: Any, course: Course, owner: User, admin_user: User, member: User
) -> None:
    path = f"/api/courses/{course.pk}"
    response = api(owner).put(
        path,
        {
            "title": "Titre modifié",
            "course_start_date": "2027-02-01T10:00:00Z",
            "price": 10,  # not a Campus field: ignored
            "description": None,  # null: unchanged
        },
    )
    assert response.status_code == 200, response.json_body
    data = response.json_body["data"]
    assert (data["id"], data["title"]) == (course.pk, "Titre modifié")
    assert data["course_start_date"] == "2027-02-01"
    assert data["description"] == "Un cours."
    assert data["enrollment_count"] == 1  # the real count, not a default
    assert api(admin_user).put(path, {"max_students": 10}).json_body["data"]["max_students"] == 10
    assert api(owner).put(path, {"max_students": None}).json_body["data"]["max_students"] is None
    # The seeds' GET on the same path still answers.
    assert api(member).get(path).json_body["data"]["title"] == "Titre modifié"


def test_update_course_refusals(
    api: Any,
    course: Course,
    draft_course: Course,
    owner: User,
    member: User,
    outsider: User,
    other_instructor: User,
) -> None:
    path = f"/api/courses/{course.pk}"
    assert_error(api(None).put(path, {"title": "X"}), 401)
    for user in (member, outsider, other_instructor):
        assert_error(api(user).put(path, {"title": "X"}), 403)
    assert_error(api(other_instructor).put(f"/api/courses/{draft_course.pk}", {"title": "X"}), 404)
    assert_error(api(owner).put(path, {"title": ""}), 400)
    assert_error(api(owner).put(path, {"title": "x" * 201}), 400)
    assert_error(api(owner).put(path, {"max_students": 0}), 400)
    assert_error(api(owner).put(path, {"course_start_date": "2027-02-01T10:00:00"}), 400)
    response = api(owner).put(
        path, {"course_start_date": "2027-02-10", "course_end_date": "2027-02-01"}
    )
    body = assert_error(response, 400, "validation_error")
    assert body["errors"][0]["code"] == "end_before_start"
    course.refresh_from_db()
    assert course.title == "Introduction à Python"


# --- Unenroll (DELETE spelling) ----------------------------------------------------------


def test_unenroll_with_delete_ends_access(api: Any, course: Course, member: User) -> None:
    client = api(member)
    response = client.delete(f"/api/courses/{course.pk}/unenroll")
    assert response.status_code == 200
    assert response.json_body["data"]["is_active"] is False
    lesson = lessons_of(course)[0]
    assert_error(client.get(f"/api/lessons/{lesson.pk}"), 403, "not_enrolled")
    assert_error(client.delete(f"/api/courses/{course.pk}/unenroll"), 409, "not_enrolled")
    # The seeds' POST on the same path still answers.
    assert_error(client.post(f"/api/courses/{course.pk}/unenroll"), 409, "not_enrolled")


def test_unenroll_with_delete_refusals(api: Any, course: Course, draft_course: Course) -> None:
    assert_error(api(None).delete(f"/api/courses/{course.pk}/unenroll"), 401)


# --- Lessons through their course --------------------------------------------------------


def test_course_lesson_for_a_member(api: Any, course: Course, member: User) -> None:
    lesson = lessons_of(course)[0]
    response = api(member).get(f"/api/courses/{course.pk}/lessons/{lesson.pk}/student")
    assert response.status_code == 200
    data = response.json_body["data"]
    assert (data["id"], data["title"]) == (lesson.pk, lesson.title)
    assert data["content"] == "Texte de la leçon." == data["body"]

    done = api(member).post(f"/api/courses/{course.pk}/lessons/{lesson.pk}/complete")
    assert done.status_code == 200
    assert done.json_body["data"]["lesson_id"] == lesson.pk
    assert float(done.json_body["data"]["enrollment"]["progress_percentage"]) > 0
    again = api(member).get(f"/api/courses/{course.pk}/lessons/{lesson.pk}/student")
    assert again.json_body["data"]["is_completed"] is True


def test_course_lesson_must_belong_to_the_course(
    api: Any, course: Course, member: User, owner: User
) -> None:
    other = small_course(owner, "Autre cours")
    foreign = lessons_of(other)[0]
    for method, suffix in (("get", "student"), ("post", "complete")):
        path = f"/api/courses/{course.pk}/lessons/{foreign.pk}/{suffix}"
        assert_error(getattr(api(member), method)(path), 404, "lesson_not_found")
    assert_error(api(member).get(f"/api/courses/{course.pk}/lessons/999999/student"), 404)
    assert_error(api(member).get(f"/api/courses/{course.pk}/lessons/x/student"), 400)


def test_course_lesson_refusals(
    api: Any, course: Course, outsider: User, other_instructor: User, owner: User
) -> None:
    lesson = lessons_of(course)[0]
    base = f"/api/courses/{course.pk}/lessons/{lesson.pk}"
    assert_error(api(None).get(f"{base}/student"), 401)
    assert_error(api(None).post(f"{base}/complete"), 401)
    for user in (outsider, other_instructor):
        assert_error(api(user).get(f"{base}/student"), 403, "not_enrolled")
        assert_error(api(user).post(f"{base}/complete"), 403, "not_enrolled")
    # The owner reads the lesson but has no enrollment to complete it in.
    assert api(owner).get(f"{base}/student").status_code == 200
    assert_error(api(owner).post(f"{base}/complete"), 403, "not_enrolled")


# --- Enrollments -------------------------------------------------------------------------


def test_my_enrollments_list(api: Any, course: Course, member: User, owner: User) -> None:
    response = api(member).get("/api/enrollments")
    assert response.status_code == 200
    [row] = response.json_body["data"]
    assert row["course_id"] == course.pk and row["progress_percentage"] == "0.00"
    assert row["course"]["title"] == course.title
    assert response.json_body == api(member).get("/api/enrollments/me").json_body
    # The seeds' POST on the same path still answers.
    other = small_course(owner, "Autre cours")
    assert api(member).post("/api/enrollments", {"course_id": other.pk}).status_code == 201
    assert_error(api(None).get("/api/enrollments"), 401)
    assert_error(api(member).get("/api/enrollments", {"page": 0}), 400)


def test_my_enrollments_query_count_is_constant(
    api: Any, owner: User, user_factory: Callable[..., User], django_assert_num_queries: Any
) -> None:
    student = user_factory(Role.STUDENT)
    services.enrollment_create(actor=student, course=small_course(owner, "Cours 0"))
    client = api(student)
    n = queries_of(lambda: client.get("/api/enrollments"))
    for i in range(1, 4):
        services.enrollment_create(actor=student, course=small_course(owner, f"Cours {i}"))
    with django_assert_num_queries(n):
        assert len(client.get("/api/enrollments").json_body["data"]) == 4


def test_enrollment_detail_for_its_student_the_owner_and_admins(
    api: Any, actors: dict, course: Course
) -> None:
    enrollment = Enrollment.objects.get(user=actors["member"], course=course)
    path = f"/api/enrollments/{enrollment.pk}"
    for name in ("member", "owner", "admin"):
        data = api(actors[name]).get(path).json_body["data"]
        assert (data["id"], data["course_id"], data["status"]) == (
            enrollment.pk,
            course.pk,
            "enrolled",
        )
        assert data["course"]["enrollment_count"] == 1
    for name in ("outsider", "other_instructor"):
        assert_error(api(actors[name]).get(path), 404, "enrollment_not_found")
    assert_error(api(None).get(path), 401)
    assert_error(api(actors["member"]).get("/api/enrollments/999999"), 404)


def test_delete_enrollments_takes_a_course_id(
    api: Any, owner: User, member: User, outsider: User
) -> None:
    small_course(owner, "Sans inscrit")
    course = small_course(owner, "Suivi")
    enrollment = services.enrollment_create(actor=member, course=course)
    assert enrollment.pk != course.pk  # the id in the path is the COURSE's
    response = api(member).delete(f"/api/enrollments/{course.pk}")
    assert response.status_code == 200
    assert response.json_body["data"]["id"] == enrollment.pk
    assert response.json_body["data"]["is_active"] is False
    assert_error(api(member).delete(f"/api/enrollments/{course.pk}"), 409, "not_enrolled")
    assert_error(api(outsider).delete(f"/api/enrollments/{course.pk}"), 409, "not_enrolled")
    assert_error(api(None).delete(f"/api/enrollments/{course.pk}"), 401)
    assert_error(api(member).delete("/api/enrollments/999999"), 404, "course_not_found")


def test_enrollments_me_is_still_the_seeds_route(api: Any, member: User) -> None:
    # /enrollments/{int:...} does not catch the literal "me".
    response = api(member).get("/api/enrollments/me")
    assert response.status_code == 200 and len(response.json_body["data"]) == 1
    assert api(member).delete("/api/enrollments/me").status_code in (404, 405)


# --- A course's students -----------------------------------------------------------------


def test_course_enrollments_for_owner_and_admin(
    api: Any, course: Course, member: User, owner: User, admin_user: User
) -> None:
    path = f"/api/courses/{course.pk}/enrollments"
    for user in (owner, admin_user):
        response = api(user).get(path, {"page": 1, "limit": 10})
        assert response.status_code == 200
        [row] = response.json_body["data"]
        assert row["id"] == Enrollment.objects.get(user=member, course=course).pk
        assert (row["user_id"], row["first_name"], row["last_name"]) == (
            member.pk,
            "Koffi",
            "Étudiant",
        )
        assert row["email"] == member.email and row["progress_percentage"] == "0.00"
        assert response.json_body["pagination"] == {"page": 1, "limit": 10, "total": 1}


def test_course_enrollments_refusals(
    api: Any, course: Course, draft_course: Course, actors: dict
) -> None:
    path = f"/api/courses/{course.pk}/enrollments"
    assert_error(api(None).get(path), 401)
    for name in ("member", "outsider", "other_instructor"):
        assert_error(api(actors[name]).get(path), 403)
    assert_error(api(actors["outsider"]).get(f"/api/courses/{draft_course.pk}/enrollments"), 404)
    assert_error(api(actors["owner"]).get(path, {"limit": 1000}), 400)
    assert_error(api(actors["owner"]).get(path, {"page": "x"}), 400)


def test_course_enrollments_query_count_is_constant(
    api: Any,
    course: Course,
    owner: User,
    member: User,
    user_factory: Callable[..., User],
    django_assert_num_queries: Any,
) -> None:
    client = api(owner)
    path = f"/api/courses/{course.pk}/enrollments"
    n = queries_of(lambda: client.get(path))
    for _ in range(3):
        services.enrollment_create(actor=user_factory(Role.STUDENT), course=course)
    with django_assert_num_queries(n):
        assert len(client.get(path).json_body["data"]) == 4


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("course_start_date", "9999-12-31"),
        ("course_end_date", "1969-12-31T12:00:00Z"),
        ("enrollment_deadline", "9999-12-31T00:00:00Z"),
    ],
)
def test_update_course_refuses_dates_out_of_range(
    api: Any, course: Course, owner: User, field: str, value: str
) -> None:
    body = assert_error(api(owner).put(f"/api/courses/{course.pk}", {field: value}), 400)
    assert body["error"]["code"] == "date_out_of_range"
    assert body["errors"][0]["field"] == field


def test_update_course_refuses_a_body_that_is_not_an_object(
    api: Any, course: Course, owner: User
) -> None:
    for raw in ("[1]", "null", '"x"'):
        response = api(owner).request("PUT", f"/api/courses/{course.pk}", raw=raw)
        assert_error(response, 400, "body_not_object")
    course.refresh_from_db()
    assert course.title == "Introduction à Python"


def test_ids_beyond_the_database_integer_are_not_a_500(
    api: Any, course: Course, member: User
) -> None:
    big = "9" * 25
    lesson = lessons_of(course)[0]
    client = api(member)
    assert_error(client.get(f"/api/courses/instructor/{big}"), 400)
    for path in (
        f"/api/courses/{big}/check-enrollment",
        f"/api/courses/{big}/lessons/{lesson.pk}/student",
        f"/api/courses/{course.pk}/lessons/{big}/student",
        f"/api/enrollments/{big}",
    ):
        assert_error(client.get(path), 404)
    assert_error(client.post(f"/api/courses/{big}/lessons/{lesson.pk}/complete"), 404)
    assert_error(client.delete(f"/api/enrollments/{big}"), 404)
