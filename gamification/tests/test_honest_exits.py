"""Honest exits (docs/game-rules.md, "Can't listen or speak now"): "Can't listen now" / "Can't speak
now" leave that kind of exercise out for 15 minutes with no heart lost and no XP, and the run passes
without them; "I could not say it" costs no heart and the exercise comes back later in the run."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse

from core.errors import NotFound
from core.tests.api import API, assert_error, client_for
from courses.models import Exercise
from courses.tests.factories import CheckpointFactory, ExerciseFactory, LessonExerciseFactory, LessonFactory
from gamification import services
from gamification.errors import InvalidAnswer, RunFinished, SkipNotAllowed
from gamification.models import HeartsLog, LedgerEntry, Wallet
from gamification.services.ledger import check_ledger
from media_assets.tests.factories import AssetFactory
from progress.models import LessonProgress, LessonRun, ReviewLog, TokenMastery

from .helpers import RIGHT, T0

pytestmark = pytest.mark.django_db


def lesson_of(*types):
    """A published lesson with one exercise of each type, in order (listen and speak with audio)."""
    lesson = LessonFactory()
    course = lesson.unit.section.course
    payloads = {
        "listen": {"text": "Buenos días"},
        "speak": {"text": "Me llamo Ana"},
        "translate": {"text": "Hola", "solutions": ["[Hello/Hi]"], "direction": "to_source"},
    }
    for i, kind in enumerate(types, start=1):
        audio = AssetFactory() if kind in ("listen", "speak") else None
        exercise = ExerciseFactory(course=course, type=kind, payload=payloads[kind], audio=audio)
        LessonExerciseFactory(lesson=lesson, exercise=exercise, ordinal=i)
    return lesson


def of_type(run, kind):
    return Exercise.objects.get(pk__in=run.exercise_ids, type=kind).pk


def submit(user, run, exercise, answer, now=T0):
    return services.submit_answer(
        user=user, run_id=run.pk, exercise_id=exercise, answer=answer, client_id=uuid.uuid4(), now=now
    )


def hearts(user):
    return Wallet.objects.get(user=user).hearts


# --- "I could not say it" ----------------------------------------------------------------------


def test_could_not_say_it_costs_no_heart_and_comes_back_later(user):
    lesson = lesson_of("speak", "translate", "translate")
    lesson.exercises.update(is_published=True)
    run = services.start_lesson_run(user=user, lesson=lesson, now=T0)
    speak = of_type(run, "speak")
    outcome = submit(user, run, speak, "self:no")
    assert (outcome.correct, outcome.excused, outcome.xp_awarded) == (False, True, 0)
    assert outcome.note == "No problem: this one comes back later in the lesson."
    assert hearts(user) == 5 and not HeartsLog.objects.exists()
    run.refresh_from_db()
    assert run.queue[-1] == speak or run.queue.index(speak) == 2  # two places later, like any retry
    assert run.mistakes == 0 and run.missed_ids == []  # not a mistake
    assert not ReviewLog.objects.exists() and not TokenMastery.objects.exists()  # says nothing of recall
    for pk in list(run.queue):
        submit(user, run, pk, "self:yes" if pk == speak else RIGHT)
    run.refresh_from_db()
    assert run.status == "passed" and run.is_perfect
    assert check_ledger() == []


def test_a_wrong_transcript_is_still_a_mistake(user):
    run = services.start_lesson_run(user=user, lesson=lesson_of("speak", "translate"), now=T0)
    outcome = submit(user, run, of_type(run, "speak"), {"transcript": "Me llamo Eva"})
    assert not outcome.correct and not outcome.excused and hearts(user) == 4


# --- "Can't listen now" / "Can't speak now" ----------------------------------------------------


def test_cant_listen_now_takes_listening_out_of_the_run_and_it_passes_without_it(user):
    lesson = lesson_of("listen", "translate", "listen", "translate")
    run = services.start_lesson_run(user=user, lesson=lesson, now=T0)
    listens = [pk for pk in run.exercise_ids if Exercise.objects.get(pk=pk).type == "listen"]
    outcome = services.skip_kind(user=user, run_id=run.pk, kind="listen", now=T0)
    assert sorted(outcome.skipped) == sorted(listens) and outcome.run_status == "active"
    assert outcome.until == T0 + timedelta(minutes=15)
    user.refresh_from_db()
    assert user.cant_listen_until == T0 + timedelta(minutes=15)  # the learner's choice, stored
    run.refresh_from_db()
    assert not set(listens) & set(run.queue) and not set(listens) & set(run.exercise_ids)
    assert hearts(user) == 5 and Wallet.objects.get(user=user).xp_total == 0
    for pk in list(run.queue):
        submit(user, run, pk, RIGHT)
    run.refresh_from_db()
    assert run.status == "passed" and run.xp_earned == 20  # the two translate exercises
    assert LessonProgress.objects.get(user=user, lesson=lesson).passes == 1


def test_skipping_the_last_exercises_waiting_passes_the_run(user):
    lesson = lesson_of("translate", "speak")
    run = services.start_lesson_run(user=user, lesson=lesson, now=T0)
    submit(user, run, of_type(run, "translate"), RIGHT)
    outcome = services.skip_kind(user=user, run_id=run.pk, kind="speak", now=T0)
    assert outcome.run_status == "passed"
    run.refresh_from_db()
    assert run.status == "passed" and run.finished_at == T0 and run.gems_earned == 1
    assert LedgerEntry.objects.filter(key=f"run:{run.pk}:gems").get().amount == 1
    assert LessonProgress.objects.get(user=user, lesson=lesson).passes == 1
    assert hearts(user) == 5 and check_ledger() == []


def test_a_run_of_skipped_exercises_only_ends_abandoned(user):
    lesson = lesson_of("listen", "listen")
    run = services.start_lesson_run(user=user, lesson=lesson, now=T0)
    assert services.skip_kind(user=user, run_id=run.pk, kind="listen", now=T0).run_status == "abandoned"
    assert not LessonProgress.objects.filter(user=user, lesson=lesson, passes__gte=1).exists()
    assert hearts(user) == 5 and Wallet.objects.get(user=user).gems == 0


def test_new_runs_leave_the_kind_out_for_fifteen_minutes(user):
    lesson = lesson_of("listen", "translate")
    run = services.start_lesson_run(user=user, lesson=lesson, now=T0)
    services.skip_kind(user=user, run_id=run.pk, kind="listen", now=T0)
    services.abandon_run(user=user, run_id=run.pk, now=T0)
    again = services.start_lesson_run(user=user, lesson=lesson, now=T0 + timedelta(minutes=14))
    assert [Exercise.objects.get(pk=pk).type for pk in again.exercise_ids] == ["translate"]
    services.abandon_run(user=user, run_id=again.pk, now=T0 + timedelta(minutes=14))
    later = services.start_lesson_run(user=user, lesson=lesson, now=T0 + timedelta(minutes=15))
    assert sorted(Exercise.objects.get(pk=pk).type for pk in later.exercise_ids) == ["listen", "translate"]


def test_refusals_change_nothing(user, other_user):
    run = services.start_lesson_run(user=user, lesson=lesson_of("listen", "translate"), now=T0)
    with pytest.raises(InvalidAnswer):
        services.skip_kind(user=user, run_id=run.pk, kind="reading", now=T0)
    with pytest.raises(NotFound):
        services.skip_kind(user=other_user, run_id=run.pk, kind="listen", now=T0)
    other_user.refresh_from_db()
    assert other_user.cant_listen_until is None
    user.refresh_from_db()
    assert user.cant_listen_until is None
    assert LessonRun.objects.get(pk=run.pk).queue == run.queue
    services.abandon_run(user=user, run_id=run.pk, now=T0)
    with pytest.raises(RunFinished):
        services.skip_kind(user=user, run_id=run.pk, kind="listen", now=T0)


def test_the_player_offers_the_exit_and_the_no_js_form_uses_it(client, learner):
    lesson = lesson_of("listen", "translate")
    client.post(reverse("start_lesson", args=[lesson.slug]))
    run = LessonRun.objects.get()
    LessonRun.objects.filter(pk=run.pk).update(queue=[of_type(run, "listen"), of_type(run, "translate")])
    page = client.get(reverse("run", args=[run.pk])).content.decode()
    skip_url = reverse("skip_kind", args=[run.pk])
    assert f'formaction="{skip_url}" name="kind" value="listen"' in page and "Can't listen now" in page
    response = client.post(skip_url, {"kind": "listen", "exercise": run.queue[0], "answer": ""})
    assert response.status_code == 302 and response.url == reverse("run", args=[run.pk])
    assert LessonRun.objects.get(pk=run.pk).queue == [of_type(run, "translate")]
    assert "Can't listen now" not in client.get(reverse("run", args=[run.pk])).content.decode()


def test_api_skip_and_its_error_shapes(user, other_user):
    lesson = lesson_of("speak", "translate")
    api = client_for(user)
    run = api.post(f"{API}lessons/{lesson.slug}/runs/").json()
    url = f"{API}runs/{run['id']}/skip/"
    assert_error(api.post(url, {"kind": "reading"}, format="json"), 400, "invalid", field="kind")
    assert_error(api.post(url, {}, format="json"), 400, "invalid", field="kind")
    assert_error(client_for(other_user).post(url, {"kind": "speak"}, format="json"), 404, "not_found")
    body = api.post(url, {"kind": "speak"}, format="json").json()
    assert body["kind"] == "speak" and body["run_status"] == "active" and len(body["skipped"]) == 1
    assert api.get(f"{API}runs/{run['id']}/").json()["total"] == 1


def test_a_listen_exercise_that_lost_its_audio_is_not_served(client, learner):
    """Checked at serve time too: a run begun while the audio was there serves the next exercise that
    can be served; when only such exercises remain, "Can't listen now" is the way on."""
    lesson = lesson_of("listen", "translate")
    client.post(reverse("start_lesson", args=[lesson.slug]))
    run = LessonRun.objects.get()
    listen, translate = of_type(run, "listen"), of_type(run, "translate")
    LessonRun.objects.filter(pk=run.pk).update(queue=[listen, translate])
    Exercise.objects.filter(pk=listen).update(audio=None)
    page = client.get(reverse("run", args=[run.pk])).content.decode()
    assert f'name="exercise" value="{translate}"' in page
    assert client.get(f"{API}runs/{run.pk}/").json()["current_exercise"]["id"] == translate  # the page's session
    client.post(
        reverse("answer", args=[run.pk]), {"exercise": translate, "answer": RIGHT, "client_id": str(uuid.uuid4())}
    )
    page = client.get(reverse("run", args=[run.pk])).content.decode()
    assert f'name="exercise" value="{listen}"' in page and "Can't listen now" in page  # nothing else is left
    client.post(reverse("skip_kind", args=[run.pk]), {"kind": "listen"})
    assert LessonRun.objects.get(pk=run.pk).status == "passed"


def test_a_checkpoint_skips_nothing(user):
    lesson = lesson_of("listen", "translate")
    checkpoint = CheckpointFactory(unit=lesson.unit, draw=2)
    run = services.start_checkpoint_run(user=user, checkpoint=checkpoint.slug, now=T0)
    with pytest.raises(SkipNotAllowed):
        services.skip_kind(user=user, run_id=run.pk, kind="listen", now=T0)
    assert LessonRun.objects.get(pk=run.pk).queue == run.queue
    user.refresh_from_db()
    assert user.cant_listen_until is None
