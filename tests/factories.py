"""factory_boy factories; users are created through the service so the ledger is right."""

import factory

from accounts.models import User
from accounts.services import user_create
from effects.models import Effect, Job


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
    password = "correct-horse-battery-staple"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return user_create(**kwargs)


class EffectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Effect

    name = factory.Sequence(lambda n: f"Effect {n}")
    slug = factory.Sequence(lambda n: f"effect-{n}")
    description = "A test effect"
    credits = 1
    category = "Classic"
    model_id = "local:grayscale"
    config = factory.LazyFunction(dict)
    is_active = True
    position = factory.Sequence(lambda n: n)


class JobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Job

    user = factory.SubFactory(UserFactory)
    effect = factory.SubFactory(EffectFactory)
    credits_charged = 1
