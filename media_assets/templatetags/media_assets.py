"""Template helpers for audio: ``{% audio_variants asset quality as sources %}``."""

from django import template

from media_assets import selectors

register = template.Library()


@register.simple_tag
def audio_variants(asset, quality, speed="normal"):
    """The asset's variants of ``speed``, best fit for the learner's ``quality`` first (see selectors)."""
    return selectors.variants_for(asset=asset, quality=quality or "medium", speed=speed)
