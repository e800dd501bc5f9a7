"""The job JSON: its stage is derived from the job's status once it has finished."""

import pytest

from effects.jobs.payloads import job_payload
from effects.models import JobStage, JobStatus
from tests.support.factories import JobFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", [JobStatus.COMPLETED, JobStatus.FAILED])
def test_a_finished_job_reports_stage_done_whatever_stage_it_reached(status):
    job = JobFactory(status=status, stage=JobStage.PROCESSING)

    payload = job_payload(job)

    assert payload["stage"] == "done"


@pytest.mark.parametrize("status", [JobStatus.PENDING, JobStatus.PROCESSING])
def test_an_unfinished_job_reports_its_stored_stage(status):
    job = JobFactory(status=status, stage=JobStage.FETCHING)

    payload = job_payload(job)

    assert payload["stage"] == "fetching"
