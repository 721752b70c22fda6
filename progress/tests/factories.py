"""Factories for progress rows. Each writes only its own row (and its parents): the services keep
the rows consistent with each other in real use, so a test that needs that goes through them."""

from datetime import UTC, datetime

import factory

from accounts.tests.factories import UserFactory
from courses.tests.factories import CourseFactory, ExerciseFactory, LessonFactory, TokenFactory
from progress.models import Enrollment, ExerciseAttempt, LessonProgress, LessonRun, TokenMastery

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    user = factory.SubFactory(UserFactory)
    course = factory.SubFactory(CourseFactory)
    is_current = True
    enrolled_at = T0


class LessonRunFactory(factory.django.DjangoModelFactory):
    """An active run of a lesson; its exercises are the lesson's, in order (none for a bare lesson)."""

    class Meta:
        model = LessonRun

    user = factory.SubFactory(UserFactory)
    lesson = factory.SubFactory(LessonFactory)
    course = factory.LazyAttribute(lambda o: o.lesson.unit.section.course)
    kind = LessonRun.Kind.LESSON
    status = LessonRun.Status.ACTIVE
    exercise_ids = factory.LazyAttribute(
        lambda o: list(o.lesson.lesson_exercises.order_by("ordinal").values_list("exercise_id", flat=True))
    )
    queue = factory.LazyAttribute(lambda o: list(o.exercise_ids))
    started_at = T0

    class Params:
        passed = factory.Trait(status=LessonRun.Status.PASSED, queue=[], finished_at=T0, tier_before=0, tier_after=1)
        review = factory.Trait(
            kind=LessonRun.Kind.REVIEW,
            lesson=None,
            course=factory.SubFactory(CourseFactory),
            exercise_ids=[],
            queue=[],
        )


class ExerciseAttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExerciseAttempt

    run = factory.SubFactory(LessonRunFactory)
    user = factory.SelfAttribute("run.user")
    exercise = factory.SubFactory(ExerciseFactory, course=factory.SelfAttribute("..run.course"))
    answer = factory.LazyFunction(lambda: {"text": "Hello"})
    correct = True
    xp_awarded = 10
    time_spent_ms = 4000
    created_at = T0


class LessonProgressFactory(factory.django.DjangoModelFactory):
    """A lesson passed once (bronze); override ``tier`` and the counts together."""

    class Meta:
        model = LessonProgress

    user = factory.SubFactory(UserFactory)
    lesson = factory.SubFactory(LessonFactory)
    runs_started = 1
    passes = 1
    tier = LessonProgress.Tier.BRONZE
    xp_earned = 30
    first_passed_at = T0
    last_passed_at = T0
    tier_anchor_at = T0


class TokenMasteryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TokenMastery

    user = factory.SubFactory(UserFactory)
    token = factory.SubFactory(TokenFactory)
    seen_count = 1
    correct_count = 1
    correct_streak = 1
    interval_days = 1
    repetitions = 1
    due_at = T0
    last_seen_at = T0
