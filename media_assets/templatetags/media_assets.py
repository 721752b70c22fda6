"""Template helpers for audio: ``{% audio_variants asset quality as sources %}``."""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

from media_assets import selectors

register = template.Library()


@register.simple_tag
def audio_variants(asset, quality, speed="normal", one_per_format=False):
    """The asset's variants of ``speed``, best fit for the learner's ``quality`` first (see selectors).

    ``one_per_format``: only the best variant of each format — enough for a browser to find one it
    plays, and what a page of many small players (the word list) should send.
    """
    variants = selectors.variants_for(asset=asset, quality=quality or "medium", speed=speed)
    if one_per_format:
        seen: set[str] = set()
        variants = [v for v in variants if not (v.format in seen or seen.add(v.format))]
    return variants


@register.simple_tag(takes_context=True)
def audio_static_once(context):
    """The player's stylesheet and script, written once per request however many players a page has."""
    request = context.get("request")
    if request is not None:
        if getattr(request, "_mallard_audio_static", False):
            return ""
        request._mallard_audio_static = True
    return format_html(
        '<link rel="stylesheet" href="{}">\n<script src="{}" defer></script>',
        static("css/audio.css"),
        static("js/audio.js"),
    )
