"""Audio for a course: which texts need speech, and linking the assets made to tokens and exercises.

``synthesize_course_audio`` gives every token of a course's target language and every ``listen`` /
``speak`` exercise of the course that has no audio yet a TTS asset: one asset per (language, text),
shared by every item that says the same text. Rendering, encoding and storing are the audio engine's
(``media_assets.tts``); this module chooses the texts and links the items (``Token.audio``,
``Exercise.audio``) to the asset of their text, in the transaction that stored it.
"""

import time
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from media_assets.models import Asset
from media_assets.tts import TTSStats, plan, synthesize_texts

from .content_version import content_changed
from .exercise_types import get_type
from .models import Course, Exercise, Token

AUDIO_EXERCISE_TYPES = ("listen", "speak")


@dataclass
class Report:
    course: str
    voice: str
    dry_run: bool = False
    texts: int = 0
    tts: TTSStats = field(default_factory=TTSStats)
    linked: Counter = field(default_factory=Counter)  # "token" / "exercise"
    skipped_no_text: int = 0
    seconds: float = 0.0

    def lines(self) -> list[str]:
        tts = self.tts
        verb = "would link" if self.dry_run else "linked"
        variants = ", ".join(f"{n} {fmt}" for fmt, n in sorted(tts.variants_created.items())) or "none"
        lines = [
            f"{'[dry run] ' if self.dry_run else ''}synthesize_audio {self.course} (voice {self.voice}"
            f"{', ' + tts.provider if tts.provider else ''}):",
            f"  {self.texts} distinct texts; {verb} {self.linked['token']} tokens "
            f"and {self.linked['exercise']} exercises",
            f"  {tts.assets_created} assets created, {tts.assets_reused} reused; "
            f"{sum(tts.variants_created.values())} variant files created ({variants})",
        ]
        if tts.same_sound:
            lines.append(f"  {tts.same_sound} texts sound exactly like another text and share its asset")
        if self.skipped_no_text:
            lines.append(f"  {self.skipped_no_text} exercises skipped: no text to speak, or a text too long")
        if self.dry_run:
            pass
        elif self.texts == 0:
            lines.append("  nothing to do: every token and listen/speak exercise has audio (0 created)")
        else:
            lines.append(f"  {tts.created} created in {self.seconds:.1f} s")
        return lines


def synthesize_course_audio(
    *,
    course,
    voice: str | None = None,
    force: bool = False,
    dry_run: bool = False,
    limit: int | None = None,
    exercise_ids: Collection[int] | None = None,
    on_text: Callable[[str], None] | None = None,
) -> Report:
    """Make TTS audio for the course's tokens and listen/speak exercises that lack it (see module doc).

    Idempotent: items that have audio are skipped, and a TTS asset that has every variant is reused,
    so a second run creates nothing. ``force`` re-synthesises the TTS assets of these items (e.g.
    after a change of voice) and links every item to the asset of its current text; uploaded audio
    is never replaced. ``limit`` caps the number of distinct texts handled (for tests and trials).
    ``exercise_ids`` narrows the work to these exercises of the course and their words (the admin's
    action on some exercises, lessons or units); ``on_text(text)`` is called after each text is stored
    (progress).
    Raises ``media_assets.tts.TTSUnavailable`` (nothing made) or ``TTSFailed`` (stopped part-way).
    """
    language = course.to_language.code
    voice = voice or language
    report = Report(course=course.slug, voice=voice, dry_run=dry_run)
    started = time.monotonic()

    wanted, report.skipped_no_text = items_needing_audio(course=course, force=force, exercise_ids=exercise_ids)
    texts = list(wanted)[:limit] if limit is not None else list(wanted)
    report.texts = len(texts)

    if dry_run:
        report.tts = plan(language=language, texts=texts, force=force)
        for text in texts:
            report.linked["token"] += len(wanted[text]["token"])
            report.linked["exercise"] += len(wanted[text]["exercise"])
        return report

    def link(text: str, asset: Asset) -> None:
        _link(asset=asset, items=wanted[text], force=force, linked=report.linked)
        if on_text is not None:
            on_text(text)

    report.tts = synthesize_texts(texts=texts, language=language, voice=voice, force=force, on_stored=link)
    report.seconds = time.monotonic() - started
    return report


def items_needing_audio(
    *, course, force: bool = False, exercise_ids: Collection[int] | None = None
) -> tuple[dict[str, dict[str, list[int]]], int]:
    """Texts to speak → the ids of the tokens and exercises that say them, and the number of exercises
    skipped (no text to speak, or a text too long for one asset). Items with uploaded audio are never
    included; without ``force`` only items without audio are. With ``exercise_ids``, only those
    exercises (of the course) and the tokens they teach."""
    wanted: dict[str, dict[str, list[int]]] = {}
    skipped = 0
    tokens = Token.objects.filter(language=course.to_language).order_by("pk")
    exercises = Exercise.objects.filter(course=course, type__in=AUDIO_EXERCISE_TYPES).order_by("pk")
    if exercise_ids is not None:
        tokens = tokens.filter(exercises__in=list(exercise_ids), exercises__course=course).distinct()
        exercises = exercises.filter(pk__in=list(exercise_ids))
    if force:
        tokens = tokens.exclude(audio__source=Asset.Source.UPLOADED)
        exercises = exercises.exclude(audio__source=Asset.Source.UPLOADED)
    else:
        tokens, exercises = tokens.filter(audio__isnull=True), exercises.filter(audio__isnull=True)
    for pk, text in tokens.values_list("pk", "text"):
        wanted.setdefault(text.strip(), {"token": [], "exercise": []})["token"].append(pk)
    for pk, type_name, payload in exercises.values_list("pk", "type", "payload"):
        text = _exercise_text(type_name, payload)
        if not text:
            skipped += 1
            continue
        wanted.setdefault(text, {"token": [], "exercise": []})["exercise"].append(pk)
    wanted.pop("", None)
    for text in [t for t in wanted if len(t) > Asset._meta.get_field("text").max_length]:
        skipped += len(wanted.pop(text)["exercise"])  # too long to be one asset's text
    return wanted, skipped


def _exercise_text(type_name: str, payload) -> str:
    try:
        text = get_type(type_name).audio_text(payload)
    except (KeyError, TypeError):
        text = payload.get("text") if isinstance(payload, dict) else None
    return (text or "").strip()


def _link(*, asset: Asset, items: dict, force: bool, linked: Counter) -> None:
    """Point the items at ``asset``: one UPDATE per kind. Without ``force`` only items still without audio
    are linked, so audio an author attached meanwhile is never overwritten."""
    tokens = Token.objects.filter(pk__in=items["token"])
    exercises = Exercise.objects.filter(pk__in=items["exercise"])
    if not force:
        tokens, exercises = tokens.filter(audio__isnull=True), exercises.filter(audio__isnull=True)
    content_changed()  # a listen exercise with audio becomes servable; bulk UPDATEs send no signal
    linked["token"] += tokens.update(audio=asset)
    linked["exercise"] += exercises.update(audio=asset)


# --- From admin: the missing audio of some courses, units, lessons or exercises ------------------

#: What an admin selection can be: the model's name → how its exercises are found.
SCOPE_MODELS = ("course", "section", "unit", "lesson", "exercise")


def audio_scope(*, model: str, ids: Collection[int]) -> list[tuple[Course, list[int] | None]]:
    """The courses to work on and, within each, the exercises (``None``: the whole course, every token
    and listen/speak exercise). A unit or lesson means the exercises of its lessons; an exercise means
    itself. Private (generated) content is left out."""
    ids = list(ids)
    if model == "course":
        courses = Course.objects.filter(pk__in=ids).select_related("to_language").order_by("pk")
        return [(course, None) for course in courses]
    if model not in SCOPE_MODELS:
        raise ValueError(f"no audio scope for {model!r}")
    lookup = {
        "section": "lesson_links__lesson__unit__section_id__in",
        "unit": "lesson_links__lesson__unit_id__in",
        "lesson": "lesson_links__lesson_id__in",
        "exercise": "pk__in",
    }[model]
    rows = Exercise.objects.filter(**{lookup: ids}, owner__isnull=True).values_list("course_id", "pk").distinct()
    by_course: dict[int, list[int]] = {}
    for course_id, pk in rows:
        by_course.setdefault(course_id, []).append(pk)
    courses = Course.objects.filter(pk__in=by_course).select_related("to_language").order_by("pk")
    return [(course, sorted(by_course[course.pk])) for course in courses]


def synthesize_missing_audio(
    *, scope: list[tuple[Course, list[int] | None]], on_progress: Callable[[int, int], None] | None = None
) -> list[Report]:
    """Make the missing audio of each (course, exercises) of ``scope`` (``audio_scope``), one report per
    course. ``on_progress(done, total)`` counts distinct texts, before the first and after each one.
    Raises TTSUnavailable (nothing made) or TTSFailed (stopped part-way; what was stored is kept)."""
    total = sum(len(items_needing_audio(course=c, exercise_ids=ids)[0]) for c, ids in scope)
    done = 0

    def step(_text: str) -> None:
        nonlocal done
        done += 1
        if on_progress is not None:
            on_progress(done, total)

    if on_progress is not None:
        on_progress(0, total)
    return [synthesize_course_audio(course=c, exercise_ids=ids, on_text=step) for c, ids in scope]
