"""JSON out: datetimes in UTC with a `Z` (ARCHITECTURE.md), whatever zone they carry."""

from datetime import UTC, datetime
from typing import Any

from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder


class UTCJSONEncoder(NinjaJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, datetime) and o.tzinfo is not None:
            o = o.astimezone(UTC)
        return super().default(o)


class CampusJSONRenderer(JSONRenderer):
    encoder_class = UTCJSONEncoder
