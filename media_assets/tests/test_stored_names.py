"""Stored names are content hashes; files stored under any other name (older uploads named after their
text) are moved to theirs by ``check_media --rename``."""

from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from media_assets.models import AssetVariant, variant_upload_to
from media_assets.services import add_variant, rename_to_content_addresses
from media_assets.tests.factories import AssetFactory
from media_assets.tests.helpers import stored_files, wav_bytes

pytestmark = pytest.mark.django_db


def legacy_variant(name: str, *, hz: int, text: str) -> AssetVariant:
    """A variant as older code stored it: under a name made from its text."""
    variant = add_variant(
        asset=AssetFactory(text=text), uploaded_file=SimpleUploadedFile("x.wav", wav_bytes(hz=hz)), quality="high"
    )
    storage = variant.file.storage
    with storage.open(variant.file.name, "rb") as fh:
        data = fh.read()
    storage.delete(variant.file.name)
    storage.save(name, ContentFile(data))
    AssetVariant.objects.filter(pk=variant.pk).update(file=name)
    variant.refresh_from_db()
    return variant


def test_check_media_lists_then_renames_files_named_after_their_text(
    client, media_root, django_capture_on_commit_callbacks
):
    variant = legacy_variant("assets/2025/03/buenos-dias-high.wav", hz=440, text="Buenos días")
    content_name = f"assets/{variant.checksum_sha256[:2]}/{variant.checksum_sha256}.wav"

    out = StringIO()
    call_command("check_media", stdout=out)
    assert f"not named by its content: assets/2025/03/buenos-dias-high.wav -> {content_name}" in out.getvalue()
    assert "1 files not named by their content (0 renamed; run with --rename)" in out.getvalue()
    assert stored_files(media_root) == ["assets/2025/03/buenos-dias-high.wav"]  # a check changes nothing

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("check_media", "--rename", stdout=out)
    assert "1 files not named by their content (1 renamed)" in out.getvalue()
    variant.refresh_from_db()
    assert variant.file.name == content_name
    assert stored_files(media_root) == [content_name]  # the old name is gone once the rename committed
    response = client.get(variant.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == wav_bytes(hz=440)

    out = StringIO()
    call_command("check_media", "--rename", stdout=out)
    assert "0 files not named by their content (0 renamed)" in out.getvalue()


def test_a_file_that_differs_from_its_checksum_or_is_missing_is_left_alone(media_root):
    changed = legacy_variant("assets/2025/03/hola-high.wav", hz=500, text="hola")
    changed.file.storage.delete(changed.file.name)
    changed.file.storage.save(changed.file.name, ContentFile(wav_bytes(hz=501)))  # not the bytes it was checked as
    missing = legacy_variant("assets/2025/03/adios-high.wav", hz=600, text="adiós")
    missing.file.storage.delete(missing.file.name)

    report = rename_to_content_addresses()

    assert report.renamed == []
    assert report.unreadable == [changed.pk, missing.pk]
    assert AssetVariant.objects.get(pk=changed.pk).file.name == "assets/2025/03/hola-high.wav"
    assert stored_files(media_root) == ["assets/2025/03/hola-high.wav"]


def test_a_file_saved_through_the_field_is_named_by_its_content_not_its_upload_name():
    variant = AssetVariant(checksum_sha256="ab" * 32, format="png")
    assert variant_upload_to(variant, "el-gato.png") == f"assets/ab/{'ab' * 32}.png"
    unnamed = variant_upload_to(AssetVariant(), "el-gato.png")
    assert unnamed.startswith("assets/") and "gato" not in unnamed
