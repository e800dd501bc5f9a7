"""Reads about a user shaped for the API: verification state, credit history."""

from django.db.models import QuerySet

from accounts.models import User
from billing.models import CreditTransaction
from billing.selectors import credit_history
from billing.services import plan_monthly_credits


def user_email_verified(*, user: User) -> bool:
    """True when the user's primary (or any) email address is verified in allauth."""
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


def user_credit_summary(*, user: User) -> dict:
    """Balance (total and per bucket), plan, the plan's monthly quota and the last refill time."""
    return {
        "credits": user.credits,
        "plan_credits": user.plan_credits,
        "purchased_credits": user.purchased_credits,
        "plan": user.plan,
        "monthly_credits": plan_monthly_credits(code=user.plan),
        "credits_refilled_at": user.credits_refilled_at,
    }


def user_credit_history(*, user: User) -> QuerySet[CreditTransaction]:
    """The user's ledger rows, newest first."""
    return credit_history(user=user)
