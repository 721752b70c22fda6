"""manage.py check_media: orphan files and missing files."""

import os
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from media_assets.services import add_variant, audit_storage
from media_assets.tests.factories import AssetFactory
from media_assets.tests.helpers import stored_files

pytestmark = pytest.mark.django_db


def test_orphans_are_listed_and_old_ones_deleted(media_root, upload):
    kept = add_variant(asset=AssetFactory(), uploaded_file=upload("mp3_low", "a.mp3"), quality="low")
    (media_root / "assets" / "zz").mkdir(parents=True)
    old, fresh = media_root / "assets/zz/old.mp3", media_root / "assets/zz/fresh.mp3"
    old.write_bytes(b"x")
    fresh.write_bytes(b"y")
    hours_ago = (timezone.now() - timedelta(hours=2)).timestamp()
    os.utime(old, (hours_ago, hours_ago))

    out = StringIO()
    call_command("check_media", stdout=out)
    assert "orphan file: assets/zz/old.mp3" in out.getvalue()
    assert "2 orphan files (0 deleted), 0 variants with a missing file" in out.getvalue()

    audit = audit_storage(now=timezone.now(), delete_orphans=True)
    assert audit.deleted == 1  # the fresh one may belong to an upload still in flight
    assert stored_files(media_root) == sorted([kept.file.name, "assets/zz/fresh.mp3"])


def test_a_missing_file_is_an_error(media_root, upload):
    variant = add_variant(asset=AssetFactory(), uploaded_file=upload("mp3_low", "a.mp3"), quality="low")
    (media_root / variant.file.name).unlink()
    with pytest.raises(CommandError, match=f"missing from storage: {variant.pk}"):
        call_command("check_media", stdout=StringIO())
