"""Avatar upload in settings: checked with Pillow, size-limited, re-encoded to a 256 px square JPEG
without metadata, stored through the media storage. Hostile files are form errors (400), never a
500, and leave nothing behind; replacing or removing deletes the old file."""

import io
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.avatars import AVATAR_SIZE, MAX_AVATAR_BYTES
from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)  # on_commit deletions run


def picture(mode="RGB", size=(640, 480), fmt="JPEG", color=(200, 30, 30), **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt, **save)
    return out.getvalue()


def upload(client, data: bytes, name="me.jpg", content_type="image/jpeg"):
    return client.post(reverse("avatar"), {"avatar": SimpleUploadedFile(name, data, content_type=content_type)})


def stored_files() -> set[str]:
    folder = Path(settings.MEDIA_ROOT) / "avatars"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


@pytest.fixture
def learner(client):
    user = UserFactory(display_name="Ana")
    client.force_login(user)
    return user


def stored_image(user) -> Image.Image:
    user.refresh_from_db()
    with default_storage.open(user.avatar.name) as f:
        image = Image.open(io.BytesIO(f.read()))
        image.load()
        return image


def test_an_upload_is_stored_as_a_small_square_jpeg_and_shown(client, learner):
    response = upload(client, picture(size=(800, 400)))
    assert response.status_code == 302
    image = stored_image(learner)
    assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (AVATAR_SIZE, AVATAR_SIZE))
    assert learner.avatar.name.startswith("avatars/") and learner.avatar.name.endswith(".jpg")
    assert learner.avatar.url in client.get(reverse("profile")).content.decode()
    assert learner.avatar.url in client.get(reverse("settings")).content.decode()


def test_metadata_is_stripped(client, learner):
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x0112] = 6  # Orientation: rotated 90°: applied, then dropped
    upload(client, picture(size=(300, 200), exif=exif.tobytes(), comment=b"secret"))
    image = stored_image(learner)
    assert not image.getexif() and "comment" not in image.info and b"SpyCam" not in image.tobytes()
    with default_storage.open(learner.avatar.name) as f:
        raw = f.read()
    assert b"SpyCam" not in raw and b"Exif" not in raw and b"secret" not in raw


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (picture(mode="CMYK", color=(0, 255, 255, 0)), "CMYK JPEG"),
        (picture(mode="RGBA", fmt="PNG", color=(0, 0, 255, 0)), "transparent PNG"),
        (picture(mode="LA", fmt="PNG", color=(0, 128)), "grey with alpha"),
        (picture(mode="P", fmt="GIF", color=3), "palette GIF"),
        (picture(fmt="WEBP"), "WebP"),
    ],
)
def test_cmyk_alpha_and_palette_pictures_become_rgb(client, learner, data, fmt):
    assert upload(client, data, name="pic").status_code == 302, fmt
    image = stored_image(learner)
    assert image.mode == "RGB" and image.size == (AVATAR_SIZE, AVATAR_SIZE)
    if fmt == "transparent PNG":
        assert image.getpixel((10, 10)) == pytest.approx((255, 255, 255), abs=3)  # laid on white


def _animated_gif() -> bytes:
    out = io.BytesIO()
    frames = [Image.new("RGB", (64, 64), color) for color in ((255, 0, 0), (0, 0, 255))]
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


def _bomb() -> bytes:
    # A few kilobytes that unpack to 144 million pixels.
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, "PNG", optimize=True)
    return out.getvalue()


HOSTILE = [
    ("not an image", b"\x00\x01 just bytes" * 10, "me.jpg", "isn't a picture"),
    ("a text file named .png", b"hello, I am text\n" * 20, "me.png", "isn't a picture"),
    ("a truncated JPEG", picture()[:300], "me.jpg", "isn't a picture"),
    ("an SVG", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "me.svg", "isn't a picture"),
    ("a decompression bomb", None, "bomb.png", "too many pixels"),
    ("an oversized file", b"\xff\xd8" + b"\x00" * MAX_AVATAR_BYTES, "big.jpg", "too large"),
    ("an animated GIF", None, "anim.gif", "Animated"),
    ("an empty file", b"", "empty.jpg", ""),
]


@pytest.mark.parametrize(("name", "data", "filename", "message"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_files_are_form_errors_and_change_nothing(client, learner, name, data, filename, message):
    assert upload(client, picture()).status_code == 302
    learner.refresh_from_db()
    before, files = learner.avatar.name, stored_files()
    if data is None:
        data = _bomb() if "bomb" in name else _animated_gif()
    response = upload(client, data, name=filename, content_type="image/png")
    assert response.status_code == 400, name
    html = unescape(response.content.decode())
    assert 'role="alert"' in html and message in html, name
    assert 'aria-invalid="true"' in html and 'aria-describedby="avatar-help avatar-errors"' in html
    learner.refresh_from_db()
    assert learner.avatar.name == before and stored_files() == files


def test_replacing_deletes_the_old_file_and_removing_deletes_it_too(client, learner):
    upload(client, picture(color=(1, 2, 3)))
    learner.refresh_from_db()
    first = Path(learner.avatar.path)
    assert first.exists()
    upload(client, picture(color=(9, 9, 9)))
    learner.refresh_from_db()
    second = Path(learner.avatar.path)
    assert second.exists() and not first.exists()
    response = client.post(reverse("avatar"), {"remove": "1"})
    assert response.status_code == 302
    assert not User.objects.get(pk=learner.pk).avatar and not second.exists()


def test_the_avatar_form_needs_a_login_and_a_post(client):
    assert client.post(reverse("avatar")).status_code == 302
    client.force_login(UserFactory())
    assert client.get(reverse("avatar")).status_code == 405
    assert client.post(reverse("avatar")).status_code == 400  # no file: a form error
