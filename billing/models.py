"""Plans, credit packs and the append-only credit ledger."""

from django.conf import settings
from django.db import models


class PlanCode(models.TextChoices):
    """The plan a user is on (``User.plan``); each has one Plan row with its price and credits."""

    FREE = "FREE", "Free"
    STARTER = "STARTER", "Starter"
    PRO = "PRO", "Pro"
    ENTERPRISE = "ENTERPRISE", "Enterprise"


class Plan(models.Model):
    code = models.CharField(max_length=16, choices=PlanCode.choices, unique=True)
    name = models.CharField(max_length=60)
    monthly_credits = models.PositiveIntegerField()
    price_cents = models.PositiveIntegerField(default=0, help_text="Display price per month")
    currency = models.CharField(max_length=3, default="usd")
    stripe_price_id = models.CharField(max_length=100, blank=True, db_index=True, help_text="Monthly price")
    stripe_price_id_yearly = models.CharField(max_length=100, blank=True, db_index=True)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "monthly_credits"]

    def __str__(self) -> str:
        return self.name


class CreditPack(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=60)
    credits = models.PositiveIntegerField()
    price_cents = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3, default="usd")
    stripe_price_id = models.CharField(max_length=100, blank=True, db_index=True)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "credits"]
        constraints = [models.CheckConstraint(condition=models.Q(credits__gte=1), name="pack_credits_min_1")]

    def __str__(self) -> str:
        return self.name


class CreditTransaction(models.Model):
    """One movement of credits. Rows are never updated or deleted."""

    class Kind(models.TextChoices):
        SIGNUP_GRANT = "SIGNUP_GRANT", "Sign-up grant"
        EFFECT_CHARGE = "EFFECT_CHARGE", "Effect charge"
        REFUND = "REFUND", "Refund"
        GOODWILL_REFUND = "GOODWILL_REFUND", "Goodwill refund"
        PLAN_REFILL = "PLAN_REFILL", "Plan refill"
        PLAN_UPGRADE = "PLAN_UPGRADE", "Plan upgrade"
        REFERRAL_BONUS = "REFERRAL_BONUS", "Referral bonus"
        PURCHASE = "PURCHASE", "Credit pack purchase"
        PURCHASE_REVERSAL = "PURCHASE_REVERSAL", "Credit pack refund"
        ADMIN_ADJUSTMENT = "ADMIN_ADJUSTMENT", "Admin adjustment"
        DEBT_REPAYMENT = "DEBT_REPAYMENT", "Applied to a refunded pack's balance"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credit_transactions")

    class Bucket(models.TextChoices):
        PLAN = "PLAN", "Plan credits"
        PURCHASED = "PURCHASED", "Purchased credits"
        BOTH = "BOTH", "Plan and purchased credits"

    amount = models.IntegerField(help_text="Signed: positive adds credits, negative spends them")
    # The share of ``amount`` that moved purchased credits; the rest moved plan credits.
    purchased_amount = models.IntegerField(default=0)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    balance_after = models.IntegerField()
    purchased_balance_after = models.IntegerField(default=0)
    # The change of the user's credit debt: positive when a pack refund could not take back
    # credits already spent, negative when a DEBT_REPAYMENT row paid some of it off.
    debt_amount = models.IntegerField(default=0)
    debt_after = models.IntegerField(default=0)
    job = models.ForeignKey(
        "effects.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="credit_transactions"
    )
    reference = models.CharField(max_length=200, unique=True)
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="ledger_user_created")]
        constraints = [
            models.CheckConstraint(condition=models.Q(balance_after__gte=0), name="ledger_balance_non_negative"),
            # A job is refunded at most once in total: a failure refund (``refund:<job>``) and a
            # goodwill refund (``goodwill:<job>``) exclude each other.
            models.UniqueConstraint(
                fields=["job"],
                condition=models.Q(kind__in=["REFUND", "GOODWILL_REFUND"]),
                name="ledger_one_refund_per_job",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    purchased_balance_after__gte=0, purchased_balance_after__lte=models.F("balance_after")
                ),
                name="ledger_purchased_balance_within_balance",
            ),
            models.CheckConstraint(condition=models.Q(debt_after__gte=0), name="ledger_debt_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.amount:+d} {self.kind} ({self.reference})"

    @property
    def description(self) -> str:
        """What the customer reads: the kind and the effect it was for. Never the note, which is staff's."""
        label = self.get_kind_display()
        job = self.job if self.job_id else None
        return f"{label} — {job.effect.name}" if job is not None else label

    @property
    def plan_amount(self) -> int:
        return self.amount - self.purchased_amount

    @property
    def plan_balance_after(self) -> int:
        return self.balance_after - self.purchased_balance_after

    @property
    def bucket(self) -> str:
        """Which balance the row moved (a charge can spend plan credits, then purchased ones)."""
        if self.purchased_amount and self.plan_amount:
            return self.Bucket.BOTH
        return self.Bucket.PURCHASED if self.purchased_amount else self.Bucket.PLAN


# The kinds that give a job's charge back; a job has at most one row of them.
JOB_REFUND_KINDS = (CreditTransaction.Kind.REFUND, CreditTransaction.Kind.GOODWILL_REFUND)


class CreditPackPurchase(models.Model):
    """One Checkout Session for a credit pack: what was promised, what was granted, what was clawed back."""

    class Status(models.TextChoices):
        PENDING = "PENDING", "Awaiting payment"
        PAID = "PAID", "Paid, credits granted"
        REFUNDED = "REFUNDED", "Refunded"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pack_purchases")
    pack = models.ForeignKey(CreditPack, null=True, blank=True, on_delete=models.SET_NULL, related_name="purchases")
    credits = models.PositiveIntegerField(help_text="Credits promised at checkout (staff edits later do not change it)")
    # What the customer must pay for those credits (the pack's price at checkout).
    amount_cents = models.PositiveIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    stripe_checkout_session_id = models.CharField(max_length=255, unique=True)
    stripe_payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # Credits accounted for by refunds so far: taken back from the balance or recorded as owed.
    credits_revoked = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.credits} credits ({self.stripe_checkout_session_id})"


class SubscriptionState(models.Model):
    """The subscription event last applied to a user's plan, so older events never overwrite newer ones."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscription_state")
    stripe_subscription_id = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=32, blank=True)
    event_created = models.DateTimeField(help_text="`created` of the Stripe event last applied")
    event_id = models.CharField(max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user_id} {self.stripe_subscription_id} {self.status}"


class PlanPrice(models.Model):
    """A Stripe price that bills a plan. A plan keeps all its prices: archived ones still map."""

    stripe_price_id = models.CharField(max_length=255, unique=True)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="prices")
    interval = models.CharField(max_length=16, blank=True, help_text="month or year")
    active = models.BooleanField(default=True, help_text="Still on sale at Stripe")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan", "-active", "stripe_price_id"]

    def __str__(self) -> str:
        return f"{self.stripe_price_id} -> {self.plan_id}"


class UnprocessableStripeEvent(models.Model):
    """A signed Stripe event that can never succeed: acknowledged to Stripe, kept here for staff."""

    event_id = models.CharField(max_length=255, unique=True)
    event_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=255, blank=True)
    reason = models.CharField(max_length=500)
    body = models.JSONField(default=dict)
    deliveries = models.PositiveIntegerField(default=1)
    resolved = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}: {self.reason}"
