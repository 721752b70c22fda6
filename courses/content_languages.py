"""Which interface language a course's own texts are written in, and which texts have translations
(docs/i18n.md, "Content in more than one language"; the columns are django-modeltranslation's)."""

from django.conf import settings

#: Mallard's interface languages: each translated text has one column per language.
LANGUAGE_CODES: tuple[str, ...] = tuple(code for code, _name in settings.LANGUAGES)

#: The translatable texts of each kind of course object, in the order a course file writes them.
#: Never a payload field: the interface language never changes what is accepted as an answer.
TRANSLATED_FIELDS: dict[str, tuple[str, ...]] = {
    "course": ("title", "description"),
    "section": ("title", "description"),
    "unit": ("title", "description"),
    "lesson": ("title", "notes"),
    "checkpoint": ("title",),
    "exercise": ("prompt", "hint"),
}


def source_language(from_language_code: str) -> str:
    """The interface language a course's own texts are in: the language it is taught from when Mallard's
    interface has it (Spanish for "English for Spanish speakers"), else the default (English)."""
    code = (from_language_code or "").lower()
    return code if code in LANGUAGE_CODES else settings.LANGUAGE_CODE


def other_languages(source: str) -> tuple[str, ...]:
    return tuple(code for code in LANGUAGE_CODES if code != source)


def localized(name: str, language: str) -> str:
    """The column of ``name`` in ``language`` (``title`` + ``es`` → ``title_es``)."""
    return f"{name}_{language.replace('-', '_')}"


def translation_values(obj, kind: str, source: str) -> dict[str, dict[str, str]]:
    """``obj``'s texts in the languages other than ``source``: {language: {field: text}}, empty ones left out."""
    out: dict[str, dict[str, str]] = {}
    for language in other_languages(source):
        texts = {name: getattr(obj, localized(name, language)) or "" for name in TRANSLATED_FIELDS[kind]}
        texts = {name: text for name, text in texts.items() if text}
        if texts:
            out[language] = texts
    return out


def translated_columns(kind: str, source: str, translations: dict[str, dict[str, str]]) -> dict[str, str]:
    """The other languages' columns of one object, from a course file's ``translations:`` (absent → "")."""
    return {
        localized(name, language): translations.get(language, {}).get(name, "")
        for language in other_languages(source)
        for name in TRANSLATED_FIELDS[kind]
    }


def text_columns(name: str, *, prefix: str = "") -> list[str]:
    """Every language's column of a translated text, for ``only()`` across a relation (``exercise__``):
    a query that loads only the active language's column would fetch the fallback one row by row."""
    return [prefix + localized(name, language) for language in LANGUAGE_CODES]
