"""factory_boy factories and catalog fixtures; users are created through the service so the ledger is right.

The fixtures here are registered from tests/conftest.py through ``pytest_plugins``.
"""

import factory
import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value

from accounts.models import User
from accounts.services import user_create
from billing.models import CreditPack
from billing.services import plans_ensure_defaults
from billing.stripe_services import stripe_catalog_sync
from effects.catalog import category_get_or_create
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


def totp_activate(*, user) -> str:
    """Give ``user`` an authenticator app (TOTP); returns its secret so a test can compute codes."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def staff_force_login(client, user) -> None:
    """Like ``client.force_login``, for a session that signed in with the password and a TOTP code.

    The session gets the records allauth writes when the code is entered at sign-in (the admin
    opens only for a session that passed a second factor). ``user`` needs an authenticator app
    (``totp_activate``). Tests of the sign-in itself go through the real forms instead.
    """
    import time

    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
    from allauth.account.internal.flows.login import _AUTHENTICATION_METHODS_USER_SESSION_KEY
    from allauth.mfa.models import Authenticator

    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    client.force_login(user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time(), "email": user.email},
        {"method": "mfa", "at": time.time(), "id": authenticator.pk, "type": authenticator.type},
    ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()


def totp_code(secret: str, *, at: float | None = None, valid_for: float = 5.0) -> str:
    """The code an authenticator app shows for ``secret`` now (or at unix time ``at``).

    Now, a code that would expire within ``valid_for`` seconds is not returned: this waits for the
    next period, so a code typed into a browser is still current when the server checks it.
    """
    import time

    from allauth.mfa import app_settings

    period = app_settings.TOTP_PERIOD
    if at is None:
        left = period - time.time() % period
        if left < valid_for:
            time.sleep(left + 0.05)
        at = time.time()
    return format_hotp_value(hotp_value(secret, int(at) // period))


class EffectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Effect

    name = factory.Sequence(lambda n: f"Effect {n}")
    slug = factory.Sequence(lambda n: f"effect-{n}")
    description = "A test effect"
    credits = 1
    category = "Classic"  # a name: the category row is found or created (see _adjust_kwargs)
    model_id = "local:grayscale"
    config = factory.LazyFunction(dict)
    is_active = True
    position = factory.Sequence(lambda n: n)

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        if isinstance(kwargs.get("category"), str):
            kwargs["category"] = category_get_or_create(name=kwargs["category"])
        return kwargs


class JobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Job

    user = factory.SubFactory(UserFactory)
    effect = factory.SubFactory(EffectFactory)
    credits_charged = 1


DEFAULT_PACKS = (("pack-50", "50 credits", 50, 500), ("pack-200", "200 credits", 200, 1500))


@pytest.fixture
def billing_catalog(db):
    """The plans and packs the migration creates (a transactional test's flush removes the migration's rows)."""
    plans_ensure_defaults()
    for code, name, credits, price_cents in DEFAULT_PACKS:
        CreditPack.objects.get_or_create(
            code=code, defaults={"name": name, "credits": credits, "price_cents": price_cents}
        )


@pytest.fixture
def catalog(billing_catalog, fake_stripe):
    """Plans and packs on sale: the fake Stripe's prices synced and linked by the catalog sync."""
    stripe_catalog_sync()
    with fake_stripe.lock:
        fake_stripe.requests.clear()  # tests count only the Stripe calls they cause
