"""Reply.root: the top-level reply of each nested reply's thread (null for a top-level
reply), so a page of the tree loads its own threads only. Existing nested replies get
theirs here: per batch of topics, one query reads (id, parent) of their replies, roots are
found in Python by walking parents (memoised), and they are written with bulk updates.
Plain ORM reads and writes: SQLite, PostgreSQL and MariaDB alike. Reversing drops the
column (nothing to undo in the rows)."""

from collections.abc import Callable, Iterator
from typing import Any

import django.db.models.deletion
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

TOPICS_PER_BATCH = 200
ROWS_PER_UPDATE = 500


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _top_of(
    reply_id: int,
    parent_of: dict[int, int | None],
    top_of: dict[int, int],
    load: Callable[[int], dict[int, int | None]],
) -> int:
    """The top-level ancestor of a reply (itself when top-level), walking `parent_of` and
    remembering the answer for every reply on the way in `top_of`; `load` reads a reply
    missing from `parent_of`."""
    path: list[int] = []
    on_path: set[int] = set()
    current = reply_id
    while current not in top_of:
        if current not in parent_of:
            parent_of.update(load(current))
        parent = parent_of[current]
        if parent is None:
            top_of[current] = current
            break
        if current in on_path:
            raise ValueError(f"forum.Reply {current}: its parents make a cycle")
        path.append(current)
        on_path.add(current)
        current = parent
    top = top_of[current]
    for node in path:
        top_of[node] = top
    return top


def fill_reply_roots(reply_model: Any, using: str) -> int:
    """Set `root` on every nested reply that has none; return how many were set.
    Idempotent (rows that have their root are left alone)."""
    replies = reply_model._default_manager.using(using)
    pending = replies.filter(parent__isnull=False, root__isnull=True)
    topic_ids = list(pending.order_by("topic_id").values_list("topic_id", flat=True).distinct())

    def load(pk: int) -> dict[int, int | None]:
        return dict(replies.filter(pk=pk).values_list("id", "parent_id"))

    done = 0
    for topics in _chunks(topic_ids, TOPICS_PER_BATCH):
        # Every reply of these topics: a parent is in its child's topic (the services
        # check it); one that is not is read on its own (`load`).
        parent_of: dict[int, int | None] = dict(
            replies.filter(topic_id__in=topics).values_list("id", "parent_id")
        )
        top_of: dict[int, int] = {}
        nested = pending.filter(topic_id__in=topics).order_by("pk").values_list("pk", flat=True)
        rows = [reply_model(pk=pk, root_id=_top_of(pk, parent_of, top_of, load)) for pk in nested]
        replies.bulk_update(rows, ["root"], batch_size=ROWS_PER_UPDATE)
        done += len(rows)
    return done


def backfill(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    fill_reply_roots(apps.get_model("forum", "Reply"), schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("forum", "0005_report_resolution"),
    ]

    operations = [
        migrations.AddField(
            model_name="reply",
            name="root",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="descendants",
                to="forum.reply",
                verbose_name="réponse de premier niveau",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="reply",
            index=models.Index(
                fields=["topic", "root", "created_at", "id"], name="reply_topic_root_idx"
            ),
        ),
    ]
