from django.urls import path

from campus.ratings import views

app_name = "ratings"

urlpatterns = [
    path("courses/<slug:slug>/rate", views.rate, name="rate"),
    path("courses/<slug:slug>/rate/delete", views.delete, name="delete"),
    path("courses/<slug:slug>/reviews", views.course_reviews, name="course_reviews"),
    path("dashboard/instructor/reviews", views.moderation, name="moderation"),
    path("dashboard/instructor/reviews/<int:rating_id>", views.moderate, name="moderate"),
]
