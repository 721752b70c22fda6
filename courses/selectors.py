from collections.abc import Iterable

from django.db.models import QuerySet

from media_assets.models import AssetVariant

from .models import Course


def published_courses() -> QuerySet[Course]:
    """Courses a learner may see, with their languages, for the catalog."""
    return Course.objects.published().select_related("from_language", "to_language").order_by("title")


def attach_image_urls(publics: Iterable[dict]) -> None:
    """Fill ``url`` on every picture choice that uses an uploaded image asset, in place.

    Public payloads name image assets by id (``{"asset": 7}``); the page and the API need a URL.
    One query for any number of payloads, none when no choice uses an asset (emoji choices).
    """
    choices = [
        choice
        for public in publics
        if public
        for choice in public.get("choices", [])
        if isinstance(choice, dict) and "asset" in choice
    ]
    if not choices:
        return
    urls: dict[int, str] = {}
    variants = AssetVariant.objects.filter(asset_id__in={c["asset"] for c in choices}).order_by("asset_id", "pk")
    for variant in variants:
        urls.setdefault(variant.asset_id, variant.get_absolute_url())
    for choice in choices:
        choice["url"] = urls.get(choice["asset"], "")
