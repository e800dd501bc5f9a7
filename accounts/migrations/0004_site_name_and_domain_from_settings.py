from urllib.parse import urlsplit

from django.conf import settings
from django.db import migrations


def site_from_settings(apps, schema_editor):
    # The same values as accounts.services.site_sync (migrations must not import app code).
    Site = apps.get_model("sites", "Site")
    Site.objects.using(schema_editor.connection.alias).update_or_create(
        pk=settings.SITE_ID,
        defaults={"domain": urlsplit(settings.SITE_URL).netloc, "name": getattr(settings, "SITE_NAME", "PhotoMania")},
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_purchased_credits"), ("sites", "0002_alter_domain_unique")]

    operations = [migrations.RunPython(site_from_settings, migrations.RunPython.noop)]
