"""Every media factory builds a valid, saved row; a variant's file and metadata agree."""

import hashlib

import pytest

from media_assets.inspection import inspect_media
from media_assets.tests.factories import AssetFactory, AssetVariantFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("factory", [AssetFactory, AssetVariantFactory], ids=lambda f: f.__name__)
def test_factory_builds_a_valid_saved_row(factory, media_root, assert_valid_saved_row):
    row = factory()
    assert_valid_saved_row(row)


def test_a_variant_file_is_what_its_row_says(media_root):
    variant = AssetVariantFactory()
    data = (media_root / variant.file.name).read_bytes()
    info = inspect_media(data, claimed_format=variant.format)
    assert (variant.size_bytes, variant.checksum_sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert (info.duration_ms, info.sample_rate, info.channels, info.bit_rate) == (
        variant.duration_ms,
        variant.sample_rate,
        variant.channels,
        variant.bit_rate,
    )
