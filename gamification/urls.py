from django.urls import path

from . import league_views, preview_views, views

urlpatterns = [
    path("courses/<slug:slug>/review/", views.start_review, name="start_review"),
    path("courses/<slug:slug>/review/nothing-due/", views.review_nothing_due, name="review_nothing_due"),
    path("lessons/<slug:slug>/start/", views.start_lesson, name="start_lesson"),
    path("checkpoints/<slug:slug>/start/", views.start_checkpoint, name="start_checkpoint"),
    path("runs/<int:run_id>/", views.run, name="run"),
    path("runs/<int:run_id>/answer/", views.answer, name="answer"),
    path("runs/<int:run_id>/answers/<int:attempt_id>/", views.answer_feedback, name="answer_feedback"),
    path("runs/<int:run_id>/done/", views.run_done, name="run_done"),
    path("runs/<int:run_id>/quit/", views.abandon, name="abandon_run"),
    path("runs/<int:run_id>/skip/", views.skip_kind, name="skip_kind"),
    path("runs/<int:run_id>/finish/", views.finish_run, name="finish_run"),
    path("me/", views.profile, name="profile"),
    path("me/history/", views.history, name="history"),
    path("hearts/", views.out_of_hearts, name="out_of_hearts"),
    path("hearts/refill/", views.refill_hearts, name="refill_hearts"),
    path("shop/", views.shop, name="shop"),
    path("shop/streak-freeze/", views.buy_streak_freeze, name="buy_streak_freeze"),
    path("league/", league_views.league, name="league"),
    # Playable preview for authors (staff): the real player, nothing written (docs/authoring.md).
    path("preview/lessons/<int:lesson_id>/start/", preview_views.start, name="preview_start"),
    path("preview/lessons/<int:lesson_id>/", preview_views.play, name="preview_play"),
    path("preview/lessons/<int:lesson_id>/answer/", preview_views.answer, name="preview_answer"),
    path("preview/lessons/<int:lesson_id>/pairs/", preview_views.pairs, name="preview_pairs"),
    path("preview/lessons/<int:lesson_id>/done/", preview_views.done, name="preview_done"),
    path("preview/lessons/<int:lesson_id>/quit/", preview_views.quit_preview, name="preview_quit"),
]
