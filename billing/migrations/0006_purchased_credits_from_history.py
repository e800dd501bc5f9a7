"""Split the balances of accounts that bought packs before credits had buckets.

Migration 0004 gave every ledger row a purchased share and every user a purchased balance, both
starting at zero, so credits bought before it counted as plan credits and a plan renewal (which
resets plan credits) would take them away. This replays each such user's ledger in order with
the rules the ledger service applies today: a pack purchase adds purchased credits, a spend takes
plan credits first, a refund returns what its charge took from each bucket, a pack reversal takes
purchased credits back. Amounts and total balances are history and stay as they are; only the
purchased share of each row, its purchased balance and the user's purchased balance are written.
"""

from django.db import migrations
from django.db.models import F

PURCHASE = "PURCHASE"
PURCHASE_REVERSAL = "PURCHASE_REVERSAL"
REFUND = "REFUND"
EFFECT_CHARGE = "EFFECT_CHARGE"


def purchased_shares(rows):
    """Yield ``(row, purchased_amount, purchased_balance_after)`` for one user's rows, oldest first."""
    purchased = 0
    charged_from_purchased = {}  # job id -> purchased credits its charge took
    for row in rows:
        plan = row.balance_after - row.amount - purchased
        if row.kind == PURCHASE and row.amount > 0:
            share = row.amount
        elif row.kind == PURCHASE_REVERSAL and row.amount < 0:
            share = -min(-row.amount, purchased)
        elif row.kind == REFUND and row.amount > 0:
            share = min(row.amount, charged_from_purchased.get(row.job_id, 0))
        elif row.amount < 0:
            share = -(-row.amount - min(-row.amount, max(plan, 0)))
        else:
            share = 0
        # Never more purchased credits than the balance holds (history edited by hand, or a
        # reversal that took plan credits too).
        after = min(max(purchased + share, 0), row.balance_after)
        share = after - purchased
        if row.kind == EFFECT_CHARGE and row.job_id is not None:
            charged_from_purchased[row.job_id] = -share
        purchased = after
        yield row, share, after


def split_legacy_balances(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    CreditTransaction = apps.get_model("billing", "CreditTransaction")
    legacy_users = (
        CreditTransaction.objects.filter(kind=PURCHASE, amount__gt=0, purchased_amount=0)
        .values_list("user_id", flat=True)
        .distinct()
    )
    for user_id in legacy_users.iterator():
        rows = CreditTransaction.objects.filter(user_id=user_id).order_by("created_at", "id")
        changed = []
        purchased = 0
        for row, share, after in purchased_shares(rows.iterator()):
            purchased = after
            if (row.purchased_amount, row.purchased_balance_after) != (share, after):
                row.purchased_amount, row.purchased_balance_after = share, after
                changed.append(row)
        CreditTransaction.objects.bulk_update(changed, ["purchased_amount", "purchased_balance_after"], batch_size=500)
        # The balance is the truth; the purchased part never exceeds it.
        User.objects.filter(pk=user_id, credits__gte=purchased).update(purchased_credits=purchased)
        User.objects.filter(pk=user_id, credits__lt=purchased).update(purchased_credits=F("credits"))


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0005_plan_prices_from_plans"),
        ("accounts", "0003_purchased_credits"),
    ]

    operations = [migrations.RunPython(split_legacy_balances, migrations.RunPython.noop)]
