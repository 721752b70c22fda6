"""Hostile Range headers on the public media URL: a clear answer, never a 500."""

import pytest

from media_assets.services import add_variant
from media_assets.tests.factories import AssetFactory
from media_assets.views import parse_range

pytestmark = pytest.mark.django_db

HUGE = "9" * 5000  # more digits than Python converts to an int by default (4,300)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (f"bytes={HUGE}-", "unsatisfiable"),
        (f"bytes=0-{HUGE}", (0, 999)),
        (f"bytes=-{HUGE}", (0, 999)),
        (f"bytes={HUGE}-{HUGE}", "unsatisfiable"),
        (f"bytes=10-{HUGE}", (10, 999)),
        ("bytes=" + "0" * 5000 + "5-9", (5, 9)),  # leading zeros are still a small number
    ],
)
def test_range_header_with_huge_numbers_is_parsed_without_converting_them(header, expected):
    assert parse_range(header, 1000) == expected


def test_range_header_with_huge_numbers_is_not_a_500(client, media_root, upload, media_files):
    variant = add_variant(asset=AssetFactory(text="hola"), uploaded_file=upload("mp3_high", "h.mp3"), quality="high")
    size = len(media_files["mp3_high"])
    url = variant.get_absolute_url()

    past_the_end = client.get(url, headers={"Range": f"bytes={HUGE}-"})
    assert past_the_end.status_code == 416 and past_the_end["Content-Range"] == f"bytes */{size}"

    to_the_end = client.get(url, headers={"Range": f"bytes=0-{HUGE}"})
    assert to_the_end.status_code == 206 and to_the_end["Content-Range"] == f"bytes 0-{size - 1}/{size}"
