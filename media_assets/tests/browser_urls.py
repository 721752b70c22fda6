"""URLs for the browser test only: the media view and a page that holds nothing but the audio include."""

from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

from media_assets.models import Asset

PAGE = """{% load static %}<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Audio</title>
<link rel="stylesheet" href="{% static 'css/mallard.css' %}"></head><body><main>
{% include "media_assets/audio.html" with asset=asset audio_quality=quality label="Listen to the word" %}
</main></body></html>"""


def player_page(request, asset_id: int):
    asset = Asset.objects.prefetch_related("variants").get(pk=asset_id)
    template = engines["django"].from_string(PAGE)
    html = template.render({"asset": asset, "quality": request.GET.get("quality", "medium")}, request)
    return HttpResponse(html)


urlpatterns = [
    path("", include("media_assets.urls")),
    path("player/<int:asset_id>", player_page),
]
