"""Factories for tutor rows. Each writes only its own row and its parents; a test of a rule goes
through ``tutor.services``."""

import factory

from accounts.tests.factories import UserFactory
from courses.tests.factories import LessonFactory
from progress.tests.factories import T0
from tutor.models import TutorMessage, TutorSession


class TutorSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TutorSession

    user = factory.SubFactory(UserFactory)
    lesson = factory.SubFactory(LessonFactory)
    created_at = T0
    updated_at = T0


class TutorMessageFactory(factory.django.DjangoModelFactory):
    """A learner's message; ``reply=True`` makes a complete tutor reply with token counts."""

    class Meta:
        model = TutorMessage

    session = factory.SubFactory(TutorSessionFactory)
    user = factory.SelfAttribute("session.user")
    ordinal = factory.Sequence(lambda n: n + 1)
    sender = TutorMessage.Sender.LEARNER
    status = TutorMessage.Status.COMPLETE
    content = "¿Por qué «soy» y no «estoy»?"
    created_at = T0
    completed_at = T0

    class Params:
        reply = factory.Trait(
            sender=TutorMessage.Sender.TUTOR,
            content="«Ser» describes what something is.",
            model="fake-model",
            prompt_tokens=120,
            completion_tokens=30,
        )
