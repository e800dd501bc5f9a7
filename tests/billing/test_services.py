"""Billing services.

The credit ledger: every movement is one row, balances never go negative, references are
idempotent. The daily free-plan refill: FREE users back up to the FREE quota once per 30 days,
never above it.
"""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from billing.models import CreditTransaction, PlanCode
from billing.services import (
    credits_adjust,
    credits_charge,
    credits_grant,
    credits_refund,
    credits_revoke,
    credits_set,
    credits_top_up,
    free_credits_refill,
    free_credits_refill_due,
)
from core.errors import AlreadyRefunded, ErrorCode, InsufficientCredits
from core.http_status import http_status_for
from tests.support.concurrency import run_concurrently
from tests.support.factories import JobFactory, UserFactory
from tests.support.metrics import METRICS_TOKEN, sample_value, scrape

Kind = CreditTransaction.Kind


def ledger_sum(user) -> int:
    return CreditTransaction.objects.filter(user=user).aggregate(s=Sum("amount"))["s"] or 0


def assert_balance_matches_ledger():
    """Each bucket equals the sum of its ledger rows (so the total does too), and so does the credit debt."""
    for u in User.objects.all():
        assert u.credits == ledger_sum(u), u.email
        purchased = CreditTransaction.objects.filter(user=u).aggregate(s=Sum("purchased_amount"))["s"] or 0
        assert u.purchased_credits == purchased, u.email
        debt = CreditTransaction.objects.filter(user=u).aggregate(s=Sum("debt_amount"))["s"] or 0
        assert u.credit_debt == debt, u.email


def test_new_user_gets_free_plan_credits_as_a_signup_grant(db):
    user = UserFactory()

    rows = list(CreditTransaction.objects.filter(user=user))

    assert user.credits == 10
    assert [(r.kind, r.amount, r.balance_after, r.reference) for r in rows] == [
        (Kind.SIGNUP_GRANT, 10, 10, f"signup:{user.pk}")
    ]


def test_charge_lowers_balance_and_records_balance_after(user):
    row = credits_charge(user=user, amount=3, reference="charge:a")

    user.refresh_from_db()
    assert (user.credits, row.amount, row.balance_after, row.kind) == (7, -3, 7, Kind.EFFECT_CHARGE)


def test_charge_more_than_balance_raises_and_writes_nothing(user):
    with pytest.raises(InsufficientCredits) as info:
        credits_charge(user=user, amount=11, reference="charge:too-much")

    user.refresh_from_db()
    assert info.value.code == ErrorCode.INSUFFICIENT_CREDITS
    assert http_status_for(info.value.code) == 402
    assert user.credits == 10
    assert not CreditTransaction.objects.filter(reference="charge:too-much").exists()


def test_repeated_reference_changes_nothing_and_returns_the_first_row(user):
    first = credits_charge(user=user, amount=2, reference="charge:job-1")

    again = credits_charge(user=user, amount=2, reference="charge:job-1")

    user.refresh_from_db()
    assert again.pk == first.pk
    assert user.credits == 8
    assert CreditTransaction.objects.filter(reference="charge:job-1").count() == 1


def test_refund_adds_back_once(user):
    credits_charge(user=user, amount=4, reference="charge:j")

    credits_refund(user=user, amount=4, reference="refund:j")
    credits_refund(user=user, amount=4, reference="refund:j")

    user.refresh_from_db()
    assert user.credits == 10
    assert_balance_matches_ledger()


def test_set_to_quota_resets_the_plan_credits_up_or_down_and_keeps_purchased_ones(user):
    credits_grant(user=user, amount=50, kind=Kind.PURCHASE, reference="pack:1")
    credits_grant(user=user, amount=30, kind=Kind.REFERRAL_BONUS, reference="referral:1")

    row = credits_set(user=user, quota=20, reference="refill:in_1")

    user.refresh_from_db()
    # plan credits 40 -> 20, purchased credits stay 50
    assert (user.credits, user.purchased_credits, row.amount, row.kind) == (70, 50, -20, Kind.PLAN_REFILL)
    assert_balance_matches_ledger()


def test_top_up_never_lowers_the_balance(user):
    credits_grant(user=user, amount=5, kind=Kind.PURCHASE, reference="pack:2")

    row = credits_top_up(user=user, quota=10, reference="free-refill:x")

    user.refresh_from_db()
    assert (user.credits, row.amount) == (15, 0)


def test_revoke_takes_back_at_most_the_purchased_balance(user):
    credits_grant(user=user, amount=5, kind=Kind.PURCHASE, reference="pack:small")
    credits_charge(user=user, amount=12, reference="charge:spent")  # 10 plan credits, then 2 purchased

    row = credits_revoke(user=user, amount=50, reference="chargeback:1")

    user.refresh_from_db()
    assert (user.credits, user.purchased_credits, row.amount) == (0, 0, -3)
    assert_balance_matches_ledger()


# --- Credit debt: a refunded pack whose credits were spent -------------------------------------


def spent_pack(user, *, spend: int = 60):
    """The user's 10 sign-up credits plus a 50-credit pack, ``spend`` of them charged (plan credits first)."""
    credits_grant(user=user, amount=50, kind=Kind.PURCHASE, reference="pack:cs_1")
    credits_charge(user=user, amount=spend, reference="charge:spent")


def balances(user) -> tuple[int, int, int]:
    """(credits, purchased credits, credit debt)."""
    user.refresh_from_db()
    return user.credits, user.purchased_credits, user.credit_debt


def test_revoking_a_spent_pack_takes_nothing_and_records_the_whole_pack_as_debt(user):
    spent_pack(user)

    row = credits_revoke(user=user, amount=50, reference="pack-refund:cs_1:500")

    assert (row.kind, row.amount, row.debt_amount, row.debt_after) == (Kind.PURCHASE_REVERSAL, 0, 50, 50)
    assert balances(user) == (0, 0, 50)
    assert_balance_matches_ledger()


def test_revoking_a_partly_spent_pack_takes_what_is_left_and_owes_the_rest(user):
    spent_pack(user, spend=45)  # 10 plan credits, then 35 purchased: 15 purchased left

    row = credits_revoke(user=user, amount=50, reference="pack-refund:cs_1:500")

    assert (row.amount, row.purchased_amount, row.debt_amount) == (-15, -15, 35)
    assert balances(user) == (0, 0, 35)
    assert_balance_matches_ledger()


def test_revoking_takes_plan_credits_on_hand_before_recording_a_debt(user):
    spent_pack(user)
    credits_set(user=user, quota=20, reference="refill:in_1")  # 20 plan credits after the spend

    row = credits_revoke(user=user, amount=50, reference="pack-refund:cs_1:500")

    assert (row.amount, row.purchased_amount, row.debt_amount) == (-20, 0, 30)
    assert balances(user) == (0, 0, 30)
    assert_balance_matches_ledger()


def test_a_job_refund_while_in_debt_is_applied_to_the_debt_in_its_own_ledger_row(user):
    spent_pack(user)
    credits_revoke(user=user, amount=50, reference="pack-refund:cs_1:500")

    refund = credits_refund(user=user, amount=3, reference="refund:j1")

    repayment = CreditTransaction.objects.get(kind=Kind.DEBT_REPAYMENT)
    assert (refund.kind, refund.amount, refund.balance_after) == (Kind.REFUND, 3, 3)
    assert (repayment.reference, repayment.amount, repayment.debt_amount) == ("repay:refund:j1", -3, -3)
    assert (repayment.balance_after, repayment.debt_after) == (0, 47)
    assert repayment.get_kind_display() == "Applied to a refunded pack's balance"
    assert balances(user) == (0, 0, 47)
    assert_balance_matches_ledger()


def test_credits_beyond_the_debt_stay_spendable(user):
    spent_pack(user, spend=58)  # 2 purchased credits left
    credits_revoke(user=user, amount=4, reference="pack-refund:cs_1:40")  # takes 2, owes 2

    credits_refund(user=user, amount=3, reference="refund:j1")

    repayment = CreditTransaction.objects.get(kind=Kind.DEBT_REPAYMENT)
    assert (repayment.amount, repayment.debt_after) == (-2, 0)
    assert balances(user) == (1, 0, 0)
    assert_balance_matches_ledger()


def test_a_replayed_refund_is_applied_to_the_debt_once(user):
    spent_pack(user)
    credits_revoke(user=user, amount=50, reference="pack-refund:cs_1:500")
    first = credits_refund(user=user, amount=3, reference="refund:j1")

    again = credits_refund(user=user, amount=3, reference="refund:j1")

    assert again.pk == first.pk
    assert CreditTransaction.objects.filter(kind=Kind.DEBT_REPAYMENT).count() == 1
    assert balances(user) == (0, 0, 47)


def test_a_new_pack_while_in_debt_pays_the_debt_from_its_purchased_credits(user):
    spent_pack(user)
    credits_revoke(user=user, amount=50, reference="pack-refund:cs_1:500")

    credits_grant(user=user, amount=200, kind=Kind.PURCHASE, reference="pack:cs_2")

    repayment = CreditTransaction.objects.get(reference="repay:pack:cs_2")
    assert (repayment.amount, repayment.purchased_amount) == (-50, -50)
    assert balances(user) == (150, 150, 0)
    assert_balance_matches_ledger()


def test_a_plan_refill_while_in_debt_pays_the_debt_first(user):
    spent_pack(user)
    credits_revoke(user=user, amount=50, reference="pack-refund:cs_1:500")

    credits_set(user=user, quota=100, reference="refill:in_2")

    assert CreditTransaction.objects.get(reference="repay:refill:in_2").amount == -50
    assert balances(user) == (50, 0, 0)
    assert_balance_matches_ledger()


def test_a_bonus_smaller_than_the_debt_is_all_applied_to_it(user):
    spent_pack(user)
    credits_revoke(user=user, amount=50, reference="pack-refund:cs_1:500")

    credits_grant(user=user, amount=5, kind=Kind.REFERRAL_BONUS, reference="referral:7:referee")

    assert balances(user) == (0, 0, 45)
    assert_balance_matches_ledger()


def test_a_long_reference_gets_a_repayment_reference_that_fits(user):
    spent_pack(user)
    credits_revoke(user=user, amount=50, reference="pack-refund:cs_1:500")
    reference = "goodwill:" + "x" * 191

    credits_grant(user=user, amount=1, kind=Kind.ADMIN_ADJUSTMENT, reference=reference)

    repayment = CreditTransaction.objects.get(kind=Kind.DEBT_REPAYMENT)
    assert repayment.reference.startswith("repay:sha256:") and len(repayment.reference) <= 200
    assert balances(user) == (0, 0, 49)


def test_database_refuses_credits_beside_a_debt(user):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=user.pk).update(credit_debt=1)


def test_database_refuses_a_negative_debt(user):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=user.pk).update(credits=0, purchased_credits=0, credit_debt=-1)


@pytest.mark.django_db(transaction=True)
def test_a_pack_refund_racing_job_refunds_ends_with_the_same_balance_and_no_debt_in_any_order():
    user = UserFactory()
    spent_pack(user)
    calls = [lambda: credits_revoke(user=user, amount=50, reference="pack-refund:cs_1:500")]
    calls += [lambda i=i: credits_refund(user=user, amount=3, reference=f"refund:j{i}") for i in range(20)]

    results = run_concurrently(len(calls), lambda i: calls[i]())

    assert all(isinstance(r, CreditTransaction) for r in results), results
    # 60 credits refunded: 50 pay for the refunded pack (taken back or applied to the debt), 10 stay.
    credits, _purchased, debt = balances(user)
    assert (credits, debt) == (10, 0)
    assert_balance_matches_ledger()


def test_admin_adjustment_needs_a_note(user, staff_user):
    with pytest.raises(ValueError):
        credits_adjust(user=user, amount=5, note="  ", actor=staff_user, reference="admin:x")

    row = credits_adjust(user=user, amount=-3, note="goodwill correction", actor=staff_user, reference="admin:y")

    assert (row.kind, row.created_by, row.balance_after) == (Kind.ADMIN_ADJUSTMENT, staff_user, 7)


def test_database_refuses_a_negative_balance(user):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=user.pk).update(credits=-1)


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_one_credit_charges_on_ten_credits_succeed_exactly_ten_times():
    user = UserFactory()

    results = run_concurrently(50, lambda i: credits_charge(user=user, amount=1, reference=f"charge:c{i}"))

    succeeded = [r for r in results if isinstance(r, CreditTransaction)]
    refused = [r for r in results if isinstance(r, InsufficientCredits)]
    user.refresh_from_db()
    assert (len(succeeded), len(refused), len(results)) == (10, 40, 50)
    assert user.credits == 0
    assert_balance_matches_ledger()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writes_with_one_reference_change_the_balance_once():
    user = UserFactory()

    results = run_concurrently(20, lambda i: credits_charge(user=user, amount=3, reference="charge:same"))

    user.refresh_from_db()
    assert all(isinstance(r, CreditTransaction) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert user.credits == 7
    assert_balance_matches_ledger()


def _charged_job(credits: int = 2):
    job = JobFactory(credits_charged=credits)
    credits_charge(user=job.user, amount=credits, reference=f"charge:{job.pk}", job=job)
    return job


def test_goodwill_refund_after_a_failure_refund_of_the_same_job_is_refused(db):
    job = _charged_job()
    credits_refund(user=job.user, amount=2, reference=f"refund:{job.pk}", job=job)

    with pytest.raises(AlreadyRefunded) as refused:
        credits_refund(user=job.user, amount=2, reference=f"goodwill:{job.pk}", job=job, kind=Kind.GOODWILL_REFUND)

    assert refused.value.reference == f"refund:{job.pk}"
    assert CreditTransaction.objects.filter(job=job, amount__gt=0).count() == 1
    assert_balance_matches_ledger()


def test_failure_refund_after_a_goodwill_refund_of_the_same_job_is_refused(db):
    job = _charged_job()
    credits_refund(user=job.user, amount=2, reference=f"goodwill:{job.pk}", job=job, kind=Kind.GOODWILL_REFUND)

    with pytest.raises(AlreadyRefunded):
        credits_refund(user=job.user, amount=2, reference=f"refund:{job.pk}", job=job)

    assert_balance_matches_ledger()


def test_database_refuses_a_second_refund_row_for_one_job(db):
    job = _charged_job()
    credits_refund(user=job.user, amount=2, reference=f"refund:{job.pk}", job=job)

    with pytest.raises(IntegrityError), transaction.atomic():
        CreditTransaction.objects.create(
            user=job.user,
            amount=2,
            kind=Kind.GOODWILL_REFUND,
            balance_after=12,
            job=job,
            reference=f"goodwill:{job.pk}",
        )


@pytest.mark.django_db(transaction=True)
def test_concurrent_failure_and_goodwill_refunds_of_one_job_refund_it_once():
    job = _charged_job()
    calls = [
        lambda: credits_refund(user=job.user, amount=2, reference=f"refund:{job.pk}", job=job),
        lambda: credits_refund(
            user=job.user, amount=2, reference=f"goodwill:{job.pk}", job=job, kind=Kind.GOODWILL_REFUND
        ),
    ]

    results = run_concurrently(2, lambda i: calls[i]())

    assert sorted(type(r).__name__ for r in results) == ["AlreadyRefunded", "CreditTransaction"]
    job.user.refresh_from_db()
    assert job.user.credits == 10
    assert_balance_matches_ledger()


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


# --- Credits moved, as metrics ---------------------------------------------------------------------


@pytest.fixture
def metrics_client(client, settings):
    settings.HEALTH_TOKEN = METRICS_TOKEN
    return client


def test_committed_grants_and_charges_are_counted_by_ledger_kind(
    db, metrics_client, django_capture_on_commit_callbacks
):
    user = UserFactory(credits=0)

    with django_capture_on_commit_callbacks(execute=True):
        credits_grant(user=user, amount=7, kind=Kind.REFERRAL_BONUS, reference="referral:metrics")
        credits_charge(user=user, amount=3, reference="charge:metrics")

    samples = scrape(metrics_client)
    assert sample_value(samples, "photomania_credits_granted_total", kind="REFERRAL_BONUS") == 7
    assert sample_value(samples, "photomania_credits_spent_total", kind="EFFECT_CHARGE") == 3


def test_a_replayed_reference_is_counted_once(db, metrics_client, django_capture_on_commit_callbacks):
    user = UserFactory(credits=0)

    with django_capture_on_commit_callbacks(execute=True):
        credits_grant(user=user, amount=5, kind=Kind.REFERRAL_BONUS, reference="referral:replayed")
        credits_grant(user=user, amount=5, kind=Kind.REFERRAL_BONUS, reference="referral:replayed")

    assert sample_value(scrape(metrics_client), "photomania_credits_granted_total", kind="REFERRAL_BONUS") == 5


def test_a_rolled_back_movement_is_not_counted(db, metrics_client, django_capture_on_commit_callbacks):
    user = UserFactory(credits=0)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        credits_grant(user=user, amount=4, kind=Kind.REFERRAL_BONUS, reference="referral:rolled-back")
        raise RuntimeError("the caller's transaction fails after the grant")

    assert sample_value(scrape(metrics_client), "photomania_credits_granted_total", kind="REFERRAL_BONUS") == 0
