"""The Replicate client against the local fake of its API (real HTTP, documented shapes), and the
percentage a prediction's logs report."""

import base64
import time

import pytest

from effects.engines import EngineConfigError, EngineFailure, ReplicateEngine
from effects.engines.replicate import ReplicateClient, prediction_from_json, progress_from_logs, webhook_verify
from tests.fakes.replicate_server import TOKEN, WEBHOOK_SECRET, FakeReplicate
from tests.support.images import image_bytes


@pytest.fixture
def fake():
    server = FakeReplicate(output_image=image_bytes("PNG", (40, 30)))
    yield server
    server.close()


def client(fake, **kwargs) -> ReplicateClient:
    return ReplicateClient(base=fake.base, token=TOKEN, **kwargs)


def test_a_source_under_the_data_uri_limit_is_sent_inline(fake):
    data = image_bytes("PNG", (20, 20))

    client(fake, data_uri_max_bytes=len(data)).create_prediction(
        model="acme/restore", config={}, image=data, content_type="image/png"
    )

    (body,) = fake.created
    assert body["input"]["image"] == "data:image/png;base64," + base64.b64encode(data).decode()
    assert fake.uploads == {}


def test_a_source_over_the_data_uri_limit_is_uploaded_through_the_files_api(fake):
    data = image_bytes("PNG", (20, 20))

    client(fake, data_uri_max_bytes=len(data) - 1).create_prediction(
        model="acme/restore", config={"image_param": "input_image"}, image=data, content_type="image/png"
    )

    (upload,) = fake.uploads.values()
    assert upload["data"] == data and upload["content_type"] == "image/png"
    assert fake.created[0]["input"]["input_image"] == upload["urls"]["get"]


def test_a_given_image_url_replaces_the_bytes(fake):
    client(fake).create_prediction(
        model="acme/restore", config={}, image=b"x", content_type="image/png", image_url="https://r2.example/s?sig=1"
    )

    assert fake.created[0]["input"]["image"] == "https://r2.example/s?sig=1"


def test_a_pinned_version_is_created_through_the_predictions_endpoint(fake):
    version = "f" * 64

    client(fake).create_prediction(model=f"acme/esrgan:{version}", config={}, image=b"x", content_type="image/png")

    assert fake.created[0]["version"] == version


@pytest.mark.parametrize("shape", ["uri", "list", "object"])
def test_every_documented_output_shape_yields_the_output_url(fake, shape):
    fake.output_shape = shape
    fake.statuses = ["starting", "succeeded"]
    api = client(fake)
    started = api.create_prediction(model="acme/restore", config={}, image=b"x", content_type="image/png")

    done = api.get_prediction(started.id)

    assert done.status == "succeeded"
    assert done.output_url == f"http://127.0.0.1:{fake.port}/files/{started.id}.png"


def test_a_failed_prediction_reports_the_providers_error(fake):
    fake.statuses = ["starting", "failed"]
    api = client(fake)
    started = api.create_prediction(model="acme/restore", config={}, image=b"x", content_type="image/png")

    failed = api.get_prediction(started.id)

    assert failed.status == "failed" and failed.error == "CUDA out of memory" and failed.output_url is None


def test_cancel_ends_the_prediction_as_canceled(fake):
    api = client(fake)
    started = api.create_prediction(model="acme/restore", config={}, image=b"x", content_type="image/png")

    canceled = api.cancel_prediction(started.id)

    assert canceled.status == "canceled" and canceled.is_terminal


def test_a_rejected_input_is_a_permanent_failure(fake):
    fake.create_status = 422

    with pytest.raises(EngineFailure) as exc:
        client(fake).create_prediction(model="acme/restore", config={}, image=b"x", content_type="image/png")

    assert exc.value.code == "PROVIDER_REJECTED" and not exc.value.transient


def test_a_webhook_signed_as_replicate_signs_it_verifies(fake):
    body = b'{"id": "abc", "status": "succeeded"}'
    headers = fake.webhook_headers(body)

    assert webhook_verify(secret=WEBHOOK_SECRET, headers=headers, body=body)
    assert not webhook_verify(secret=WEBHOOK_SECRET, headers=headers, body=body + b" ")
    stale = fake.webhook_headers(body, timestamp=int(time.time()) - 301)
    assert not webhook_verify(secret=WEBHOOK_SECRET, headers=stale, body=body)
    other = fake.webhook_headers(body, secret="whsec_" + base64.b64encode(b"another").decode())
    assert not webhook_verify(secret=WEBHOOK_SECRET, headers=other, body=body)


@pytest.mark.parametrize(
    ("logs", "expected"),
    [
        (" 42%|████▏     | 21/50 [00:03<00:04,  6.01it/s]", 42),
        ("Using seed: 1\n  0%|          | 0/50\n 10%|█         | 5/50\n 96%|█████████▌| 48/50\n", 96),
        # A bar redrawn in place with carriage returns: the last redraw wins.
        ("  5%|▌         | 1/20\r 50%|█████     | 10/20\r 75%|███████▌  | 15/20", 75),
        ("100%|██████████| 50/50 [00:08<00:00]\nsaving output", 100),
    ],
)
def test_progress_is_the_last_percentage_the_logs_report(logs, expected):
    assert progress_from_logs(logs) == expected


@pytest.mark.parametrize("logs", [None, "", "loading weights\nmemory at 85% of capacity", "250%|█| 1/1", 12])
def test_logs_without_a_progress_bar_report_no_percentage(logs):
    assert progress_from_logs(logs) is None


def test_a_prediction_carries_the_percentage_of_its_logs():
    prediction = prediction_from_json({"id": "p1", "status": "processing", "logs": " 12%|█▏        | 6/50"})

    assert prediction.progress == 12


def test_an_effects_config_may_declare_its_models_limits():
    config = {"limits": {"input": {"max_pixels": 2_096_704, "formats": ["JPEG", "PNG"]}}}

    validated = ReplicateEngine().validate_config("acme/esrgan", config)

    assert validated["limits"] == config["limits"]
    with pytest.raises(EngineConfigError):
        ReplicateEngine().validate_config("acme/esrgan", {"limits": {"input": {"max_pixels": -1}}})


def test_a_prediction_names_the_files_uploaded_for_it(fake):
    data = image_bytes("PNG", (20, 20))
    api = client(fake, data_uri_max_bytes=len(data) - 1)

    started = api.create_prediction(model="acme/restore", config={}, image=data, content_type="image/png")

    (file_id,) = fake.uploads
    assert started.files == (file_id,)
    assert api.get_prediction(started.id).files == (file_id,)
    assert api.cancel_prediction(started.id).files == (file_id,)


def test_a_prediction_given_its_image_inline_names_no_files(fake):
    api = client(fake)

    started = api.create_prediction(model="acme/restore", config={}, image=b"x", content_type="image/png")

    assert started.files == () and api.get_prediction(started.id).files == ()


def test_only_urls_of_the_clients_own_files_api_are_read_as_uploaded_files():
    payload = {
        "id": "p1",
        "status": "succeeded",
        "input": {
            "image": "https://api.replicate.com/v1/files/abc123",
            "mask": ["https://api.replicate.com/v1/files/def456?x=1", "https://elsewhere.example/v1/files/zzz"],
            "other": "https://api.replicate.com/v1/files/../predictions",
        },
    }

    assert prediction_from_json(payload, files_base="https://api.replicate.com/v1").files == ("abc123", "def456")
    assert prediction_from_json(payload).files == ()


def test_deleting_an_uploaded_file_removes_it_and_a_second_delete_is_a_permanent_refusal(fake):
    api = client(fake)
    file_url = api.upload_file(data=b"bytes", content_type="image/png")
    file_id = file_url.rsplit("/", 1)[1]

    api.delete_file(file_id)

    assert fake.uploads == {}
    with pytest.raises(EngineFailure) as again:
        api.delete_file(file_id)
    assert not again.value.transient


def test_a_delete_the_provider_fails_is_a_transient_failure(fake):
    api = client(fake)
    file_id = api.upload_file(data=b"bytes", content_type="image/png").rsplit("/", 1)[1]
    fake.delete_failures = 1

    with pytest.raises(EngineFailure) as failure:
        api.delete_file(file_id)

    assert failure.value.transient and file_id in fake.uploads


@pytest.mark.parametrize(("seconds", "header"), [(899.2, "900s"), (60, "60s"), (1.5, "5s"), (-3, "5s")])
def test_a_create_with_a_deadline_sends_it_as_cancel_after_in_whole_seconds(fake, seconds, header):
    client(fake).create_prediction(
        model="acme/restore", config={}, image=b"x", content_type="image/png", cancel_after=seconds
    )

    assert fake.cancel_afters == [header]


def test_a_create_without_a_deadline_sends_no_cancel_after(fake):
    client(fake).create_prediction(model="acme/restore", config={}, image=b"x", content_type="image/png")

    assert fake.cancel_afters == [None]
