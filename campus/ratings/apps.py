from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "campus.ratings"
    label = "ratings"
    verbose_name = "Avis"

    def ready(self) -> None:
        from campus.ratings import checks  # noqa: F401  (registers RATINGS_MODERATION's check)
