from django.urls import path

from . import views

urlpatterns = [
    path("settings/", views.settings_page, name="settings"),
    path("settings/avatar/", views.avatar_page, name="avatar"),
    path("unsubscribe/<str:token>/", views.unsubscribe_page, name="unsubscribe"),
    path("settings/activity/", views.activity_page, name="activity"),
]
