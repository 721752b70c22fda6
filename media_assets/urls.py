from django.urls import re_path

from . import views

app_name = "media_assets"

urlpatterns = [
    # /media/a/<sha256 of the file>.<format>: the content hash picks the file and says nothing the bytes do not.
    re_path(r"^media/a/(?P<checksum>[0-9a-f]{64})\.(?P<extension>[a-z0-9]{1,5})$", views.serve_variant, name="variant"),
]
