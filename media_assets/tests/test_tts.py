"""The text-to-speech engine on its own: texts in, shared TTS assets out (real espeak-ng, lame and oggenc,
except where noted). Which texts a course needs, and linking them, is tested in courses."""

import pytest
from django.db import transaction

from media_assets import tts
from media_assets.models import Asset
from media_assets.tests.helpers import stored_files

pytestmark = pytest.mark.django_db


def test_rendering_is_reproducible(tmp_path):
    """The same text makes the same bytes (oggenc's serial comes from the sound), so it is stored once."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = tts.render("Buenos días", voice="es", workdir=tmp_path / "a")
    second = tts.render("Buenos días", voice="es", workdir=tmp_path / "b")
    assert [e.slot for e, _ in first] == [e.slot for e, _ in second]
    assert len(first) == 6
    assert [p.read_bytes() for _, p in first] == [p.read_bytes() for _, p in second]


def test_one_asset_per_text_and_the_caller_links_inside_its_transaction(media_root):
    seen = []

    def on_stored(text, asset):
        seen.append((text, asset.pk, transaction.get_connection().in_atomic_block))

    stats = tts.synthesize_texts(texts=["hola", "El gato come."], language="es", voice="es", on_stored=on_stored)

    assets = {a.text: a for a in Asset.objects.filter(source=Asset.Source.TTS)}
    assert sorted(assets) == ["El gato come.", "hola"]
    assert seen == [("hola", assets["hola"].pk, True), ("El gato come.", assets["El gato come."].pk, True)]
    assert all(a.variants.count() == 6 and a.tts_voice == "es" for a in assets.values())
    assert (stats.assets_created, stats.assets_reused, stats.variants_created) == (2, 0, {"mp3": 6, "ogg": 6})
    assert stats.provider.startswith("espeak-ng 1.")
    assert len(stored_files(media_root)) == 12

    again = tts.synthesize_texts(texts=["hola"], language="es", voice="es", on_stored=on_stored)
    assert (again.assets_created, again.assets_reused, again.created) == (0, 1, 0)
    assert seen[-1] == ("hola", assets["hola"].pk, True)
    assert len(stored_files(media_root)) == 12


def test_texts_that_sound_the_same_get_the_asset_holding_the_sound(media_root):
    linked = {}
    stats = tts.synthesize_texts(
        texts=["tú", "tu"], language="es", voice="es", on_stored=lambda text, asset: linked.update({text: asset})
    )
    assert stats.same_sound == 1
    assert linked["tu"] == linked["tú"]
    assert Asset.objects.count() == 1


def test_plan_runs_no_tool_and_writes_nothing(media_root):
    """A dry run: what would be made, counted from the rows (works without espeak-ng, lame or oggenc)."""
    Asset.objects.create(source=Asset.Source.TTS, language="es", text="hola", tts_provider="espeak-ng 1.51")
    stats = tts.plan(language="es", texts=["hola", "adiós"])
    assert (stats.assets_created, stats.assets_reused) == (1, 1)
    assert stats.variants_created == {"mp3": 6, "ogg": 6}  # hola has no variant yet: all six for both
    assert Asset.objects.count() == 1
    assert stored_files(media_root) == []


def test_missing_tools_stop_before_anything_is_made(monkeypatch, media_root):
    monkeypatch.setattr(tts.shutil, "which", lambda name: None)
    assert tts.missing_tools() == ["espeak-ng", "lame", "vorbis-tools"]
    with pytest.raises(tts.TTSUnavailable, match=r"espeak-ng is not installed"):
        tts.synthesize_texts(texts=["hola"], language="es", voice="es")
    assert Asset.objects.count() == 0
    assert stored_files(media_root) == []
