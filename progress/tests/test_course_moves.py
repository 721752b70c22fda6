"""A learner's progress survives authors' bulk moves (courses.bulk): it hangs on the lesson row, not
on its place or slug, so a passed lesson moved to another unit or section is still passed there."""

import pytest

from courses import bulk
from courses.tests.factories import (
    CourseFactory,
    ExerciseFactory,
    LessonExerciseFactory,
    LessonFactory,
    SectionFactory,
    UnitFactory,
)
from progress.models import LessonProgress
from progress.selectors import course_path
from progress.tests.factories import LessonProgressFactory

pytestmark = pytest.mark.django_db


def _lesson(unit, ordinal, slug):
    lesson = LessonFactory(unit=unit, ordinal=ordinal, slug=slug)
    LessonExerciseFactory(lesson=lesson, exercise=ExerciseFactory(course=unit.section.course), ordinal=1)
    return lesson


def states(user, course) -> dict[str, tuple[str, str]]:
    """lesson slug → (its unit's slug, its state) on the learner's path."""
    path = course_path(user=user, course=course)
    return {
        lesson.slug: (unit.slug, lesson.state)
        for section in path.sections
        for unit in section.units
        for lesson in unit.lessons
    }


def test_progress_on_moved_lessons_and_units_is_kept(user):
    course = CourseFactory(slug="mv")
    s1, s2 = (SectionFactory(course=course, ordinal=n, slug=f"mv-sec-0{n}") for n in (1, 2))
    u1 = UnitFactory(section=s1, ordinal=1, slug="mv-u-01-01")
    u2 = UnitFactory(section=s2, ordinal=1, slug="mv-u-02-01")
    first, second = _lesson(u1, 1, "mv-l-01-01-01"), _lesson(u1, 2, "mv-l-01-01-02")
    _lesson(u2, 1, "mv-l-02-01-01")
    LessonProgressFactory(user=user, lesson=first)
    LessonProgressFactory(user=user, lesson=second, passes=3, tier=LessonProgress.Tier.SILVER)
    assert states(user, course)["mv-l-01-01-02"] == ("mv-u-01-01", "passed")

    bulk.move_lessons(lessons=[second], unit=u2)
    after = states(user, course)
    assert after["mv-l-01-01-02"] == ("mv-u-02-01", "passed")
    assert LessonProgress.objects.get(user=user, lesson=second).tier == LessonProgress.Tier.SILVER

    bulk.move_units(units=[u1], section=s2)
    assert states(user, course)["mv-l-01-01-01"] == ("mv-u-01-01", "passed")
    assert LessonProgress.objects.filter(user=user).count() == 2


def test_a_listen_exercise_with_no_audio_is_never_served(user):
    """Published or not, a listen exercise without audio is left out of lesson runs and reviews
    (courses.publishing.servable_q): its audio is the question."""
    from datetime import UTC, datetime

    from courses.tests.factories import TokenFactory
    from media_assets.tests.factories import AssetFactory
    from progress.models import TokenMastery
    from progress.services.runs import lesson_exercise_ids, review_exercise_ids

    listen = {"text": "Buenos días", "solutions": ["Buenos días"]}
    course = CourseFactory(slug="sv")
    unit = UnitFactory(section=SectionFactory(course=course, ordinal=1, slug="sv-sec-01"), slug="sv-u-01-01")
    lesson = _lesson(unit, 1, "sv-l-01-01-01")
    silent = ExerciseFactory(course=course, slug="sv-silent", type="listen", payload=listen)
    voiced = ExerciseFactory(course=course, slug="sv-voiced", type="listen", payload=listen, audio=AssetFactory())
    LessonExerciseFactory(lesson=lesson, exercise=silent, ordinal=2)
    LessonExerciseFactory(lesson=lesson, exercise=voiced, ordinal=3)
    served = lesson_exercise_ids(lesson)
    assert silent.pk not in served and voiced.pk in served and len(served) == 2

    word = TokenFactory(language=course.to_language, text="días")
    silent.tokens.set([word])
    now = datetime(2026, 3, 2, 12, tzinfo=UTC)
    TokenMastery.objects.create(user=user, token=word, seen_count=1, stability=1.0, last_seen_at=now, due_at=now)
    assert review_exercise_ids(user=user, course=course, now=now) == []
    voiced.tokens.set([word])
    assert review_exercise_ids(user=user, course=course, now=now) == [voiced.pk]
