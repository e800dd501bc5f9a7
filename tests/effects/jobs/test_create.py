"""Creating a job: an effect that cannot run is refused before anything is charged."""

import pytest

from core.errors import ApplicationError
from effects.ingestion import image_validate_bytes
from effects.jobs.create import job_create
from effects.models import Job
from tests.support.factories import EffectFactory
from tests.support.images import image_bytes

pytestmark = pytest.mark.django_db


def test_a_provider_effect_is_refused_before_any_charge_without_a_token(settings, user):
    settings.REPLICATE_API_TOKEN = ""
    effect = EffectFactory(model_id="replicate:acme/restore")

    with pytest.raises(ApplicationError) as exc:
        job_create(user=user, effect=effect, source=image_validate_bytes(image_bytes()))

    assert exc.value.code == "SERVICE_UNAVAILABLE"
    assert not Job.objects.filter(user=user).exists()
