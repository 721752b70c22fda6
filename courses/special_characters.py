"""The special-character keys the player shows under typed answers.

A course lists its own (``Course.special_characters``, from its course file or a LibreLingo course's
``Special characters``); a course that lists none gets the defaults of its target language below, and
a language without defaults gets no keys. Typed answers ignore accents only up to a point (see
docs/answers.md), so learners without the right keyboard need these.
"""

from .models import Course

#: target language code → the characters a usual English keyboard lacks, lower case first
DEFAULTS: dict[str, tuple[str, ...]] = {
    "es": ("ñ", "á", "é", "í", "ó", "ú", "ü", "¿", "¡"),
    "fr": ("é", "è", "ê", "ë", "à", "â", "ç", "î", "ï", "ô", "ù", "û", "œ"),
    "de": ("ä", "ö", "ü", "ß"),
    "pt": ("ã", "õ", "á", "â", "à", "é", "ê", "í", "ó", "ô", "ú", "ç"),
    "it": ("à", "è", "é", "ì", "ò", "ù"),
    "ca": ("à", "è", "é", "í", "ï", "ò", "ó", "ú", "ü", "ç", "l·l"),
    "eu": ("ñ",),
    "nl": ("é", "ë", "ï", "ó", "ö", "ü"),
    "pl": ("ą", "ć", "ę", "ł", "ń", "ó", "ś", "ź", "ż"),
    "sv": ("å", "ä", "ö"),
    "da": ("æ", "ø", "å"),
    "nb": ("æ", "ø", "å"),
    "no": ("æ", "ø", "å"),
    "fi": ("ä", "ö", "å"),
    "tr": ("ç", "ğ", "ı", "İ", "ö", "ş", "ü"),  # noqa: RUF001 - the dotless i is the point
    "ro": ("ă", "â", "î", "ș", "ț"),
    "cs": ("á", "č", "ď", "é", "ě", "í", "ň", "ó", "ř", "š", "ť", "ú", "ů", "ý", "ž"),
    "hu": ("á", "é", "í", "ó", "ö", "ő", "ú", "ü", "ű"),
    "is": ("á", "ð", "é", "í", "ó", "ú", "ý", "þ", "æ", "ö"),
    "eo": ("ĉ", "ĝ", "ĥ", "ĵ", "ŝ", "ŭ"),
    "ga": ("á", "é", "í", "ó", "ú"),
    "cy": ("â", "ê", "î", "ô", "û", "ŵ", "ŷ"),
    "tw": ("ɛ", "ɔ"),
    "lad": ("á", "é", "í", "ó", "ú", "ñ"),
    "vi": ("ă", "â", "đ", "ê", "ô", "ơ", "ư"),
}


def defaults_for(language_code: str) -> list[str]:
    """The default keys for a language code (``es``, ``es-MX`` → ``es``); empty when there are none."""
    code = language_code.lower()
    return list(DEFAULTS.get(code) or DEFAULTS.get(code.split("-")[0], ()))


def keys_for(course: Course) -> list[str]:
    """The keys the player shows for ``course``: its own list, else its target language's defaults.
    Needs ``course.to_language`` (select it with the course to save a query)."""
    if course.special_characters:
        return list(course.special_characters)
    return defaults_for(course.to_language.code)
