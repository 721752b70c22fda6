from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("courses/<slug:slug>/enroll/", views.enroll, name="enroll"),
    path("courses/<slug:slug>/", views.course_path, name="course_path"),
    path("courses/<slug:slug>/words/", views.course_words, name="course_words"),
    path("answers/<int:attempt_id>/report/", views.report_problem, name="report_problem"),
]
