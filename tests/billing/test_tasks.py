"""Billing tasks: the free-plan refill is on the beat and runs on a real worker."""

from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.db import connections
from django.utils import timezone

from accounts.models import User
from billing.models import CreditTransaction
from billing.services import credits_charge
from billing.tasks import free_credits_refill as free_credits_refill_task
from celery_app import app as celery_app
from tests.support.concurrency import wait_for
from tests.support.factories import UserFactory


def age(user, days: int):
    """Pretend the user signed up and was last refilled ``days`` ago."""
    then = timezone.now() - timedelta(days=days)
    User.objects.filter(pk=user.pk).update(created_at=then, credits_refilled_at=then)
    user.refresh_from_db()
    return user


def test_the_refill_is_scheduled_daily_on_the_beat():
    entry = django_settings.CELERY_BEAT_SCHEDULE["billing-free-refill"]

    assert entry["task"] == free_credits_refill_task.name
    assert entry["schedule"] == timedelta(days=1)


@pytest.mark.django_db(transaction=True)
def test_the_beat_task_refills_through_a_real_worker():
    user = age(UserFactory(), 30)
    credits_charge(user=user, amount=9, reference="charge:spent")

    with start_worker(celery_app, pool="solo", perform_ping_check=False, queues=["default"]):
        free_credits_refill_task.delay()
        wait_for(
            lambda: CreditTransaction.objects.filter(reference=f"free-refill:{user.pk}:1").exists(),
            message="the refill's ledger row",
        )
    connections.close_all()

    user.refresh_from_db()
    assert user.credits == 10
