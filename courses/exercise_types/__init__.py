"""Registry of exercise types. Adding a type = one module here + one template in templates/exercises/.

Every module of this package (except the private ``_*`` helpers and ``base``) is imported at the end
of this file, so ``REGISTRY`` is complete as soon as anything imports ``courses.exercise_types``.
"""

import importlib
import pkgutil

from .base import ExerciseType

REGISTRY: dict[str, ExerciseType] = {}


def register(cls: type[ExerciseType]) -> type[ExerciseType]:
    REGISTRY[cls.name] = cls()
    return cls


def get_type(name: str) -> ExerciseType:
    """Return the registered type, or raise KeyError naming the known types."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown exercise type {name!r}; known types: {', '.join(sorted(REGISTRY))}") from None


def answer_language_code(exercise_type: ExerciseType, payload: dict, course) -> str:
    """The code of the language the learner writes an exercise's answer in, as ``check`` expects it.

    The type says which side (``answer_language``): "source" is the course's ``from_language``;
    "target", and an answer that is not text (a choice, a pairing — checked without a language),
    is its ``to_language``. ``course`` should have both languages loaded (no query then)."""
    side = exercise_type.answer_language(payload)
    return (course.from_language if side == "source" else course.to_language).code


def type_choices() -> list[tuple[str, str]]:
    return [(t.name, t.label) for t in sorted(REGISTRY.values(), key=lambda t: t.name)]


def _import_all() -> None:
    for module in pkgutil.iter_modules(__path__):
        if not module.name.startswith("_") and module.name != "base":
            importlib.import_module(f"{__name__}.{module.name}")


_import_all()

__all__ = ["REGISTRY", "ExerciseType", "answer_language_code", "get_type", "register", "type_choices"]
