"""Agenda pages (the student calendar, a course's study plan, the subscription panel)
and the iCalendar feeds (a secret URL, no login: calendar clients cannot log in)."""

from django.urls import path

from campus.agenda import feeds, views

app_name = "agenda"

urlpatterns = [
    # Pages (login)
    path("dashboard/student/calendar", views.calendar, name="calendar"),
    path("dashboard/student/calendar/subscribe", views.subscribe, name="subscribe"),
    path(
        "dashboard/student/calendar/subscribe/regenerate",
        views.regenerate_token,
        name="regenerate_token",
    ),
    path("courses/<slug:slug>/planning", views.plan, name="plan"),
    path("courses/<slug:slug>/planning/replan", views.replan, name="replan"),
    # iCalendar
    path("calendar/feed/<str:token>.ics", feeds.user_feed, name="feed"),
    path(
        "calendar/feed/<str:token>/courses/<int:course_id>.ics",
        feeds.course_feed,
        name="course_feed",
    ),
    path("calendar/events/<str:key>.ics", feeds.event_ics, name="event_ics"),
]
