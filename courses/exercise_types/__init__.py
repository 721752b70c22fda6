"""Registry of exercise types. Adding a type = one module here + one template in templates/exercises/."""

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


def type_choices() -> list[tuple[str, str]]:
    return [(t.name, t.label) for t in sorted(REGISTRY.values(), key=lambda t: t.name)]


__all__ = ["REGISTRY", "ExerciseType", "get_type", "register", "type_choices"]
