"""An avatar is stored under a random name: the name it was uploaded under never becomes a URL."""

from accounts.models import avatar_upload_to


def test_avatar_names_are_random_and_keep_only_the_extension():
    first = avatar_upload_to(None, "Ana García passport.JPG")
    second = avatar_upload_to(None, "Ana García passport.JPG")
    assert first.startswith("avatars/") and first.endswith(".jpg")
    assert first != second
    assert "ana" not in first.lower() and "passport" not in first
    assert avatar_upload_to(None, "no-extension").count(".") == 0
    assert avatar_upload_to(None, "odd.<script>").endswith(tuple("0123456789abcdef"))
