"""The serving view (HTTP ranges, caching headers), variant choice, and the audio include."""

import pytest
from django.template.loader import render_to_string

from media_assets.models import Asset
from media_assets.selectors import variants_for
from media_assets.services import add_variant
from media_assets.tests.factories import AssetFactory
from media_assets.views import parse_range

pytestmark = pytest.mark.django_db


@pytest.fixture
def variant(media_root, upload):
    asset = AssetFactory(text="¿Cómo estás?")
    return add_variant(asset=asset, uploaded_file=upload("mp3_high", "c.mp3"), quality="high")


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_full_get(client, variant, media_files):
    data = media_files["mp3_high"]
    response = client.get(variant.get_absolute_url())
    assert response.status_code == 200
    assert body(response) == data
    assert response["Content-Type"] == "audio/mpeg"
    assert response["Content-Length"] == str(len(data))
    assert response["Accept-Ranges"] == "bytes"
    assert response["ETag"] == f'"{variant.checksum_sha256}"'
    assert "max-age=31536000" in response["Cache-Control"]
    assert "immutable" in response["Cache-Control"]
    assert response["Content-Disposition"] == "inline"  # no file name: nothing that could name the content


def test_url_is_the_content_hash_and_says_nothing_of_the_text(variant):
    """A listening exercise's URL must not give its answer away: not the text, its slug, nor the upload's name."""
    url = variant.get_absolute_url()
    assert url == f"/media/a/{variant.checksum_sha256}.mp3"
    assert not any(part in url.lower() for part in ("como", "estas", "c.mp3", str(variant.pk) + "/"))
    assert variant.file.name == f"assets/{variant.checksum_sha256[:2]}/{variant.checksum_sha256}.mp3"


def test_old_and_near_miss_urls_are_404(client, variant):
    sha = variant.checksum_sha256
    for url in (
        f"/media/a/{variant.pk}/como-estas-high.mp3",  # the old readable URL
        f"/media/a/{sha}.ogg",  # the right bytes under another format
        f"/media/a/{sha[:-1]}0.mp3" if sha[-1] != "0" else f"/media/a/{sha[:-1]}1.mp3",
        f"/media/a/{sha.upper()}.mp3",
        f"/media/a/{sha}.mp3/",
    ):
        assert client.get(url).status_code == 404, url


def test_first_bytes(client, variant, media_files):
    data = media_files["mp3_high"]
    response = client.get(variant.get_absolute_url(), headers={"Range": "bytes=0-99"})
    assert response.status_code == 206
    assert body(response) == data[:100]
    assert response["Content-Range"] == f"bytes 0-99/{len(data)}"
    assert response["Content-Length"] == "100"
    assert response["Content-Type"] == "audio/mpeg"


def test_middle_bytes(client, variant, media_files):
    data = media_files["mp3_high"]
    response = client.get(variant.get_absolute_url(), headers={"Range": "bytes=1000-1999"})
    assert response.status_code == 206
    assert body(response) == data[1000:2000]
    assert response["Content-Range"] == f"bytes 1000-1999/{len(data)}"


def test_open_ended_range(client, variant, media_files):
    data = media_files["mp3_high"]
    response = client.get(variant.get_absolute_url(), headers={"Range": "bytes=5000-"})
    assert response.status_code == 206
    assert body(response) == data[5000:]
    assert response["Content-Range"] == f"bytes 5000-{len(data) - 1}/{len(data)}"


def test_suffix_range(client, variant, media_files):
    data = media_files["mp3_high"]
    response = client.get(variant.get_absolute_url(), headers={"Range": "bytes=-100"})
    assert response.status_code == 206
    assert body(response) == data[-100:]
    assert response["Content-Range"] == f"bytes {len(data) - 100}-{len(data) - 1}/{len(data)}"


def test_range_past_the_end_is_clipped(client, variant, media_files):
    data = media_files["mp3_high"]
    response = client.get(variant.get_absolute_url(), headers={"Range": f"bytes=10-{len(data) * 2}"})
    assert response.status_code == 206
    assert body(response) == data[10:]


def test_unsatisfiable_range_is_416(client, variant, media_files):
    size = len(media_files["mp3_high"])
    response = client.get(variant.get_absolute_url(), headers={"Range": f"bytes={size}-"})
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{size}"


def test_malformed_or_multiple_ranges_get_the_whole_file(client, variant, media_files):
    for header in ("bytes=0-1,5-9", "items=0-9", "bytes=9-2"):
        response = client.get(variant.get_absolute_url(), headers={"Range": header})
        assert response.status_code == 200, header
        assert body(response) == media_files["mp3_high"]


def test_if_range_with_another_etag_gets_the_whole_file(client, variant, media_files):
    url = variant.get_absolute_url()
    stale = client.get(url, headers={"Range": "bytes=0-9", "If-Range": '"something-else"'})
    fresh = client.get(url, headers={"Range": "bytes=0-9", "If-Range": f'"{variant.checksum_sha256}"'})
    assert stale.status_code == 200
    assert fresh.status_code == 206


def test_if_none_match_is_304(client, variant):
    response = client.get(variant.get_absolute_url(), headers={"If-None-Match": f'"{variant.checksum_sha256}"'})
    assert response.status_code == 304
    assert response["ETag"] == f'"{variant.checksum_sha256}"'


def test_head_and_unknown_variant(client, variant):
    assert client.head(variant.get_absolute_url()).status_code == 200
    assert client.get(f"/media/a/{'f' * 64}.mp3").status_code == 404
    assert client.post(variant.get_absolute_url()).status_code == 405


def test_no_login_needed(client, variant):
    """Audio of course content is public (docs/media.md): an anonymous request is served."""
    assert client.get(variant.get_absolute_url()).status_code == 200


def test_ogg_content_type(client, media_root, upload):
    ogg = add_variant(asset=AssetFactory(), uploaded_file=upload("ogg_low", "a.ogg"), quality="low")
    assert client.get(ogg.get_absolute_url())["Content-Type"] == "audio/ogg"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("bytes=0-0", (0, 0)),
        ("bytes=-1", (999, 999)),
        ("bytes=-5000", (0, 999)),
        ("bytes=999-", (999, 999)),
        ("bytes=1000-", "unsatisfiable"),
        ("bytes=-0", "unsatisfiable"),
        ("bytes=-", None),
        ("bytes=abc", None),
    ],
)
def test_parse_range(header, expected):
    assert parse_range(header, 1000) == expected


# --- variant choice ------------------------------------------------------------------------


@pytest.fixture
def asset_with_variants(media_root, upload):
    asset = AssetFactory(text="hola")
    add_variant(asset=asset, uploaded_file=upload("mp3_low", "a.mp3"), quality="low")
    add_variant(asset=asset, uploaded_file=upload("mp3_high", "b.mp3"), quality="high")
    add_variant(asset=asset, uploaded_file=upload("ogg_low", "c.ogg"), quality="low")
    add_variant(asset=asset, uploaded_file=upload("ogg_high", "d.ogg"), quality="high")
    add_variant(asset=asset, uploaded_file=upload("wav", "e.wav"), quality="medium", speed="slow")
    return asset


def slots(variants):
    return [(v.quality, v.format) for v in variants]


def test_low_setting_prefers_low(asset_with_variants):
    chosen = variants_for(asset=asset_with_variants, quality="low")
    assert slots(chosen) == [("low", "ogg"), ("low", "mp3"), ("high", "ogg"), ("high", "mp3")]


def test_high_setting_prefers_high(asset_with_variants):
    chosen = variants_for(asset=asset_with_variants, quality="high")
    assert slots(chosen) == [("high", "ogg"), ("high", "mp3"), ("low", "ogg"), ("low", "mp3")]


def test_medium_setting_takes_the_nearer_then_the_better(asset_with_variants, upload):
    assert slots(variants_for(asset=asset_with_variants, quality="medium"))[0] == ("high", "ogg")
    add_variant(asset=asset_with_variants, uploaded_file=upload("other_wav", "m.wav"), quality="medium")
    chosen = variants_for(asset=Asset.objects.get(pk=asset_with_variants.pk), quality="medium")
    assert slots(chosen)[0] == ("medium", "wav")


def test_slow_variants_are_chosen_apart(asset_with_variants):
    assert slots(variants_for(asset=asset_with_variants, quality="low", speed="slow")) == [("medium", "wav")]
    assert variants_for(asset=None, quality="low") == []


def test_prefetched_variants_cost_no_query(asset_with_variants, django_assert_num_queries):
    asset = Asset.objects.prefetch_related("variants").get(pk=asset_with_variants.pk)
    with django_assert_num_queries(0):
        html = render_to_string("media_assets/audio.html", {"asset": asset, "audio_quality": "low"})
    assert html.count("<source") == 5


# --- the include ---------------------------------------------------------------------------


def url_of(asset, format: str, quality: str) -> str:
    return asset.variants.get(format=format, quality=quality, speed="normal").get_absolute_url()


def test_include_offers_sources_best_first_with_replay_and_slow_replay(asset_with_variants):
    asset = Asset.objects.prefetch_related("variants").get(pk=asset_with_variants.pk)
    html = render_to_string(
        "media_assets/audio.html", {"asset": asset, "audio_quality": "low", "label": "Listen to the sentence"}
    )
    sources = [line.strip() for line in html.splitlines() if "<source" in line]
    assert 'type="audio/ogg; codecs=&quot;vorbis&quot;"' in sources[0]
    assert url_of(asset, "ogg", "low") in sources[0]
    assert 'type="audio/mpeg"' in sources[1]
    assert url_of(asset, "mp3", "low") in sources[1]
    assert 'aria-label="Listen to the sentence"' in html
    assert "data-audio-replay" in html
    assert "Replay" in html
    assert "Slow replay" in html
    assert "js/audio.js" in html
    assert "<audio controls" in html  # playable without JavaScript
    assert 'preload="metadata"' in html


def test_compact_players_fetch_nothing_until_played(asset_with_variants):
    """A word list holds hundreds of compact players: none of them downloads anything on page load."""
    html = render_to_string(
        "media_assets/audio.html", {"asset": asset_with_variants, "audio_quality": "low", "compact": True}
    )
    assert 'class="audio-player compact"' in html
    assert 'preload="none"' in html
    assert 'preload="metadata"' not in html
    # One source per format, the best fit first; no slow replay in a list of words.
    sources = [line for line in html.splitlines() if "<source" in line]
    assert len(sources) == 2
    assert url_of(asset_with_variants, "ogg", "low") in sources[0]
    assert url_of(asset_with_variants, "mp3", "low") in sources[1]
    assert "Slow replay" not in html


def test_include_without_slow_variant_has_no_slow_replay(media_root, upload):
    asset = AssetFactory()
    add_variant(asset=asset, uploaded_file=upload("mp3_low", "a.mp3"), quality="low")
    html = render_to_string("media_assets/audio.html", {"asset": asset, "audio_quality": "high"})
    assert "Replay" in html
    assert "Slow replay" not in html
    assert "data-audio-slow" not in html


def test_include_renders_nothing_without_audio(db):
    assert render_to_string("media_assets/audio.html", {"asset": None, "audio_quality": "low"}).strip() == ""
    assert render_to_string("media_assets/audio.html", {"asset": AssetFactory(), "audio_quality": "low"}).strip() == ""


def test_audio_payload_for_the_api(asset_with_variants):
    from media_assets.selectors import audio_payload

    payload = audio_payload(asset=asset_with_variants, quality="high")
    assert [s["quality"] + "/" + s["format"] for s in payload["sources"]] == [
        "high/ogg",
        "high/mp3",
        "low/ogg",
        "low/mp3",
    ]
    assert payload["sources"][1]["type"] == "audio/mpeg"
    assert payload["sources"][1]["url"].startswith("/media/a/")
    assert [s["format"] for s in payload["slow_sources"]] == ["wav"]
    assert payload["duration_ms"] == 1000
    assert audio_payload(asset=None, quality="high") is None


def test_static_files_are_written_once_per_request(asset_with_variants, rf):
    from django.template import engines

    page = engines["django"].from_string(
        '{% for a in assets %}{% include "media_assets/audio.html" with asset=a audio_quality="low" %}{% endfor %}'
    )
    asset = Asset.objects.prefetch_related("variants").get(pk=asset_with_variants.pk)
    html = page.render({"assets": [asset, asset, asset]}, rf.get("/"))
    assert html.count("data-audio-player") == 3
    assert html.count("js/audio.js") == 1
    assert html.count("css/audio.css") == 1
