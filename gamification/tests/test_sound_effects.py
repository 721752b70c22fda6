"""Sound effects: small committed OGG and MP3 files the repository regenerates byte for byte, loaded on
every page only when the learner's "Sound effects" setting is on."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from accounts.tests.factories import UserFactory
from gamification.sounds import EFFECTS, RATE, samples, wav_bytes

SOUNDS = Path(settings.BASE_DIR) / "static" / "sounds"


def test_the_shipped_files_are_small_and_of_their_formats():
    for name in ("correct", "wrong", "complete"):
        mp3 = (SOUNDS / f"{name}.mp3").read_bytes()
        ogg = (SOUNDS / f"{name}.ogg").read_bytes()
        assert ogg.startswith(b"OggS") and b"vorbis" in ogg[:64]
        assert mp3[:3] == b"ID3" or (mp3[0] == 0xFF and mp3[1] & 0xE0 == 0xE0)
        assert len(mp3) < 16_000 and len(ogg) < 16_000


def test_the_waveforms_are_short_loud_enough_and_never_clip():
    for name in EFFECTS:
        wave = samples(name)
        assert 0.2 < len(wave) / RATE < 1.5
        assert max(abs(s) for s in wave) == pytest.approx(0.9)  # normalised, with headroom: never clips
        assert wave[0] == 0.0  # a fade-in: no click
    assert wav_bytes("correct") == wav_bytes("correct")


def test_the_command_regenerates_the_shipped_files(tmp_path):
    call_command("make_sound_effects", out=str(tmp_path))
    for shipped in SOUNDS.iterdir():
        assert (tmp_path / shipped.name).read_bytes() == shipped.read_bytes(), shipped.name


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["home", "profile", "settings", "shop", "league", "history"])
def test_every_page_loads_the_sounds_only_when_the_setting_is_on(client, page):
    on, off = UserFactory(sound_effects=True), UserFactory(sound_effects=False)
    client.force_login(on)
    html = client.get(reverse(page)).content.decode()
    assert "js/sounds.js" in html and 'data-src-correct-ogg="/static/sounds/correct' in html
    client.force_login(off)
    assert "sounds.js" not in client.get(reverse(page)).content.decode()


@pytest.mark.django_db
def test_no_sounds_for_visitors(client):
    assert "sounds.js" not in client.get(reverse("account_login")).content.decode()
