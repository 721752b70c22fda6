"""The path page's HTML stays small: a collapsed word list carries no audio player per word, only a small
button each that plays through one shared <audio> (static/js/word-audio.js). docs/performance.md has the
figures; ``pytest -s`` prints them."""

import pytest
from django.urls import reverse

from courses.tests.factories import (
    CourseFactory,
    ExerciseFactory,
    LessonExerciseFactory,
    LessonFactory,
    SectionFactory,
    TokenFactory,
    UnitFactory,
)
from media_assets.models import AssetVariant
from media_assets.tests.factories import AssetFactory, AssetVariantFactory
from progress.services import enroll

pytestmark = pytest.mark.django_db

UNITS, WORDS = 3, 20  # 60 words, each with an MP3 and an Ogg variant


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def course_with_spoken_words():
    course = CourseFactory(slug="es")
    section = SectionFactory(course=course, ordinal=1)
    for u in range(1, UNITS + 1):
        lesson = LessonFactory(unit=UnitFactory(section=section, ordinal=u), ordinal=1)
        exercise = ExerciseFactory(course=course)
        LessonExerciseFactory(lesson=lesson, exercise=exercise, ordinal=1)
        for w in range(WORDS):
            asset = AssetFactory(text=f"palabra{u}-{w}")
            AssetVariantFactory(asset=asset, format=AssetVariant.Format.MP3)
            AssetVariantFactory(asset=asset, format=AssetVariant.Format.OGG)
            token = TokenFactory(language=course.to_language, text=f"palabra{u}-{w}", translation="word", audio=asset)
            exercise.tokens.add(token)
    return course


def test_collapsed_word_lists_carry_no_audio_player_per_word(client, learner, media_root):
    from django.utils import timezone

    course = course_with_spoken_words()
    enroll(user=learner, course=course, now=timezone.now())
    html = client.get(reverse("course_path", args=[course.slug])).content.decode()
    words = UNITS * WORDS
    print(f"path page with {words} spoken words: {len(html.encode())} bytes")
    assert html.count('class="word"') == words
    assert "<audio" not in html.split('<details class="word-list"')[1]  # no player per word …
    assert html.count("data-word-audio=") == words  # … one small button per word
    assert html.count("data-word-player") == 1  # and one shared player
    first_list = html.split('<details class="word-list"')[1].split("</details>")[0]
    assert len(first_list.encode()) / WORDS < 550  # bytes per spoken word: ~500 (with a player each: ~865)
