"""`{% load live_attendance %}` `{% series_attendance series %}`: each enrolled student's
attendance over a weekly series' classes held, for the series page (owner, admins: the
page that places it authorizes; the tag only reads). The figures come from one selector,
live.selectors.series_attendance (three queries whatever the numbers)."""

from dataclasses import dataclass
from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campus.live import selectors
from campus.live.models import LiveSession, SessionSeries
from campus.live.selectors import AttendanceState

register = template.Library()

STATE_LABELS = {
    AttendanceState.PRESENT: _("Présence"),
    AttendanceState.PARTIAL: _("Présence partielle"),
    AttendanceState.ABSENT: _("Absence"),
    AttendanceState.NOT_EXPECTED: _("Inscription postérieure"),
}


@dataclass(frozen=True)
class StripCell:
    """One class in a student's strip: when, what, how long."""

    session: LiveSession
    cell: selectors.SeriesCell

    @property
    def state(self) -> str:
        return self.cell.state

    @property
    def label(self) -> str:
        return str(STATE_LABELS.get(self.cell.state, self.cell.state))

    @property
    def minutes(self) -> int:
        return self.cell.attendance_seconds // 60


@register.inclusion_tag("live/instructor/_series_attendance.html")
def series_attendance(series: SessionSeries) -> dict[str, Any]:
    report = selectors.series_attendance(series=series, now=timezone.now())
    rows = [
        {
            "student": student,
            "strip": [
                StripCell(session=session, cell=cell)
                for session, cell in zip(report.held, student.cells, strict=True)
            ],
        }
        for student in report.students
    ]
    return {
        "report": report,
        "rows": rows,
        "csv_url": reverse(
            "live:series_attendance_csv",
            kwargs={"course_id": series.course_id, "series_id": series.pk},
        ),
    }
