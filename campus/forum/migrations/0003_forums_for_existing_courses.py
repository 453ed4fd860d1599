"""Every course has its forum (new courses get theirs in courses.services.course_create):
create the missing ones for the courses that existed before the forum. Reversing leaves
the forums (they may hold topics by then)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

BATCH = 1000


def create_missing_forums(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Course = apps.get_model("courses", "Course")
    Forum = apps.get_model("forum", "Forum")
    db = schema_editor.connection.alias
    missing = (
        Course.objects.using(db)
        .filter(forum__isnull=True)
        .order_by("pk")
        .values_list("pk", "title")
    )
    rows = [Forum(course_id=pk, title=title[:255]) for pk, title in missing.iterator()]
    Forum.objects.using(db).bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("forum", "0001_initial"),
        ("forum", "0002_search"),
        ("courses", "0002_course_rating_stats"),
    ]

    operations = [migrations.RunPython(create_missing_forums, migrations.RunPython.noop)]
