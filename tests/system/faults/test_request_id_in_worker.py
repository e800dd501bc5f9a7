"""The request id of the request that enqueued a job follows it into the worker's log lines."""

import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from core.middleware import RequestIdLogFilter
from effects.models import Job
from tests.support.api import session_token_for
from tests.support.concurrency import wait_for
from tests.support.factories import EffectFactory, UserFactory
from tests.support.images import image_bytes

pytestmark = pytest.mark.django_db(transaction=True)


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.addFilter(RequestIdLogFilter())  # the same filter the console handler uses
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def test_a_job_run_by_a_real_worker_logs_with_the_request_id_of_its_apply(celery_worker_pipeline):
    user = UserFactory()
    effect = EffectFactory(model_id="local:grayscale")
    client = APIClient()
    client.credentials(HTTP_X_SESSION_TOKEN=session_token_for(user))
    handler = Collect()
    # Our own line (celery's "Task ... succeeded" depends on the log level its tracer saw when
    # it was first built, which an earlier worker in the session may have set to ERROR).
    job_logger = logging.getLogger("effects.jobs.transitions")
    job_logger.addHandler(handler)
    previous_level = job_logger.level
    job_logger.setLevel(logging.INFO)
    try:
        response = client.post(
            "/api/effects/apply",
            {"effectId": effect.slug, "image": SimpleUploadedFile("p.jpg", image_bytes(), content_type="image/jpeg")},
            format="multipart",
            headers={"X-Request-ID": "req-fault-7f3a9c1e"},
        )
        job_id = response.json()["data"]["jobId"]
        wait_for(lambda: Job.objects.get(pk=job_id).is_terminal, timeout=60, message="the job to finish")
        done = wait_for(
            lambda: [r for r in handler.records if r.getMessage() == f"job {job_id} completed"],
            timeout=10,
            message="the worker's task log line",
        )
    finally:
        job_logger.removeHandler(handler)
        job_logger.setLevel(previous_level)

    assert response.status_code == 200
    assert {r.request_id for r in done} == {"req-fault-7f3a9c1e"}
