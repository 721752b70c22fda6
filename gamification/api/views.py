"""Lesson runs, answers, the learner's profile, daily XP, course progress and hearts.

Thin views: parse input with a serializer, call one service or selector from
``gamification``/``progress`` (docs/game-rules.md names them), serialise the result. Every object is looked up
through the caller's own data, so another learner's run is a 404, never a 403.
"""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.errors import error_responses
from core.api.pagination import StrictPageNumberPagination
from core.api.params import check_slug, parse_query, slug_parameter
from core.api.throttling import ScopedRateThrottle
from courses.api.views import published_course
from gamification import history_selectors, selectors, services

from .queries import run_view
from .serializers import (
    AchievementListSerializer,
    AnswerInputSerializer,
    AnswerOutcomeSerializer,
    CourseProgressSerializer,
    DailyXpQuerySerializer,
    DailyXpSerializer,
    FreezePurchaseSerializer,
    FreezeShopSerializer,
    HeartsSerializer,
    HistoryRowSerializer,
    MeSerializer,
    PairCheckInputSerializer,
    PairCheckSerializer,
    RunSerializer,
    SkipInputSerializer,
    SkipSerializer,
    StartReviewQuerySerializer,
    answer_outcome_data,
)

RUN_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The run's id (yours only).", required=True)


def _run_response(request, run_id, *, status_code=status.HTTP_200_OK, run=None) -> Response:
    view = run_view(user=request.user, run_id=run_id, now=timezone.now(), run=run)
    return Response(RunSerializer(view).data, status=status_code)


@extend_schema(
    tags=["runs"],
    summary="Start (or resume) a run of a lesson",
    description="Returns the learner's active run of the lesson if there is one, else a new run. "
    "Exercises come with their public payloads only — never a solution.",
    parameters=[slug_parameter(description="The lesson's slug.")],
    request=None,
    responses={201: RunSerializer, **error_responses(404, 409)},
)
class StartRunView(APIView):
    def post(self, request, slug: str):
        run = services.start_lesson_run(user=request.user, lesson=check_slug(slug, "lesson"), now=timezone.now())
        return _run_response(request, run.pk, status_code=status.HTTP_201_CREATED, run=run)


@extend_schema(
    tags=["runs"],
    summary="Start (or resume) a review session of a course",
    description="Exercises teaching the words due for review and recent mistakes. Needs no hearts. "
    "Nothing due → 409 `nothing_to_review`; then `?ahead=true` practises ahead: the words with the lowest "
    "predicted recall even though not due, a run with `ahead: true` that pays XP only for exercises no "
    "review has paid for today, and no gems and no heart (409 `nothing_to_practise` when you have no "
    "word of the course yet). `?timed=true`: a timed review, as many as you can in 2 minutes (the run's "
    "`deadline_at`); answers from the deadline on are refused with 409 `time_up`. An active review of the "
    "course is returned as it is.",
    parameters=[slug_parameter(description="The course's slug."), StartReviewQuerySerializer],
    request=None,
    responses={201: RunSerializer, **error_responses(400, 404, 409)},
)
class StartReviewView(APIView):
    def post(self, request, slug: str):
        query = parse_query(request, StartReviewQuerySerializer)
        course = published_course(slug)
        run = services.start_review_session(
            user=request.user, course=course, now=timezone.now(), ahead=query["ahead"], timed=query["timed"]
        )
        return _run_response(request, run.pk, status_code=status.HTTP_201_CREATED, run=run)


@extend_schema(
    tags=["runs"],
    summary="Start (or resume) a run of a checkpoint",
    description="A test of the lessons before it: items drawn at random (or a fixed list) in a random order, "
    "public payloads only. No hearts spent; each item is served once; the run ends with a score. Passing it "
    "passes every lesson of its unit (or section) you had not passed and opens what comes after. 409 "
    "`checkpoint_locked` before you reach its unit, `checkpoint_cooling_down` for a while after a failed run, "
    "`empty_checkpoint` when it has nothing to serve.",
    parameters=[slug_parameter(description="The checkpoint's slug.")],
    request=None,
    responses={201: RunSerializer, **error_responses(400, 404, 409)},
)
class StartCheckpointRunView(APIView):
    def post(self, request, slug: str):
        run = services.start_checkpoint_run(
            user=request.user, checkpoint=check_slug(slug, "checkpoint"), now=timezone.now()
        )
        return _run_response(request, run.pk, status_code=status.HTTP_201_CREATED, run=run)


@extend_schema(
    tags=["runs"],
    summary="End a timed run whose time is up",
    description="The player calls it when its countdown reaches 0 (an answer after the deadline does the "
    "same): a checkpoint is scored on what was answered in time, any other run fails. A finished run is "
    "returned unchanged; 409 `time_left` while the run still has time (or has no limit).",
    parameters=[RUN_ID],
    request=None,
    responses={200: RunSerializer, **error_responses(404, 409)},
)
class FinishRunView(APIView):
    def post(self, request, id: str):
        services.finish_timed_run(user=request.user, run_id=id, now=timezone.now())
        return _run_response(request, id)


@extend_schema(
    tags=["runs"],
    summary="One of your runs: progress, exercises (public payloads), summary when over",
    parameters=[RUN_ID],
    responses={200: RunSerializer, **error_responses(404)},
)
class RunDetailView(APIView):
    def get(self, request, id: str):
        return _run_response(request, id)


@extend_schema(
    tags=["runs"],
    summary="Abandon an active run (XP earned so far stays); a finished run is returned unchanged",
    parameters=[RUN_ID],
    request=None,
    responses={200: RunSerializer, **error_responses(404, 409)},
)
class AbandonRunView(APIView):
    def post(self, request, id: str):
        services.abandon_run(user=request.user, run_id=id, now=timezone.now())
        return _run_response(request, id)


@extend_schema(
    tags=["runs"],
    summary="Answer an exercise of a run",
    description="Idempotent by `client_id`: sending the same `client_id` again returns the first result "
    "(with `repeated: true`) and changes nothing. Throttled (scope `answers`).",
    parameters=[RUN_ID],
    request=AnswerInputSerializer,
    responses={200: AnswerOutcomeSerializer, **error_responses(400, 404, 409, 429)},
)
class AnswerView(APIView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "answers"

    def post(self, request, id: str):
        data = AnswerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = services.submit_answer(
            user=request.user,
            run_id=id,
            exercise_id=data.validated_data["exercise"],
            answer=data.validated_data["answer"],
            client_id=data.validated_data["client_id"],
            time_spent_ms=data.validated_data["time_spent_ms"],
            now=timezone.now(),
        )
        return Response(answer_outcome_data(outcome))  # what AnswerOutcomeSerializer documents


@extend_schema(
    tags=["runs"],
    summary="Check one pair of a match exercise",
    description="A match exercise can be played pair by pair: each tap of a pair asks whether **that** pair "
    "is right (nothing about any other pair). A wrong pair costs no heart by itself; the exercise's answer "
    "(all pairs, sent to `answers/` once `complete`) counts wrong — one heart — if any wrong pair was tried. "
    "Idempotent: the same pair again answers the same with `repeated: true`. 400 `invalid_answer` for an "
    "item not in the exercise or an exercise that is not a match; 409 `pair_already_matched` when either "
    "item of the pair is already matched. Throttled (scope `answers`).",
    parameters=[RUN_ID],
    request=PairCheckInputSerializer,
    responses={200: PairCheckSerializer, **error_responses(400, 404, 409, 429)},
)
class PairCheckView(APIView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "answers"

    def post(self, request, id: str):
        data = PairCheckInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        check = services.check_pair(
            user=request.user,
            run_id=id,
            exercise_id=data.validated_data["exercise"],
            left=data.validated_data["left"],
            right=data.validated_data["right"],
            now=timezone.now(),
        )
        return Response(PairCheckSerializer(check).data)


@extend_schema(
    tags=["runs"],
    summary="Can't listen now / Can't speak now",
    description="An honest exit: for 15 minutes no exercise of that kind (`listen` or `speak`) is served to "
    "you; those waiting in this run leave it, with no heart lost and no XP. When they were the last ones "
    "waiting the run passes without them (`run_status: passed`), or ends abandoned when every exercise of the "
    "run was skipped. 400 `invalid` for another kind; 404 (not your run); 409 `run_finished`, "
    "`skip_not_allowed` (a checkpoint skips nothing).",
    parameters=[RUN_ID],
    request=SkipInputSerializer,
    responses={200: SkipSerializer, **error_responses(400, 404, 409)},
)
class SkipKindView(APIView):
    def post(self, request, id: str):
        data = SkipInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = services.skip_kind(user=request.user, run_id=id, kind=data.validated_data["kind"], now=timezone.now())
        return Response(SkipSerializer(outcome).data)


@extend_schema(
    tags=["me"],
    summary="Your profile: XP, level, gems, hearts, streak and today's goal",
    responses={200: MeSerializer, **error_responses()},
)
class MeView(APIView):
    def get(self, request):
        """The response as plain data (what ``MeSerializer`` documents and would produce: the JSON
        renderer writes dates and times in ISO 8601, UTC as ``Z``), without building the serializer's
        fields on every request (docs/performance.md, "Per-request Python")."""
        user = request.user
        p = selectors.summary(user=user, now=timezone.now())
        hearts = p.hearts
        return Response(
            {
                "display_name": user.name,
                "avatar_url": user.avatar.url if user.avatar else None,
                "email": user.email,
                "xp_total": p.xp_total,
                "level": p.level,
                "gems": p.gems,
                "hearts": {
                    "hearts": hearts.hearts,
                    "max": hearts.max,
                    "next_heart_at": hearts.next_heart_at,
                    "refill_price": hearts.refill_price,
                    "can_refill": hearts.can_refill,
                },
                "streak": {"current": p.streak_current, "longest": p.streak_longest, "freezes": p.streak_freezes},
                "today": {"date": p.today, "xp": p.today_xp, "goal": p.daily_goal, "met": p.goal_met},
            }
        )


@extend_schema(
    tags=["me"],
    summary="Every achievement: the levels you earned (with dates) and your progress toward the next",
    responses={200: AchievementListSerializer, **error_responses()},
)
class AchievementsView(APIView):
    def get(self, request):
        rows = selectors.achievements(user=request.user, now=timezone.now())
        return Response(AchievementListSerializer({"results": rows}).data)


class HistoryPagination(StrictPageNumberPagination):
    page_size = history_selectors.HISTORY_PAGE_SIZE


@extend_schema(
    tags=["me"],
    summary="Your finished lesson runs and reviews, newest first: date, lesson, result, XP, accuracy",
    responses={200: HistoryRowSerializer(many=True), **error_responses(404)},
)
class HistoryView(generics.ListAPIView):
    serializer_class = HistoryRowSerializer
    pagination_class = HistoryPagination

    def get_queryset(self):
        return history_selectors.finished_runs(user=self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        rows = [history_selectors.history_row(run) for run in page]
        return self.get_paginated_response(HistoryRowSerializer(rows, many=True).data)


@extend_schema(
    tags=["me"],
    summary="Your XP per day for the last `days` days",
    parameters=[DailyXpQuerySerializer],
    responses={200: DailyXpSerializer, **error_responses(400)},
)
class DailyXpView(APIView):
    def get(self, request):
        days = parse_query(request, DailyXpQuerySerializer)["days"]
        rows = selectors.daily_xp(user=request.user, days=days, now=timezone.now())
        data = {"days": days, "results": [{"date": day, "xp": xp} for day, xp in rows]}
        return Response(DailyXpSerializer(data).data)


@extend_schema(
    tags=["me"],
    summary="Your courses with completion and mastery",
    responses={200: CourseProgressSerializer(many=True), **error_responses(404)},
)
class MyCoursesView(generics.ListAPIView):
    serializer_class = CourseProgressSerializer
    pagination_class = StrictPageNumberPagination

    def get_queryset(self):
        return selectors.profile(user=self.request.user, now=timezone.now()).courses


@extend_schema(
    tags=["me"],
    summary="Refill your hearts with gems",
    request=None,
    responses={200: HeartsSerializer, **error_responses(409)},
)
class RefillHeartsView(APIView):
    def post(self, request):
        hearts = services.refill_hearts(user=request.user, now=timezone.now())
        return Response(HeartsSerializer(hearts).data)


@extend_schema(tags=["me"], summary="Your streak freezes: held, the price, whether you can buy one")
class StreakFreezesView(APIView):
    @extend_schema(responses={200: FreezeShopSerializer, **error_responses()})
    def get(self, request):
        return Response(FreezeShopSerializer(selectors.freeze_shop(user=request.user)).data)

    @extend_schema(
        summary="Buy a streak freeze with gems",
        description="Idempotent by `client_id`: the same `client_id` again buys nothing more and answers "
        "`repeated: true`. 409 `freezes_full` at 2 held, 409 `not_enough_gems`.",
        request=FreezePurchaseSerializer,
        responses={200: FreezeShopSerializer, **error_responses(400, 409)},
    )
    def post(self, request):
        data = FreezePurchaseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shop = services.buy_streak_freeze(
            user=request.user, client_id=data.validated_data["client_id"], now=timezone.now()
        )
        return Response(FreezeShopSerializer(shop).data)
