"""Data migrations of the effects app, run against rows written in the schema before them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.support.factories import EffectFactory, UserFactory

BEFORE_STAGE_DERIVED = ("effects", "0005_effect_preview_renditions")
STAGE_DERIVED = ("effects", "0006_job_stage_without_done")


def migrate(targets):
    """Migrate the test database to ``targets``; the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def migrated_back_afterwards(transactional_db):
    """The test moves the schema back in time; the latest schema is restored after it."""
    yield
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())


def test_finished_jobs_stored_as_done_keep_a_real_stage_once_done_is_derived(migrated_back_afterwards):
    user, effect = UserFactory(), EffectFactory()
    OldJob = migrate([BEFORE_STAGE_DERIVED]).get_model("effects", "Job")
    rows = {
        status: OldJob.objects.create(
            user_id=user.pk, effect_id=effect.pk, status=status, stage=stage, queue="default"
        ).pk
        for status, stage in (("COMPLETED", "done"), ("FAILED", "done"), ("PROCESSING", "processing"))
    }

    Job = migrate([STAGE_DERIVED]).get_model("effects", "Job")

    stages = {status: Job.objects.get(pk=pk).stage for status, pk in rows.items()}
    assert stages == {"COMPLETED": "storing", "FAILED": "queued", "PROCESSING": "processing"}


BEFORE_CATEGORY_ROWS = ("effects", "0007_staff_action_permissions")
CATEGORY_ROWS = ("effects", "0009_effect_category_required")


def test_effect_category_texts_become_category_rows_in_gallery_order(migrated_back_afterwards):
    OldEffect = migrate([BEFORE_CATEGORY_ROWS]).get_model("effects", "Effect")
    texts = {"sepia": ("Classic", 5), "anime": ("Artistic", 1), "bw": ("classic", 9)}
    for slug, (category, position) in texts.items():
        OldEffect.objects.create(name=slug, slug=slug, category=category, model_id="local:sepia", position=position)

    apps = migrate([CATEGORY_ROWS])

    Category, Effect = apps.get_model("effects", "Category"), apps.get_model("effects", "Effect")
    rows = list(Category.objects.order_by("position").values_list("name", "slug"))
    assert rows == [("Artistic", "artistic"), ("Classic", "classic")]  # by first effect; case variants merged
    by_effect = dict(Effect.objects.values_list("slug", "category__name"))
    assert by_effect == {"sepia": "Classic", "anime": "Artistic", "bw": "Classic"}
