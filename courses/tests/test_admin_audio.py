"""Generate audio from admin: the action on each content list and the exercise page's button make the
missing text-to-speech audio of the selection (real espeak-ng, lame and oggenc) inline with eager
tasks, or on a real Celery worker with its progress and report on the job's page."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.tests.factories import UserFactory
from courses import tasks
from courses.models import Exercise, Token
from courses.tests.factories import (
    CourseFactory,
    ExerciseFactory,
    LessonExerciseFactory,
    LessonFactory,
    SectionFactory,
    TokenFactory,
    UnitFactory,
)
from media_assets import tts
from media_assets.models import Asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def editor(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Content editor"))
    client.force_login(user)
    return user


@pytest.fixture
def tree(media_root):
    """Course es: lesson 1 has a listen exercise "hola" teaching the token hola; lesson 2 (unit 2) a
    listen exercise "El gato come."; the token perro is taught by no exercise; a translate exercise
    needs no audio."""
    course = CourseFactory(slug="es")
    section = SectionFactory(course=course, ordinal=1)
    units = [UnitFactory(section=section, ordinal=n) for n in (1, 2)]
    lessons = [LessonFactory(unit=unit, ordinal=1) for unit in units]
    hola = TokenFactory(language=course.to_language, text="hola")
    TokenFactory(language=course.to_language, text="perro")
    first = ExerciseFactory(course=course, type="listen", payload={"text": "hola"})
    first.tokens.add(hola)
    second = ExerciseFactory(course=course, type="listen", payload={"text": "El gato come."})
    translate = ExerciseFactory(course=course, type="translate")
    LessonExerciseFactory(lesson=lessons[0], exercise=first, ordinal=1)
    LessonExerciseFactory(lesson=lessons[0], exercise=translate, ordinal=2)
    LessonExerciseFactory(lesson=lessons[1], exercise=second, ordinal=1)
    return {"course": course, "section": section, "units": units, "lessons": lessons, "first": first, "second": second}


def with_audio() -> set[str]:
    tokens = Token.objects.filter(audio__isnull=False).values_list("text", flat=True)
    exercises = Exercise.objects.filter(audio__isnull=False).values_list("payload__text", flat=True)
    return {f"token {t}" for t in tokens} | {f"exercise {t}" for t in exercises}


def act(client, model: str, ids: list[int]):
    return client.post(
        reverse(f"admin:courses_{model}_changelist"),
        {"action": "generate_audio", "_selected_action": [str(pk) for pk in ids]},
        follow=True,
    )


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_lesson_action_makes_the_audio_of_its_exercises_and_their_words_inline(client, editor, tree):
    response = act(client, "lesson", [tree["lessons"][0].pk])
    assert response.status_code == 200
    assert with_audio() == {"token hola", "exercise hola"}  # not lesson 2's, not perro
    [message] = texts(response)
    assert "1 distinct texts; linked 1 tokens and 1 exercises" in message
    assert "1 assets created, 0 reused; 6 variant files created (3 mp3, 3 ogg)" in message
    asset = Asset.objects.get(text="hola")
    assert (asset.source, asset.tts_voice) == (Asset.Source.TTS, "es")

    again = act(client, "lesson", [tree["lessons"][0].pk])  # nothing left to make
    assert "nothing to do" in texts(again)[0]
    assert Asset.objects.count() == 1


@pytest.mark.parametrize("level", ["unit", "section", "course"])
def test_unit_section_and_course_actions_cover_what_is_below_them(client, editor, tree, level):
    target = {"unit": tree["units"][1], "section": tree["section"], "course": tree["course"]}[level]
    act(client, level, [target.pk])
    expected = {
        "unit": {"exercise El gato come."},
        "section": {"token hola", "exercise hola", "exercise El gato come."},
        # the course: every word of its language too, even one no exercise teaches
        "course": {"token hola", "exercise hola", "exercise El gato come.", "token perro"},
    }[level]
    assert with_audio() == expected


def test_the_exercise_list_action_and_the_change_page_button(client, editor, tree):
    act(client, "exercise", [tree["second"].pk])
    assert with_audio() == {"exercise El gato come."}

    page = client.get(reverse("admin:courses_exercise_change", args=[tree["first"].pk]))
    button = reverse("admin:courses_exercise_generate_audio", args=[tree["first"].pk])
    assert f'action="{button}"' in page.content.decode()
    assert client.get(button).status_code == 405  # it changes things: POST only
    response = client.post(button)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:courses_exercise_change", args=[tree["first"].pk])
    assert with_audio() == {"exercise El gato come.", "exercise hola", "token hola"}
    assert "linked 1 tokens and 1 exercises" in texts(client.get(response["Location"]))[0]
    assert client.post(reverse("admin:courses_exercise_generate_audio", args=[999_999])).status_code == 404


def test_missing_tools_are_a_clear_error_and_make_nothing(client, editor, tree, monkeypatch):
    real_which = tts.shutil.which
    monkeypatch.setattr(tts.shutil, "which", lambda name: None if name == "espeak-ng" else real_which(name))
    response = act(client, "course", [tree["course"].pk])
    assert response.status_code == 200
    [message] = texts(response)
    assert "espeak-ng is not installed" in message and "No audio was made." in message
    assert with_audio() == set() and not Asset.objects.exists()


def test_who_may_generate_audio(client, tree):
    """Staff without the media permission see no action and get 403 from the button; learners 302 to log in."""
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(*staff_permissions("change_exercise", "view_exercise", "change_lesson"))
    client.force_login(staff)
    page = client.get(reverse("admin:courses_lesson_changelist"))
    assert "generate_audio" not in page.content.decode()
    assert act(client, "lesson", [tree["lessons"][0].pk]).status_code == 200
    assert with_audio() == set()  # the unknown action is refused by admin, nothing made
    button = reverse("admin:courses_exercise_generate_audio", args=[tree["first"].pk])
    assert client.post(button).status_code == 403
    client.force_login(UserFactory())
    assert client.post(button).status_code == 302
    assert with_audio() == set()


def staff_permissions(*codenames):
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label="courses", codename__in=codenames)


def test_another_authors_job_page_is_not_found(client, editor):
    tasks.queue_job(job_id="abc", model="course", ids=[], user_id=editor.pk + 1, label="1 course")
    assert client.get(reverse("admin:courses_audio_job", args=["abc"])).status_code == 404
    assert client.get(reverse("admin:courses_audio_job", args=["nope"])).status_code == 404


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_with_a_worker_the_job_page_shows_progress_then_the_report(client, editor, tree, celery_worker_app):
    with start_worker(celery_worker_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        response = act(client, "section", [tree["section"].pk])
        [(url, status)] = response.redirect_chain
        assert status == 302 and url.startswith(reverse("admin:courses_audio_job", args=["x"])[:-2])
        job_id = url.rstrip("/").rsplit("/", 1)[1]
        first = response.content.decode()
        assert "in the background" in first and "admin-audio-job.js" in first  # reloads while running
        assert any(s in first for s in ("Waiting for a worker", "Finding what has no audio", "texts spoken"))
        final = celery_worker_app.AsyncResult(job_id).get(timeout=300)
    assert (final["status"], final["done"], final["total"]) == ("done", 2, 2)
    assert with_audio() == {"token hola", "exercise hola", "exercise El gato come."}
    page = client.get(url).content.decode()
    assert "Done." in page and "2 distinct texts" in page and "admin-audio-job.js" not in page
    assert "Mallard administration" in page and 'class="breadcrumbs"' in page
