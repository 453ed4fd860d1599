"""Reports in headless Chromium (issue 13): a student reports a reply; the course's
owner sees the count in the navigation, follows the teaching dashboard's "signalement à
traiter" to the queue and hides the reply in place (htmx); the student reloads the topic
and no longer sees the reply's text; the queue's "Traités" shows the decision with the
owner's name and time. Screenshots of the report form, the queue (open and handled) at
1280 and 360 px."""

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from campus.accounts.models import Role, User
from campus.courses import services as course_services
from campus.courses.models import Course
from campus.forum import services
from campus.forum.models import Report, ReportResolution, ReportStatus
from campus.forum.tests.helpers import make_reply, make_topic
from conftest import PASSWORD, browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 360)
SPAM = "Gagnez 500 000 FCFA par jour sans rien faire"


def shots(page: Any, name: str) -> None:
    """<name>-1280.png and <name>-360.png under test-artifacts/, back at phone width."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"{name}-{width}")


@pytest.fixture(autouse=True)
def unlimited(monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "POST_LIMIT", 10_000)


def test_student_reports_owner_hides_student_no_longer_sees_it(
    live_server: Any,
    new_browser_page: Callable[[], Any],
    owner: User,
    course: Course,
    member: User,
    user_factory: Callable[..., User],
) -> None:
    spammer = user_factory(Role.STUDENT, first_name="Sèna", last_name="Hounkpè")
    course_services.enrollment_create(actor=spammer, course=course)
    topic = make_topic(member, course, title="Comment lire un fichier CSV ?")
    make_reply(owner, topic, "Avec le module `csv` : `csv.reader(f)`.")
    spam = make_reply(spammer, topic, f"{SPAM} : **cliquez ici** !")
    topic_url = live_server.url + reverse(
        "forum:topic", kwargs={"slug": course.slug, "topic_id": topic.pk}
    )

    # The student reports the reply from its "⋯" menu.
    student = new_browser_page()
    browser_login(student, live_server.url, member.email, PASSWORD)
    student.goto(topic_url)
    row = student.locator(f"#reply-{spam.pk} > .post")
    row.locator(".post-more > summary").click()  # "⋯": the reply's other actions
    row.get_by_role("link", name="Signaler").click()
    student.get_by_role("heading", name="Signaler une réponse").wait_for()
    student.get_by_label("Motif").fill("Arnaque : ce message promet de l'argent facile.")
    shots(student, "reports-form")
    student.get_by_role("button", name="Signaler").click()
    student.get_by_text("Merci : les modérateurs du cours vont examiner ce message.").wait_for()
    report = Report.objects.get(reply=spam)
    assert report.reporter == member and report.status == ReportStatus.OPEN

    # The owner lands on the teaching dashboard and follows "signalement à traiter".
    teacher = new_browser_page()
    browser_login(teacher, live_server.url, owner.email, PASSWORD)
    teacher.wait_for_url("**" + reverse("courses:teaching"))
    # The navigation says something waits: a count on "Enseigner", and the report in
    # the account menu's "Signalements (1)".
    nav = teacher.get_by_role("navigation", name="Navigation principale")
    assert nav.locator(".nav-count").inner_text().strip() != ""
    nav.get_by_text("Mon compte").click()
    assert "Signalements (1)" in nav.get_by_role("link", name="Signalements").inner_text()
    nav.get_by_text("Mon compte").click()
    waiting = teacher.locator("#waiting-reports")
    assert "1" in waiting.locator(".count").inner_text()
    assert "signalement à traiter" in waiting.inner_text()
    waiting.get_by_role("link", name=course.title).click()
    teacher.wait_for_url("**" + reverse("forum:course_reports", kwargs={"slug": course.slug}))
    card = teacher.locator(f"#report-group-{report.pk}")
    card.wait_for()
    text = card.inner_text()
    assert SPAM in text and "Sèna Hounkpè" in text  # the post and its author
    assert "Arnaque" in text and "Koffi Étudiant" in text  # the reason and who reported
    assert "Comment lire un fichier CSV ?" in text  # its topic
    shots(teacher, "reports-queue")

    # "Masquer le message": the card turns into the decision, in place.
    card.get_by_role("button", name="Masquer le message").click()
    decision = teacher.locator(f"#report-group-{report.pk} .report-decision")
    decision.wait_for()
    assert "Message masqué" in decision.inner_text()
    assert "par Awa Formatrice" in decision.inner_text()
    assert teacher.locator(f"#report-group-{report.pk}").get_by_role("button").count() == 0
    shots(teacher, "reports-queue-handled-inline")
    report.refresh_from_db()
    assert report.resolution == ReportResolution.HIDDEN and report.resolved_by == owner
    assert report.resolved_at is not None

    # The student reloads the topic: the reply's text is gone ("message masqué").
    student.goto(topic_url)
    student.locator(f"#reply-{spam.pk}").get_by_text("message masqué").wait_for()
    assert SPAM not in student.locator("main").inner_text()
    assert "Avec le module" in student.locator("main").inner_text()

    # The queue: nothing left to do; "Traités" says what, who and when.
    teacher.reload()
    teacher.get_by_text("Aucun signalement à traiter").wait_for()
    teacher.get_by_role("link", name="Traités").click()
    handled = teacher.locator(f"#report-group-{report.pk}")
    handled.wait_for()
    line = handled.locator(".report-decision").inner_text()
    assert "Message masqué" in line and "par Awa Formatrice" in line
    assert handled.locator(".report-decision time").get_attribute("datetime")
    shots(teacher, "reports-handled")

    # The owner is not offered "Signaler" in their own course.
    teacher.goto(topic_url)
    assert teacher.get_by_role("link", name="Signaler").count() == 0
