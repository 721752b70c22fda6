from django.urls import path

from . import views

app_name = "bubbles"

urlpatterns = [
    path("bubbles/", views.bubble_list, name="list"),
    path("bubbles/new/", views.request_bubble, name="request"),
    path("bubbles/<int:bubble_id>/", views.bubble_detail, name="detail"),
    path("bubbles/<int:bubble_id>/retry/", views.retry, name="retry"),
]
