"""Avatars: an uploaded picture, checked with Pillow and stored as the learner's own small JPEG.

Rules (docs/accounts.md, "Avatar"):

- at most ``MAX_AVATAR_BYTES`` uploaded, at most ``MAX_AVATAR_PIXELS`` declared by the image's header
  (checked before any pixel is decoded, so a small file that unpacks to a huge image — a
  decompression bomb — is refused), a JPEG, PNG, WebP or GIF that Pillow decodes completely;
- an animated image (several frames) is refused: an avatar is one picture;
- CMYK is converted to RGB, transparency is laid on white, the EXIF orientation is applied, then the
  picture is cropped to a centred square and resized to ``AVATAR_SIZE`` px and re-encoded as a JPEG
  without any metadata (no EXIF, no location, no comments);
- it is stored through the media storage under a random name; replacing or removing an avatar
  deletes the old file once the change is committed, and a failure leaves the old avatar as it was.
"""

import io
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .models import User, avatar_upload_to

MAX_AVATAR_BYTES = 2 * 1024 * 1024
MAX_AVATAR_PIXELS = 24_000_000  # e.g. 6000 x 4000, a large phone photo
AVATAR_SIZE = 256
FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
JPEG_QUALITY = 85


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, code="invalid_image")


def normalised_avatar(upload) -> bytes:
    """The upload as the stored avatar (a square JPEG of ``AVATAR_SIZE`` px, no metadata), or a
    ValidationError saying what is wrong with it. Reads the file; writes nothing."""
    size = getattr(upload, "size", None)
    if size is None or size > MAX_AVATAR_BYTES:
        raise _refuse(_("The picture is too large: at most %(mb)s MB.") % {"mb": MAX_AVATAR_BYTES // (1024 * 1024)})
    if size == 0:
        raise _refuse(_("The file is empty."))
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload, formats=FORMATS) as image:
                width, height = image.size
                if width < 1 or height < 1 or width * height > MAX_AVATAR_PIXELS:
                    raise _refuse(
                        _("The picture has too many pixels: at most %(n)s million.")
                        % {"n": MAX_AVATAR_PIXELS // 1_000_000}
                    )
                if getattr(image, "n_frames", 1) > 1:
                    raise _refuse(_("Animated pictures can't be avatars: upload a still picture."))
                image.load()
                return _square_jpeg(image)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(_("The picture has too many pixels.")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise _refuse(_("That file isn't a picture we can read: upload a JPEG, PNG, WebP or GIF.")) from None


def _square_jpeg(image: Image.Image) -> bytes:
    image = ImageOps.exif_transpose(image) or image
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode in ("RGBa", "La")):
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")  # CMYK, greyscale, 16-bit …
    square = ImageOps.fit(image, (AVATAR_SIZE, AVATAR_SIZE), Image.Resampling.LANCZOS)
    # Only the pixels: a new image carries no EXIF, comment or ICC data from the upload.
    clean = Image.frombytes("RGB", square.size, square.tobytes())
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def set_avatar(*, user: User, upload) -> User:
    """Check and store a new avatar for ``user`` (``normalised_avatar``), replacing the old one.

    The picture is checked and re-encoded before anything is written; the file is saved, then the
    row updated under a row lock; if the update fails the new file is deleted; the old file is deleted
    after commit."""
    data = normalised_avatar(upload)
    with transaction.atomic():
        locked = User.objects.select_for_update(no_key=True).only("pk", "avatar").get(pk=user.pk)
        old = locked.avatar.name if locked.avatar else ""
        storage = locked.avatar.storage
        new = storage.save(avatar_upload_to(locked, "avatar.jpg"), ContentFile(data))
        try:
            User.objects.filter(pk=user.pk).update(avatar=new)
        except BaseException:
            storage.delete(new)  # nothing half-written: no file without its row
            raise
        if old:
            transaction.on_commit(lambda: storage.delete(old))
    user.avatar = new
    return user


def remove_avatar(*, user: User) -> User:
    """Remove the learner's avatar; the file is deleted after commit."""
    with transaction.atomic():
        locked = User.objects.select_for_update(no_key=True).only("pk", "avatar").get(pk=user.pk)
        if locked.avatar:
            old, storage = str(locked.avatar.name), locked.avatar.storage
            User.objects.filter(pk=user.pk).update(avatar="")
            transaction.on_commit(lambda: storage.delete(old))
    user.avatar = ""
    return user
