"""Licences of course content: which ones oblige Mallard to credit the source, and what crediting needs.

A course records its content licence (name, short name, link) and the repository it came from (for
instance a LibreLingo course). Licences such as CC BY and CC BY-SA are granted on condition that the
work is attributed: learners must be shown the licence and where the content comes from. So a course
under such a licence cannot be published while its attribution is incomplete. Pure functions: the
model's ``clean``, the publishing service and the course-file validator all call ``attribution_problems``,
whose sentences are translated when shown.
"""

import re

from django.utils.translation import gettext_lazy as _

from core.i18n import interpolate_lazy as lazy_text

#: licences that ask for no attribution (public-domain dedications); every other named licence does
_NO_ATTRIBUTION = re.compile(r"^\s*(cc0|cc-0|cc zero|public domain|unlicense|the unlicense)\b", re.IGNORECASE)


def requires_attribution(*, short_name: str, name: str) -> bool:
    """True for any recorded licence except a public-domain dedication (CC0, Unlicense, public domain).

    No licence recorded at all (Mallard's own content) asks for nothing."""
    names = [n for n in (short_name, name) if n.strip()]
    if not names:
        return False
    return not any(_NO_ATTRIBUTION.match(n) for n in names)


def attribution_problems(*, short_name: str, name: str, url: str, source: str) -> dict[str, str]:
    """What a published course under this licence is missing, by field: ``license_url`` (the licence's
    text) and ``source_repository`` (where the content comes from). Empty when it may be published."""
    if not requires_attribution(short_name=short_name, name=name):
        return {}
    label = short_name.strip() or name.strip()
    problems = {}
    if not url.strip():
        message = _("%(licence)s requires attribution: give the link to the licence before publishing.")
        problems["license_url"] = lazy_text(message, licence=label)
    if not source.strip():
        message = _("%(licence)s requires attribution: give the source the content comes from before publishing.")
        problems["source_repository"] = lazy_text(message, licence=label)
    return problems
