"""manage.py synthesize_audio on a small course made with factories (real espeak-ng, lame and oggenc)."""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from courses.models import Exercise, Token
from courses.tests.factories import CourseFactory, ExerciseFactory, LanguageFactory, TokenFactory
from media_assets.models import Asset, AssetVariant
from media_assets.services import add_variant
from media_assets.tests.factories import AssetFactory
from media_assets.tests.helpers import stored_files, wav_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def media_root(settings, tmp_path):
    """Each test stores files in a folder of its own, so it can list exactly what was written."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def course(media_root):
    course = CourseFactory(slug="es")
    TokenFactory(language=course.to_language, text="hola")
    TokenFactory(language=course.to_language, text="gato")
    ExerciseFactory(course=course, type="listen", payload={"text": "hola"})  # same text as a token
    ExerciseFactory(course=course, type="listen", payload={"text": "El gato come."})
    ExerciseFactory(course=course, type="speak", payload={"text": "El gato come."})  # same text again
    ExerciseFactory(course=course, type="translate")  # not a listening exercise: no audio
    return course


def run(*args) -> str:
    out = StringIO()
    call_command("synthesize_audio", *args, stdout=out)
    return out.getvalue()


def test_makes_shared_assets_with_mp3_and_ogg_variants(course, media_root):
    output = run("--course", "es")

    assets = Asset.objects.filter(source=Asset.Source.TTS)
    assert sorted(assets.values_list("text", flat=True)) == ["El gato come.", "gato", "hola"]
    for asset in assets:
        assert asset.language == "es"
        assert asset.tts_voice == "es"
        assert asset.tts_provider.startswith("espeak-ng 1.")
        slots = set(asset.variants.values_list("format", "quality", "speed"))
        assert slots == {
            ("mp3", "low", "normal"),
            ("mp3", "high", "normal"),
            ("ogg", "low", "normal"),
            ("ogg", "high", "normal"),
            ("mp3", "low", "slow"),
            ("ogg", "low", "slow"),
        }
    # Metadata comes from the real files: espeak-ng speaks at 22050 Hz, mono.
    mp3_high = AssetVariant.objects.filter(format="mp3", quality="high", speed="normal").first()
    assert abs(mp3_high.bit_rate - 128_000) < 1000
    assert mp3_high.sample_rate == 22050
    assert mp3_high.channels == 1
    assert mp3_high.duration_ms > 100
    normal = AssetVariant.objects.get(asset__text="El gato come.", format="ogg", quality="low", speed="normal")
    slow = AssetVariant.objects.get(asset__text="El gato come.", format="ogg", quality="low", speed="slow")
    assert slow.duration_ms > normal.duration_ms
    assert len(stored_files(media_root)) == 18

    hola = Asset.objects.get(text="hola")
    assert Token.objects.get(text="hola").audio == hola
    assert Exercise.objects.get(type="listen", payload__text="hola").audio == hola  # shared
    sentence = Asset.objects.get(text="El gato come.")
    assert set(Exercise.objects.filter(payload__text="El gato come.").values_list("audio", flat=True)) == {sentence.pk}
    assert Exercise.objects.get(type="translate").audio is None

    assert "3 distinct texts; linked 2 tokens and 3 exercises" in output
    assert "3 assets created, 0 reused; 18 variant files created (9 mp3, 9 ogg)" in output


def test_second_run_creates_nothing(course, media_root):
    run("--course", "es")
    files = stored_files(media_root)
    variants = AssetVariant.objects.count()

    output = run("--course", "es")

    assert "nothing to do" in output
    assert "(0 created)" in output
    assert AssetVariant.objects.count() == variants
    assert stored_files(media_root) == files


def test_texts_that_sound_the_same_share_one_asset(course):
    """espeak-ng says "tú" and "tu" identically: the bytes are stored once, both tokens use that asset."""
    TokenFactory(language=course.to_language, text="tú")
    TokenFactory(language=course.to_language, text="tu")
    output = run("--course", "es")
    assert "1 texts sound exactly like another text and share its asset" in output
    tu, tu_accented = Token.objects.get(text="tu"), Token.objects.get(text="tú")
    assert tu.audio is not None
    assert tu.audio == tu_accented.audio
    assert "0 created" in run("--course", "es")


def test_reuses_an_existing_tts_asset_for_a_new_item(course):
    run("--course", "es")
    TokenFactory(language=course.to_language, text="El gato come.")  # a new item saying a known text
    output = run("--course", "es")
    assert "0 assets created, 1 reused; 0 variant files created" in output
    assert Token.objects.get(text="El gato come.").audio == Asset.objects.get(text="El gato come.")


def test_uploaded_audio_is_kept(course):
    mine = AssetFactory(text="hola, my recording")
    add_variant(asset=mine, uploaded_file=SimpleUploadedFile("hola.wav", wav_bytes()), quality="low")
    Token.objects.filter(text="hola").update(audio=mine)

    run("--course", "es", "--force")

    assert Token.objects.get(text="hola").audio == mine


def test_dry_run_changes_nothing(course, media_root):
    output = run("--course", "es", "--dry-run")
    assert output.startswith("[dry run]")
    assert "would link 2 tokens and 3 exercises" in output
    assert "3 assets created" in output
    assert Asset.objects.count() == 0
    assert stored_files(media_root) == []


def test_limit(course):
    output = run("--course", "es", "--limit", "1")
    assert "1 distinct texts" in output
    assert Asset.objects.count() == 1


def test_force_regenerates_with_a_new_voice(course):
    run("--course", "es", "--limit", "1")
    asset = Asset.objects.get()
    before = set(asset.variants.values_list("checksum_sha256", flat=True))
    output = run("--course", "es", "--limit", "1", "--force", "--voice", "es-419")
    asset.refresh_from_db()
    assert asset.tts_voice == "es-419"
    assert asset.variants.count() == 6
    assert set(asset.variants.values_list("checksum_sha256", flat=True)) != before
    assert "6 variant files created" in output


def test_an_english_course_is_spoken_in_english_with_the_voice_make_run_gives_it(media_root):
    """The English demo course (``make run``: ``--voice en-us``): assets in English, American voice."""
    course = CourseFactory(
        slug="en",
        from_language=LanguageFactory(code="es", name="Spanish"),
        to_language=LanguageFactory(code="en", name="English"),
    )
    TokenFactory(language=course.to_language, text="hello")
    ExerciseFactory(course=course, type="listen", payload={"text": "I'm fine, thanks."})

    output = run("--course", "en", "--voice", "en-us")

    assets = Asset.objects.filter(source=Asset.Source.TTS)
    assert sorted(assets.values_list("text", "language", "tts_voice")) == [
        ("I'm fine, thanks.", "en", "en-us"),
        ("hello", "en", "en-us"),
    ]
    assert all(asset.variants.count() == 6 for asset in assets)
    assert "(voice en-us" in output


def test_missing_espeak_is_a_clear_error(course, monkeypatch):
    import media_assets.tts as tts

    real_which = tts.shutil.which
    monkeypatch.setattr(tts.shutil, "which", lambda name: None if name == "espeak-ng" else real_which(name))
    with pytest.raises(CommandError, match=r"espeak-ng is not installed .*No audio was made"):
        run("--course", "es")
    assert Asset.objects.count() == 0


def test_unknown_voice_is_a_clear_error(course):
    with pytest.raises(CommandError, match=r"espeak-ng has no voice 'xx-nope'.*No audio was made"):
        run("--course", "es", "--voice", "xx-nope")
    assert Asset.objects.count() == 0


def test_unknown_course(db):
    with pytest.raises(CommandError, match="no course with slug 'xx'"):
        run("--course", "xx")
