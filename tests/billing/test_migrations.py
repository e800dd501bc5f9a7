"""The ledger's data migrations, run on rows shaped as they were before them."""

from importlib import import_module

import pytest
from django.apps import apps as installed_apps

from accounts.models import User
from billing.models import CreditTransaction
from billing.services import credits_set
from tests.support.factories import EffectFactory, JobFactory, UserFactory

split_legacy_balances = import_module("billing.migrations.0006_purchased_credits_from_history").split_legacy_balances


class Ledger:
    """Writes rows the way the ledger did before credits had buckets: totals only."""

    def __init__(self, user):
        self.user = user
        self.balance = 0

    def write(self, kind, amount, job=None):
        self.balance += amount
        User.objects.filter(pk=self.user.pk).update(credits=self.balance, purchased_credits=0)
        return CreditTransaction.objects.create(
            user=self.user,
            kind=kind,
            amount=amount,
            balance_after=self.balance,
            reference=f"legacy:{self.user.pk}:{CreditTransaction.objects.count()}",
            job=job,
        )


@pytest.fixture
def legacy(db):
    effect = EffectFactory(credits=5)

    def make_user(email):
        user = UserFactory(email=email)
        CreditTransaction.objects.filter(user=user).delete()
        return user

    def make_job(user):
        return JobFactory(user=user, effect=effect, credits_charged=effect.credits)

    return make_user, make_job


def migrate():
    split_legacy_balances(installed_apps, None)


def buckets(user_id):
    user = User.objects.get(pk=user_id)
    rows = list(CreditTransaction.objects.filter(user_id=user_id).order_by("created_at", "id"))
    return user, rows


def test_pack_credits_bought_before_buckets_become_purchased_credits_after_plan_spending(legacy):
    make_user, make_job = legacy
    user = make_user("buyer@example.com")
    ledger = Ledger(user)
    ledger.write("SIGNUP_GRANT", 10)
    ledger.write("PURCHASE", 50)
    ledger.write("EFFECT_CHARGE", -5, job=make_job(user))  # plan credits first: plan 5, purchased 50
    ledger.write("EFFECT_CHARGE", -5, job=make_job(user))  # plan 0, purchased 50
    big_job = make_job(user)
    ledger.write("EFFECT_CHARGE", -20, job=big_job)  # purchased 30
    ledger.write("REFUND", 20, job=big_job)  # back to purchased: 50

    migrate()

    migrated, rows = buckets(user.pk)
    assert migrated.credits == 50
    assert migrated.purchased_credits == 50
    assert [row.purchased_amount for row in rows] == [0, 50, 0, 0, -20, 20]
    assert [row.purchased_balance_after for row in rows] == [0, 50, 50, 50, 30, 50]
    assert sum(row.purchased_amount for row in rows) == migrated.purchased_credits


def test_a_refunded_pack_takes_back_purchased_credits_only(legacy):
    make_user, _ = legacy
    user = make_user("refunded@example.com")
    ledger = Ledger(user)
    ledger.write("SIGNUP_GRANT", 10)
    ledger.write("PURCHASE", 30)
    ledger.write("PURCHASE_REVERSAL", -30)

    migrate()

    migrated, rows = buckets(user.pk)
    assert (migrated.credits, migrated.purchased_credits) == (10, 0)
    assert [row.purchased_amount for row in rows] == [0, 30, -30]


def test_users_who_never_bought_a_pack_are_left_untouched(legacy):
    make_user, make_job = legacy
    user = make_user("plan-only@example.com")
    ledger = Ledger(user)
    ledger.write("SIGNUP_GRANT", 10)
    ledger.write("EFFECT_CHARGE", -5, job=make_job(user))

    migrate()

    migrated, rows = buckets(user.pk)
    assert (migrated.credits, migrated.purchased_credits) == (5, 0)
    assert [row.purchased_amount for row in rows] == [0, 0]


def test_the_plan_renewal_after_the_migration_keeps_legacy_pack_credits(legacy):
    make_user, _ = legacy
    user = make_user("renewing@example.com")
    ledger = Ledger(user)
    ledger.write("SIGNUP_GRANT", 10)
    ledger.write("PURCHASE", 40)
    migrate()
    credits_set(user=User.objects.get(pk=user.pk), quota=100, reference="refill:legacy-renewal")

    renewed = User.objects.get(pk=user.pk)
    assert (renewed.credits, renewed.purchased_credits) == (140, 40)
