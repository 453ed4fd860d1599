"""Forum pages (issue 8): a course's forum under its slug, the student's index."""

from django.urls import path

from campus.forum import views

app_name = "forum"

FORUM = "courses/<slug:slug>/forum"
TOPIC = FORUM + "/<int:topic_id>"
REPLY = FORUM + "/replies/<int:reply_id>"

urlpatterns = [
    path("dashboard/student/forum", views.index, name="index"),
    # Reports (issue 13): the moderators' queue, site-wide (the courses one moderates;
    # admins: all) and per course; a decision on a reported post.
    path("dashboard/moderation/reports", views.reports_queue, name="reports_queue"),
    path(
        "dashboard/moderation/reports/<int:report_id>/handle",
        views.report_handle,
        name="report_handle",
    ),
    path(FORUM + "/reports", views.course_reports, name="course_reports"),
    path(FORUM, views.topics, name="topics"),
    path(TOPIC, views.topic, name="topic"),
    path(TOPIC + "/reply-form", views.reply_form, name="reply_form"),
    path(TOPIC + "/edit", views.topic_edit, name="topic_edit"),
    path(TOPIC + "/delete", views.topic_delete, name="topic_delete"),
    path(TOPIC + "/moderate", views.topic_moderate, name="topic_moderate"),
    path(TOPIC + "/follow", views.topic_follow, name="topic_follow"),
    path(TOPIC + "/report", views.topic_report, name="topic_report"),
    path(REPLY + "/vote", views.reply_vote, name="reply_vote"),
    path(REPLY + "/solution", views.reply_solution, name="reply_solution"),
    path(REPLY + "/edit", views.reply_edit, name="reply_edit"),
    path(REPLY + "/delete", views.reply_delete, name="reply_delete"),
    path(REPLY + "/moderate", views.reply_moderate, name="reply_moderate"),
    path(REPLY + "/report", views.reply_report, name="reply_report"),
]
