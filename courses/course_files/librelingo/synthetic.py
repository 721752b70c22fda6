"""A synthetic LibreLingo course of any size, for the speed test and ``bench_librelingo``."""

from pathlib import Path


def write_course(root: Path, *, skills: int, modules: int = 5, words: int = 6, phrases: int = 4) -> Path:
    """Write ``skills`` skills spread over ``modules`` modules, each with ``words`` new words and
    ``phrases`` phrases of four words, under ``root`` (created). Returns ``root``."""
    root.mkdir(parents=True)
    names = [f"m{m}" for m in range(modules)]
    (root / "course.yaml").write_text(
        "Course:\n  Language: {Name: Spanish, IETF BCP 47: es}\n  For speakers of: {Name: English, IETF BCP 47: en}\n"
        "Modules:\n" + "".join(f"  - {name}/\n" for name in names),
        encoding="utf-8",
    )
    for m, name in enumerate(names):
        mine = [s for s in range(skills) if s % modules == m]
        (root / name / "skills").mkdir(parents=True)
        (root / name / "module.yaml").write_text(
            f"Module:\n  Name: Module {m}\nSkills:\n" + "".join(f"  - s{s}.yaml\n" for s in mine), encoding="utf-8"
        )
        for s in mine:
            new_words = "".join(f"  - Word: palabra{s}x{w}\n    Translation: word{s}x{w}\n" for w in range(words))
            new_phrases = "".join(
                f"  - Phrase: Veo la palabra{s}x{p} hoy\n    Translation: I see word{s}x{p} today\n"
                for p in range(phrases)
            )
            (root / name / "skills" / f"s{s}.yaml").write_text(
                f"Skill:\n  Name: Skill {s}\n  Id: {s}\nNew words:\n{new_words}Phrases:\n{new_phrases}",
                encoding="utf-8",
            )
    return root
