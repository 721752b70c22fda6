"""add_variant: content validation, metadata from the file, dedupe by checksum, nothing stored on failure."""

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from media_assets.models import Asset, AssetVariant
from media_assets.services import add_or_get_variant, add_variant, delete_asset, delete_variant
from media_assets.tests.factories import AssetFactory
from media_assets.tests.helpers import stored_files

pytestmark = pytest.mark.django_db


def test_valid_mp3_is_stored_with_metadata_from_the_file(media_root, media_files, upload):
    asset = AssetFactory()
    variant = add_variant(asset=asset, uploaded_file=upload("mp3_high", "Hola Amigo.mp3"), quality="high")
    variant.refresh_from_db()
    data = media_files["mp3_high"]
    assert variant.format == "mp3"
    assert variant.size_bytes == len(data)
    assert variant.bit_rate == 128_000
    assert variant.sample_rate == 16000
    assert variant.channels == 1
    assert 950 <= variant.duration_ms <= 1150
    assert variant.checksum_sha256 == hashlib.sha256(data).hexdigest()
    assert variant.original_name == "Hola Amigo.mp3"
    # Content-addressed name in storage, holding exactly the uploaded bytes.
    assert variant.file.name == f"assets/{variant.checksum_sha256[:2]}/{variant.checksum_sha256}.mp3"
    assert stored_files(media_root) == [variant.file.name]
    assert (media_root / variant.file.name).read_bytes() == data


def test_ogg_and_wav_variants(media_root, upload):
    asset = AssetFactory()
    ogg = add_variant(asset=asset, uploaded_file=upload("ogg_low", "x.ogg"), quality="low")
    wav = add_variant(asset=asset, uploaded_file=upload("wav", "x.wav"), quality="high", speed="slow")
    assert (ogg.format, ogg.sample_rate, ogg.duration_ms) == ("ogg", 16000, 1000)
    assert (wav.format, wav.bit_rate, wav.speed) == ("wav", 256_000, "slow")
    assert asset.variants.count() == 2


def test_claimed_format_overrides_the_name(media_root, upload):
    variant = add_variant(
        asset=AssetFactory(), uploaded_file=upload("ogg_low", "blob"), quality="low", claimed_format="ogg"
    )
    assert variant.format == "ogg"


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        ("ogg_low", "sneaky.mp3", "format_mismatch"),  # wrong extension for the content
        (b"just some text, not audio\n" * 40, "notes.mp3", "format_mismatch"),  # text renamed .mp3
        (b"", "empty.mp3", "empty"),
        ("png", "picture.wav", "format_mismatch"),
        ("mp3_low", "no-extension", "unknown_format"),
    ],
)
def test_bad_files_store_nothing(media_root, media_files, upload, content, name, code):
    asset = AssetFactory()
    before = stored_files(media_root)
    with pytest.raises(ValidationError) as exc:
        add_variant(asset=asset, uploaded_file=upload(content, name), quality="low")
    assert exc.value.code == code
    assert AssetVariant.objects.count() == 0
    assert stored_files(media_root) == before == []


def test_truncated_file_stores_nothing(media_root, media_files, upload):
    data = media_files["mp3_high"]
    with pytest.raises(ValidationError, match="truncated"):
        add_variant(asset=AssetFactory(), uploaded_file=upload(data[: len(data) // 2], "cut.mp3"), quality="low")
    assert AssetVariant.objects.count() == 0
    assert stored_files(media_root) == []


def test_oversize_file_stores_nothing(media_root, settings, media_files, upload):
    settings.MALLARD_AUDIO_MAX_UPLOAD_BYTES = len(media_files["mp3_high"]) - 1
    with pytest.raises(ValidationError) as exc:
        add_variant(asset=AssetFactory(), uploaded_file=upload("mp3_high", "big.mp3"), quality="high")
    assert exc.value.code == "too_large"
    assert "at most" in exc.value.messages[0]
    assert stored_files(media_root) == []
    assert AssetVariant.objects.count() == 0


def test_oversize_stream_without_a_size_is_refused(media_root, settings, media_files):
    """A file object that does not announce its size is cut off while reading."""
    import io

    settings.MALLARD_AUDIO_MAX_UPLOAD_BYTES = 1000
    stream = io.BytesIO(media_files["mp3_high"])
    stream.name = "stream.mp3"
    with pytest.raises(ValidationError) as exc:
        add_variant(asset=AssetFactory(), uploaded_file=stream, quality="high")
    assert exc.value.code == "too_large"


def test_image_on_an_audio_asset_is_refused(media_root, upload):
    with pytest.raises(ValidationError) as exc:
        add_variant(asset=AssetFactory(), uploaded_file=upload("png", "pic.png"), quality="high")
    assert exc.value.code == "wrong_kind"
    assert stored_files(media_root) == []


def test_picture_asset_takes_an_image(media_root, upload):
    asset = AssetFactory(kind=Asset.Kind.IMAGE, text="a cat")
    variant = add_variant(asset=asset, uploaded_file=upload("png", "cat.png"), quality="high")
    assert (variant.format, variant.width, variant.height, variant.duration_ms) == ("png", 32, 24, None)


def test_same_file_same_slot_returns_the_stored_variant(media_root, upload):
    asset = AssetFactory()
    first, created = add_or_get_variant(asset=asset, uploaded_file=upload("mp3_low", "a.mp3"), quality="low")
    again, created_again = add_or_get_variant(asset=asset, uploaded_file=upload("mp3_low", "b.mp3"), quality="low")
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert AssetVariant.objects.count() == 1
    assert len(stored_files(media_root)) == 1


def test_same_file_for_another_asset_is_refused_naming_the_stored_one(media_root, upload):
    first = add_variant(asset=AssetFactory(text="hola"), uploaded_file=upload("mp3_low", "a.mp3"), quality="low")
    with pytest.raises(ValidationError) as exc:
        add_variant(asset=AssetFactory(text="adiós"), uploaded_file=upload("mp3_low", "copy.mp3"), quality="low")
    assert exc.value.code == "duplicate"
    message = exc.value.messages[0]
    assert "already stored as mp3/low/normal" in message
    assert f"asset #{first.asset_id}" in message
    assert AssetVariant.objects.count() == 1
    assert len(stored_files(media_root)) == 1


def test_same_file_as_another_quality_of_the_same_asset_is_refused(media_root, upload):
    asset = AssetFactory()
    add_variant(asset=asset, uploaded_file=upload("mp3_low", "a.mp3"), quality="low")
    with pytest.raises(ValidationError, match="already stored as mp3/low/normal"):
        add_variant(asset=asset, uploaded_file=upload("mp3_low", "a.mp3"), quality="high")


def test_a_taken_slot_is_refused(media_root, upload):
    asset = AssetFactory()
    add_variant(asset=asset, uploaded_file=upload("mp3_low", "a.mp3"), quality="low")
    with pytest.raises(ValidationError) as exc:
        add_variant(asset=asset, uploaded_file=upload("mp3_high", "b.mp3"), quality="low")
    assert exc.value.code == "slot_taken"
    assert len(stored_files(media_root)) == 1


def test_unknown_quality_is_refused(media_root, upload):
    with pytest.raises(ValidationError):
        add_variant(asset=AssetFactory(), uploaded_file=upload("mp3_low", "a.mp3"), quality="ultra")
    assert stored_files(media_root) == []


def test_checksum_is_unique_in_the_database(media_root, upload):
    from django.db import IntegrityError

    variant = add_variant(asset=AssetFactory(), uploaded_file=upload("mp3_low", "a.mp3"), quality="low")
    with pytest.raises(IntegrityError), transaction.atomic():
        AssetVariant.objects.create(
            asset=AssetFactory(), file="x", format="mp3", size_bytes=1, checksum_sha256=variant.checksum_sha256
        )


@pytest.mark.django_db(transaction=True)
def test_delete_variant_removes_its_file_after_commit(media_root, upload):
    asset = AssetFactory()
    keep = add_variant(asset=asset, uploaded_file=upload("ogg_low", "a.ogg"), quality="low")
    gone = add_variant(asset=asset, uploaded_file=upload("mp3_low", "a.mp3"), quality="low")
    with transaction.atomic():
        delete_variant(variant=gone)
    assert stored_files(media_root) == [keep.file.name]
    delete_asset(asset=asset)
    assert stored_files(media_root) == []
    assert not Asset.objects.filter(pk=asset.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_uploads_of_one_file_store_it_once(media_root, media_files):
    """Two requests upload the same file to the same slot at once: the asset's row lock makes the second
    wait, find the first one's variant and return it."""
    import threading

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection

    asset = AssetFactory()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def upload_once():
        try:
            barrier.wait()
            results.append(
                add_or_get_variant(
                    asset=asset, uploaded_file=SimpleUploadedFile("a.mp3", media_files["mp3_low"]), quality="low"
                )
            )
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=upload_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(created for _variant, created in results) == [False, True]
    assert len({variant.pk for variant, _created in results}) == 1
    assert AssetVariant.objects.count() == 1
    assert len(stored_files(media_root)) == 1
