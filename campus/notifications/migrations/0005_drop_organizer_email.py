"""Notifications stored before issue 14 carry the instructor's email in their session
snapshots (`data.event.organizer.email`, `data.events[].organizer.email`): drop it, so
no member's notification holds anyone's email but their own."""

from typing import Any

from django.db import migrations
from django.db.models import Q

BATCH = 500


def _strip(snapshot: Any) -> bool:
    organizer = snapshot.get("organizer") if isinstance(snapshot, dict) else None
    if isinstance(organizer, dict) and "email" in organizer:
        del organizer["email"]
        return True
    return False


def drop_organizer_email(apps: Any, schema_editor: Any) -> None:
    Notification = apps.get_model("notifications", "Notification")
    rows = (
        Notification.objects.filter(Q(data__has_key="event") | Q(data__has_key="events"))
        .only("pk", "data")
        .order_by("pk")
    )
    changed = []
    for row in rows.iterator(chunk_size=BATCH):
        data = row.data
        events = data.get("events") if isinstance(data.get("events"), list) else []
        touched = [_strip(snapshot) for snapshot in [data.get("event"), *events]]
        if any(touched):
            changed.append(row)
        if len(changed) >= BATCH:
            Notification.objects.bulk_update(changed, ["data"])
            changed = []
    if changed:
        Notification.objects.bulk_update(changed, ["data"])


class Migration(migrations.Migration):
    dependencies = [("notifications", "0004_moderator_and_series_kinds")]

    operations = [migrations.RunPython(drop_organizer_email, migrations.RunPython.noop)]
