"""Issue 14: the Django admin keeps to the one range of dates (campus.core.dates) too.

An admin typing year 9999 or 0001 in a change form sees the same message under the field
and nothing is saved; a date inside the range saves. Every registered ModelAdmin (and
inline) checks every date and datetime field it edits, so a model added later cannot
slip through.
"""

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from typing import Any

import pytest
import time_machine
from django import forms
from django.contrib import admin
from django.db import models
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from campus.accounts.models import User
from campus.agenda.models import PlanItem, StudyPlan
from campus.core.dates import validate_in_range
from campus.courses.models import Course
from campus.live import services
from campus.live.models import LiveSession

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)  # the horizon is then 10 March 2036
MESSAGE = "Date hors de la plage acceptée : entre le 1er janvier 1970 et le 10 mars 2036."
OUT_OF_RANGE = ["01/01/0001", "31/12/1969", "11/03/2036", "31/12/9999"]


@pytest.fixture(autouse=True)
def _frozen(settings: Any) -> Iterator[None]:
    settings.DATE_HORIZON_YEARS = 10
    with time_machine.travel(NOW, tick=False), translation.override("fr"):
        yield


@pytest.fixture
def superuser() -> User:
    return User.objects.create_superuser(email="root@example.test", password="x" * 12)


class _FormReader(HTMLParser):
    """What a browser would submit from the admin's change form: every named input
    (checked boxes only), the selected options, the textareas."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def _add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        name = attr.get("name")
        if tag == "input" and name and attr.get("type") not in ("submit", "button", "file"):
            if attr.get("type") in ("checkbox", "radio") and "checked" not in attr:
                return
            self._add(name, attr.get("value", "on" if attr.get("type") == "checkbox" else ""))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attr:
            self._add(self._select, attr.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self._add(name, "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea][-1] += data


def change_form(client: Client, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, url
    reader = _FormReader()
    reader.feed(response.content.decode())
    return {name: values if len(values) > 1 else values[0] for name, values in reader.data.items()}


def post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, {**data, "_save": "Enregistrer"})


def page_text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- Through the admin pages ---------------------------------------------------------------


@pytest.fixture
def session(owner: User, course: Course) -> LiveSession:
    return services.session_create(
        actor=owner,
        course=course,
        title="Séance",
        scheduled_start_at=datetime(2026, 3, 12, 17, tzinfo=UTC),
        scheduled_end_at=datetime(2026, 3, 12, 18, tzinfo=UTC),
    )


@pytest.mark.parametrize("day", OUT_OF_RANGE)
def test_live_session_admin_refuses_a_start_out_of_range(
    superuser: User, session: LiveSession, day: str
) -> None:
    client = Client()
    client.force_login(superuser)
    url = reverse("admin:live_livesession_change", args=[session.pk])
    data = change_form(client, url)
    response = post(client, url, {**data, "scheduled_start_at_0": day})
    assert response.status_code == 200  # the form again, not a redirect
    page = page_text(response)
    assert MESSAGE in page
    assert f'value="{day}"' in page  # what the admin typed is kept
    session.refresh_from_db()
    assert session.scheduled_start_at == datetime(2026, 3, 12, 17, tzinfo=UTC)


def test_live_session_admin_refuses_year_9999_whatever_the_time(
    superuser: User, session: LiveSession
) -> None:
    """23:59 on the last day of year 9999 in Porto-Novo (UTC+1) is still year 9999 in
    UTC; the check never overflows into year 10000."""
    client = Client()
    client.force_login(superuser)
    url = reverse("admin:live_livesession_change", args=[session.pk])
    data = change_form(client, url)
    response = post(
        client,
        url,
        {**data, "scheduled_end_at_0": "31/12/9999", "scheduled_end_at_1": "23:59:59"},
    )
    assert response.status_code == 200
    assert MESSAGE in page_text(response)
    session.refresh_from_db()
    assert session.scheduled_end_at == datetime(2026, 3, 12, 18, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "day", "clock"),
    [
        ("Pacific/Kiritimati", "01/01/0001", "00:00:00"),  # UTC+14: before year 1 in UTC
        ("Etc/GMT+12", "31/12/9999", "23:59:59"),  # UTC-12: after year 9999 in UTC
    ],
)
def test_live_session_admin_in_extreme_zones_is_a_form_error(
    superuser: User, session: LiveSession, zone: str, day: str, clock: str
) -> None:
    """The admin reads dates in the admin's own time zone: at both ends of the calendar,
    where the conversion to UTC would overflow, it is still the form's message."""
    superuser.timezone = zone
    superuser.save(update_fields=["timezone"])
    client = Client()
    client.force_login(superuser)
    url = reverse("admin:live_livesession_change", args=[session.pk])
    data = change_form(client, url)
    response = post(
        client, url, {**data, "scheduled_start_at_0": day, "scheduled_start_at_1": clock}
    )
    assert response.status_code == 200
    assert MESSAGE in page_text(response)
    session.refresh_from_db()
    assert session.scheduled_start_at == datetime(2026, 3, 12, 17, tzinfo=UTC)


def test_live_session_admin_saves_a_date_in_range(superuser: User, session: LiveSession) -> None:
    client = Client()
    client.force_login(superuser)
    url = reverse("admin:live_livesession_change", args=[session.pk])
    data = change_form(client, url)
    response = post(
        client,
        url,
        {
            **data,
            "scheduled_start_at_0": "10/03/2036",
            "scheduled_start_at_1": "20:00:00",
            "scheduled_end_at_0": "10/03/2036",
            "scheduled_end_at_1": "21:00:00",
        },
    )
    assert response.status_code == 302, page_text(response)[-3000:]
    session.refresh_from_db()
    # Entered in the admin's zone (TIME_ZONE, Porto-Novo, UTC+1).
    assert session.scheduled_start_at == datetime(2036, 3, 10, 19, tzinfo=UTC)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("course_end_date", "31/12/9999"),
        ("course_start_date", "01/01/0001"),
        ("enrollment_deadline_0", "31/12/9999"),
        ("enrollment_deadline_0", "31/12/1969"),
    ],
)
def test_course_admin_refuses_dates_out_of_range(
    superuser: User, course: Course, field: str, value: str
) -> None:
    client = Client()
    client.force_login(superuser)
    url = reverse("admin:courses_course_change", args=[course.pk])
    data = change_form(client, url)
    if field == "enrollment_deadline_0":
        data["enrollment_deadline_1"] = "12:00:00"
    response = post(client, url, {**data, field: value})
    assert response.status_code == 200
    assert MESSAGE in page_text(response)
    course.refresh_from_db()
    assert course.course_end_date is None and course.course_start_date is None
    assert course.enrollment_deadline is None


def test_course_admin_saves_both_edges(superuser: User, course: Course) -> None:
    client = Client()
    client.force_login(superuser)
    url = reverse("admin:courses_course_change", args=[course.pk])
    data = change_form(client, url)
    response = post(
        client,
        url,
        {**data, "course_start_date": "01/01/1970", "course_end_date": "10/03/2036"},
    )
    assert response.status_code == 302, page_text(response)[-3000:]
    course.refresh_from_db()
    assert course.course_start_date == date(1970, 1, 1)
    assert course.course_end_date == date(2036, 3, 10)


def test_study_plan_inline_dates_are_checked_too(superuser: User) -> None:
    """Inlines build their fields the same way: a plan item's dates on the study plan's
    page carry the check."""
    inline_fields = {
        f.name
        for f in PlanItem._meta.get_fields()
        if isinstance(f, models.DateTimeField) and f.editable
    }
    assert {"starts_at", "ends_at"} <= inline_fields
    request = RequestFactory().get("/admin/")
    request.user = superuser
    plan_admin = admin.site._registry[StudyPlan]
    for inline in plan_admin.get_inline_instances(request):
        form_class = inline.get_formset(request).form
        assert validate_in_range in form_class.base_fields["starts_at"].validators


# --- Every registered admin ----------------------------------------------------------------


def _date_form_fields(form_class: Any) -> dict[str, forms.Field]:
    return {
        name: field
        for name, field in form_class.base_fields.items()
        if isinstance(field, forms.DateField | forms.DateTimeField | forms.SplitDateTimeField)
    }


def test_every_admin_date_field_is_range_checked(superuser: User) -> None:
    request = RequestFactory().get("/admin/")
    request.user = superuser
    checked: set[str] = set()
    for model, model_admin in admin.site._registry.items():
        forms_to_check = [(model, model_admin.get_form(request))]
        for inline in model_admin.get_inline_instances(request):
            forms_to_check.append((inline.model, inline.get_formset(request).form))
        for form_model, form_class in forms_to_check:
            editable_dates = {
                f.name
                for f in form_model._meta.get_fields()
                if isinstance(f, models.DateField)
                and f.editable
                and f.name in form_class.base_fields
            }
            date_fields = _date_form_fields(form_class)
            assert editable_dates <= set(date_fields), (form_model, editable_dates)
            for name, field in date_fields.items():
                label = f"{form_model._meta.label}.{name}"
                assert validate_in_range in field.validators, label
                checked.add(label)
    # Not vacuous: the fields issue 14 is about are among those checked.
    assert {
        "courses.Course.course_end_date",
        "courses.Course.enrollment_deadline",
        "courses.Quiz.due_at",
        "live.LiveSession.scheduled_start_at",
        "live.SessionSeries.starts_on",
        "live.SessionSeries.until",
        "agenda.PlanItem.starts_at",
    } <= checked
