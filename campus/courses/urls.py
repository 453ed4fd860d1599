from django.urls import path

from campus.courses import home, views

app_name = "courses"

MANAGE = "courses/<slug:slug>/manage/"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    # Each role's home (login lands here): students' courses, the teaching dashboard,
    # the admin overview.
    path("dashboard/", home.home, name="home"),
    path("dashboard/instructor/", home.teaching, name="teaching"),
    path("dashboard/admin/", home.admin_overview, name="admin_overview"),
    path("dashboard/student/courses", views.my_courses, name="my_courses"),
    path("dashboard/instructor/courses", views.instructor_courses, name="instructor_courses"),
    path("dashboard/instructor/courses/new", views.course_create, name="course_create"),
    path("courses/<slug:slug>/", views.detail, name="detail"),
    path("courses/<slug:slug>/enroll", views.enroll, name="enroll"),
    path("courses/<slug:slug>/unenroll", views.unenroll, name="unenroll"),
    path("courses/<slug:slug>/lessons/<int:lesson_id>/", views.lesson, name="lesson"),
    path(
        "courses/<slug:slug>/lessons/<int:lesson_id>/complete",
        views.lesson_complete,
        name="lesson_complete",
    ),
    path("courses/<slug:slug>/quizzes/<int:quiz_id>/", views.quiz, name="quiz"),
    # Authoring (owner and admins)
    path("courses/<slug:slug>/edit", views.course_edit, name="course_edit"),
    path("courses/<slug:slug>/publish", views.course_publish, name="course_publish"),
    path(MANAGE, views.manage, name="manage"),
    path(MANAGE + "content", views.content, name="content"),
    path(MANAGE + "students", views.students, name="students"),
    path(MANAGE + "modules/new", views.module_create, name="module_create"),
    path(MANAGE + "modules/<int:module_id>/edit", views.module_edit, name="module_edit"),
    path(MANAGE + "modules/<int:module_id>/delete", views.module_delete, name="module_delete"),
    path(MANAGE + "modules/<int:module_id>/lessons/new", views.lesson_create, name="lesson_create"),
    path(MANAGE + "lessons/<int:lesson_id>/edit", views.lesson_edit, name="lesson_edit"),
    path(MANAGE + "lessons/<int:lesson_id>/delete", views.lesson_delete, name="lesson_delete"),
    path(MANAGE + "quizzes/new", views.quiz_create, name="quiz_create"),
    path(MANAGE + "quizzes/<int:quiz_id>/edit", views.quiz_edit, name="quiz_edit"),
    path(MANAGE + "quizzes/<int:quiz_id>/delete", views.quiz_delete, name="quiz_delete"),
    path(
        MANAGE + "quizzes/<int:quiz_id>/questions/new",
        views.question_create,
        name="question_create",
    ),
    path(
        MANAGE + "questions/<int:question_id>/delete",
        views.question_delete,
        name="question_delete",
    ),
]
