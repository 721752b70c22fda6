"""Writes for media assets: add a file variant (validated by content), delete variants and assets.

Files are stored through Django's storage API (``AssetVariant.file``'s storage: the local media folder by
default, S3 when configured) under a content-addressed name, ``assets/<sha[:2]>/<sha256>.<format>``:
neither the stored name nor the URL says what a file says or shows. ``rename_to_content_addresses``
moves files stored under any other name (older uploads) to theirs.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from .inspection import FORMAT_NAMES, MediaInfo, format_from_name, inspect_media
from .models import Asset, AssetVariant, content_addressed_name

_CHUNK = 64 * 1024


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed every check: its bytes, checksum and what the file says about itself."""

    data: bytes
    checksum: str
    info: MediaInfo
    original_name: str


def check_upload(*, asset: Asset, uploaded_file, claimed_format: str | None = None) -> CheckedUpload:
    """Read and validate an upload without storing anything. Raises ValidationError.

    ``claimed_format`` defaults to what the file's name claims (``.mp3`` → mp3); the content must prove it.
    """
    original_name = (getattr(uploaded_file, "name", "") or "").rsplit("/", 1)[-1]
    data = _read_limited(uploaded_file)
    info = inspect_media(data, claimed_format=claimed_format or format_from_name(original_name))
    if info.kind != asset.kind:
        raise ValidationError(
            _("This asset holds %(holds)s, but the file is %(kind)s (%(format)s)."),
            code="wrong_kind",
            params={"holds": asset.get_kind_display().lower(), "kind": info.kind, "format": FORMAT_NAMES[info.format]},
        )
    return CheckedUpload(
        data=data, checksum=hashlib.sha256(data).hexdigest(), info=info, original_name=original_name[:255]
    )


def add_variant(
    *, asset: Asset, uploaded_file, quality: str, speed: str = "normal", claimed_format: str | None = None
) -> AssetVariant:
    """Validate ``uploaded_file`` by its content and store it as a variant of ``asset``.

    Format, size, duration, sample rate, bit rate and channels come from the file. Identical bytes are
    stored once: uploading the same file again for the same asset, quality and speed returns the
    stored variant; for anything else it raises "already stored as …". A bad file raises
    ValidationError and nothing is stored (no row, no file). Takes a row lock on the asset so that two
    uploads to one asset are checked one after the other.
    """
    variant, _created = add_or_get_variant(
        asset=asset, uploaded_file=uploaded_file, quality=quality, speed=speed, claimed_format=claimed_format
    )
    return variant


def add_or_get_variant(
    *, asset: Asset, uploaded_file, quality: str, speed: str = "normal", claimed_format: str | None = None
) -> tuple[AssetVariant, bool]:
    """``add_variant`` that also says whether a new variant was made (False: identical bytes reused)."""
    if quality not in AssetVariant.Quality.values:
        raise ValidationError(_("Unknown quality %(quality)r."), code="quality", params={"quality": quality})
    if speed not in AssetVariant.Speed.values:
        raise ValidationError(_("Unknown speed %(speed)r."), code="speed", params={"speed": speed})
    upload = check_upload(asset=asset, uploaded_file=uploaded_file, claimed_format=claimed_format)
    storage = AssetVariant._meta.get_field("file").storage
    with transaction.atomic():
        Asset.objects.select_for_update(no_key=True).filter(pk=asset.pk).first()
        existing = find_stored_variant(asset=asset, upload=upload, quality=quality, speed=speed)
        if existing is not None:
            return existing, False
        name = content_addressed_name(checksum=upload.checksum, format=upload.info.format)
        # Content-addressed: a file already at this name holds these very bytes (e.g. left by a rolled-back
        # transaction), so it is reused rather than written again under a second name.
        wrote = not storage.exists(name)
        if wrote:
            name = storage.save(name, ContentFile(upload.data))
        info = upload.info
        try:
            with transaction.atomic():
                variant = AssetVariant.objects.create(
                    asset=asset,
                    file=name,
                    format=info.format,
                    quality=quality,
                    speed=speed,
                    size_bytes=len(upload.data),
                    duration_ms=info.duration_ms,
                    sample_rate=info.sample_rate,
                    bit_rate=info.bit_rate,
                    channels=info.channels,
                    width=info.width,
                    height=info.height,
                    checksum_sha256=upload.checksum,
                    original_name=upload.original_name,
                )
        except IntegrityError as exc:
            # A concurrent upload won the unique checksum (or the slot). Remove the file only if this call
            # wrote it and no row points at it (the winner may use the very same content-addressed name).
            if wrote and not AssetVariant.objects.filter(file=name).exists():
                storage.delete(name)
            raise ValidationError(_("This file was stored by another upload at the same moment; reload.")) from exc
    return variant, True


def find_stored_variant(*, asset: Asset, upload: CheckedUpload, quality: str, speed: str) -> AssetVariant | None:
    """The stored variant with these bytes if it is this very slot (the upload is a repeat); raise
    ValidationError when the bytes are stored elsewhere or the slot holds another file. ``asset`` may be
    unsaved (the admin checks a new asset's uploads before saving it)."""
    same_bytes = AssetVariant.objects.select_related("asset").filter(checksum_sha256=upload.checksum).first()
    if same_bytes is not None:
        if asset.pk is not None and (same_bytes.asset_id, same_bytes.quality, same_bytes.speed) == (
            asset.pk,
            quality,
            speed,
        ):
            return same_bytes
        raise ValidationError(
            _(
                "This exact file is already stored as %(slot)s of asset “%(asset)s” (asset #%(asset_id)s, "
                "variant #%(variant_id)s). Use that asset, or upload a different file."
            ),
            code="duplicate",
            params={
                "slot": f"{same_bytes.format}/{same_bytes.quality}/{same_bytes.speed}",
                "asset": same_bytes.asset,
                "asset_id": same_bytes.asset_id,
                "variant_id": same_bytes.pk,
            },
        )
    if asset.pk is None:
        return None
    taken = AssetVariant.objects.filter(asset=asset, format=upload.info.format, quality=quality, speed=speed).first()
    if taken is not None:
        raise ValidationError(
            _(
                "This asset already has a %(format)s %(quality)s-quality %(speed)s variant (#%(variant_id)s). "
                "Delete it first to replace it."
            ),
            code="slot_taken",
            params={
                "format": FORMAT_NAMES[upload.info.format],
                "quality": quality,
                "speed": speed,
                "variant_id": taken.pk,
            },
        )
    return None


def _read_limited(uploaded_file) -> bytes:
    limit = settings.MALLARD_AUDIO_MAX_UPLOAD_BYTES
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            _("The file is %(size)s; files may be at most %(limit)s."),
            code="too_large",
            params={"size": _mb(size), "limit": _mb(limit)},
        )
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    parts, total = [], 0
    while chunk := uploaded_file.read(_CHUNK):
        total += len(chunk)
        if total > limit:
            raise ValidationError(
                _("The file is larger than %(limit)s, the most a file may be."),
                code="too_large",
                params={"limit": _mb(limit)},
            )
        parts.append(chunk)
    data = b"".join(parts)
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    return data


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else _("%(count)s bytes") % {"count": n}


def delete_variant(*, variant: AssetVariant) -> None:
    """Delete a variant and, once the deletion is committed, its file (no other row holds these bytes)."""
    with transaction.atomic():
        _delete_files_on_commit([variant.file.name])
        variant.delete()


def delete_asset(*, asset: Asset) -> None:
    """Delete an asset, its variants and their files. Tokens and exercises that used it lose their audio."""
    with transaction.atomic():
        _delete_files_on_commit(list(asset.variants.values_list("file", flat=True)))
        asset.delete()


def _delete_files_on_commit(names: list[str]) -> None:
    storage = AssetVariant._meta.get_field("file").storage

    def delete() -> None:
        for name in names:
            if name and not AssetVariant.objects.filter(file=name).exists():
                storage.delete(name)

    transaction.on_commit(delete)


@dataclass(frozen=True)
class StorageAudit:
    orphan_files: list[str]  # in storage under assets/, no variant points at them
    missing_files: list[int]  # variant ids whose file is not in storage
    deleted: int


def audit_storage(*, now, delete_orphans: bool = False, grace_seconds: int = 3600) -> StorageAudit:
    """Compare the files under ``assets/`` in storage with the variant rows.

    Orphans come from a transaction that rolled back after its file was written. With ``delete_orphans``
    they are deleted — except files younger than ``grace_seconds``, which may belong to an upload whose
    transaction has not committed yet.
    """
    storage = AssetVariant._meta.get_field("file").storage
    stored = set(_walk(storage, "assets"))
    known = dict(AssetVariant.objects.values_list("file", "pk"))
    orphans = sorted(stored - set(known))
    missing = sorted(pk for name, pk in known.items() if name not in stored)
    deleted = 0
    if delete_orphans:
        for name in orphans:
            if (now - storage.get_modified_time(name)).total_seconds() >= grace_seconds:
                storage.delete(name)
                deleted += 1
    return StorageAudit(orphan_files=orphans, missing_files=missing, deleted=deleted)


def _walk(storage, folder: str):
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _walk(storage, f"{folder}/{sub}")


@dataclass(frozen=True)
class RenameReport:
    renamed: list[tuple[str, str]]  # (old name, content-addressed name)
    unreadable: list[int]  # variant ids whose file is missing or whose bytes differ from the row's checksum


def rename_to_content_addresses(*, dry_run: bool = False) -> RenameReport:
    """Move every variant file not stored under its content-addressed name (``assets/2025/03/buenos-dias.mp3``
    from before names were content hashes) to it, so no stored name says what a file holds.

    Per file: the bytes are read and checked against the row's checksum, written under the new name
    (unless already there), the row updated, and the old file deleted once that commits. A file that
    is missing or does not match its checksum is reported and left alone. Idempotent: a second run
    finds nothing to rename.
    """
    storage = AssetVariant._meta.get_field("file").storage
    renamed, unreadable = [], []
    variants = AssetVariant.objects.only("pk", "file", "format", "checksum_sha256").order_by("pk")
    for variant in variants.iterator():
        old, new = variant.file.name, variant.stored_name
        if old == new:
            continue
        try:
            with storage.open(old, "rb") as fh:
                data = fh.read()
        except OSError:
            unreadable.append(variant.pk)
            continue
        if hashlib.sha256(data).hexdigest() != variant.checksum_sha256:
            unreadable.append(variant.pk)
            continue
        renamed.append((old, new))
        if dry_run:
            continue
        if not storage.exists(new):
            storage.save(new, ContentFile(data))
        with transaction.atomic():
            if AssetVariant.objects.filter(pk=variant.pk, file=old).update(file=new):
                _delete_files_on_commit([old])
    return RenameReport(renamed=renamed, unreadable=unreadable)
