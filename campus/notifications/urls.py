from django.urls import path

from campus.notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.inbox, name="inbox"),
    path("notifications/preferences", views.preferences, name="preferences"),
    path("notifications/read-all", views.read_all, name="read_all"),
    path("notifications/<int:notification_id>/open", views.open_notification, name="open"),
    path("notifications/<int:notification_id>/delete", views.delete, name="delete"),
]
