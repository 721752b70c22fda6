"""Registry of exercise types. Adding a type = one module here + one template in templates/exercises/.

Every module of this package (except the private ``_*`` helpers and ``base``) is imported at the end
of this file, so ``REGISTRY`` is complete as soon as anything imports ``courses.exercise_types``.
"""

import hashlib
import hmac
import importlib
import pkgutil
import random

from django.conf import settings

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


def run_rng(*, run_id: int, exercise_id: int) -> random.Random:
    """The random order of one exercise in one run: the same on every reload of the run, different
    between runs, and not computable by a learner (keyed with the secret key)."""
    key = settings.SECRET_KEY.encode()
    seed = hmac.new(key, f"mallard-order:{run_id}:{exercise_id}".encode(), hashlib.sha256).digest()
    return random.Random(seed)


def served_payload(exercise_type: ExerciseType, payload: dict, *, run_id: int, exercise_id: int) -> dict:
    """The payload as one run serves it: choices, pictures, tiles in the run's shuffled order
    (docs/exercise-types.md "Order"). Both the public payload shown and the answer check use it."""
    return exercise_type.shuffle(payload, run_rng(run_id=run_id, exercise_id=exercise_id))


def permuted(items: list, rng: random.Random) -> tuple[list, list[int]]:
    """``(items in a random order, order)`` where ``order[i]`` is the authored index of served item ``i``."""
    order = list(range(len(items)))
    rng.shuffle(order)
    return [items[i] for i in order], order


def type_choices() -> list[tuple[str, str]]:
    return [(t.name, t.label) for t in sorted(REGISTRY.values(), key=lambda t: t.name)]


def _import_all() -> None:
    for module in pkgutil.iter_modules(__path__):
        if not module.name.startswith("_") and module.name != "base":
            importlib.import_module(f"{__name__}.{module.name}")


_import_all()

__all__ = [
    "REGISTRY",
    "ExerciseType",
    "answer_language_code",
    "get_type",
    "permuted",
    "register",
    "run_rng",
    "served_payload",
    "type_choices",
]
