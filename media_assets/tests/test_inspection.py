"""Validation by content and metadata extraction, on real small files (no database)."""

import pytest
from django.core.exceptions import ValidationError

from media_assets.inspection import format_from_name, inspect_media, sniff


def codes(exc_info) -> str:
    return exc_info.value.code


def test_wav_metadata_comes_from_the_file(media_files):
    info = inspect_media(media_files["wav"], claimed_format="wav")
    assert (info.kind, info.format) == ("audio", "wav")
    assert info.duration_ms == 1000
    assert info.sample_rate == 16000
    assert info.channels == 1
    assert info.bit_rate == 16000 * 16


def test_stereo_wav_channels(media_files):
    info = inspect_media(media_files["other_wav"], claimed_format="wav")
    assert info.channels == 2
    assert info.duration_ms == 250


@pytest.mark.parametrize(("key", "kbps"), [("mp3_low", 64), ("mp3_high", 128)])
def test_mp3_metadata(media_files, key, kbps):
    info = inspect_media(media_files[key], claimed_format="mp3")
    assert info.format == "mp3"
    assert info.bit_rate == kbps * 1000
    assert info.sample_rate == 16000
    assert info.channels == 1
    assert 950 <= info.duration_ms <= 1150  # MP3 frames round the length up


def test_ogg_metadata(media_files):
    low = inspect_media(media_files["ogg_low"], claimed_format="ogg")
    high = inspect_media(media_files["ogg_high"], claimed_format="ogg")
    assert (low.format, low.sample_rate, low.channels) == ("ogg", 16000, 1)
    assert low.duration_ms == 1000
    assert low.bit_rate < high.bit_rate


def test_images_are_decoded(media_files):
    info = inspect_media(media_files["png"], claimed_format="png")
    assert (info.kind, info.format, info.width, info.height) == ("image", "png", 32, 24)
    assert inspect_media(media_files["jpeg"], claimed_format="jpeg").format == "jpeg"


def test_wrong_extension_for_the_content_is_refused(media_files):
    with pytest.raises(ValidationError) as exc:
        inspect_media(media_files["ogg_low"], claimed_format="mp3")
    assert codes(exc) == "format_mismatch"
    assert "named as MP3, but its content is Ogg Vorbis" in exc.value.messages[0]


def test_text_renamed_mp3_is_refused():
    with pytest.raises(ValidationError) as exc:
        inspect_media(b"Hola, this is not audio at all.\n" * 20, claimed_format="mp3")
    assert codes(exc) == "format_mismatch"
    assert "not a recognised audio or image file" in exc.value.messages[0]


def test_empty_file_is_refused():
    with pytest.raises(ValidationError) as exc:
        inspect_media(b"", claimed_format="mp3")
    assert codes(exc) == "empty"


@pytest.mark.parametrize(("key", "fmt"), [("mp3_high", "mp3"), ("ogg_high", "ogg"), ("wav", "wav")])
def test_truncated_audio_is_refused(media_files, key, fmt):
    data = media_files[key]
    with pytest.raises(ValidationError) as exc:
        inspect_media(data[: len(data) * 2 // 3], claimed_format=fmt)
    assert codes(exc) == "truncated"
    assert "truncated" in exc.value.messages[0]


def test_mp3_cut_inside_its_first_frame_is_refused(media_files):
    with pytest.raises(ValidationError) as exc:
        inspect_media(media_files["mp3_low"][:100], claimed_format="mp3")
    assert codes(exc) in {"truncated", "corrupt"}


def test_truncated_png_is_refused(media_files):
    with pytest.raises(ValidationError) as exc:
        inspect_media(media_files["png"][:60], claimed_format="png")
    assert codes(exc) == "corrupt"


def test_image_claimed_as_audio_is_refused(media_files):
    with pytest.raises(ValidationError) as exc:
        inspect_media(media_files["png"], claimed_format="wav")
    assert "content is PNG" in exc.value.messages[0]


def test_svg_is_not_accepted():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert sniff(svg) == "svg"
    with pytest.raises(ValidationError) as exc:
        inspect_media(svg, claimed_format="svg")
    assert codes(exc) == "unsupported_format"


def test_a_claim_is_needed():
    with pytest.raises(ValidationError) as exc:
        inspect_media(b"ID3", claimed_format=None)
    assert codes(exc) == "unknown_format"


def test_ogg_claim_accepts_opus_content():
    # An Ogg page whose first packet is an Opus header: the .ogg claim (an Ogg file) holds.
    assert sniff(b"OggS" + b"\x00" * 24 + b"OpusHead") == "opus"


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("a.MP3", "mp3"), ("b.oga", "ogg"), ("c.jpg", "jpeg"), ("d.opus", "opus"), ("noext", None), ("e.txt", None)],
)
def test_format_from_name(name, fmt):
    assert format_from_name(name) == fmt


def test_sniff_tells_the_formats_apart(media_files):
    assert sniff(media_files["mp3_low"]) == "mp3"
    assert sniff(media_files["ogg_low"]) == "ogg"
    assert sniff(media_files["wav"]) == "wav"
    assert sniff(media_files["png"]) == "png"
    assert sniff(media_files["jpeg"]) == "jpeg"
