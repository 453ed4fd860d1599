from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "campus.live"
    label = "live"
    verbose_name = "Cours en direct"

    def ready(self) -> None:
        from campus.live import checks  # noqa: F401  (registers the Jitsi system checks)
