"""Billing reads shaped for pages and the API: plans and packs on sale, the ledger, renewal dates."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery, Sum

from billing.models import JOB_REFUND_KINDS, CreditPack, CreditTransaction, Plan, PlanCode

LIVE_SUBSCRIPTION_STATUSES = ("active", "trialing", "past_due")


def plan_get(*, code: str) -> Plan | None:
    """The plan row for a PlanCode (None when it has not been created yet)."""
    return Plan.objects.filter(code=code).first()


def plan_list_active() -> list[Plan]:
    """Plans on sale, in display order."""
    return list(Plan.objects.filter(is_active=True).order_by("position", "monthly_credits"))


def credit_pack_list_active() -> list[CreditPack]:
    """Credit packs on sale, in display order."""
    return list(CreditPack.objects.filter(is_active=True).order_by("position", "credits"))


def credit_history(*, user) -> QuerySet[CreditTransaction]:
    """The user's ledger rows, newest first, with the job and effect each row is about."""
    return CreditTransaction.objects.filter(user=user).select_related("job__effect").order_by("-created_at", "-id")


def credit_refund_for_job(*, job) -> CreditTransaction | None:
    """The ledger row that gave this job's charge back (a job has at most one), or None."""
    return CreditTransaction.objects.filter(job=job, kind__in=JOB_REFUND_KINDS).only("amount", "kind").first()


def job_refund_subquery(field: str) -> Subquery:
    """``field`` of the refund row of the job ``OuterRef("pk")``, to annotate a job queryset without a query per job."""
    rows = CreditTransaction.objects.filter(job=OuterRef("pk"), kind__in=JOB_REFUND_KINDS).order_by()
    return Subquery(rows.values(field)[:1])


def credits_spent_since(*, since: datetime) -> dict:
    """Credits charged for effects and refunded since ``since`` (admin dashboard)."""
    ledger = CreditTransaction.objects.filter(created_at__gte=since)
    charged = -(ledger.filter(kind=CreditTransaction.Kind.EFFECT_CHARGE).aggregate(s=Sum("amount"))["s"] or 0)
    refunded = ledger.filter(kind__in=JOB_REFUND_KINDS).aggregate(s=Sum("amount"))["s"] or 0
    return {"credits_charged": charged, "credits_refunded": refunded, "credits_spent": charged - refunded}


def credits_next_refill(*, user) -> datetime | None:
    """When the balance is next refilled: FREE users every FREE_REFILL_DAYS, paid plans at renewal."""
    if user.plan == PlanCode.FREE:
        return user.credits_refilled_at + timedelta(days=settings.FREE_REFILL_DAYS)
    from djstripe.models import Subscription

    # current_period_end lives in the stored Stripe object, not in a column.
    ends = [
        sub.current_period_end
        for sub in Subscription.objects.filter(customer__subscriber=user, status__in=LIVE_SUBSCRIPTION_STATUSES)
    ]
    ends = [end for end in ends if end]
    return max(ends) if ends else None
