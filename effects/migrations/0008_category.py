"""Effect categories become rows staff manage; each distinct category text becomes one row."""

from django.db import migrations, models
from django.utils.text import slugify


def categories_from_text(apps, schema_editor):
    Category = apps.get_model("effects", "Category")
    Effect = apps.get_model("effects", "Effect")
    by_slug = {}
    # The order of each category's first effect is the gallery's order so far; case variants of a
    # name ("Classic", "classic") were one section for the category filter, so they share a row.
    for effect in Effect.objects.order_by("position", "name", "pk"):
        name = effect.category_name.strip() or "Other"
        slug = slugify(name)[:60] or f"category-{len(by_slug) + 1}"
        if slug not in by_slug:
            by_slug[slug] = Category.objects.create(name=name[:60], slug=slug, position=len(by_slug) * 10)
        effect.category = by_slug[slug]
        effect.save(update_fields=["category"])


def categories_to_text(apps, schema_editor):
    Effect = apps.get_model("effects", "Effect")
    for effect in Effect.objects.select_related("category"):
        effect.category_name = effect.category.name
        effect.save(update_fields=["category_name"])


class Migration(migrations.Migration):
    dependencies = [
        ("effects", "0007_staff_action_permissions"),
    ]

    operations = [
        migrations.CreateModel(
            name="Category",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=60, unique=True)),
                ("slug", models.SlugField(max_length=60, unique=True)),
                ("position", models.PositiveIntegerField(default=0, help_text="Lower comes first in the gallery")),
            ],
            options={"ordering": ["position", "name"], "verbose_name_plural": "categories"},
        ),
        migrations.RenameField(model_name="effect", old_name="category", new_name="category_name"),
        # Nullable while both exist, so that migrating back can add the column to filled tables again.
        migrations.AlterField(
            model_name="effect", name="category_name", field=models.CharField(max_length=60, null=True, db_index=True)
        ),
        migrations.AddField(
            model_name="effect",
            name="category",
            field=models.ForeignKey(
                null=True, on_delete=models.deletion.PROTECT, related_name="effects", to="effects.category"
            ),
        ),
        migrations.RunPython(categories_from_text, categories_to_text),
    ]
