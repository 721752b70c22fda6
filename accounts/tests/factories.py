from datetime import UTC, datetime

import factory

from accounts.models import ActivityEvent, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"learner{n}@example.com")
    display_name = factory.Sequence(lambda n: f"Learner {n}")
    time_zone = "UTC"
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class ActivityEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivityEvent

    user = factory.SubFactory(UserFactory)
    kind = ActivityEvent.Kind.LOGIN
    payload = factory.LazyFunction(dict)
    ip = "192.0.2.10"
    user_agent = "Mozilla/5.0 (X11; Linux x86_64)"
    created_at = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
