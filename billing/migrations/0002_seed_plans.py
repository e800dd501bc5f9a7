from django.db import migrations

DEFAULT_PLANS = (
    ("FREE", "Free", 10, 0, 0),
    ("STARTER", "Starter", 100, 900, 1),
    ("PRO", "Pro", 500, 2900, 2),
    ("ENTERPRISE", "Enterprise", 2500, 9900, 3),
)
DEFAULT_PACKS = (
    ("pack-50", "50 credits", 50, 500, 0),
    ("pack-200", "200 credits", 200, 1500, 1),
)


def seed(apps, schema_editor):
    # A copy of billing.services.DEFAULT_PLANS as of this migration (migrations must not import app code).
    Plan = apps.get_model("billing", "Plan")
    CreditPack = apps.get_model("billing", "CreditPack")
    for code, name, credits, price, position in DEFAULT_PLANS:
        Plan.objects.get_or_create(
            code=code, defaults={"name": name, "monthly_credits": credits, "price_cents": price, "position": position}
        )
    for code, name, credits, price, position in DEFAULT_PACKS:
        CreditPack.objects.get_or_create(
            code=code, defaults={"name": name, "credits": credits, "price_cents": price, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
