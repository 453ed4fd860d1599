from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "campus.ratings"
    label = "ratings"
    verbose_name = _("Avis")

    def ready(self) -> None:
        from campus.ratings import checks  # noqa: F401  (registers RATINGS_MODERATION's check)
