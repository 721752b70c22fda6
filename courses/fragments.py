"""The template fragments that show an exercise or play an audio asset on a learner's page.

Each exercise type names its fragment in ``templates/exercises/``; a type whose fragment is missing
falls back to a plain text input. The audio include is ``templates/media_assets/audio.html``; pages
work without it.
"""

from functools import cache

from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from .exercise_types import get_type

FALLBACK_EXERCISE_TEMPLATE = "exercises/_fallback.html"
AUDIO_TEMPLATE = "media_assets/audio.html"


@cache
def _template_exists(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


def exercise_template(exercise_type: str) -> str:
    """The type's fragment, or a plain text input when the type's template is missing."""
    try:
        name = get_type(exercise_type).template
    except KeyError:
        return FALLBACK_EXERCISE_TEMPLATE
    return name if _template_exists(name) else FALLBACK_EXERCISE_TEMPLATE


def audio_template() -> str | None:
    """The audio include, if installed (the pages work without it)."""
    return AUDIO_TEMPLATE if _template_exists(AUDIO_TEMPLATE) else None
