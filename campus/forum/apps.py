from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ForumConfig(AppConfig):
    name = "campus.forum"
    label = "forum"
    verbose_name = _("Forum")

    def ready(self) -> None:
        from campus.forum import search

        # A later migration that rebuilds a forum table on SQLite drops its triggers:
        # put the search triggers back (and catch the FTS tables up) after migrating.
        post_migrate.connect(search.ensure_sqlite_search, sender=self)
