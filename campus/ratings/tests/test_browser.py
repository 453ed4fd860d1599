"""End to end in headless Chromium: a student who completed a course rates it with the
keyboard, the instructor approves it from the queue, the course page shows it.
Screenshots (test-artifacts/ratings-*) of the form, the queue and the course page."""

from typing import Any

import pytest

from campus.accounts.models import Role
from campus.courses.models import Course
from campus.ratings import services
from campus.ratings.models import CourseRating, RatingStatus
from campus.ratings.tests.helpers import graduate
from conftest import PASSWORD, browser_login, build_course, screenshot_sizes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _earlier_reviews(user_factory: Any, course: Course) -> None:
    owner = course.instructor
    samples = [
        (5, "Très clair, avec de bons exemples.", False, True),
        (4, "Bien, mais la partie 2 va un peu vite.", True, True),
        (3, "", False, False),
    ]
    for stars, comment, anonymous, recommend in samples:
        user, enrollment = graduate(user_factory, course)
        review = services.rating_create(
            actor=user,
            enrollment=enrollment,
            rating=stars,
            comment=comment,
            is_anonymous=anonymous,
            would_recommend=recommend,
        )
        services.rating_moderate(actor=owner, review=review, approve=True)


def test_student_rates_with_the_keyboard_and_the_instructor_approves(
    live_server: Any, new_browser_page: Any, user_factory: Any
) -> None:
    owner = user_factory(Role.INSTRUCTOR, first_name="Awa", last_name="Formatrice")
    course = build_course(owner, title="Introduction à Python")
    _earlier_reviews(user_factory, course)
    student, _ = graduate(user_factory, course, first_name="Koffi", last_name="Mensah")

    page = new_browser_page()
    browser_login(page, live_server.url, student.email, PASSWORD)
    # The course page invites the graduate (the certificate block may open its own
    # rating dialog on top: that flow is the certificates app's; here, the page itself).
    page.goto(f"{live_server.url}/courses/{course.slug}/")
    link = page.locator("#avis").get_by_role("link", name="Noter ce cours")
    assert link.get_attribute("href") == f"/courses/{course.slug}/rate"
    page.goto(f"{live_server.url}/courses/{course.slug}/rate")

    # Keyboard only: from the breadcrumb, Tab into the stars, arrows to 4 stars.
    page.locator(".breadcrumb a", has_text=course.title).focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "rating"
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert page.get_by_label("4 étoiles").is_checked()
    page.keyboard.press("Tab")
    page.keyboard.type("Cours très utile, merci !")
    page.keyboard.press("Tab")
    page.keyboard.type("Les quiz")
    screenshot_sizes(page, "ratings-form")
    page.get_by_role("button", name="Publier mon avis").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/courses/{course.slug}/")
    page.get_by_text("en attente de modération").wait_for()

    review = CourseRating.objects.get(user=student)
    assert review.rating == 4 and review.status == RatingStatus.PENDING
    assert review.comment == "Cours très utile, merci !" and review.pros == "Les quiz"

    teacher = new_browser_page()
    browser_login(teacher, live_server.url, owner.email, PASSWORD)
    # The instructor lands on the teaching dashboard, which says a review waits.
    teacher.wait_for_url("**/dashboard/instructor/")
    teacher.get_by_role("link", name="Tous les avis à modérer").click()
    teacher.get_by_text("Cours très utile, merci !").wait_for()
    screenshot_sizes(teacher, "ratings-moderation")
    teacher.get_by_role("button", name="Approuver").click()
    teacher.get_by_text("Avis publié.").wait_for()

    review.refresh_from_db()
    assert review.status == RatingStatus.APPROVED
    course.refresh_from_db()
    assert course.rating_count == 4

    page.goto(f"{live_server.url}/courses/{course.slug}/")
    page.get_by_text("Cours très utile, merci !").wait_for()
    page.locator("#avis").scroll_into_view_if_needed()
    screenshot_sizes(page, "ratings-course-page")


def test_rating_form_errors_look_right(
    live_server: Any, new_browser_page: Any, user_factory: Any
) -> None:
    owner = user_factory(Role.INSTRUCTOR)
    course = build_course(owner, title="Cours court", modules=1, with_final=False)
    student, _ = graduate(user_factory, course)
    page = new_browser_page()
    browser_login(page, live_server.url, student.email, PASSWORD)
    page.goto(f"{live_server.url}/courses/{course.slug}/rate")
    page.get_by_label("Commentaire").fill("Sans note")
    page.get_by_role("button", name="Publier mon avis").click()
    page.get_by_text("Choisissez une note de 1 à 5 étoiles.").wait_for()
    assert page.get_by_label("Commentaire").input_value() == "Sans note"
    screenshot_sizes(page, "ratings-form-error")
