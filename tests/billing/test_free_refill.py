"""The daily free-plan refill: FREE users back up to the FREE quota once per 30 days, never above it."""

import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.db import connections
from django.utils import timezone

from accounts.models import User
from billing.models import CreditTransaction, PlanCode
from billing.services import credits_charge, credits_grant, free_credits_refill, free_credits_refill_due
from billing.tasks import free_credits_refill as free_credits_refill_task
from celery_app import app as celery_app
from tests.factories import UserFactory

Kind = CreditTransaction.Kind


def age(user, days: int):
    """Pretend the user signed up and was last refilled ``days`` ago."""
    then = timezone.now() - timedelta(days=days)
    User.objects.filter(pk=user.pk).update(created_at=then, credits_refilled_at=then)
    user.refresh_from_db()
    return user


def credits_of(user) -> int:
    user.refresh_from_db()
    return user.credits


@pytest.mark.django_db
def test_a_free_user_refilled_30_days_ago_is_topped_up_to_the_free_quota(user):
    credits_charge(user=user, amount=8, reference="charge:spent")
    age(user, 30)

    refilled = free_credits_refill_due()

    row = CreditTransaction.objects.get(reference=f"free-refill:{user.pk}:1")
    assert refilled == 1
    assert credits_of(user) == 10
    assert (row.kind, row.amount) == (Kind.PLAN_REFILL, 8)


@pytest.mark.django_db
def test_a_free_user_refilled_recently_is_left_alone(user):
    credits_charge(user=user, amount=8, reference="charge:spent")
    age(user, 29)

    refilled = free_credits_refill_due()

    assert refilled == 0
    assert credits_of(user) == 2


@pytest.mark.django_db
def test_a_balance_above_the_free_quota_is_never_lowered(user):
    credits_grant(user=user, amount=40, kind=Kind.PURCHASE, reference="pack:cs_1")
    age(user, 45)

    free_credits_refill_due()

    assert credits_of(user) == 50


@pytest.mark.django_db
def test_paid_plan_users_are_not_refilled_by_the_free_task(user):
    credits_charge(user=user, amount=8, reference="charge:spent")
    age(user, 60)
    User.objects.filter(pk=user.pk).update(plan=PlanCode.PRO)

    free_credits_refill_due()

    assert credits_of(user) == 2


@pytest.mark.django_db
def test_running_twice_in_one_day_refills_once(user):
    credits_charge(user=user, amount=8, reference="charge:spent")
    age(user, 31)
    free_credits_refill_due()
    credits_charge(user=user, amount=5, reference="charge:after-refill")

    free_credits_refill_due()

    assert credits_of(user) == 5
    assert CreditTransaction.objects.filter(user=user, kind=Kind.PLAN_REFILL).count() == 1


@pytest.mark.django_db
def test_a_replayed_period_with_a_stale_timestamp_does_not_refill_again(user):
    credits_charge(user=user, amount=8, reference="charge:spent")
    age(user, 31)
    now = timezone.now()
    free_credits_refill(user=user, now=now)
    # Someone resets the timestamp (e.g. a restored backup) within the same period.
    User.objects.filter(pk=user.pk).update(credits_refilled_at=now - timedelta(days=40))
    credits_charge(user=user, amount=5, reference="charge:after-refill")

    free_credits_refill(user=user, now=now)

    assert credits_of(user) == 5


@pytest.mark.django_db
def test_the_next_period_refills_again(user):
    credits_charge(user=user, amount=8, reference="charge:spent")
    age(user, 31)
    free_credits_refill_due()
    credits_charge(user=user, amount=10, reference="charge:all")

    free_credits_refill_due(now=timezone.now() + timedelta(days=30))

    assert credits_of(user) == 10
    assert CreditTransaction.objects.filter(user=user, kind=Kind.PLAN_REFILL).count() == 2


def test_the_refill_is_scheduled_daily_on_the_beat():
    entry = django_settings.CELERY_BEAT_SCHEDULE["billing-free-refill"]

    assert entry["task"] == free_credits_refill_task.name
    assert entry["schedule"] == timedelta(days=1)


def _wait_for(predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the worker")
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_the_beat_task_refills_through_a_real_worker():
    user = age(UserFactory(), 30)
    credits_charge(user=user, amount=9, reference="charge:spent")

    with start_worker(celery_app, pool="solo", perform_ping_check=False, queues=["default"]):
        free_credits_refill_task.delay()
        _wait_for(lambda: CreditTransaction.objects.filter(reference=f"free-refill:{user.pk}:1").exists())
    connections.close_all()

    assert credits_of(user) == 10
