"""Reads for media assets: which variants to offer a learner, best first."""

from .models import Asset, AssetVariant

QUALITY_RANK = {"low": 0, "medium": 1, "high": 2}
# Within one quality, the order of the <source>s: a browser plays the first it can. Opus and Vorbis
# sound better than MP3 at the same size; Safari before 17 plays neither, so MP3 follows as the fallback
# every browser has; AAC, FLAC and WAV come last (FLAC and WAV are large).
FORMAT_PREFERENCE = {"opus": 0, "ogg": 1, "mp3": 2, "m4a": 3, "flac": 4, "wav": 5, "webm": 0, "mp4": 1}


def variants_for(*, asset: Asset | None, quality: str, speed: str = "normal") -> list[AssetVariant]:
    """The asset's variants of ``speed`` to offer as ``<source>``s, best fit for ``quality`` first.

    Order: exact quality first, then the nearest; between two equally near qualities the higher
    (a learner asking for "medium" gets "high" before "low"); within a quality, by FORMAT_PREFERENCE.
    Uses ``asset.variants.all()``, so a caller that prefetched ``variants`` runs no query here.
    """
    if asset is None:
        return []
    wanted = QUALITY_RANK.get(quality, QUALITY_RANK["medium"])
    variants = [v for v in asset.variants.all() if v.speed == speed]
    return sorted(
        variants,
        key=lambda v: (
            abs(QUALITY_RANK.get(v.quality, 1) - wanted),
            -QUALITY_RANK.get(v.quality, 1),
            FORMAT_PREFERENCE.get(v.format, 9),
            v.pk,
        ),
    )


def has_slow_variant(*, asset: Asset | None) -> bool:
    return asset is not None and any(v.speed == AssetVariant.Speed.SLOW for v in asset.variants.all())


def audio_payload(*, asset: Asset | None, quality: str) -> dict | None:
    """What the API sends for an asset: its sources best first (as ``variants_for``) and the slow ones.

    ``{"duration_ms": 1200, "sources": [{"url", "type", "format", "quality"}, …], "slow_sources": […]}``,
    or None when there is no playable variant. URLs are site-relative.
    """
    sources = variants_for(asset=asset, quality=quality)
    if not sources:
        return None

    def describe(variant: AssetVariant) -> dict:
        return {
            "url": variant.get_absolute_url(),
            "type": variant.source_type,
            "format": variant.format,
            "quality": variant.quality,
        }

    return {
        "duration_ms": sources[0].duration_ms,
        "sources": [describe(v) for v in sources],
        "slow_sources": [describe(v) for v in variants_for(asset=asset, quality=quality, speed="slow")],
    }
