"""The API's JSON (orjson): the same values as the standard library's encoder gave,
datetimes in UTC with milliseconds and a `Z`, accents written as themselves, no spaces."""

import json
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from uuid import UUID

from django.test import Client
from django.utils.translation import gettext_lazy

from campus.core.renderers import UTCJSONEncoder, dumps
from campus.courses.models import CourseStatus

PORTO_NOVO = timezone(timedelta(hours=1))


def test_datetimes_are_utc_with_milliseconds_and_z() -> None:
    body = dumps(
        {
            "aware": datetime(2026, 12, 2, 9, 30, 15, 123456, tzinfo=PORTO_NOVO),
            "whole": datetime(2026, 12, 2, 8, 0, tzinfo=UTC),
            "day": date(2026, 12, 2),
            "at": time(18, 30),
        }
    )
    assert json.loads(body) == {
        "aware": "2026-12-02T08:30:15.123Z",
        "whole": "2026-12-02T08:00:00Z",
        "day": "2026-12-02",
        "at": "18:30:00",
    }


def test_compact_utf8() -> None:
    body = dumps({"titre": "Été à Cotonou", "n": [1, 2]})
    assert body == '{"titre":"Été à Cotonou","n":[1,2]}'.encode()


def test_the_same_values_as_the_standard_encoder() -> None:
    data = {
        "price": Decimal("12.50"),
        "id": UUID("12345678-1234-5678-1234-567812345678"),
        "label": gettext_lazy("Cours"),
        "status": CourseStatus.PUBLISHED,
        "when": datetime(2026, 1, 1, tzinfo=PORTO_NOVO),
        "nested": [{"a": None, "b": True, "c": 1.5}],
        7: "an integer key",
    }
    assert json.loads(dumps(data)) == json.loads(json.dumps(data, cls=UTCJSONEncoder))


def test_an_api_answer_is_compact_utf8(client: Client) -> None:
    response = client.get("/api/courses?page=0")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.content.startswith(b'{"success":false,"message":')
    assert "Les données envoyées sont invalides.".encode() in response.content
