"""What the tutor is told: the lesson's content, the learner's recent mistakes in it, the chat so far.

The rule that matters (docs/llm.md, "Ask Tutor"): **the model never sees the solution of an
exercise the learner has not answered yet in an open run** — not its solutions, answer index,
explanation, nor the correct answer of an old mistake on it. Such an exercise is *withheld*: the
tutor gets only what the player shows before an answer (prompt, hint, public payload in the run's
served order) and is told not to give its answer away. Every other exercise of the lesson comes
with its accepted solution and explanation, as the feedback page shows them after an answer.

The context is rebuilt for every reply, so a solution becomes available to the tutor as soon as
the learner has answered the exercise, and disappears again while a new run asks it afresh.
"""

import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from accounts.models import User
from courses.exercise_types import ExerciseType, get_type, served_payload
from courses.models import Exercise, Lesson
from progress.models import ExerciseAttempt, LessonRun

from .models import TutorMessage, TutorSession


@dataclass(frozen=True)
class ExerciseContext:
    number: int  # 1-based position in the lesson
    exercise_id: int
    type: str
    prompt: str
    hint: str
    shown: dict  # the public payload (withheld: in the open run's served order)
    withheld: bool
    solution: str = ""  # "" when withheld
    explanation: str = ""  # "" when withheld


@dataclass(frozen=True)
class MistakeContext:
    exercise_id: int
    number: int | None  # position in the lesson
    answered: str  # the learner's answer, as text
    correct: str  # "" when the exercise is withheld


@dataclass
class TutorContext:
    system_prompt: str
    withheld: set[int] = field(default_factory=set)
    exercises: list[ExerciseContext] = field(default_factory=list)
    mistakes: list[MistakeContext] = field(default_factory=list)


def withheld_exercises(*, user: User) -> dict[int, int]:
    """``{exercise id: run id}`` for every exercise that waits unanswered in one of the learner's
    active runs (lesson runs and review sessions alike). Two queries."""
    runs = list(LessonRun.objects.filter(user=user, status=LessonRun.Status.ACTIVE).values_list("pk", "exercise_ids"))
    if not runs:
        return {}
    answered = set(
        ExerciseAttempt.objects.filter(run_id__in=[pk for pk, _ in runs])
        .values_list("run_id", "exercise_id")
        .distinct()
    )
    withheld: dict[int, int] = {}
    for run_id, exercise_ids in sorted(runs):
        for exercise_id in exercise_ids or []:
            if (run_id, exercise_id) not in answered:
                withheld.setdefault(exercise_id, run_id)
    return withheld


def _type(exercise: Exercise) -> ExerciseType | None:
    try:
        return get_type(exercise.type)
    except KeyError:
        return None


def _shown(kind: ExerciseType | None, exercise: Exercise, run_id: int | None) -> dict:
    if kind is None:
        return {}
    try:
        payload = exercise.payload
        if run_id is not None:
            payload = served_payload(kind, payload, run_id=run_id, exercise_id=exercise.pk)
        return kind.public_payload(payload)
    except (KeyError, TypeError, ValueError, IndexError):
        return {}


def _solution(kind: ExerciseType | None, exercise: Exercise) -> str:
    if kind is None:
        return ""
    try:
        return kind.solution_display(exercise.payload)
    except (KeyError, TypeError, ValueError, IndexError):
        return ""


def _label(item: Any) -> str:
    if isinstance(item, dict):
        return str(item.get("label") or item.get("image") or item.get("emoji") or "")
    return str(item)


def answer_text(exercise: Exercise, answer: Any, *, run_id: int) -> str:
    """A stored answer as a person would read it: typed text as is, a choice as the choice the run
    served at that position, tiles as the words they spell, pairs as ``left = right``."""
    if isinstance(answer, str):
        return answer
    if isinstance(answer, dict):
        if isinstance(answer.get("transcript"), str):
            return answer["transcript"]
        if "self_assessed" in answer:
            return "(said it aloud and judged it " + ("right" if answer["self_assessed"] else "wrong") + ")"
        if isinstance(answer.get("text"), str):
            return answer["text"]
        return json.dumps(answer, ensure_ascii=False)
    kind = _type(exercise)
    try:
        served = served_payload(kind, exercise.payload, run_id=run_id, exercise_id=exercise.pk) if kind else {}
        if isinstance(answer, int) and not isinstance(answer, bool):
            return _label(served["choices"][answer])
        if isinstance(answer, list) and "tiles" in served:
            return " ".join(served["tiles"][i] if isinstance(i, int) else str(i) for i in answer)
        if isinstance(answer, list) and kind is not None:
            public = kind.public_payload(served)
            pairs = []
            for pair in answer:
                left, right = pair
                left = public["left"][left] if isinstance(left, int) else left
                right = public["right"][right] if isinstance(right, int) else right
                pairs.append(f"{left} = {right}")
            return "; ".join(pairs)
    except (KeyError, TypeError, ValueError, IndexError):
        pass
    return json.dumps(answer, ensure_ascii=False)


def _lesson_exercises(lesson: Lesson) -> list[Exercise]:
    return list(
        Exercise.objects.visible()
        .filter(lesson_links__lesson=lesson)
        .order_by("lesson_links__ordinal", "pk")
        .distinct()
    )


def build_context(*, session: TutorSession) -> TutorContext:
    """The system prompt for the next reply of ``session``, and what went into it (for tests and
    traces). A fixed number of queries, whatever the lesson's size or the learner's history."""
    lesson = Lesson.objects.select_related(
        "unit__section__course__from_language", "unit__section__course__to_language"
    ).get(pk=session.lesson_id)
    user = session.user
    withheld = withheld_exercises(user=user)
    exercises = _lesson_exercises(lesson)
    numbers = {exercise.pk: n for n, exercise in enumerate(exercises, start=1)}

    described: list[ExerciseContext] = []
    for number, exercise in enumerate(exercises, start=1):
        kind = _type(exercise)
        hidden = exercise.pk in withheld
        described.append(
            ExerciseContext(
                number=number,
                exercise_id=exercise.pk,
                type=exercise.type,
                prompt=exercise.prompt,
                hint=exercise.hint,
                shown=_shown(kind, exercise, withheld.get(exercise.pk)),
                withheld=hidden,
                solution="" if hidden else _solution(kind, exercise),
                explanation="" if hidden else exercise.explanation,
            )
        )

    by_id = {exercise.pk: exercise for exercise in exercises}
    attempts = (
        ExerciseAttempt.objects.filter(user=user, correct=False, exercise_id__in=list(by_id))
        .order_by("-created_at", "-pk")
        .values_list("exercise_id", "run_id", "answer", "result")[: settings.MALLARD_TUTOR_CONTEXT_MISTAKES]
    )
    mistakes = []
    for exercise_id, run_id, answer, result in attempts:
        hidden = exercise_id in withheld
        correct = (
            ""
            if hidden
            else str((result or {}).get("solution") or _solution(_type(by_id[exercise_id]), by_id[exercise_id]))
        )
        mistakes.append(
            MistakeContext(
                exercise_id=exercise_id,
                number=numbers.get(exercise_id),
                answered=answer_text(by_id[exercise_id], answer, run_id=run_id),
                correct=correct,
            )
        )

    return TutorContext(
        system_prompt=_system_prompt(lesson, described, mistakes, focus=numbers.get(session.exercise_id or 0)),
        withheld={e.exercise_id for e in described if e.withheld},
        exercises=described,
        mistakes=mistakes,
    )


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _system_prompt(
    lesson: Lesson, exercises: list[ExerciseContext], mistakes: list[MistakeContext], *, focus: int | None
) -> str:
    unit = lesson.unit
    section = unit.section
    course = section.course
    source, target = course.from_language.name, course.to_language.name
    lines = [
        f"You are the tutor of Mallard, a language-learning site. The learner speaks {source} and is "
        f"learning {target} in the course “{course.title}”. They are asking about the lesson "
        f"“{lesson.title}” (unit “{unit.title}”, section “{section.title}”, level {section.cefr_level}).",
        f"Answer in {source}, briefly and kindly, with short examples in {target}. Explain grammar, "
        "vocabulary and the learner's mistakes. Stay on the subject of learning the language.",
        "Some exercises are marked UNANSWERED: the learner has not answered them yet in the lesson they "
        "are playing. Never give or spell out the answer to one of those, even if asked; give a hint "
        "or explain the grammar instead, so that the learner finds it themselves.",
    ]
    if lesson.notes:
        lines += ["", "Lesson notes:", lesson.notes]
    lines += ["", "The exercises of this lesson:"]
    for e in exercises:
        parts = [f"{e.number}. [{e.type}]"]
        if e.withheld:
            parts.append("UNANSWERED —")
        if e.prompt:
            parts.append(f"Prompt: {e.prompt}.")
        if e.shown:
            parts.append(f"Shown: {_compact(e.shown)}.")
        if e.hint:
            parts.append(f"Hint: {e.hint}.")
        if not e.withheld:
            if e.solution:
                parts.append(f"Accepted answer: {e.solution}.")
            if e.explanation:
                parts.append(f"Explanation: {e.explanation}")
        lines.append(" ".join(parts))
    if mistakes:
        lines += ["", "The learner's recent mistakes in this lesson, newest first:"]
        for m in mistakes:
            where = f"exercise {m.number}" if m.number else "an exercise"
            if m.correct:
                lines.append(f"- {where}: answered “{m.answered}”; the accepted answer is “{m.correct}”.")
            else:
                lines.append(f"- {where} (UNANSWERED now): answered “{m.answered}” earlier, which was wrong.")
    else:
        lines += ["", "The learner has made no mistake in this lesson yet."]
    if focus:
        lines += ["", f"The learner opened this chat from the feedback on exercise {focus}."]
    return "\n".join(lines)


def prompt_messages(*, session: TutorSession, context: TutorContext, upto_ordinal: int) -> list[dict[str, str]]:
    """The chat for the model: the system prompt, then the session's learner messages and complete
    tutor replies up to ``upto_ordinal`` (the last ``MALLARD_TUTOR_HISTORY_MESSAGES`` of them). Failed
    and pending replies are left out. One query."""
    rows = list(
        TutorMessage.objects.filter(session=session, ordinal__lte=upto_ordinal, status=TutorMessage.Status.COMPLETE)
        .exclude(sender=TutorMessage.Sender.SYSTEM)
        .order_by("-ordinal")
        .values_list("sender", "content")[: settings.MALLARD_TUTOR_HISTORY_MESSAGES]
    )
    chat = [{"role": "system", "content": context.system_prompt}]
    for sender, content in reversed(rows):
        chat.append({"role": "user" if sender == TutorMessage.Sender.LEARNER else "assistant", "content": content})
    return chat
