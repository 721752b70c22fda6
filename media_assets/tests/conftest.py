"""Real, small media files: a WAV written with ``wave``, MP3 and Ogg Vorbis read from ``fixtures/``, PNG/JPEG by Pillow.

The encoded files are committed (made once by ``make_fixtures.py`` with lame and oggenc), so only the
text-to-speech tests need those tools.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from media_assets.tests.helpers import wav_bytes
from media_assets.tests.make_fixtures import FIXTURES

ENCODED = {"mp3_low": "tone-64k.mp3", "mp3_high": "tone-128k.mp3", "ogg_low": "tone-q2.ogg", "ogg_high": "tone-q5.ogg"}


@pytest.fixture(scope="session")
def media_files() -> dict[str, bytes]:
    """name → bytes: wav, mp3_low (64 kbit/s), mp3_high (128), ogg_low (q2), ogg_high (q5), png, jpeg, other_wav.

    wav is a one-second 440 Hz tone, 16 kHz mono; the MP3 and Ogg files encode that same tone.
    """
    from PIL import Image

    files = {"wav": wav_bytes(seconds=1.0), "other_wav": wav_bytes(seconds=0.25, hz=660, channels=2)}
    files.update({key: (FIXTURES / name).read_bytes() for key, name in ENCODED.items()})
    for name, fmt in {"png": "PNG", "jpeg": "JPEG"}.items():
        out = io.BytesIO()
        Image.new("RGB", (32, 24), (200, 120, 40)).save(out, fmt)
        files[name] = out.getvalue()
    return files


@pytest.fixture
def upload(media_files):
    """upload("mp3_low", "hola.mp3") → a SimpleUploadedFile of that content under that name."""

    def make(key_or_bytes, name: str) -> SimpleUploadedFile:
        data = media_files[key_or_bytes] if isinstance(key_or_bytes, str) else key_or_bytes
        return SimpleUploadedFile(name, data)

    return make


@pytest.fixture
def media_root(settings, tmp_path):
    """Each test stores files in a folder of its own, so it can list exactly what was written."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT
