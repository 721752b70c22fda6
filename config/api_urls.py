"""The JSON API: ``/api/v1/`` (docs/api.md), its OpenAPI schema and the Swagger UI.

Each app's ``api`` package holds its serializers and views; this module only routes. Path
parameters are plain strings that the views check (a malformed id or slug is a 404 in the API's
error shape), and any other URL under ``/api/`` answers a JSON 404 rather than Django's HTML page.
"""

from django.conf import settings
from django.urls import include, path, re_path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.api import views as accounts
from bubbles.api import views as bubbles
from core.api.errors import api_not_found
from courses.api import views as courses
from gamification.api import league as league
from gamification.api import views as game
from progress.api import views as progress
from tutor.api import views as tutor

v1 = [
    path("auth/token/", accounts.TokenView.as_view(), name="token"),
    path("courses/", courses.CourseListView.as_view(), name="courses"),
    path("courses/<str:slug>/", courses.CourseDetailView.as_view(), name="course"),
    path("courses/<str:slug>/enrol/", progress.EnrolView.as_view(), name="enrol"),
    path("courses/<str:slug>/path/", progress.CoursePathView.as_view(), name="course-path"),
    path("courses/<str:slug>/review/", game.StartReviewView.as_view(), name="review"),
    path("courses/<str:slug>/words/", progress.CourseWordsView.as_view(), name="course-words"),
    path("lessons/<str:slug>/runs/", game.StartRunView.as_view(), name="lesson-runs"),
    path("checkpoints/<str:slug>/runs/", game.StartCheckpointRunView.as_view(), name="checkpoint-runs"),
    path("runs/<str:id>/", game.RunDetailView.as_view(), name="run"),
    path("runs/<str:id>/answers/", game.AnswerView.as_view(), name="run-answers"),
    path("runs/<str:id>/pairs/", game.PairCheckView.as_view(), name="run-pairs"),
    path("runs/<str:id>/skip/", game.SkipKindView.as_view(), name="run-skip"),
    path("runs/<str:id>/abandon/", game.AbandonRunView.as_view(), name="run-abandon"),
    path("runs/<str:id>/finish/", game.FinishRunView.as_view(), name="run-finish"),
    path("answers/<str:id>/report/", progress.ReportProblemView.as_view(), name="answer-report"),
    path("me/", game.MeView.as_view(), name="me"),
    path("me/settings/", accounts.SettingsView.as_view(), name="me-settings"),
    path("me/daily-xp/", game.DailyXpView.as_view(), name="me-daily-xp"),
    path("me/courses/", game.MyCoursesView.as_view(), name="me-courses"),
    path("me/hearts/refill/", game.RefillHeartsView.as_view(), name="me-hearts-refill"),
    path("me/streak-freezes/", game.StreakFreezesView.as_view(), name="me-streak-freezes"),
    path("me/league/", league.LeagueView.as_view(), name="me-league"),
    path("me/achievements/", game.AchievementsView.as_view(), name="me-achievements"),
    path("me/history/", game.HistoryView.as_view(), name="me-history"),
    path("tutor/sessions/", tutor.SessionsView.as_view(), name="tutor-sessions"),
    path("tutor/sessions/<str:id>/", tutor.SessionDetailView.as_view(), name="tutor-session"),
    path("tutor/sessions/<str:id>/messages/", tutor.MessagesView.as_view(), name="tutor-messages"),
    path("bubbles/", bubbles.BubbleListView.as_view(), name="bubbles"),
    path("bubbles/<str:id>/", bubbles.BubbleDetailView.as_view(), name="bubble"),
    path("bubbles/<str:id>/retry/", bubbles.BubbleRetryView.as_view(), name="bubble-retry"),
]


class SwaggerView(SpectacularSwaggerView):
    """drf-spectacular answers ``Cross-Origin-Opener-Policy: unsafe-none`` (for OAuth2 pop-ups, which
    this API does not use); drop it, so SecurityMiddleware sends the site's policy like on every page."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        del response["Cross-Origin-Opener-Policy"]
        return response


# The Swagger UI page: its JS and CSS come from drf-spectacular-sidecar (served by staticfiles, no
# CDN); its one inline script and style carry the request's CSP nonce (templates/api/swagger_ui.html).
DOCS_CSP = {**settings.SECURE_CSP, "style-src": [CSP.SELF, CSP.NONCE], "img-src": [CSP.SELF, "data:"]}

urlpatterns = [
    path("v1/", include((v1, "api"), namespace="v1")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "docs/",
        csp_override(DOCS_CSP)(SwaggerView.as_view(url_name="api-schema", template_name="api/swagger_ui.html")),
        name="api-docs",
    ),
    re_path(r"^.*$", api_not_found),
]
