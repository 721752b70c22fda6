"""What the path page shows the same to every learner, rendered once and cached (docs/performance.md,
"The path page's HTML").

Per unit, one cache entry holds the unit's HTML that does not depend on who looks: its heading (band,
icon, title, description), its word list with the audio buttons, and for each lesson its description
line (kind, difficulty, minutes), its tips and the URL its Start button posts to. The entry's key names
the content version the structure was read under (``courses.content_version``: every content change,
an admin edit, an import, a publish, replaces it), the interface language (course texts are
translated) and the learner's audio quality setting (a word's button carries the files that fit it),
so an edit shows on the next view and a Spanish and an English learner each get their own.

The learner's state is never in a fragment: locked, open or passed, tier, the next lesson, the
checkpoints and "Jump here", and the CSRF token are rendered around the fragments on every view
(``templates/progress/path.html``). A page reads the fragments of the units it shows in one cache
round trip; the ones missing are rendered (the units' words, then their audio variants: three queries at
most) and stored.
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from courses.content_version import FORMAT, TIMEOUT
from courses.fragments import audio_template
from courses.models import Course
from courses.structure import unit_words

from .selectors import PathUnit

TEMPLATE = "progress/_path_fragments.html"


@dataclass(frozen=True)
class LessonHTML:
    about: SafeString  # " · Lesson · Easy · 5 min"
    tips: SafeString  # the Tips <details>, or ""
    start_url: str


@dataclass(frozen=True)
class UnitHTML:
    head: SafeString  # band, icon, title and description
    words: SafeString  # the word list <details>, or ""
    lessons: dict[int, LessonHTML]


def unit_key(*, version: str, quality: str, course_id: int, unit_id: int) -> str:
    return f"progress:path-unit:{FORMAT}:{version}:{get_language() or ''}:{quality}:{course_id}:{unit_id}"


def attach_unit_html(*, course: Course, version: str, units: list[PathUnit], quality: str) -> None:
    """Set ``unit.html`` on each of ``units`` (and ``lesson.html`` on their lessons): from the cache in
    one round trip, the missing ones rendered and stored. ``version`` is the content version the units
    were read under (``CoursePath.content_version``), so a fragment is never stored under a newer one."""
    keys = {unit.id: unit_key(version=version, quality=quality, course_id=course.pk, unit_id=unit.id) for unit in units}
    found = cache.get_many(list(keys.values())) if keys else {}
    missing = [unit for unit in units if keys[unit.id] not in found]
    if missing:
        fresh = _render(course=course, units=missing, quality=quality)
        cache.set_many({keys[unit_id]: html for unit_id, html in fresh.items()}, TIMEOUT)
        found.update({keys[unit_id]: html for unit_id, html in fresh.items()})
    for unit in units:
        unit.html = found[keys[unit.id]]
        for lesson in unit.lessons:
            lesson.html = unit.html.lessons[lesson.id]


def _render(*, course: Course, units: list[PathUnit], quality: str) -> dict[int, UnitHTML]:
    words = unit_words(course.pk)
    tokens = [token for unit in units for token in words.get(unit.id, []) if token.audio_id]
    if tokens:  # every word's asset and variants in two queries
        prefetch_related_objects(tokens, "audio__variants")
    language = course.to_language.code
    audio = audio_template() is not None  # the audio app's templates are installed
    rendered = {}
    for unit in units:
        tokens = words.get(unit.id, [])
        context = {"unit": unit, "tokens": tokens, "language": language, "quality": quality, "audio": audio}
        rendered[unit.id] = UnitHTML(
            head=SafeString(render_to_string(f"{TEMPLATE}#unit-head", context).strip()),
            words=SafeString(render_to_string(f"{TEMPLATE}#words", context).strip()) if tokens else SafeString(""),
            lessons={
                lesson.id: LessonHTML(
                    about=SafeString(render_to_string(f"{TEMPLATE}#lesson-about", {"lesson": lesson}).strip()),
                    tips=SafeString(render_to_string(f"{TEMPLATE}#lesson-tips", {"lesson": lesson}).strip())
                    if lesson.tips
                    else SafeString(""),
                    start_url=reverse("start_lesson", args=[lesson.slug]),
                )
                for lesson in unit.lessons
            },
        )
    return rendered
