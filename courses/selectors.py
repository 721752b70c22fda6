from collections.abc import Iterable

from django.core.cache import cache
from django.db.models import QuerySet

from core.memo import ProcessMemo
from media_assets.models import AssetVariant

from .answers import Lexicon
from .hints import HINTED_TYPES, prompt_hints, prompt_in_target, reverse_glosses
from .models import Course, Token

#: how long a course's lexicon stays cached; a change of the course (an import) starts a new one at once
LEXICON_CACHE_SECONDS = 600


def published_courses() -> QuerySet[Course]:
    """Courses a learner may see, with their languages, for the catalog."""
    return Course.objects.visible().select_related("from_language", "to_language").order_by("title")


def attach_image_urls(publics: Iterable[dict]) -> None:
    """Fill ``url`` on every picture choice that uses an uploaded image asset, in place.

    Public payloads name image assets by id (``{"asset": 7}``); the page and the API need a URL.
    One query for any number of payloads, none when no choice uses an asset (emoji choices).
    """
    choices = [
        choice
        for public in publics
        if public
        for choice in public.get("choices", [])
        if isinstance(choice, dict) and "asset" in choice
    ]
    if not choices:
        return
    urls: dict[int, str] = {}
    variants = AssetVariant.objects.filter(asset_id__in={c["asset"] for c in choices}).order_by("asset_id", "pk")
    for variant in variants:
        urls.setdefault(variant.asset_id, variant.get_absolute_url())
    for choice in choices:
        choice["url"] = urls.get(choice["asset"], "")


def lexicon_glosses(*, course: Course, language_code: str) -> dict[str, str]:
    """Folded single word → gloss, for the course's tokens in ``language_code`` that its exercises use.

    Cached (Django's cache) under the course's id and ``updated_at`` for ``LEXICON_CACHE_SECONDS``:
    one query on a miss, none on a hit."""
    key = _lexicon_key(course, language_code)
    glosses = cache.get(key)
    if glosses is None:
        tokens = (
            Token.objects.filter(language__code=language_code, exercises__course_id=course.pk)
            .order_by("text", "pk")
            .values_list("text", "translation")
            .distinct()
        )
        glosses = Lexicon.from_tokens(tokens, language_code)
        cache.set(key, glosses, LEXICON_CACHE_SECONDS)
    return glosses


def _lexicon_key(course: Course, language_code: str) -> str:
    return f"answers:lexicon:v1:{course.pk}:{language_code}:{course.updated_at.timestamp() if course.updated_at else 0}"


#: Each lexicon's reverse index (source word → course words) by the lexicon's cache key: kept in the
#: process for as long as the cached lexicon lives (it costs a normalisation of every gloss to build,
#: and every word-hinted exercise served needs it).
_REVERSES: ProcessMemo[dict[str, list[str]]] = ProcessMemo(size=64, seconds=LEXICON_CACHE_SECONDS)


def _reverse_of(course: Course, *, target: str, source: str) -> dict[str, list[str]]:
    return _REVERSES.get_or_make(
        (_lexicon_key(course, target), source),
        lambda: reverse_glosses(lexicon_glosses(course=course, language_code=target), source),
    )


def answer_lexicon(*, course: Course, language_code: str) -> Lexicon:
    """The course's lexicon in the answer's language, for ``check_answer_text`` (docs/answers.md).

    Lazy: nothing is read until the checker asks about a word, which it does only for a one-edit slip,
    so most answers cost no query and no cache read."""
    return Lexicon(load=lambda: lexicon_glosses(course=course, language_code=language_code))


def exercise_hints(*, course: Course, exercise_type: str, payload: dict) -> list[dict] | None:
    """The word hints of an exercise's prompt (``courses.hints.prompt_hints``), or None for a type
    without a prompt sentence (no query then). ``course`` with its languages loaded; the glosses are
    cached (``lexicon_glosses``: one query on a miss). ``payload`` is the full one: only hints leave."""
    if exercise_type not in HINTED_TYPES:
        return None
    target, source = course.to_language.code, course.from_language.code
    if prompt_in_target(exercise_type, payload):  # the lexicon's glosses as written
        glosses = lexicon_glosses(course=course, language_code=target)
        return prompt_hints(exercise_type=exercise_type, payload=payload, target=target, source=source, glosses=glosses)
    reverse = _reverse_of(course, target=target, source=source)
    return prompt_hints(
        exercise_type=exercise_type, payload=payload, target=target, source=source, glosses={}, reverse=reverse
    )
