"""Bubbles: requesting one, generating it phase by phase, retrying, the sentences' memory, promotion.

Generation (``generate_bubble``) runs in the Celery task ``bubbles.generate``. Each phase: a
``GenerationRecord`` is opened, the model is asked (outside any transaction: a call can take a
minute), the answer is validated and passed through the moderation hook, then the phase's rows and
the record's success are written in **one** transaction. A phase that fails writes its record's
failure and the bubble's, and nothing else; a retry runs only the phases without a success.
"""

import json
import logging
from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.errors import NotFound, ServiceError
from core.llm.client import Completion, LLMClient, LLMError, LLMNotConfigured, is_configured
from courses.exercise_types import get_type
from courses.models import Course, Exercise, Lesson, LessonExercise, Token
from courses.services import private_unit, validate_exercise
from media_assets.tts import TTSFailed, TTSUnavailable, synthesize_texts
from progress.models import ExerciseAttempt
from progress.services.mastery import learner_parameters
from progress.services.scheduling import CardState, get_scheduler, rating_for_answer

from .errors import DailyLimitReached, DuplicateBubble, InvalidTopic, ModerationRefused, NotRetryable
from .generation import SCHEMAS, Context, exercise_errors, messages_for, texts_of
from .models import (
    PHASES,
    Bubble,
    BubbleExercise,
    BubbleSentence,
    BubbleWord,
    DialogueLine,
    GenerationRecord,
    Level,
    Phase,
)

logger = logging.getLogger(__name__)

TOPIC_MIN, TOPIC_MAX = 2, 120
DONE = (GenerationRecord.Status.SUCCEEDED, GenerationRecord.Status.SKIPPED)


def topic_key(topic: str) -> str:
    """The topic as the uniqueness rule compares it: spaces collapsed, case folded."""
    return " ".join(topic.split()).casefold()


# --- Requesting -------------------------------------------------------------------------------


def request_bubble(*, user: User, course: Course | int, topic: str, level: str, now: datetime) -> Bubble:
    """Ask for a new bubble (status PENDING; the caller queues ``bubbles.generate``).

    No provider → LLMNotConfigured; unknown or unpublished course → NotFound; bad topic → InvalidTopic;
    bad level → ServiceError on ``level``; the same topic (case and spaces aside) in the same language
    → DuplicateBubble (naming the existing one); over ``MALLARD_BUBBLES_PER_DAY`` bubbles asked today
    (the learner's day) → DailyLimitReached. Locks the learner's row, so two requests at once are
    counted and compared one after the other; the unique constraint backs the rule."""
    if not is_configured():
        raise LLMNotConfigured()
    course_id = course.pk if isinstance(course, Course) else course
    found = Course.objects.visible().select_related("to_language").filter(pk=course_id).first()
    if found is None:
        raise NotFound(gettext_lazy("No such course."))
    clean = " ".join(str(topic or "").split())
    if not TOPIC_MIN <= len(clean) <= TOPIC_MAX:
        raise InvalidTopic(field="topic")
    if level not in Level.values:
        raise ServiceError(
            gettext_lazy("Choose a level among %(levels)s.") % {"levels": ", ".join(Level.values)}, field="level"
        )
    key = topic_key(clean)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        existing = Bubble.objects.filter(user=user, language=found.to_language, topic_key=key).first()
        if existing is not None:
            raise DuplicateBubble(bubble_id=existing.pk)
        zone = user.zone
        day_start = datetime.combine(now.astimezone(zone).date(), time(0), tzinfo=zone)
        if Bubble.objects.filter(user=user, created_at__gte=day_start).count() >= settings.MALLARD_BUBBLES_PER_DAY:
            raise DailyLimitReached()
        try:
            with transaction.atomic():
                return Bubble.objects.create(
                    user=user,
                    course=found,
                    language=found.to_language,
                    topic=clean,
                    topic_key=key,
                    level=level,
                    created_at=now,
                )
        except IntegrityError:
            raise DuplicateBubble() from None


def retry_bubble(*, user: User, bubble_id: int) -> Bubble:
    """Put a FAILED bubble of the learner's back to PENDING (the caller queues ``bubbles.generate``);
    its succeeded phases are kept. Someone else's → NotFound; not failed → NotRetryable."""
    bubble = Bubble.objects.filter(pk=bubble_id, user=user).first()
    if bubble is None:
        raise NotFound(gettext_lazy("No such bubble."))
    if not is_configured():
        raise LLMNotConfigured()
    if not Bubble.objects.filter(pk=bubble.pk, status=Bubble.Status.FAILED).update(
        status=Bubble.Status.PENDING, error=""
    ):
        raise NotRetryable()
    bubble.refresh_from_db()
    return bubble


# --- Generating -------------------------------------------------------------------------------


def generate_bubble(*, bubble_id: int, client: LLMClient | None = None) -> Bubble | None:
    """Run the bubble's phases that have not succeeded yet, in order; stop at the first failure.

    Only a PENDING bubble is generated (claimed by one UPDATE, so two workers never run one bubble)."""
    if not Bubble.objects.filter(pk=bubble_id, status=Bubble.Status.PENDING).update(
        status=Bubble.Status.RUNNING, error=""
    ):
        return None
    bubble = Bubble.objects.select_related("course__from_language", "course__to_language", "language", "user").get(
        pk=bubble_id
    )
    client = client or LLMClient(feature="bubbles")
    done = set(bubble.records.filter(status__in=DONE).values_list("phase", flat=True))
    for phase in PHASES:
        if phase in done:
            continue
        if not _run_phase(bubble, phase, client):
            bubble.refresh_from_db()
            return bubble
    Bubble.objects.filter(pk=bubble.pk).update(status=Bubble.Status.READY, finished_at=timezone.now())
    bubble.refresh_from_db()
    return bubble


def _run_phase(bubble: Bubble, phase: str, client: LLMClient) -> bool:
    model = "text-to-speech" if phase == Phase.AUDIO else client.config.model
    record = GenerationRecord.objects.create(bubble=bubble, phase=phase, started_at=timezone.now(), model=model)
    if phase == Phase.AUDIO:
        return _audio_phase(bubble, record)
    ctx = _context(bubble)
    messages = messages_for(phase, ctx)
    record.prompt = json.dumps(messages, ensure_ascii=False, indent=1)
    validate = None
    if phase == Phase.EXERCISES:

        def validate(data: Any) -> list[str]:
            return exercise_errors(data, course=bubble.course, lemmas=ctx.words, sentence_count=len(ctx.sentences))

    try:
        completion = client.complete(
            messages,
            json_schema=SCHEMAS[phase],
            schema_name=f"bubble_{phase}",
            validate=validate,
            strict=phase != Phase.EXERCISES,
            max_tokens=settings.MALLARD_BUBBLES_MAX_TOKENS,
        )
    except LLMError as exc:
        _fail(bubble, record, exc.message, usage=exc)
        return False
    try:
        moderate("\n".join(texts_of(completion.data)))
        with transaction.atomic():
            WRITERS[phase](bubble, completion.data)
            _close(record, GenerationRecord.Status.SUCCEEDED, usage=completion)
    except ModerationRefused as exc:
        _fail(bubble, record, f"Refused by the moderation check: {exc}", usage=completion)
        return False
    except (ValidationError, DatabaseError) as exc:
        _fail(bubble, record, f"The answer could not be stored: {exc}", usage=completion)
        return False
    except Exception as exc:  # a bug: the phase's transaction rolled back; keep the trace, do not crash the worker
        logger.exception("bubble %s: phase %s crashed", bubble.pk, phase)
        _fail(bubble, record, f"Internal error: {exc.__class__.__name__}: {exc}", usage=completion)
        return False
    return True


def _usage_fields(usage: Completion | LLMError | None) -> dict[str, Any]:
    if usage is None:
        return {}
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "response_id": usage.response_id[:200],
        "cost": usage.cost,
        "raw_response": usage.raw,
        **({"model": usage.model[:200]} if isinstance(usage, Completion) else {}),
        **({"duration_ms": usage.duration_ms} if isinstance(usage, Completion) else {}),
    }


def _close(
    record: GenerationRecord, status: str, *, usage: Completion | LLMError | None = None, error: str = ""
) -> None:
    finished = timezone.now()
    fields = {
        "status": status,
        "error": error,
        "prompt": record.prompt,
        "finished_at": finished,
        "duration_ms": max(int((finished - record.started_at).total_seconds() * 1000), 0),
        **_usage_fields(usage),
    }
    GenerationRecord.objects.filter(pk=record.pk).update(**fields)


def _fail(bubble: Bubble, record: GenerationRecord, message: str, *, usage: Completion | LLMError | None) -> None:
    with transaction.atomic():
        _close(record, GenerationRecord.Status.FAILED, usage=usage, error=message)
        Bubble.objects.filter(pk=bubble.pk).update(
            status=Bubble.Status.FAILED, error=f"{record.get_phase_display()}: {message}", finished_at=timezone.now()
        )


def moderate(text: str) -> None:
    """Run the moderation hook (``MALLARD_BUBBLES_MODERATION``, a dotted path to ``check(text) -> str | None``):
    a returned reason refuses the text."""
    path = settings.MALLARD_BUBBLES_MODERATION
    if not path:
        return
    check: Callable[[str], str | None] = import_string(path)
    reason = check(text)
    if reason:
        raise ModerationRefused(reason)


def _context(bubble: Bubble) -> Context:
    course = bubble.course
    return Context(
        topic=bubble.topic,
        level=bubble.level,
        target=course.to_language.name,
        source=course.from_language.name,
        title=bubble.title,
        summary=bubble.summary,
        sentences=list(bubble.sentences.values_list("text", flat=True)),
        words=list(bubble.words.values_list("lemma", flat=True)),
    )


# --- What each phase writes (inside the phase's transaction) ------------------------------------


def _write_plan(bubble: Bubble, data: dict) -> None:
    Bubble.objects.filter(pk=bubble.pk).update(title=data["title"][:200], summary=data["summary"])
    bubble.title, bubble.summary = data["title"][:200], data["summary"]


def _write_sentences(bubble: Bubble, data: dict) -> None:
    BubbleSentence.objects.bulk_create(
        BubbleSentence(bubble=bubble, ordinal=i, text=s["text"].strip(), translation=s["translation"].strip())
        for i, s in enumerate(data["sentences"])
    )


def _frequency(lemma: str, language: str) -> float | None:
    from wordfreq import zipf_frequency

    try:
        return zipf_frequency(lemma, language)
    except (LookupError, ValueError):
        return None


def _write_vocabulary(bubble: Bubble, data: dict) -> None:
    seen: set[str] = set()
    rows: list[BubbleWord] = []
    for word in data["words"]:
        lemma = " ".join(word["lemma"].split())
        if lemma.casefold() in seen:
            continue
        seen.add(lemma.casefold())
        token, _ = Token.objects.get_or_create(
            language=bubble.language,
            text=lemma,
            defaults={"translation": word["translation"][:200], "part_of_speech": word["part_of_speech"][:20]},
        )
        rows.append(
            BubbleWord(
                bubble=bubble,
                ordinal=len(rows),
                lemma=lemma,
                translation=word["translation"],
                part_of_speech=word["part_of_speech"],
                gender="" if word["gender"] == "none" else word["gender"],
                example=word["example"],
                frequency=_frequency(lemma, bubble.language.code),
                token=token,
            )
        )
    BubbleWord.objects.bulk_create(rows)


def _write_dialogue(bubble: Bubble, data: dict) -> None:
    DialogueLine.objects.bulk_create(
        DialogueLine(
            bubble=bubble, ordinal=i, speaker=line["speaker"], text=line["text"], translation=line["translation"]
        )
        for i, line in enumerate(data["lines"])
    )


def _write_exercises(bubble: Bubble, data: dict) -> None:
    """The bubble's private lesson: an ordinary lesson owned by the learner, in the course's private unit,
    with ordinary exercises (validated again here by the course format's validator)."""
    course = bubble.course
    unit = private_unit(course=course)  # locked: ordinals are taken one at a time
    ordinal = (Lesson.objects.filter(unit=unit).aggregate(m=Max("ordinal"))["m"] or 0) + 1
    lesson = Lesson.objects.create(
        unit=unit,
        ordinal=ordinal,
        title=(bubble.title or bubble.topic)[:200],
        notes=bubble.summary,
        slug=f"{course.slug}-bubble-{bubble.pk}",
        is_published=False,
        adaptive_order=False,
        owner=bubble.user,
    )
    tokens = {w.lemma.casefold(): w.token for w in bubble.words.select_related("token") if w.token is not None}
    sentences = {s.ordinal: s for s in bubble.sentences.all()}
    for i, item in enumerate(data["exercises"], start=1):
        exercise = Exercise(
            course=course,
            slug=f"{course.slug}-bubble-{bubble.pk}-{i:02d}",
            type=item["type"],
            prompt=item["prompt"][:300],
            payload=item["payload"],
            is_published=True,  # the lesson is private: its exercises are served to its owner only
            owner=bubble.user,
        )
        exercise_tokens = [tokens[w.casefold()] for w in item["words"] if w.casefold() in tokens]
        validate_exercise(exercise, tokens=exercise_tokens)
        exercise.save()
        exercise.tokens.set(exercise_tokens)
        LessonExercise.objects.create(lesson=lesson, exercise=exercise, ordinal=i)
        BubbleExercise.objects.create(bubble=bubble, exercise=exercise, sentence=sentences.get(item["sentence"]))
    Bubble.objects.filter(pk=bubble.pk).update(lesson=lesson)
    bubble.lesson = lesson


WRITERS: dict[str, Callable[[Bubble, dict], None]] = {
    Phase.PLAN: _write_plan,
    Phase.SENTENCES: _write_sentences,
    Phase.VOCABULARY: _write_vocabulary,
    Phase.DIALOGUE: _write_dialogue,
    Phase.EXERCISES: _write_exercises,
}


def _audio_phase(bubble: Bubble, record: GenerationRecord) -> bool:
    """Speech for the sentences, the dialogue, the words and the exercises that have audio text, by the
    project's text-to-speech (``media_assets.tts``). No TTS tools (or ``MALLARD_BUBBLES_AUDIO`` off):
    the phase is SKIPPED with the reason and the bubble is ready without audio."""
    if not settings.MALLARD_BUBBLES_AUDIO:
        _close(record, GenerationRecord.Status.SKIPPED, error="Audio is turned off (MALLARD_BUBBLES_AUDIO).")
        return True
    code = bubble.language.code
    exercise_texts: dict[str, list[int]] = {}
    for exercise in Exercise.objects.filter(bubble_link__bubble=bubble):
        text = get_type(exercise.type).audio_text(exercise.payload)
        if text:
            exercise_texts.setdefault(text, []).append(exercise.pk)
    texts = list(
        dict.fromkeys(
            [
                *bubble.sentences.values_list("text", flat=True),
                *bubble.dialogue.values_list("text", flat=True),
                *bubble.words.values_list("lemma", flat=True),
                *exercise_texts,
            ]
        )
    )

    def link(text: str, asset: Any) -> None:
        Token.objects.filter(bubble_words__bubble=bubble, text=text, audio__isnull=True).update(audio=asset)
        DialogueLine.objects.filter(bubble=bubble, text=text).update(audio=asset)
        Exercise.objects.filter(pk__in=exercise_texts.get(text, []), audio__isnull=True).update(audio=asset)

    try:
        stats = synthesize_texts(texts=texts, language=code, voice=code, on_stored=link)
    except TTSUnavailable as exc:
        _close(record, GenerationRecord.Status.SKIPPED, error=f"No text-to-speech: {exc}.")
        return True
    except TTSFailed as exc:
        _fail(bubble, record, f"Text-to-speech failed: {exc}", usage=None)
        return False
    GenerationRecord.objects.filter(pk=record.pk).update(model=stats.provider[:200])
    _close(record, GenerationRecord.Status.SUCCEEDED)
    return True


# --- The sentences' memory --------------------------------------------------------------------


def record_sentence_reviews(*, user: User, bubble: Bubble) -> int:
    """Bring the spaced-repetition state of the bubble's sentences up to date with the learner's answers
    to their exercises since each sentence's last review (the words' state is kept by the answer itself,
    in ``TokenMastery``). Idempotent; returns the number of answers applied. Locks the sentence rows."""
    scheduler = get_scheduler(learner_parameters(user))
    applied = 0
    with transaction.atomic():
        sentences = {
            s.pk: s
            for s in BubbleSentence.objects.select_for_update().filter(bubble=bubble, bubble__user=user).order_by("pk")
        }
        if not sentences:
            return 0
        links = dict(
            BubbleExercise.objects.filter(bubble=bubble, sentence__isnull=False).values_list(
                "exercise_id", "sentence_id"
            )
        )
        attempts = (
            ExerciseAttempt.objects.filter(user=user, exercise_id__in=links)
            .select_related("exercise")
            .order_by("created_at", "pk")
        )
        changed = set()
        for attempt in attempts:
            sentence = sentences[links[attempt.exercise_id]]
            if sentence.last_reviewed_at is not None and attempt.created_at <= sentence.last_reviewed_at:
                continue
            rating = rating_for_answer(
                correct=attempt.correct,
                note=(attempt.result or {}).get("note"),
                retry=False,
                exercise_type=attempt.exercise.type,
                time_spent_ms=attempt.time_spent_ms,
            )
            card = scheduler.review(
                CardState(
                    stability=sentence.stability,
                    difficulty=sentence.difficulty,
                    last_review_at=sentence.last_reviewed_at,
                    due_at=sentence.due_at,
                ),
                rating=rating,
                now=attempt.created_at,
            )
            sentence.stability, sentence.difficulty = card.stability, card.difficulty
            sentence.due_at, sentence.last_reviewed_at = card.due_at, attempt.created_at
            sentence.reviews += 1
            changed.add(sentence.pk)
            applied += 1
        BubbleSentence.objects.bulk_update(
            [sentences[pk] for pk in changed], ["stability", "difficulty", "due_at", "last_reviewed_at", "reviews"]
        )
    return applied


# --- Promotion and the traces' retention --------------------------------------------------------


def promote_bubble(*, bubble: Bubble) -> Lesson:
    """Copy a ready bubble's lesson into its course as a **draft** lesson (unpublished), at the end of
    the course's last authored unit, with copies of its exercises that belong to the course (no owner).
    Publishing it then goes through the normal checks in admin. No ready lesson → ServiceError."""
    from courses import services as course_services
    from courses.models import Unit

    if bubble.status != Bubble.Status.READY or bubble.lesson_id is None:
        raise ServiceError(gettext_lazy("Only a ready bubble can be promoted."))
    with transaction.atomic():
        unit = (
            Unit.objects.select_for_update()
            .filter(section__course=bubble.course_id, section__private=False)
            .order_by("-section__ordinal", "-ordinal")
            .first()
        )
        if unit is None:
            raise ServiceError(gettext_lazy("The course has no unit to put the lesson in; create one first."))
        lesson = Lesson(
            unit=unit,
            ordinal=course_services.next_ordinal(parent=unit),
            title=(bubble.title or bubble.topic)[:200],
            notes=bubble.summary,
            is_published=False,
        )
        from courses.slugs import assign_slug

        assign_slug(lesson)
        lesson.save()
        links = LessonExercise.objects.filter(lesson_id=bubble.lesson_id).select_related("exercise").order_by("ordinal")
        for link in links:
            source = link.exercise
            copy = Exercise(
                course_id=bubble.course_id,
                type=source.type,
                prompt=source.prompt,
                payload=source.payload,
                audio_id=source.audio_id,
            )
            course_services.create_exercise(exercise=copy, lesson=lesson, tokens=list(source.tokens.all()))
    return lesson


def purge_generation_texts(*, now: datetime, dry_run: bool = False) -> int:
    """Empty the prompt and raw response of generation records older than
    ``MALLARD_BUBBLES_TRACE_RETENTION_DAYS`` (the rest of the trace stays). Called by ``purge_activity``
    through ``MALLARD_PURGE_HOOKS``. Returns the number of records emptied."""
    from datetime import timedelta

    cutoff = now - timedelta(days=settings.MALLARD_BUBBLES_TRACE_RETENTION_DAYS)
    old = GenerationRecord.objects.filter(started_at__lt=cutoff, texts_purged_at__isnull=True)
    if dry_run:
        return old.count()
    return old.update(prompt="", raw_response="", texts_purged_at=now)
