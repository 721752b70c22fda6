"""Media never give an unanswered exercise away.

A learner plays a run in the player page and over the API. Before each answer, nothing they have
received — the page (text, attributes, URLs), the API's run payload (every field, every exercise of
the run), the media URLs in them and the headers those URLs are served with — holds a word of the
solution of an exercise not yet answered, nor its slug, in any case or percent-encoding. The audio
and pictures are named after their answers everywhere an author could name them (asset text and
title, the uploaded file's name), and both an uploaded and a text-to-speech asset are covered.
"""

import io
import json
import re
import uuid
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.text import slugify
from PIL import Image

from core.tests.api import API, client_for
from courses.tests.factories import ExerciseFactory, LessonExerciseFactory
from courses.tests.sample_courses import new_course
from media_assets.models import Asset
from media_assets.services import add_variant
from media_assets.tests.helpers import stored_files, wav_bytes
from progress.models import LessonRun

pytestmark = pytest.mark.django_db

LISTEN_UPLOADED = "Días felices, Ximena."
LISTEN_TTS = "Noches tranquilas, Bartolomé."
HIDDEN_LABELS = ["the okapi", "the platypus"]  # the picture's answer is the platypus


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def secrets_of(text: str) -> set[str]:
    """Every form a solution could leak in: its words (accented and not) and its slug."""
    words = {w for w in re.findall(r"\w+", text.lower()) if len(w) > 3}
    return words | {slugify(w) for w in words} | {slugify(text), slugify(text).replace("-", "_")}


def audio_asset(text: str, *, source: str, hz: int) -> Asset:
    asset = Asset.objects.create(
        kind=Asset.Kind.AUDIO,
        text=text,
        title=text,
        language="es",
        source=source,
        tts_provider="espeak-ng 1.51" if source == Asset.Source.TTS else "",
        tts_voice="es" if source == Asset.Source.TTS else "",
    )
    slug = slugify(text)
    add_variant(asset=asset, uploaded_file=SimpleUploadedFile(f"{slug}-high.wav", wav_bytes(hz=hz)), quality="high")
    add_variant(
        asset=asset,
        uploaded_file=SimpleUploadedFile(f"{slug}-slow.wav", wav_bytes(seconds=0.8, hz=hz // 2)),
        quality="low",
        speed="slow",
    )
    return asset


def image_asset(label: str, colour) -> Asset:
    data = io.BytesIO()
    Image.new("RGB", (16, 16), colour).save(data, "PNG")
    asset = Asset.objects.create(kind=Asset.Kind.IMAGE, text=label, title=label)
    add_variant(
        asset=asset, uploaded_file=SimpleUploadedFile(f"{slugify(label)}.png", data.getvalue()), quality="medium"
    )
    return asset


@pytest.fixture
def lesson(media_root):
    course, (lesson,) = new_course(lessons=1, exercises=0)
    okapi, platypus = image_asset(HIDDEN_LABELS[0], (200, 120, 0)), image_asset(HIDDEN_LABELS[1], (90, 60, 30))

    def listen(text: str, source: str, hz: int):
        audio = audio_asset(text, source=source, hz=hz)
        return ExerciseFactory(course=course, type="listen", payload={"text": text}, prompt="Type", audio=audio)

    picture = ExerciseFactory(
        course=course,
        type="picture",
        payload={
            "question": "el ornitorrinco",
            "choices": [
                {"label": HIDDEN_LABELS[0], "image": okapi.pk},
                {"label": HIDDEN_LABELS[1], "image": platypus.pk},
            ],
            "answer": 1,
            "hide_labels": True,
        },
        prompt="Choose the picture",
    )
    exercises = [
        listen(LISTEN_UPLOADED, Asset.Source.UPLOADED, 440),
        picture,
        listen(LISTEN_TTS, Asset.Source.TTS, 620),
    ]
    for ordinal, exercise in enumerate(exercises, start=1):
        LessonExerciseFactory(lesson=lesson, exercise=exercise, ordinal=ordinal)
    lesson.secrets = {
        exercises[0].pk: secrets_of(LISTEN_UPLOADED),
        exercises[1].pk: set().union(*(secrets_of(label) for label in HIDDEN_LABELS)),
        exercises[2].pk: secrets_of(LISTEN_TTS),
    }
    lesson.right_answers = {exercises[0].pk: LISTEN_UPLOADED, exercises[2].pk: LISTEN_TTS}
    lesson.picture = exercises[1].pk
    lesson.platypus_url = platypus.variants.get().get_absolute_url()  # the right picture, wherever it is served
    return lesson


def media_urls(text: str) -> set[str]:
    return set(re.findall(r"/media/[^\"'\s<>)]+", text))


def assert_nothing_leaks(received: str, secrets: set[str], where: str) -> None:
    """``received`` (a page, a payload, headers) holds none of ``secrets``, plainly or percent-encoded."""
    haystack = received.lower() + "\n" + unquote(received).lower()
    leaked = sorted(s for s in secrets if s in haystack)
    assert not leaked, f"{where} gives away {leaked}"


def assert_media_leak_nothing(urls: set[str], secrets: set[str]) -> None:
    assert urls, "the run should have sent media URLs"
    anonymous = Client()
    for url in urls:
        response = anonymous.get(url)
        assert response.status_code == 200, url
        headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        assert_nothing_leaks(url + "\n" + headers, secrets, f"the media response of {url}")


def unanswered_secrets(lesson, answered: set[int]) -> set[str]:
    return set().union(*(s for pk, s in lesson.secrets.items() if pk not in answered))


def test_the_player_page_gives_no_answer_away_through_media(client, user, lesson, media_root):
    client.force_login(user)
    client.post(reverse("start_lesson", args=[lesson.slug]))
    run = LessonRun.objects.get(user=user, lesson=lesson)
    answered: set[int] = set()
    seen_urls: set[str] = set()
    for _step in range(10):
        response = client.get(reverse("run", args=[run.pk]))
        if response.status_code != 200:
            break
        html = response.content.decode()
        secrets = unanswered_secrets(lesson, answered)
        assert_nothing_leaks(html, secrets, "the player page")
        urls = media_urls(html)
        assert_media_leak_nothing(urls, secrets)
        seen_urls |= urls
        exercise_id = int(re.search(r'name="exercise" value="(\d+)"', html).group(1))
        if exercise_id == lesson.picture:  # the radio beside the platypus, in whatever order they are served
            values = re.findall(r'name="answer"[^>]*value="([^"]+)"', html)
            images = re.findall(r'<img src="(/media/a/[^"]+)"', html)
            answer = dict(zip(images, values, strict=True))[lesson.platypus_url]
        else:
            answer = lesson.right_answers[exercise_id]
        client.post(
            reverse("answer", args=[run.pk]),
            {
                "exercise": exercise_id,
                "client_id": str(uuid.uuid4()),
                "time_spent_ms": "1000",
                "answer": answer,
            },
        )
        answered.add(exercise_id)
        run.refresh_from_db()
        if run.status != LessonRun.Status.ACTIVE:
            break
    assert answered == set(lesson.secrets), "every exercise was served and answered"
    assert run.status == LessonRun.Status.PASSED
    # Both audio assets (normal and slow) and both pictures were sent, under opaque names.
    assert len(seen_urls) == 6
    assert all(re.fullmatch(r"/media/a/[0-9a-f]{64}\.(wav|png)", url) for url in seen_urls), seen_urls


def test_the_api_run_gives_no_answer_away_through_media(user, lesson):
    api = client_for(user)
    response = api.post(f"{API}lessons/{lesson.slug}/runs/")
    assert response.status_code == 201, response.content
    run = response.json()
    answered: set[int] = set()
    seen_urls: set[str] = set()
    # The first payload already lists every exercise of the run (with its audio and pictures).
    first = json.dumps(run, ensure_ascii=False)
    assert_nothing_leaks(first, unanswered_secrets(lesson, answered), "the API's new run")
    assert len(media_urls(first)) == 6
    while run["current_exercise"]:
        run = api.get(f"{API}runs/{run['id']}/").json()
        payload = json.dumps(run, ensure_ascii=False)
        secrets = unanswered_secrets(lesson, answered)
        assert_nothing_leaks(payload, secrets, "the API run payload")
        urls = media_urls(payload)
        assert_media_leak_nothing(urls, secrets)
        seen_urls |= urls
        exercise_id = run["current_exercise"]["id"]
        if exercise_id == lesson.picture:
            urls_in_order = [c.get("url") for c in run["current_exercise"]["public"]["choices"]]
            answer = urls_in_order.index(lesson.platypus_url)
        else:
            answer = lesson.right_answers[exercise_id]
        body = {"exercise": exercise_id, "answer": answer, "client_id": str(uuid.uuid4())}
        assert api.post(f"{API}runs/{run['id']}/answers/", body, format="json").status_code == 200
        answered.add(exercise_id)
        run = api.get(f"{API}runs/{run['id']}/").json()
    assert answered == set(lesson.secrets)
    assert run["status"] == "passed"
    assert all(re.fullmatch(r"/media/a/[0-9a-f]{64}\.(wav|png)", url) for url in seen_urls), seen_urls


def test_stored_file_names_give_nothing_away(lesson, media_root):
    """Files are kept under their content hash: a public bucket or a directory listing says nothing either."""
    names = "\n".join(stored_files(media_root))
    assert_nothing_leaks(names, unanswered_secrets(lesson, set()), "the stored file names")
    assert all(re.fullmatch(r"assets/[0-9a-f]{2}/[0-9a-f]{64}\.(wav|png)", n) for n in stored_files(media_root))
