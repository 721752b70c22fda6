from django.urls import path

from . import views

urlpatterns = [
    path("me/", views.profile, name="profile"),
    path("hearts/", views.out_of_hearts, name="out_of_hearts"),
    path("hearts/refill/", views.refill_hearts, name="refill_hearts"),
]
