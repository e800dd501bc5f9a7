"""The generated Python client (clients/python) through the whole flow and its error cases."""

import uuid

import httpx
import pytest
from photomania_api_client import AuthenticatedClient, Client
from photomania_api_client.api.effects import effects_apply, effects_apply_batch, effects_list, effects_saved_destroy
from photomania_api_client.api.jobs import jobs_destroy, jobs_list, jobs_retrieve
from photomania_api_client.api.keys import keys_create, keys_destroy, keys_list
from photomania_api_client.api.user import (
    user_credits_history,
    user_credits_retrieve,
    user_partial_update,
    user_retrieve,
)
from photomania_api_client.models import (
    ApiKeyCreateRequest,
    ApplyJsonInputRequest,
    ApplyUploadInputRequest,
    BatchItemInputRequest,
    BatchJsonInputRequest,
    ErrorResponse,
    InsufficientCreditsErrorResponse,
    Job,
    JobStatusEnum,
    KindEnum,
    PatchedUserUpdateRequest,
    ScopesEnum,
    ValidationErrorResponse,
)
from photomania_api_client.types import File

from tests.support.concurrency import wait_for
from tests.support.images import image_bytes

from .conftest import sign_up

pytestmark = pytest.mark.django_db(transaction=True)


def _client(api_server, token):
    return AuthenticatedClient(
        base_url=api_server["url"], token=token, prefix="", auth_header_name="X-Session-Token", timeout=30
    )


def _completed(client, job_id):
    job = jobs_retrieve.sync(client=client, job_id=job_id).data
    return job if job.status in (JobStatusEnum.COMPLETED, JobStatusEnum.FAILED) else None


def test_python_client_runs_the_whole_flow(api_server):
    client = _client(api_server, sign_up(api_server["url"], "py-flow@example.com"))

    catalog = effects_list.sync(client=Client(base_url=api_server["url"]))
    assert "client-gray" in [effect.slug for effect in catalog.data]

    body = ApplyJsonInputRequest(effect_id="client-gray", image_url=api_server["photo_url"])
    first = effects_apply.sync_detailed(client=client, body=body, idempotency_key="py-json-1")
    again = effects_apply.sync_detailed(client=client, body=body, idempotency_key="py-json-1")
    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.parsed.data.job_id == first.parsed.data.job_id

    upload = ApplyUploadInputRequest(
        effect_id="client-gray",
        image=File(payload=image_bytes("JPEG", (80, 60)), file_name="photo.jpg", mime_type="image/jpeg"),
    )
    uploaded = effects_apply.sync(client=client, body=upload, idempotency_key="py-upload-1")

    for job_id in (first.parsed.data.job_id, uploaded.data.job_id):
        job = wait_for(lambda job_id=job_id: _completed(client, job_id), message="job to finish")
        assert job.status == JobStatusEnum.COMPLETED
        download = httpx.get(httpx.URL(api_server["url"]).join(job.result_url), timeout=30)
        assert download.status_code == 200 and download.content[:8] == b"\x89PNG\r\n\x1a\n"

    credits = user_credits_retrieve.sync(client=client).data
    history = user_credits_history.sync(client=client, page_size=10).data
    charges = [entry for entry in history if entry.kind == KindEnum.EFFECT_CHARGE]
    assert credits.credits_ == max(history, key=lambda entry: entry.id).balance_after
    assert sorted(entry.amount for entry in charges) == [-1, -1]
    assert jobs_list.sync(client=client, status=JobStatusEnum.COMPLETED).meta.count == 2

    updated = user_partial_update.sync(client=client, body=PatchedUserUpdateRequest(name="Py Client")).data
    assert updated.name == user_retrieve.sync(client=client).data.name == "Py Client"

    assert jobs_destroy.sync(client=client, job_id=first.parsed.data.job_id).data.deleted is True
    assert effects_saved_destroy.sync(client=client, ref=str(uploaded.data.job_id)).data.deleted is True
    assert jobs_list.sync(client=client).meta.count == 0


def test_python_client_parses_every_documented_error(api_server):
    client = _client(api_server, sign_up(api_server["url"], "py-errors@example.com"))

    unauthorized = user_retrieve.sync_detailed(client=Client(base_url=api_server["url"]))
    assert unauthorized.status_code == 401 and unauthorized.parsed.error.code == "UNAUTHORIZED"

    pricey = effects_apply.sync(
        client=client, body=ApplyJsonInputRequest(effect_id="client-pricey", image_url=api_server["photo_url"])
    )
    assert isinstance(pricey, InsufficientCreditsErrorResponse)
    balance = user_credits_retrieve.sync(client=client).data.credits_
    assert (pricey.error.details.needed, pricey.error.details.available) == (1000, balance)

    missing = jobs_retrieve.sync_detailed(client=client, job_id=uuid.uuid4())
    assert missing.status_code == 404 and isinstance(missing.parsed, ErrorResponse)

    invalid = user_partial_update.sync(client=client, body=PatchedUserUpdateRequest(image="not a url"))
    assert isinstance(invalid, ValidationErrorResponse) and "image" in invalid.error.details.additional_properties

    # A body the generated client would never send: a form-encoded profile update.
    wrong_type = client.get_httpx_client().patch("/api/user", data={"name": "x"})
    parsed = ErrorResponse.from_dict(wrong_type.json())
    assert wrong_type.status_code == 415 and parsed.error.code == "UNSUPPORTED_MEDIA_TYPE"

    body = ApplyJsonInputRequest(effect_id="client-gray", image_url=api_server["photo_url"])
    assert effects_apply.sync_detailed(client=client, body=body, idempotency_key="py-key").status_code == 200
    other = ApplyJsonInputRequest(effect_id="client-gray", image_url=api_server["photo_url"] + "?other")
    conflict = effects_apply.sync_detailed(client=client, body=other, idempotency_key="py-key")
    assert conflict.status_code == 422 and conflict.parsed.error.code == "IDEMPOTENCY_CONFLICT"

    unknown = ApplyJsonInputRequest(effect_id="no-such-effect", image_url=api_server["photo_url"])
    # The apply limit (12 a minute, fixed windows) is reached within two windows' worth of requests.
    statuses = []
    while 429 not in statuses and len(statuses) < 40:
        statuses.append(effects_apply.sync_detailed(client=client, body=unknown).status_code)
    assert statuses[-1] == 429 and set(statuses) == {404, 429}


def _key_client(api_server, key):
    return AuthenticatedClient(
        base_url=api_server["url"], token=key, prefix="", auth_header_name="X-Api-Key", timeout=90
    )


def test_python_client_with_an_api_key_applies_synchronously_and_in_a_batch(api_server):
    session = _client(api_server, sign_up(api_server["url"], "py-key@example.com"))
    created = keys_create.sync(
        client=session, body=ApiKeyCreateRequest(name="render farm", scopes=[ScopesEnum.READ, ScopesEnum.APPLY])
    ).data
    assert created.key.startswith(created.prefix) and created.prefix.startswith("pmk_")
    client = _key_client(api_server, created.key)

    # One photo, waited for: the answer is the finished job, as GET /api/jobs/{id} gives it.
    body = ApplyJsonInputRequest(effect_id="client-gray", image_url=api_server["photo_url"])
    waited = effects_apply.sync_detailed(client=client, body=body, prefer="wait=60", idempotency_key="py-wait-1")
    assert waited.status_code == 200, waited.content
    assert waited.headers["Preference-Applied"] == "wait=60"
    assert waited.headers["X-Credits-Charged"] == "1"
    assert int(waited.headers["X-RateLimit-Remaining"]) < int(waited.headers["X-RateLimit-Limit"])
    job = waited.parsed.data
    assert isinstance(job, Job) and job.status == JobStatusEnum.COMPLETED
    assert jobs_retrieve.sync(client=client, job_id=job.id).data.to_dict() == job.to_dict()
    download = httpx.get(httpx.URL(api_server["url"]).join(job.result_url), timeout=30)
    assert download.status_code == 200 and download.content[:8] == b"\x89PNG\r\n\x1a\n"

    # Three photos in one batch: one job each, charged together.
    batch = BatchJsonInputRequest(
        effect_id="client-gray", items=[BatchItemInputRequest(image_url=api_server["photo_url"]) for _ in range(3)]
    )
    queued = effects_apply_batch.sync_detailed(client=client, body=batch, idempotency_key="py-batch-1")
    assert queued.status_code == 202 and queued.headers["X-Credits-Charged"] == "3"
    job_ids = [item.job_id for item in queued.parsed.data.jobs]
    assert len(set(job_ids)) == 3
    for job_id in job_ids:
        finished = wait_for(lambda job_id=job_id: _completed(client, job_id), message="batch job to finish")
        assert finished.status == JobStatusEnum.COMPLETED
    replayed = effects_apply_batch.sync_detailed(client=client, body=batch, idempotency_key="py-batch-1")
    assert [item.job_id for item in replayed.parsed.data.jobs] == job_ids

    # The key may read and apply, not change the account or manage keys; revoking it ends it at once.
    assert user_retrieve.sync(client=client).data.email == "py-key@example.com"
    rename = user_partial_update.sync_detailed(client=client, body=PatchedUserUpdateRequest(name="Farm"))
    assert rename.status_code == 403
    assert keys_list.sync_detailed(client=client).status_code == 403
    assert [key.prefix for key in keys_list.sync(client=session).data] == [created.prefix]
    assert keys_destroy.sync_detailed(client=session, key_id=created.id).status_code == 200
    refused = jobs_list.sync_detailed(client=client)
    assert refused.status_code == 401 and refused.parsed.error.code == "INVALID_API_KEY"
