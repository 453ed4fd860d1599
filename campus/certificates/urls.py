from django.urls import path

from campus.certificates import views

app_name = "certificates"

urlpatterns = [
    path("dashboard/student/certificates", views.mine, name="mine"),
    path(
        "dashboard/student/certificates/enrollments/<int:enrollment_id>/issue",
        views.issue,
        name="issue",
    ),
    path(
        "dashboard/student/certificates/enrollments/<int:enrollment_id>/rate",
        views.rate,
        name="rate",
    ),
    path(
        "dashboard/student/certificates/<int:certificate_id>/pdf",
        views.download,
        name="download",
    ),
    path("courses/<slug:slug>/certificate", views.course_block, name="course_block"),
    # Public, no login: what the QR code on the PDF points to.
    path("certificates/verify/<str:code>", views.verify, name="verify"),
]
