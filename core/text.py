"""Text that a database can store."""


def storable(text: str) -> bool:
    """Whether PostgreSQL can store ``text``: no NUL character, no lone UTF-16 surrogate (``"\\ud800"``
    in JSON or YAML gives one; UTF-8 cannot encode it)."""
    return "\x00" not in text and not any(0xD800 <= ord(c) <= 0xDFFF for c in text)
