"""Real, small media files made in the tests: a WAV written with ``wave``, MP3 by lame, Ogg Vorbis by oggenc."""

import io
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from media_assets.tests.helpers import wav_bytes


@pytest.fixture(scope="session")
def media_files(tmp_path_factory) -> dict[str, bytes]:
    """name → bytes: wav, mp3_low (64 kbit/s), mp3_high (128), ogg_low (q2), ogg_high (q5), png, jpeg, other_wav."""
    from PIL import Image

    tmp: Path = tmp_path_factory.mktemp("media")
    wav = tmp / "tone.wav"
    wav.write_bytes(wav_bytes(seconds=1.0))
    files = {"wav": wav.read_bytes(), "other_wav": wav_bytes(seconds=0.25, hz=660, channels=2)}
    for name, argv in {
        "mp3_low": ["lame", "--quiet", "-b", "64"],
        "mp3_high": ["lame", "--quiet", "-b", "128"],
    }.items():
        subprocess.run([*argv, str(wav), str(tmp / f"{name}.mp3")], check=True)
        files[name] = (tmp / f"{name}.mp3").read_bytes()
    for name, level in {"ogg_low": "2", "ogg_high": "5"}.items():
        subprocess.run(["oggenc", "--quiet", "-q", level, "-o", str(tmp / f"{name}.ogg"), str(wav)], check=True)
        files[name] = (tmp / f"{name}.ogg").read_bytes()
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
