"""Small validators shared by the exercise types.

Each helper records problems in an ``Errors`` collector keyed by the payload path at fault
(``"solutions"``, ``"choices.2"``, ``"pairs.1.0"``) so an author sees every problem at once;
``Errors.raise_if_any()`` turns them into one ``ValidationError`` whose ``message_dict`` has those keys.
"""

import copy
import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from courses import answers

#: the key used for problems with the payload as a whole (not a JSON object, …)
WHOLE = "payload"


class Errors:
    def __init__(self) -> None:
        self.messages: dict[str, list[str]] = {}

    def add(self, key: str, message: str) -> None:
        self.messages.setdefault(key, []).append(message)

    def __contains__(self, key: str) -> bool:
        return key in self.messages

    def raise_if_any(self) -> None:
        if self.messages:
            raise ValidationError(self.messages)


def require_object(payload: Any, *, required: set[str], optional: set[str] = frozenset()) -> tuple[dict, Errors]:
    """Check the payload is a JSON object with the required keys and no unknown key.

    Returns a deep copy (the cleaned payload keeps exactly the author's keys: defaults are not written in,
    so an imported course exports to the same file) and an error collector for the type's own checks.
    """
    if not isinstance(payload, dict):
        raise ValidationError(
            {WHOLE: [gettext("The payload must be a JSON object, not %(type)s.") % {"type": json_type(payload)}]}
        )
    errors = Errors()
    allowed = required | set(optional)
    for key in sorted(set(payload) - allowed, key=str):
        errors.add(
            str(key),
            gettext("Unknown key %(key)r. Allowed keys: %(keys)s.") % {"key": key, "keys": ", ".join(sorted(allowed))},
        )
    for key in sorted(required - set(payload)):
        errors.add(key, gettext("This key is required."))
    return copy.deepcopy(payload), errors


def json_type(value: Any) -> str:
    """The JSON type of ``value`` with its article, in the interface language ("a list"), for the
    ``not %(type)s`` of the messages here."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return gettext("a boolean")
    if isinstance(value, int | float):
        return gettext("a number")
    if isinstance(value, str):
        return gettext("a string")
    if isinstance(value, list):
        return gettext("a list")
    if isinstance(value, dict):
        return gettext("an object")
    return type(value).__name__


def text(errors: Errors, key: str, value: Any, *, alternates: bool = False) -> bool:
    """A non-blank string (with balanced ``[a/b]`` groups when ``alternates``). True when valid."""
    if not isinstance(value, str):
        errors.add(key, gettext("Must be a string, not %(type)s.") % {"type": json_type(value)})
        return False
    if not value.strip():
        errors.add(key, gettext("Must not be empty."))
        return False
    if not answers.storable(value):
        errors.add(
            key, gettext("Contains a NUL character or a lone surrogate (\\0, \\ud800 …), which cannot be stored.")
        )
        return False
    if alternates:
        problem = alternates_problem(value)
        if problem:
            errors.add(key, problem)
            return False
    return True


def text_list(
    errors: Errors,
    key: str,
    value: Any,
    *,
    min_items: int = 1,
    max_items: int | None = None,
    distinct: bool = True,
    alternates: bool = False,
) -> bool:
    """A list of non-blank strings, ``min_items``…``max_items`` long, distinct (ignoring case) when asked."""
    if not isinstance(value, list):
        errors.add(key, gettext("Must be a list of strings, not %(type)s.") % {"type": json_type(value)})
        return False
    ok = True
    if len(value) < min_items:
        errors.add(
            key,
            ngettext("Needs at least %(count)s item.", "Needs at least %(count)s items.", min_items)
            % {"count": min_items},
        )
        ok = False
    if max_items is not None and len(value) > max_items:
        errors.add(
            key,
            ngettext("Takes at most %(count)s item.", "Takes at most %(count)s items.", max_items)
            % {"count": max_items},
        )
        ok = False
    seen: dict[str, int] = {}
    for i, item in enumerate(value):
        if not text(errors, f"{key}.{i}", item, alternates=alternates):
            ok = False
            continue
        folded = fold(item)
        if distinct and folded in seen:
            errors.add(
                f"{key}.{i}", gettext("Duplicate of item %(index)s (%(item)r).") % {"index": seen[folded], "item": item}
            )
            ok = False
        seen.setdefault(folded, i)
    return ok


def index(errors: Errors, key: str, value: Any, *, size: int | None) -> bool:
    """An integer index into a list of ``size`` items (``size`` None: the list itself was invalid)."""
    if isinstance(value, bool) or not isinstance(value, int):
        errors.add(key, gettext("Must be an integer index, not %(type)s.") % {"type": json_type(value)})
        return False
    if value < 0 or (size is not None and value >= size):
        errors.add(
            key,
            gettext("Index %(index)s is out of range: there are %(size)s choices (0 to %(last)s).")
            % {"index": value, "size": size, "last": (size or 1) - 1},
        )
        return False
    return True


def fold(value: str) -> str:
    """Compare strings loosely for duplicate detection: NFC, case-folded, single spaces."""
    return " ".join(unicodedata.normalize("NFC", value).casefold().split())


def alternates_problem(value: str) -> str | None:
    """Syntax problem of the ``I [am/'m] here`` notation, as ``courses.answers`` (which owns it) reports it."""
    try:
        answers.expand_alternates(value)
    except ValueError as e:
        return gettext("Alternates: %(problem)s.") % {"problem": e}
    return None


def expansions(value: str) -> list[str]:
    """Every sentence an alternates string accepts (``courses.answers.expand_alternates``)."""
    return answers.expand_alternates(value)


_EDGE_PUNCTUATION = re.compile(r"^[^\w']+|[^\w']+$")


def words(sentence: str) -> list[str]:
    """The words of a sentence for tile checks: split on spaces, punctuation at the edges dropped, folded."""
    out = []
    for raw in sentence.split():
        word = _EDGE_PUNCTUATION.sub("", fold(raw))
        if word:
            out.append(word)
    return out


def strict_contractions(errors: Errors, key: str, value: Any) -> bool:
    """Contractions the checker knows (``don't``, ``zum``, ``geht's``) that the exercise keeps apart from
    their long forms (docs/answers.md "Contractions")."""
    if not isinstance(value, list):
        errors.add(key, gettext("Must be a list of contractions, not %(type)s.") % {"type": json_type(value)})
        return False
    known = answers.known_contractions()
    ok = True
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            errors.add(f"{key}.{i}", gettext('Must be a contraction such as "don\'t" or "zum".'))
            ok = False
        elif not answers.is_contraction(item):
            examples = ", ".join(sorted(known)[:6])
            errors.add(
                f"{key}.{i}",
                gettext("%(item)r is not a contraction the answer checker knows (e.g. %(examples)s).")
                % {"item": item, "examples": examples},
            )
            ok = False
    return ok


#: ``as_single_string``'s refusals, whole sentences per ``what`` (an answer or a transcript).
_SINGLE_STRING = {
    "answer": {
        "several": _("Expected one answer, got %(count)s."),
        "type": _("The answer must be text, not %(type)s."),
        "empty": _("The answer is empty."),
        "long": _("The answer is too long (500 characters at most)."),
    },
    "transcript": {
        "several": _("Expected one transcript, got %(count)s."),
        "type": _("The transcript must be text, not %(type)s."),
        "empty": _("The transcript is empty."),
        "long": _("The transcript is too long (500 characters at most)."),
    },
}


def as_single_string(data: Any, *, what: str = "answer") -> str:
    """A submitted text answer: a string, or a form's one-item list. Raises ValidationError otherwise.
    ``what``: ``answer`` or ``transcript``, the thing the messages name."""
    refusal = _SINGLE_STRING[what]
    if isinstance(data, list | tuple):
        if len(data) != 1:
            raise ValidationError(refusal["several"] % {"count": len(data)})
        data = data[0]
    if not isinstance(data, str):
        raise ValidationError(refusal["type"] % {"type": json_type(data)})
    data = data.strip()
    if not data:
        raise ValidationError(refusal["empty"])
    if len(data) > 500:
        raise ValidationError(refusal["long"])
    return data


def as_index(data: Any) -> int:
    """A submitted choice index: an int, a digit string, or a form's one-item list of either."""
    if isinstance(data, list | tuple):
        if len(data) != 1:
            raise ValidationError(gettext("Choose exactly one option (got %(count)s).") % {"count": len(data)})
        data = data[0]
    if isinstance(data, bool):
        raise ValidationError(_("The answer must be the number of a choice."))
    if isinstance(data, int):
        value = data
    elif isinstance(data, str) and data.strip().isdigit():
        value = int(data.strip())
    else:
        raise ValidationError(_("The answer must be the number of a choice."))
    if value < 0 or value > 99:
        raise ValidationError(_("The answer must be the number of a choice."))
    return value
