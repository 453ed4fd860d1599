"""`campus check_date_range`: list the stored dates outside the accepted range.

The range (campus.core.dates: 1970-01-01 to DATE_HORIZON_YEARS from today) is enforced
where input enters; rows written before it existed (or by hand, in SQL or a shell) may
still hold a year 1 or a year 9999 that pages cannot show. This command reads every date
and datetime column of Campus' own models and prints each row outside the range, so an
operator can fix it knowingly (nothing is changed). Exit status 1 when any is found.
"""

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models

from campus.core import dates


def out_of_range_rows(*, limit: int = 20) -> list[tuple[str, str, int, list[tuple[Any, Any]]]]:
    """(model label, field name, how many, the first `limit` (pk, value)) for every date
    or datetime column of the campus apps holding values outside the range."""
    first, after = dates.bounds()
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("campus."):
            continue
        for model in config.get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, models.DateTimeField):
                    outside = models.Q(**{f"{field.name}__lt": first}) | models.Q(
                        **{f"{field.name}__gte": after}
                    )
                elif isinstance(field, models.DateField):
                    outside = models.Q(**{f"{field.name}__lt": dates.EPOCH}) | models.Q(
                        **{f"{field.name}__gt": dates.horizon()}
                    )
                else:
                    continue
                rows = model._default_manager.filter(outside)
                count = rows.count()
                if count:
                    sample = list(rows.order_by("pk").values_list("pk", field.name)[:limit])
                    found.append((model._meta.label, field.name, count, sample))
    return found


class Command(BaseCommand):
    help = "List stored dates outside the accepted range (1970 to DATE_HORIZON_YEARS ahead)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit", type=int, default=20, help="Rows shown per column (default 20)."
        )

    def handle(self, *args: Any, limit: int, **options: Any) -> None:
        first, last = dates.EPOCH, dates.horizon()
        found = out_of_range_rows(limit=max(limit, 0))
        if not found:
            self.stdout.write(f"No stored date outside {first} .. {last}.")
            return
        total = 0
        for label, field, count, sample in found:
            total += count
            self.stdout.write(f"{label}.{field}: {count} row(s) outside {first} .. {last}")
            for pk, value in sample:
                self.stdout.write(f"  pk={pk} {field}={value.isoformat()}")
            if count > len(sample):
                self.stdout.write(f"  … and {count - len(sample)} more")
        raise CommandError(
            f"{total} stored value(s) outside the accepted range of dates: fix them (admin, "
            "shell or SQL), or raise DATE_HORIZON_YEARS if they are legitimate."
        )
