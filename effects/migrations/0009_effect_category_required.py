"""Every effect has a category row (filled by the previous migration); the old text column goes."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("effects", "0008_category"),
    ]

    operations = [
        migrations.RemoveField(model_name="effect", name="category_name"),
        migrations.AlterField(
            model_name="effect",
            name="category",
            field=models.ForeignKey(on_delete=models.deletion.PROTECT, related_name="effects", to="effects.category"),
        ),
    ]
