"""The learner's path and the lesson player (docs/pages.md).

Thin views: they parse the request, call one service or selector and render. The learner's-loop
entry points live in ``gamification.services`` (CONTRACT.md); views are the top layer, so they may
call any app. Every flow is a plain form POST answered by a redirect; ``static/js/player.js`` only
enhances the answer form: it posts with fetch and the view answers with the feedback fragment
(``progress/player.html#feedback``) instead of a redirect.
"""

import uuid
from functools import cache

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from core.errors import NotFound, ServiceError
from courses.exercise_types import get_type
from courses.models import Course, Exercise, Lesson
from gamification import selectors as game_selectors
from gamification import services as game_services
from gamification.errors import OutOfHearts, RunFinished
from progress import selectors
from progress.models import ExerciseAttempt

#: The request header player.js sends: answer with the feedback fragment, not a redirect.
FRAGMENT_HEADER = "X-Mallard-Fragment"
FALLBACK_EXERCISE_TEMPLATE = "progress/_exercise_fallback.html"
AUDIO_TEMPLATE = "media_assets/audio.html"


@cache
def _template_exists(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


def exercise_template(exercise_type: str) -> str:
    """The type's fragment, or a plain text input when the type's template is missing."""
    try:
        name = get_type(exercise_type).template
    except KeyError:
        return FALLBACK_EXERCISE_TEMPLATE
    return name if _template_exists(name) else FALLBACK_EXERCISE_TEMPLATE


def audio_template() -> str | None:
    """The media helper's audio include, if installed (the player works without it)."""
    return AUDIO_TEMPLATE if _template_exists(AUDIO_TEMPLATE) else None


def _wants_fragment(request) -> bool:
    return request.headers.get(FRAGMENT_HEADER) == "1"


@login_required
@require_GET
def course_path(request, slug: str):
    course = get_object_or_404(Course.objects.published().select_related("to_language", "from_language"), slug=slug)
    path = selectors.course_path(user=request.user, course=course)
    # The word list's audio buttons: fetch every token's asset and variants in two queries.
    tokens = [token for section in path.sections for unit in section.units for token in unit.tokens if token.audio_id]
    if tokens:
        prefetch_related_objects(tokens, "audio__variants")
    return render(request, "progress/path.html", {"course": course, "path": path, "audio_template": audio_template()})


@login_required
@require_POST
def start_lesson(request, slug: str):
    """Start (or resume) a run of the lesson and open the player."""
    lesson = get_object_or_404(Lesson.objects.select_related("unit__section__course"), slug=slug)
    course = lesson.unit.section.course
    try:
        run = game_services.start_lesson_run(user=request.user, lesson=lesson, now=timezone.now())
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except OutOfHearts:
        return redirect("out_of_hearts")
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("course_path", slug=course.slug)
    return redirect("run", run_id=run.pk)


@login_required
@require_POST
def start_review(request, slug: str):
    """Start a review session of the learner's due words and recent mistakes (costs no hearts)."""
    course = get_object_or_404(Course.objects.published(), slug=slug)
    try:
        run = game_services.start_review_session(user=request.user, course=course, now=timezone.now())
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("course_path", slug=course.slug)
    return redirect("run", run_id=run.pk)


def _run_state_or_404(request, run_id: int):
    try:
        return game_selectors.run_state(user=request.user, run_id=run_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@login_required
@require_GET
def run(request, run_id: int):
    """The player: the run's current exercise, rendered from its public payload only."""
    state = _run_state_or_404(request, run_id)
    if state.exercise is None:
        return redirect("run_done", run_id=run_id)
    return render(
        request,
        "progress/player.html",
        {
            "state": state,
            "run_id": state.run_id,
            "done": state.done,
            "total": state.total,
            "hearts": state.hearts,
            "is_review": state.is_review,
            "exercise": state.exercise,
            "public": state.public,
            "form_id": "exercise-form",
            "exercise_template": exercise_template(state.exercise.type),
            # For the speak type's speech recognition (the learner speaks the course's language).
            "answer_language": state.course.to_language.code,
            "audio_template": audio_template(),
            # For the no-JS form: a fresh id per page render; player.js replaces it with its own.
            "client_id": uuid.uuid4(),
        },
    )


def _answer_from_post(post) -> str | list[str]:
    """One ``answer`` value is passed as a string, several (tiles, pairs) as a list; the exercise
    type's ``parse_answer`` validates the shape."""
    values = post.getlist("answer")
    if post.get("answer_is_list") == "1" or len(values) > 1:
        return values
    return values[0] if values else ""


def _error(request, run_id: int, message: str, *, status: int, field: str | None = None):
    if _wants_fragment(request):
        return render(
            request,
            "progress/player.html#error",
            {"error": message, "field": field},
            status=status,
        )
    messages.error(request, message)
    return redirect("run", run_id=run_id)


@login_required
@require_POST
def answer(request, run_id: int):
    """Check one answer. No JS: redirect to the feedback page. player.js: the feedback fragment."""
    try:
        exercise_id = int(request.POST.get("exercise", ""))
    except ValueError:
        return _error(request, run_id, "The form did not say which exercise you answered.", status=400)
    try:
        client_id = uuid.UUID(request.POST.get("client_id", ""))
    except ValueError:
        return _error(request, run_id, "The form was missing its answer id; please try again.", status=400)
    try:
        time_spent_ms = max(0, min(int(request.POST.get("time_spent_ms") or 0), 3_600_000))
    except ValueError:
        time_spent_ms = 0
    try:
        outcome = game_services.submit_answer(
            user=request.user,
            run_id=run_id,
            exercise_id=exercise_id,
            answer=_answer_from_post(request.POST),
            client_id=client_id,
            now=timezone.now(),
            time_spent_ms=time_spent_ms,
        )
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except RunFinished as exc:
        if _wants_fragment(request):
            return _error(request, run_id, str(exc), status=exc.status)
        messages.info(request, str(exc))
        return redirect("run_done", run_id=run_id)
    except ServiceError as exc:
        return _error(request, run_id, str(exc), status=exc.status, field=exc.field)
    if _wants_fragment(request):
        context = _feedback_context(run_id, outcome.as_dict())
        # Shown after the answer only (it may give the solution away). One query, fixed.
        context["explanation"] = (
            Exercise.objects.filter(pk=outcome.exercise_id).values_list("explanation", flat=True).first()
        )
        return render(request, "progress/player.html#feedback", context)
    return redirect("answer_feedback", run_id=run_id, attempt_id=outcome.attempt_id)


def _feedback_context(run_id: int, outcome: dict) -> dict:
    finished = outcome.get("run_status") != "active"
    return {
        "outcome": outcome,
        "run_id": run_id,
        "done": outcome["total"] - outcome["remaining"],
        "total": outcome["total"],
        "next_url": reverse("run_done" if finished else "run", kwargs={"run_id": run_id}),
        "finished": finished,
    }


def _answer_text(answer) -> str:
    """The learner's answer as text, for typed answers and transcripts (choices show no text)."""
    if isinstance(answer, str):
        return answer
    if isinstance(answer, dict) and isinstance(answer.get("transcript"), str):
        return answer["transcript"]
    return ""


@login_required
@require_GET
def answer_feedback(request, run_id: int, attempt_id: int):
    """The no-JS feedback page: the stored outcome of one answer (never another learner's)."""
    attempt = (
        ExerciseAttempt.objects.select_related("exercise", "run__lesson")
        .filter(pk=attempt_id, run_id=run_id, user=request.user)
        .first()
    )
    if attempt is None:
        raise Http404("No such answer.")
    context = _feedback_context(run_id, attempt.result)
    context.update(
        {
            "attempt": attempt,
            "exercise": attempt.exercise,
            "explanation": attempt.exercise.explanation,
            "your_answer": _answer_text(attempt.answer),
            "is_review": attempt.run.kind == "review",
        }
    )
    return render(request, "progress/feedback.html", context)


@login_required
@require_GET
def run_done(request, run_id: int):
    """The end screen: XP, gems, tier change, streak, daily goal, new achievements."""
    try:
        summary = game_selectors.run_summary(user=request.user, run_id=run_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    if summary.run.status == "active":
        return redirect("run", run_id=run_id)
    hearts = game_selectors.hearts_state(user=request.user, now=timezone.now())
    return render(request, "progress/done.html", {"summary": summary, "run": summary.run, "hearts": hearts})


@login_required
@require_POST
def abandon(request, run_id: int):
    try:
        run = game_services.abandon_run(user=request.user, run_id=run_id, now=timezone.now())
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("home")
    return redirect("course_path", slug=run.course.slug)
