"""Authoring in admin: upload a file inline, metadata filled from it, a bad file refused with nothing stored."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.tests.factories import UserFactory
from media_assets.models import Asset, AssetVariant
from media_assets.services import add_variant
from media_assets.tests.factories import AssetFactory
from media_assets.tests.helpers import stored_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def form_data(asset: Asset | None = None, **variant) -> dict:
    data = {
        "kind": "audio",
        "title": "",
        "text": asset.text if asset else "Buenos días",
        "language": "es",
        "variants-TOTAL_FORMS": "1",
        "variants-INITIAL_FORMS": "0",
        "variants-MIN_NUM_FORMS": "0",
        "variants-MAX_NUM_FORMS": "1000",
        "variants-0-quality": "high",
        "variants-0-speed": "normal",
    }
    data.update({f"variants-0-{k}": v for k, v in variant.items()})
    return data


def test_add_asset_with_an_uploaded_mp3(staff_client, media_root, media_files):
    response = staff_client.post(
        reverse("admin:media_assets_asset_add"),
        form_data(upload=SimpleUploadedFile("buenos.mp3", media_files["mp3_high"])),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    variant = AssetVariant.objects.get()
    assert variant.asset.text == "Buenos días"
    assert variant.asset.source == "uploaded"
    assert (variant.format, variant.quality, variant.bit_rate, variant.sample_rate) == ("mp3", "high", 128_000, 16000)
    assert stored_files(media_root) == [variant.file.name]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("words.mp3", b"this is text, not sound\n" * 10, "content is not a recognised audio or image file"),
        ("sneaky.mp3", "ogg_low", "named as MP3, but its content is Ogg Vorbis"),
        ("cut.ogg", "ogg_high_cut", "truncated"),
    ],
)
def test_bad_upload_is_refused_on_the_form(staff_client, media_root, media_files, name, content, message):
    if content == "ogg_high_cut":
        content = media_files["ogg_high"][:3000]
    elif isinstance(content, str):
        content = media_files[content]
    response = staff_client.post(
        reverse("admin:media_assets_asset_add"), form_data(upload=SimpleUploadedFile(name, content))
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Asset.objects.count() == 0
    assert AssetVariant.objects.count() == 0
    assert stored_files(media_root) == []


def test_duplicate_upload_names_the_stored_variant(staff_client, media_root, media_files, upload):
    stored = add_variant(asset=AssetFactory(text="hola"), uploaded_file=upload("mp3_low", "a.mp3"), quality="low")
    response = staff_client.post(
        reverse("admin:media_assets_asset_add"),
        form_data(upload=SimpleUploadedFile("again.mp3", media_files["mp3_low"])),
    )
    assert response.status_code == 200
    assert f"asset #{stored.asset_id}" in response.content.decode()
    assert AssetVariant.objects.count() == 1


def test_change_page_shows_metadata_read_only_and_a_player(staff_client, media_root, upload):
    asset = AssetFactory(text="hola")
    variant = add_variant(asset=asset, uploaded_file=upload("mp3_low", "a.mp3"), quality="low")
    add_variant(asset=asset, uploaded_file=upload("ogg_low", "a.ogg"), quality="low", speed="slow")
    html = staff_client.get(reverse("admin:media_assets_asset_change", args=[asset.pk])).content.decode()
    assert variant.get_absolute_url() in html
    assert "<audio" in html
    assert "Slow replay" in html
    assert variant.checksum_sha256[:12] in html
    # A stored row has no file input (a stored file never changes) but keeps its cell.
    assert 'name="variants-0-upload"' not in html
    assert "Stored (delete the row to replace it)" in html
    # Metadata is shown, not editable: no input for the bit rate or the format.
    assert 'name="variants-0-bit_rate"' not in html
    assert 'name="variants-0-format"' not in html


def test_deleting_a_variant_inline_removes_its_file(
    staff_client, media_root, upload, django_capture_on_commit_callbacks
):
    asset = AssetFactory(text="hola")
    variant = add_variant(asset=asset, uploaded_file=upload("mp3_low", "a.mp3"), quality="low")
    data = form_data(asset)
    data.update(
        {
            "variants-INITIAL_FORMS": "1",
            "variants-TOTAL_FORMS": "1",
            "variants-0-id": str(variant.pk),
            "variants-0-asset": str(asset.pk),
            "variants-0-quality": "low",
            "variants-0-DELETE": "on",
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("admin:media_assets_asset_change", args=[asset.pk]), data)
    assert response.status_code == 302
    assert AssetVariant.objects.count() == 0
    assert stored_files(media_root) == []


def test_changelist_filters_and_search(staff_client, media_root):
    AssetFactory(text="perro", language="es")
    AssetFactory(text="chien", language="fr")
    url = reverse("admin:media_assets_asset_changelist")
    assert "perro" in staff_client.get(url, {"q": "perro"}).content.decode()
    assert "chien" not in staff_client.get(url, {"q": "perro"}).content.decode()
    assert "chien" in staff_client.get(url, {"language": "fr"}).content.decode()
    assert "perro" not in staff_client.get(url, {"language": "fr"}).content.decode()
    assert staff_client.get(url, {"kind__exact": "audio", "source__exact": "uploaded"}).status_code == 200


def test_a_content_editor_can_upload(client, media_root, media_files):
    from django.contrib.auth.models import Group

    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name="Content editor"))
    client.force_login(editor)
    response = client.post(
        reverse("admin:media_assets_asset_add"),
        form_data(upload=SimpleUploadedFile("buenos.ogg", media_files["ogg_low"])),
    )
    assert response.status_code == 302
    assert AssetVariant.objects.get().format == "ogg"
