"""The credit ledger: the only code that changes a user's balance.

Every movement locks the user row, writes one append-only CreditTransaction with a unique
``reference`` and updates ``User.credits`` in the same transaction. A repeated reference
changes nothing and returns the first row, so callers can retry freely.

Credit debt: a refunded pack whose credits were already spent takes back what the balance holds
and records the rest in ``User.credit_debt`` (the row's ``debt_amount``). Any credits the user
gets while they owe some (a job refund, a refill, a bonus, a purchase) are first applied to the
debt by a second row, DEBT_REPAYMENT with the reference ``repay:<reference>``, in the same
transaction; only the remainder stays spendable.
"""

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from billing.models import JOB_REFUND_KINDS, CreditTransaction, Plan, PlanCode
from core.errors import AlreadyRefunded, InsufficientCredits
from core.metrics import CREDITS_GRANTED, CREDITS_SPENT

Kind = CreditTransaction.Kind

DEFAULT_PLANS = (
    # code, name, monthly credits, display price (cents), position
    (PlanCode.FREE, "Free", 10, 0, 0),
    (PlanCode.STARTER, "Starter", 100, 900, 1),
    (PlanCode.PRO, "Pro", 500, 2900, 2),
    (PlanCode.ENTERPRISE, "Enterprise", 2500, 9900, 3),
)


def plans_ensure_defaults() -> None:
    """Create the four plans with default quotas where missing (never overwrites staff edits)."""
    for code, name, credits, price_cents, position in DEFAULT_PLANS:
        Plan.objects.get_or_create(
            code=code,
            defaults={"name": name, "monthly_credits": credits, "price_cents": price_cents, "position": position},
        )


def plan_monthly_credits(*, code: str) -> int:
    """The plan's monthly quota, as staff set it in admin."""
    plan = Plan.objects.filter(code=code).only("monthly_credits").first()
    if plan is None:
        plans_ensure_defaults()
        plan = Plan.objects.get(code=code)
    return plan.monthly_credits


# ``delta(plan_balance, purchased_balance)`` returns ``(plan_change, purchased_change)``, or with a
# third item, the change of the credit debt (only a pack refund raises it).
Delta = Callable[[int, int], tuple[int, int] | tuple[int, int, int]]


def _ledger_write(
    *,
    user_id: int,
    reference: str,
    kind: str,
    delta: Delta,
    job=None,
    note: str = "",
    created_by=None,
    reference_is_new: bool = False,
) -> CreditTransaction:
    """Lock the user, compute the change from the current balances, apply and record it.

    The row stores the total and the purchased share (and any debt change), so each bucket is
    the sum of its rows. A row that adds credits while the user owes some is followed by its
    DEBT_REPAYMENT row (``repay:<reference>``); the row returned is the movement asked for.

    ``reference_is_new`` is for a caller whose reference names a row it created in the same
    transaction (so no ledger row can carry it yet) and whose transaction ends on any error
    raised here: the replay lookup and the savepoint are skipped (three statements); the unique
    reference still refuses a duplicate, as an IntegrityError.
    """
    User = get_user_model()
    try:
        with transaction.atomic(savepoint=not reference_is_new):
            user = (
                User.objects.select_for_update()
                .only("id", "credits", "purchased_credits", "credit_debt")
                .get(pk=user_id)
            )
            # Checked under the lock: a concurrent writer with the same reference has
            # committed by the time we hold the row, so a replay returns the first row.
            existing = None if reference_is_new else CreditTransaction.objects.filter(reference=reference).first()
            if existing is not None:
                return existing
            if job is not None and kind in JOB_REFUND_KINDS:
                # Whatever the reference, a job's charge comes back once (the user lock orders the
                # check against any other refund of the job; a partial unique index backs it).
                earlier = CreditTransaction.objects.filter(job=job, kind__in=JOB_REFUND_KINDS).first()
                if earlier is not None:
                    raise AlreadyRefunded(reference=earlier.reference)
            plan_balance = user.credits - user.purchased_credits
            plan_change, purchased_change, *debt_part = delta(plan_balance, user.purchased_credits)
            debt_change = debt_part[0] if debt_part else 0
            amount = plan_change + purchased_change
            balance = user.credits + amount
            purchased = user.purchased_credits + purchased_change
            debt = user.credit_debt + debt_change
            if balance < 0 or purchased < 0 or plan_balance + plan_change < 0:
                raise InsufficientCredits(needed=-amount, available=user.credits)
            if debt < 0:
                raise ValueError("a movement cannot pay off more debt than is owed")
            # Credits added while a debt is owed pay it off first (the purchased share, then the plan share).
            repaid = min(amount, debt) if amount > 0 else 0
            repaid_purchased = min(repaid, max(purchased_change, 0))
            if amount or purchased_change or debt_change:
                # One update with the final values: the user row never holds credits beside a debt.
                User.objects.filter(pk=user_id).update(
                    credits=balance - repaid, purchased_credits=purchased - repaid_purchased, credit_debt=debt - repaid
                )
            row = CreditTransaction.objects.create(
                user_id=user_id,
                amount=amount,
                purchased_amount=purchased_change,
                kind=kind,
                balance_after=balance,
                purchased_balance_after=purchased,
                debt_amount=debt_change,
                debt_after=debt,
                job=job,
                reference=reference,
                note=note[:500],
                created_by=created_by,
            )
            # Counted once the row commits: a rolled-back movement or a replay counts nothing.
            transaction.on_commit(lambda: _credits_moved_record(kind=kind, amount=amount))
            if repaid:
                _debt_repayment_record(source=row, repaid=repaid, repaid_purchased=repaid_purchased)
            return row
    except IntegrityError:
        if reference_is_new:
            raise  # no savepoint to return to: the caller's transaction is spoiled
        # The same reference was written for another user row concurrently; it is unique, so
        # the first writer wins and this call is a replay.
        existing = CreditTransaction.objects.filter(reference=reference).first()
        if existing is None:
            raise
        return existing


def _repayment_reference(reference: str) -> str:
    """``repay:<reference>`` (a digest of the reference when that would not fit the column)."""
    repayment = f"repay:{reference}"
    if len(repayment) <= CreditTransaction._meta.get_field("reference").max_length:
        return repayment
    return f"repay:sha256:{hashlib.sha256(reference.encode()).hexdigest()}"


def _debt_repayment_record(*, source: CreditTransaction, repaid: int, repaid_purchased: int) -> CreditTransaction:
    """The DEBT_REPAYMENT row that applies ``repaid`` of the credits ``source`` added to the user's debt."""
    balance = source.balance_after - repaid
    debt = source.debt_after - repaid
    row = CreditTransaction.objects.create(
        user_id=source.user_id,
        amount=-repaid,
        purchased_amount=-repaid_purchased,
        kind=Kind.DEBT_REPAYMENT,
        balance_after=balance,
        purchased_balance_after=source.purchased_balance_after - repaid_purchased,
        debt_amount=-repaid,
        debt_after=debt,
        job=source.job,
        reference=_repayment_reference(source.reference),
        note=f"{repaid} of {source.amount} credits ({source.get_kind_display().lower()}) applied; {debt} still owed",
        created_by=source.created_by,
    )
    transaction.on_commit(lambda: _credits_moved_record(kind=Kind.DEBT_REPAYMENT, amount=-repaid))
    return row


def _credits_moved_record(*, kind: str, amount: int) -> None:
    if amount > 0:
        CREDITS_GRANTED.inc(amount, kind=kind)
    elif amount < 0:
        CREDITS_SPENT.inc(-amount, kind=kind)


def _positive(amount: int) -> int:
    if amount <= 0:
        raise ValueError("amount must be positive")
    return amount


def _spend(amount: int) -> Callable[[int, int], tuple[int, int]]:
    """Spend plan credits first, then purchased ones (InsufficientCredits when both are short)."""

    def delta(plan_balance: int, purchased_balance: int) -> tuple[int, int]:
        from_plan = min(amount, max(plan_balance, 0))
        return -from_plan, -(amount - from_plan)

    return delta


def credits_grant(
    *,
    user,
    amount: int,
    kind: str,
    reference: str,
    job=None,
    note: str = "",
    created_by=None,
    purchased: bool | None = None,
) -> CreditTransaction:
    """Add ``amount`` credits; pack purchases go to purchased credits, everything else to plan credits."""
    _positive(amount)
    if purchased is None:
        purchased = kind == Kind.PURCHASE
    return _ledger_write(
        user_id=user.pk,
        reference=reference,
        kind=kind,
        delta=lambda _p, _b: (0, amount) if purchased else (amount, 0),
        job=job,
        note=note,
        created_by=created_by,
    )


def credits_balance_lock(*, user) -> int:
    """Lock the user's balance row for the rest of the caller's transaction and return the spendable
    balance: a caller about to make several charges checks their total once, and no other writer can
    move the balance in between."""
    User = get_user_model()
    return User.objects.select_for_update().values_list("credits", flat=True).get(pk=user.pk)


def credits_charge(
    *,
    user,
    amount: int,
    reference: str,
    kind: str = Kind.EFFECT_CHARGE,
    job=None,
    note: str = "",
    created_by=None,
    reference_is_new: bool = False,
) -> CreditTransaction:
    """Spend ``amount`` credits, plan credits first; raises InsufficientCredits (nothing written) if short.

    ``reference_is_new``: see ``_ledger_write`` (a charge for a job created in the caller's transaction).
    """
    _positive(amount)
    return _ledger_write(
        user_id=user.pk,
        reference=reference,
        kind=kind,
        delta=_spend(amount),
        job=job,
        note=note,
        created_by=created_by,
        reference_is_new=reference_is_new,
    )


def credits_refund(
    *, user, amount: int, reference: str, job=None, note: str = "", kind: str = Kind.REFUND, created_by=None
) -> CreditTransaction:
    """Give back a job's credits to the buckets they came from, once per ``reference``.

    ``kind`` is REFUND (a failed or cancelled job) or GOODWILL_REFUND (staff, for a completed job);
    a job already refunded under another reference raises AlreadyRefunded.
    """
    _positive(amount)
    charged = (
        CreditTransaction.objects.filter(job=job, kind=Kind.EFFECT_CHARGE).only("purchased_amount").first()
        if job is not None
        else None
    )
    purchased_part = min(amount, -charged.purchased_amount) if charged is not None else 0
    return _ledger_write(
        user_id=user.pk,
        reference=reference,
        kind=kind,
        delta=lambda _p, _b: (amount - purchased_part, purchased_part),
        job=job,
        note=note,
        created_by=created_by,
    )


def credits_revoke(
    *, user, amount: int, reference: str, kind: str = Kind.PURCHASE_REVERSAL, note: str = ""
) -> CreditTransaction:
    """Take back ``amount`` credits of a refunded pack: purchased credits first, then plan credits.

    What the balance no longer holds (credits already spent) is recorded as a debt on the same
    row (``debt_amount``); later credits pay it off before any of them can be spent.
    """
    _positive(amount)

    def delta(plan_balance: int, purchased_balance: int) -> tuple[int, int, int]:
        from_purchased = min(amount, purchased_balance)
        from_plan = min(amount - from_purchased, max(plan_balance, 0))
        return -from_plan, -from_purchased, amount - from_purchased - from_plan

    return _ledger_write(user_id=user.pk, reference=reference, kind=kind, delta=delta, note=note)


def credits_set(*, user, quota: int, reference: str, kind: str = Kind.PLAN_REFILL, note: str = "") -> CreditTransaction:
    """Set the plan credits to ``quota`` (a refill is a reset, not a top-up); purchased credits stay."""
    if quota < 0:
        raise ValueError("quota must not be negative")
    return _ledger_write(
        user_id=user.pk, reference=reference, kind=kind, delta=lambda plan, _b: (quota - plan, 0), note=note
    )


def credits_top_up(
    *, user, quota: int, reference: str, kind: str = Kind.PLAN_REFILL, note: str = ""
) -> CreditTransaction:
    """Raise the plan credits to ``quota`` if they are below; never lowers them."""
    return _ledger_write(
        user_id=user.pk, reference=reference, kind=kind, delta=lambda plan, _b: (max(quota - plan, 0), 0), note=note
    )


def credits_adjust(*, user, amount: int, note: str, actor, reference: str) -> CreditTransaction:
    """A staff adjustment (positive to plan credits, negative spent like a charge) with a note and its author."""
    if not note.strip():
        raise ValueError("an adjustment needs a note")
    if amount == 0:
        raise ValueError("amount must not be zero")
    return _ledger_write(
        user_id=user.pk,
        reference=reference,
        kind=Kind.ADMIN_ADJUSTMENT,
        delta=(lambda _p, _b: (amount, 0)) if amount > 0 else _spend(-amount),
        note=note,
        created_by=actor,
    )


def credits_signup_grant(*, user) -> CreditTransaction:
    """The FREE plan's monthly credits for a new user (``signup:<user>``)."""
    return credits_grant(
        user=user,
        amount=plan_monthly_credits(code=PlanCode.FREE),
        kind=Kind.SIGNUP_GRANT,
        reference=f"signup:{user.pk}",
    )


def referral_bonuses_recent(*, referrer) -> int:
    """How many referral bonuses ``referrer`` earned in the last 30 days."""
    return CreditTransaction.objects.filter(
        user=referrer,
        kind=CreditTransaction.Kind.REFERRAL_BONUS,
        reference__endswith=":referrer",
        created_at__gte=timezone.now() - timedelta(days=30),
    ).count()


def referral_bonus_award(*, user) -> list[CreditTransaction]:
    """Once the referred user has a verified email, both they and their referrer get the bonus, once.

    References ``referral:<new user>:referee`` and ``referral:<new user>:referrer``; self-referral,
    inactive referrers and unverified emails get nothing, and neither gets it once the referrer
    has earned REFERRAL_MAX_PER_MONTH bonuses in the last 30 days.
    """
    from allauth.account.models import EmailAddress

    amount = settings.REFERRAL_BONUS_CREDITS
    referrer = user.referred_by
    if amount <= 0 or referrer is None or referrer.pk == user.pk or not referrer.is_active:
        return []
    if not EmailAddress.objects.filter(user=user, verified=True).exists():
        return []
    with transaction.atomic():
        # The referrer's row lock serialises concurrent verifications, so the cap holds.
        get_user_model().objects.select_for_update().filter(pk=referrer.pk).first()
        if referral_bonuses_recent(referrer=referrer) >= settings.REFERRAL_MAX_PER_MONTH:
            return []
        return [
            credits_grant(user=user, amount=amount, kind=Kind.REFERRAL_BONUS, reference=f"referral:{user.pk}:referee"),
            credits_grant(
                user=referrer,
                amount=amount,
                kind=Kind.REFERRAL_BONUS,
                reference=f"referral:{user.pk}:referrer",
                note=f"referred user {user.pk}",
            ),
        ]


def free_credits_refill(*, user, now: datetime | None = None) -> CreditTransaction | None:
    """Top a FREE user back up to the FREE quota if their last refill is FREE_REFILL_DAYS old.

    The period (days since sign-up // FREE_REFILL_DAYS) is in the reference
    (``free-refill:<user>:<period>``), so overlapping runs refill once; never lowers a balance.
    """
    now = now or timezone.now()
    days = settings.FREE_REFILL_DAYS
    User = get_user_model()
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.plan != PlanCode.FREE or locked.credits_refilled_at > now - timedelta(days=days):
            return None
        period = (now - locked.created_at).days // days
        row = credits_top_up(
            user=locked,
            quota=plan_monthly_credits(code=PlanCode.FREE),
            reference=f"free-refill:{locked.pk}:{period}",
            note="free plan refill",
        )
        User.objects.filter(pk=locked.pk).update(credits_refilled_at=now)
    return row


def free_credits_refill_due(*, now: datetime | None = None) -> int:
    """Refill every FREE user whose last refill is FREE_REFILL_DAYS old (the daily beat task); returns how many."""
    now = now or timezone.now()
    User = get_user_model()
    due = User.objects.filter(
        plan=PlanCode.FREE, is_active=True, credits_refilled_at__lte=now - timedelta(days=settings.FREE_REFILL_DAYS)
    ).order_by("pk")
    refilled = 0
    for user in due.only("pk").iterator(chunk_size=500):
        if free_credits_refill(user=user, now=now) is not None:
            refilled += 1
    return refilled
