from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "campus.courses"
    label = "courses"
