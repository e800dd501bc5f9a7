"""Reads about a user shaped for the API: verification state, credit history."""

from django.db.models import Count, QuerySet

from accounts.models import User
from billing.models import CreditTransaction
from billing.selectors import credit_history
from billing.services import plan_monthly_credits
from core.timeseries import bucket_counts, time_buckets, truncate


def user_email_verified(*, user: User) -> bool:
    """True when the user's primary (or any) email address is verified in allauth."""
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


def user_credit_summary(*, user: User) -> dict:
    """Balance (total and per bucket), any credit debt, plan, the plan's monthly quota and the last refill time."""
    return {
        "credits": user.credits,
        "plan_credits": user.plan_credits,
        "purchased_credits": user.purchased_credits,
        "credit_debt": user.credit_debt,
        "plan": user.plan,
        "monthly_credits": plan_monthly_credits(code=user.plan),
        "credits_refilled_at": user.credits_refilled_at,
    }


def user_credit_history(*, user: User) -> QuerySet[CreditTransaction]:
    """The user's ledger rows, newest first."""
    return credit_history(user=user)


def users_new_over_time(*, since, until, bucket: str = "day") -> dict:
    """Sign-ups per day (or hour): ``{"buckets": [...], "counts": [n, ...]}`` (staff dashboard)."""
    rows = (
        User.objects.filter(created_at__gte=since, created_at__lte=until)
        .annotate(period=truncate("created_at", bucket))
        .values("period")
        .annotate(n=Count("pk"))
        .order_by()
    )
    buckets = time_buckets(since=since, until=until, bucket=bucket)
    return {"buckets": buckets, "counts": bucket_counts(rows, buckets=buckets)}
