"""The interface's translation catalogues: compiled from the ``.po`` files in ``locale/`` (docs/i18n.md).

Django reads compiled ``.mo`` files. They are built, not committed: ``make run``, ``make test`` and the
test suite's start call ``compile_catalogues``, which uses polib (pure Python), so a machine without
GNU gettext can still serve the translated interface. Only ``makemessages`` (finding new strings)
needs gettext's xgettext.

``interpolate_lazy`` fills a translatable sentence's placeholders when the text is shown, not when it
is made: for sentences built in one language and read in another (a course file's problems).
"""

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, cast

import polib
from django.conf import settings
from django.utils.functional import lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _interpolate(message: "StrOrPromise", params: dict) -> str:
    return str(message) % params if params else str(message)


_interpolate_lazy = lazy(_interpolate, str)


def interpolate_lazy(message: "StrOrPromise", /, **params: object) -> str:
    """``message`` (a ``gettext_lazy`` or ``ngettext_lazy`` sentence with ``%(name)s`` placeholders)
    filled with ``params``, as a lazy string: it is translated, and its lazy params with it, in the
    language active when it is turned into text (a template, ``str()``, an f-string), whatever the
    language was when it was made. ``==``, ``in`` and ``+`` work as on the English text."""
    return cast(str, _interpolate_lazy(message, params))  # a lazy str: typed as the text it becomes


def _join(separator: str, items: list) -> str:
    return separator.join(str(item) for item in items)


_join_lazy = lazy(_join, str)


def join_lazy(separator: str, items: list) -> str:
    """``separator.join(items)`` for lazy strings, itself lazy (``str.join`` would translate them now)."""
    return cast(str, _join_lazy(separator, list(items)))


def catalogue_files() -> list[Path]:
    """Every ``.po`` file under the project's LOCALE_PATHS."""
    return sorted(po for root in settings.LOCALE_PATHS for po in Path(root).glob("*/LC_MESSAGES/*.po"))


def compile_catalogue(po_path: Path) -> Path:
    """Write ``po_path``'s ``.mo`` beside it (translated entries only: fuzzy and empty ones fall back to
    English). The file is replaced atomically, so parallel test workers may compile at once."""
    mo_path = po_path.with_suffix(".mo")
    catalogue = polib.pofile(str(po_path))
    fd, tmp = tempfile.mkstemp(dir=po_path.parent, prefix=".", suffix=".mo.tmp")
    os.close(fd)
    try:
        catalogue.save_as_mofile(tmp)
        os.replace(tmp, mo_path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return mo_path


def compile_catalogues() -> list[Path]:
    """Compile every catalogue whose ``.mo`` is missing or older than its ``.po``; return those written."""
    written = []
    for po in catalogue_files():
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            written.append(compile_catalogue(po))
    return written
