"""Picture exercises whose choices are uploaded images: the player and the API give their URLs."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from courses.tests.factories import ExerciseFactory, LessonExerciseFactory, LessonFactory
from media_assets.models import Asset
from media_assets.services import add_variant
from progress.models import LessonRun

pytestmark = pytest.mark.django_db


def image_asset(colour) -> tuple[Asset, str]:
    data = io.BytesIO()
    Image.new("RGB", (16, 16), colour).save(data, "PNG")
    asset = Asset.objects.create(kind=Asset.Kind.IMAGE, text=f"colour {colour}")
    variant = add_variant(asset=asset, uploaded_file=SimpleUploadedFile("c.png", data.getvalue()), quality="medium")
    return asset, variant.get_absolute_url()


@pytest.fixture
def picture_run(client, user):
    (cat, cat_url), (dog, dog_url) = image_asset((250, 0, 0)), image_asset((0, 0, 250))
    lesson = LessonFactory()
    payload = {
        "question": "Which one is 'el gato'?",
        "choices": [{"label": "el perro", "image": dog.pk}, {"label": "el gato", "image": cat.pk}],
        "answer": 1,
        "hide_labels": True,
    }
    exercise = ExerciseFactory(course=lesson.unit.section.course, type="picture", payload=payload)
    LessonExerciseFactory(lesson=lesson, exercise=exercise, ordinal=1)
    client.force_login(user)
    client.post(reverse("start_lesson", args=[lesson.slug]))
    return LessonRun.objects.get(lesson=lesson), [dog_url, cat_url]


def test_player_shows_the_uploaded_images(client, picture_run):
    run, urls = picture_run
    html = client.get(reverse("run", args=[run.pk])).content.decode()
    for url in urls:
        assert f'src="{url}"' in html
    assert "Picture 1" in html  # the alt text: labels are hidden, so nothing names the answer


def test_api_run_gives_the_image_urls(client, picture_run):
    run, urls = picture_run
    body = client.get(f"/api/v1/runs/{run.pk}/").json()
    choices = body["current_exercise"]["public"]["choices"] if "current_exercise" in body else None
    assert choices is not None, body
    assert sorted(c["url"] for c in choices) == sorted(urls)  # in the run's shuffled order
    assert all("label" not in c for c in choices)
