from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "campus.core"
    label = "core"

    def ready(self) -> None:
        from campus.core import checks  # noqa: F401  (registers the system checks)
