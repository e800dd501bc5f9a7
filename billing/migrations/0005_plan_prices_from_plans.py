from django.db import migrations


def link_existing_prices(apps, schema_editor):
    """Every price a plan already names keeps billing that plan."""
    Plan = apps.get_model("billing", "Plan")
    PlanPrice = apps.get_model("billing", "PlanPrice")
    for plan in Plan.objects.all():
        for price_id, interval in ((plan.stripe_price_id, "month"), (plan.stripe_price_id_yearly, "year")):
            if price_id:
                PlanPrice.objects.get_or_create(stripe_price_id=price_id, defaults={"plan": plan, "interval": interval})


class Migration(migrations.Migration):
    dependencies = [("billing", "0004_credit_buckets_plan_prices_unprocessable_events")]

    operations = [migrations.RunPython(link_existing_prices, migrations.RunPython.noop)]
