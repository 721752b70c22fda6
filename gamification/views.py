"""The lesson player, the profile and the hearts pages (docs/pages.md).

Thin views: they parse the request, call one service or selector of ``gamification`` and render;
``core.pages.service_errors`` turns the services' errors into pages. Every flow is a plain form
POST answered by a redirect; ``static/js/player.js`` only enhances the answer form: it posts with
fetch and the view answers with the feedback fragment (``gamification/player.html#feedback``)
instead of a redirect.
"""

import uuid
from datetime import date, datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import ServiceError
from core.pages import service_errors
from courses.fragments import audio_template, exercise_template
from courses.models import Checkpoint, Course
from courses.structure import exercise_for_answer
from progress.errors import NothingToReview
from progress.models import Enrollment, ExerciseAttempt, LessonProgress

from . import history_selectors, selectors, services
from .charts import goal_ring, xp_chart
from .context_processors import nav_stats_of
from .errors import OutOfHearts, RunFinished, TimeLeft, TimeUp

#: The request header player.js sends: answer with the feedback fragment, not a redirect.
FRAGMENT_HEADER = "X-Mallard-Fragment"


def _wants_fragment(request) -> bool:
    return request.headers.get(FRAGMENT_HEADER) == "1"


# --- Starting a lesson or a review -------------------------------------------------------------


def _path_of_lessons_course(request, slug: str) -> str:
    course_slug = Course.objects.filter(sections__units__lessons__slug=slug).values_list("slug", flat=True).first()
    return reverse("course_path", args=[course_slug]) if course_slug else reverse("home")


def _to_hearts_page(request, exc, **kwargs):
    return redirect("out_of_hearts")


@login_required
@require_POST
@service_errors(back=_path_of_lessons_course, on={OutOfHearts: _to_hearts_page})
def start_lesson(request, slug: str):
    """Start (or resume) a run of the lesson and open the player (an unknown or hidden lesson: 404)."""
    run = services.start_lesson_run(user=request.user, lesson=slug, now=timezone.now())
    lesson = run.lesson  # the row the service read
    assert lesson is not None  # a lesson's run
    if lesson.notes and not run.answers_count and _first_run(request.user, lesson):
        # The lesson's tips are offered, open, before the learner's first run of it.
        return redirect(reverse("run", args=[run.pk]) + "?tips=1")
    return redirect("run", run_id=run.pk)


def _first_run(user, lesson) -> bool:
    return LessonProgress.objects.filter(user=user, lesson=lesson, runs_started__lte=1, passes=0).exists()


def _to_nothing_due_page(request, exc, *, slug: str):
    return redirect("review_nothing_due", slug=slug)


@login_required
@require_POST
@service_errors(
    back=lambda request, slug: reverse("course_path", args=[slug]),
    on={NothingToReview: _to_nothing_due_page},
)
def start_review(request, slug: str):
    """Start a review session of the learner's due words and recent mistakes (costs no hearts);
    ``ahead=1``: practise ahead, the weakest words even though none is due. Nothing due → the
    nothing-due page, which offers practice ahead."""
    course = get_object_or_404(Course.objects.visible(), slug=slug)
    ahead = request.POST.get("ahead") == "1"
    timed = request.POST.get("timed") == "1"
    run = services.start_review_session(user=request.user, course=course, now=timezone.now(), ahead=ahead, timed=timed)
    return redirect("run", run_id=run.pk)


def _path_of_checkpoints_course(request, slug: str) -> str:
    course_slug = (
        Checkpoint.objects.filter(slug=slug)
        .values_list(Coalesce("unit__section__course__slug", "section__course__slug"), flat=True)
        .first()
    )
    return reverse("course_path", args=[course_slug]) if course_slug else reverse("home")


@login_required
@require_POST
@service_errors(back=_path_of_checkpoints_course)
def start_checkpoint(request, slug: str):
    """Start (or resume) a run of a checkpoint — the "test out" or "Jump here" of the path — and open the
    player. Locked, cooling down or empty: back to the path with the reason."""
    run = services.start_checkpoint_run(user=request.user, checkpoint=slug, now=timezone.now())
    return redirect("run", run_id=run.pk)


@login_required
@require_GET
def review_nothing_due(request, slug: str):
    """Nothing is due for review: say so and offer practice ahead (XP for new evidence only)."""
    course = get_object_or_404(Course.objects.visible(), slug=slug)
    return render(request, "gamification/nothing_due.html", {"course": course})


# --- The player ----------------------------------------------------------------------------------


@login_required
@require_GET
@service_errors()
def run(request, run_id: int):
    """The player: the run's current exercise, rendered from its public payload only. Its hearts are
    the header's (one read of the wallet for both)."""
    state = selectors.run_state(user=request.user, run_id=run_id, read_hearts=False)
    if state.time_up:  # the server's clock says the time is over: nothing more to answer
        return render(request, "gamification/time_up.html", {"state": state, "run_id": state.run_id})
    if state.exercise is None:
        return redirect("run_done", run_id=run_id)
    return render(
        request,
        "gamification/player.html",
        {
            "state": state,
            "run_id": state.run_id,
            "done": state.done,
            "total": state.total,
            "hearts": nav_stats_of(request).hearts,
            "is_review": state.is_review,
            "exercise": state.exercise,
            "public": state.public,
            "hints": state.hints,
            "form_id": "exercise-form",
            "exercise_template": exercise_template(state.exercise.type),
            # The lesson's tips, before its first exercise is answered; open when offered at the start.
            "show_tips": request.GET.get("tips") == "1",
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
            "gamification/player.html#error",
            {"error": message, "field": field},
            status=status,
        )
    messages.error(request, message)
    return redirect("run", run_id=run_id)


def _run_finished(request, exc: RunFinished, *, run_id: int):
    if _wants_fragment(request):
        return _error(request, run_id, str(exc), status=exc.status)
    messages.info(request, str(exc))
    return redirect("run_done", run_id=run_id)


def _time_up(request, exc: TimeUp, *, run_id: int):
    """A late answer: refused and not counted; the run has ended (the service ended it)."""
    if _wants_fragment(request):
        return _error(request, run_id, str(exc), status=exc.status)
    messages.error(request, str(exc))
    return redirect("run_done", run_id=run_id)


def _answer_refused(request, exc, *, run_id: int):
    return _error(request, run_id, str(exc), status=exc.status, field=exc.field)


@login_required
@require_POST
@service_errors(on={TimeUp: _time_up, RunFinished: _run_finished, ServiceError: _answer_refused})
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
        time_spent_ms = int(request.POST.get("time_spent_ms") or 0)  # the service clamps it
    except ValueError:
        time_spent_ms = 0
    fragment = _wants_fragment(request)
    # The exercise as the answer is judged (from the content cache), read here once for the feedback's
    # explanation too.
    exercise = exercise_for_answer(exercise_id) if fragment else None
    outcome = services.submit_answer(
        user=request.user,
        run_id=run_id,
        exercise_id=exercise_id,
        answer=_answer_from_post(request.POST),
        client_id=client_id,
        now=timezone.now(),
        time_spent_ms=time_spent_ms,
        exercise=exercise,
    )
    if fragment:
        context = _feedback_context(run_id, outcome.as_dict())
        # Shown after the answer only (it may give the solution away).
        context["explanation"] = exercise.explanation if exercise is not None else ""
        return render(request, "gamification/player.html#feedback", context)
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
        # For "Report a problem" (progress.views.report_problem); the stored result has no id.
        "attempt_id": outcome.get("attempt_id"),
    }


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
        raise Http404(_("No such answer."))
    context = _feedback_context(run_id, attempt.result)
    context.update(
        {
            "attempt": attempt,
            "attempt_id": attempt.pk,
            "report": attempt.problem_reports.first(),
            "exercise": attempt.exercise,
            "explanation": attempt.exercise.explanation,
            "is_review": attempt.run.kind == "review",
        }
    )
    return render(request, "gamification/feedback.html", context)


@login_required
@require_GET
@service_errors()
def run_done(request, run_id: int):
    """The end screen: XP, gems, tier change, streak, daily goal, new achievements."""
    summary = selectors.run_summary(user=request.user, run_id=run_id)
    if summary.run.status == "active":
        return redirect("run", run_id=run_id)
    hearts = selectors.hearts_state(user=request.user, now=timezone.now())
    ring = goal_ring(xp=summary.xp_today, goal=summary.daily_goal, met=summary.goal_met)
    return render(
        request,
        "gamification/done.html",
        {
            "summary": summary,
            "run": summary.run,
            "hearts": hearts,
            "goal_ring": ring,
            "minutes": summary.seconds_spent // 60,
            "seconds": summary.seconds_spent % 60,
        },
    )


def _still_running(request, exc: TimeLeft, *, run_id: int):
    return redirect("run", run_id=run_id)


@login_required
@require_POST
@service_errors(on={TimeLeft: _still_running})
def finish_run(request, run_id: int):
    """End a timed run whose time is up (the player's "See results" once its countdown is over)."""
    services.finish_timed_run(user=request.user, run_id=run_id, now=timezone.now())
    messages.info(request, _("Time is up."))
    return redirect("run_done", run_id=run_id)


@login_required
@require_POST
@service_errors(back="home")
def abandon(request, run_id: int):
    run = services.abandon_run(user=request.user, run_id=run_id, now=timezone.now())
    return redirect("course_path", slug=run.course.slug)


@login_required
@require_POST
@service_errors(back=lambda request, run_id: reverse("run", args=[run_id]))
def skip_kind(request, run_id: int):
    """An honest exit from the player: "Can't listen now" / "Can't speak now" (``kind``) — that kind of
    exercise leaves the run and is not served for 15 minutes; no heart, no XP."""
    kind = request.POST.get("kind", "")
    outcome = services.skip_kind(user=request.user, run_id=run_id, kind=kind, now=timezone.now())
    if kind == "listen":
        messages.info(request, _("No listening exercises for 15 minutes."))
    else:
        messages.info(request, _("No speaking exercises for 15 minutes."))
    if outcome.run_status != "active":
        return redirect("run_done", run_id=run_id)
    return redirect("run", run_id=run_id)


# --- Profile and hearts ----------------------------------------------------------------------------


@login_required
@require_GET
def profile(request):
    now = timezone.now()
    data = selectors.profile(user=request.user, now=now)
    chart = xp_chart(data.last_14_days, goal=data.daily_goal, today=data.today)
    calendar = selectors.streak_calendar(user=request.user, now=now, month=_month_param(request.GET.get("month")))
    ring = goal_ring(xp=data.today_xp, goal=data.daily_goal, met=data.goal_met)
    return render(
        request,
        "gamification/profile.html",
        {"profile": data, "chart": chart, "calendar": calendar, "goal_ring": ring},
    )


def _month_param(value: str | None) -> date | None:
    """``?month=YYYY-MM`` of the streak calendar; anything else shows the current month."""
    try:
        return datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return None


@login_required
@require_GET
def out_of_hearts(request):
    """Hearts, the next heart's time, and the two ways back: a gem refill or a review session."""
    hearts = selectors.hearts_state(user=request.user, now=timezone.now())
    current = Enrollment.objects.filter(user=request.user, is_current=True).select_related("course").first()
    return render(
        request,
        "gamification/hearts.html",
        {
            "hearts": hearts,
            "current_course": current.course if current else None,
            "price": settings.MALLARD_HEART_REFILL_PRICE_GEMS,
        },
    )


@login_required
@require_GET
def shop(request):
    """The gem shop: streak freezes (and a link to the hearts refill)."""
    return render(
        request,
        "gamification/shop.html",
        {
            "shop": selectors.freeze_shop(user=request.user),
            "hearts": selectors.hearts_state(user=request.user, now=timezone.now()),
            "client_id": uuid.uuid4(),  # a double submit of this form buys once
        },
    )


@login_required
@require_POST
@service_errors(back="shop")
def buy_streak_freeze(request):
    try:
        client_id = uuid.UUID(request.POST.get("client_id", ""))
    except ValueError:
        messages.error(request, _("The form was missing its purchase id; please try again."))
        return redirect("shop")
    result = services.buy_streak_freeze(user=request.user, client_id=client_id, now=timezone.now())
    if not result.repeated:
        messages.success(
            request,
            _("Streak freeze bought. You hold %(held)s of %(max)s.") % {"held": result.held, "max": result.max},
        )
    return redirect("shop")


@login_required
@require_POST
@service_errors(back="out_of_hearts")
def refill_hearts(request):
    """Spend gems to refill hearts, then go back where the learner came from."""
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = ""
    services.refill_hearts(user=request.user, now=timezone.now())
    messages.success(request, _("Hearts refilled. Good luck!"))
    return redirect(target or "out_of_hearts")


@login_required
@require_GET
def history(request):
    """The learner's past runs: date, lesson, result, XP and accuracy, paginated."""
    page, rows = history_selectors.history_page(user=request.user, page=request.GET.get("page"))
    return render(request, "gamification/history.html", {"page": page, "rows": rows})
