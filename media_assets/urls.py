from django.urls import path

from . import views

app_name = "media_assets"

urlpatterns = [
    # /media/a/<variant id>/<readable name>: the name is cosmetic, the id picks the file.
    path("media/a/<int:variant_id>/<str:filename>", views.serve_variant, name="variant"),
]
