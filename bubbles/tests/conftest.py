import pytest
from django.utils import timezone

from bubbles import services, tasks
from courses.tests.factories import CourseFactory, lesson_with_exercises
from progress.services import enroll


@pytest.fixture(autouse=True)
def _no_audio(settings):
    """Text-to-speech is slow: only the tests that check audio turn it on."""
    settings.MALLARD_BUBBLES_AUDIO = False
    settings.MALLARD_BUBBLES_MODERATION = ""
    settings.MALLARD_BUBBLES_PER_DAY = 5


@pytest.fixture
def course(db):
    course = CourseFactory(slug="es")
    lesson_with_exercises(count=1, lesson=None, unit__section__course=course)
    return course


@pytest.fixture
def enrolled(learner, course):
    enroll(user=learner, course=course, now=timezone.now())
    return learner


@pytest.fixture
def make_bubble(course):
    """make_bubble(user, topic=...) → a PENDING bubble, then generated (eagerly) by the task."""

    def make(user, topic="ordering coffee in Madrid", level="A1", generate=True):
        bubble = services.request_bubble(user=user, course=course, topic=topic, level=level, now=timezone.now())
        if generate:
            tasks.enqueue(bubble.pk)
            bubble.refresh_from_db()
        return bubble

    return make
