"""Client callbacks: a finished job is POSTed, signed with the user's secret, to public addresses only."""

import hashlib
import hmac

import pytest

from effects.models import JobStatus
from effects.services import (
    callback_signature_header,
    job_callback_send,
)
from tests.support.factories import JobFactory

pytestmark = pytest.mark.django_db


def test_callback_is_posted_signed_with_the_users_secret(http_server):
    http_server.routes["/hook"] = (200, {}, b"ok")
    job = JobFactory(
        status=JobStatus.FAILED, error_code="X", error_message="nope", callback_url=http_server.url("/hook")
    )

    assert job_callback_send(job_id=job.pk) is True

    request = http_server.requests[-1]
    t, v1 = (part.split("=", 1)[1] for part in request["headers"]["PhotoMania-Signature"].split(","))
    expected = hmac.new(
        job.user.callback_secret.encode(), f"{t}.".encode() + request["body"], hashlib.sha256
    ).hexdigest()
    assert v1 == expected
    assert b'"status":"FAILED"' in request["body"].replace(b" ", b"")


def test_callback_to_a_private_address_is_not_sent():
    job = JobFactory(status=JobStatus.COMPLETED, callback_url="http://10.0.0.5/hook")

    assert job_callback_send(job_id=job.pk) is False


def test_callback_signature_header_is_a_timestamp_and_an_hmac_of_the_body():
    header = callback_signature_header(secret="s3cret", body=b"{}", timestamp=1700000000)

    assert header == "t=1700000000,v1=" + hmac.new(b"s3cret", b"1700000000.{}", hashlib.sha256).hexdigest()
