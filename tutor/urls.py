from django.urls import path

from . import views

urlpatterns = [
    path("lessons/<slug:slug>/tutor/", views.start, name="tutor_start"),
    path("tutor/", views.sessions, name="tutor_sessions"),
    path("tutor/<int:session_id>/", views.session, name="tutor_session"),
    path("tutor/<int:session_id>/messages/", views.send, name="tutor_send"),
]
