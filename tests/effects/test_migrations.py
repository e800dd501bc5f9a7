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
