"""The interface's translation catalogues: compiled from the ``.po`` files in ``locale/`` (docs/i18n.md).

Django reads compiled ``.mo`` files. They are built, not committed: ``make run``, ``make test`` and the
test suite's start call ``compile_catalogues``, which uses polib (pure Python), so a machine without
GNU gettext can still serve the translated interface. Only ``makemessages`` (finding new strings)
needs gettext's xgettext.
"""

import os
import tempfile
from pathlib import Path

import polib
from django.conf import settings


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
