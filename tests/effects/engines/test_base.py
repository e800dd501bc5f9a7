"""The engine contract's shared parts: waiting on a remote run, bounded (against the fake Replicate API)."""

import time

import pytest

from effects.engines import RemoteRunTimeout, ReplicateEngine, remote_run_wait
from effects.engines.replicate import ReplicateClient
from tests.fakes.replicate_server import TOKEN, FakeReplicate
from tests.support.images import image_bytes


@pytest.fixture
def fake():
    server = FakeReplicate(output_image=image_bytes("PNG", (40, 30)))
    yield server
    server.close()


@pytest.fixture
def engine(fake):
    return ReplicateEngine(client_factory=lambda: ReplicateClient(base=fake.base, token=TOKEN))


def started(fake) -> str:
    return fake.create({"input": {"image": "data:image/png;base64,AA=="}})["id"]


def test_a_run_still_going_at_the_deadline_is_cancelled_and_the_wait_ends_there(fake, engine):
    fake.statuses = ["starting", "processing"]
    run_id = started(fake)
    began = time.monotonic()

    with pytest.raises(RemoteRunTimeout):
        remote_run_wait(engine, run_id, deadline=time.time() + 0.5, interval=0.05)

    waited = time.monotonic() - began
    assert 0.4 <= waited < 3
    assert fake.cancels == [run_id]
    assert fake.predictions[run_id]["status"] == "canceled"


def test_a_wait_of_zero_asks_once_and_leaves_the_run_going(fake, engine):
    fake.statuses = ["starting", "processing", "succeeded"]
    run_id = started(fake)

    run = remote_run_wait(engine, run_id, deadline=time.time() + 60, wait=0)

    assert run.status == "processing"
    assert fake.cancels == []


def test_the_wait_returns_the_run_as_soon_as_it_ends(fake, engine):
    run_id = started(fake)

    run = remote_run_wait(engine, run_id, deadline=time.time() + 60, interval=0.05)

    assert run.status == "succeeded" and run.output_url
    assert fake.cancels == []


def test_a_provider_error_on_a_single_look_returns_no_run(fake, engine):
    run_id = started(fake)
    fake.get_status = 503

    run = remote_run_wait(engine, run_id, deadline=time.time() + 60, wait=0)

    assert run is None


def test_a_run_aborted_before_it_started_ends_the_wait_at_once(fake, engine):
    fake.statuses = ["starting", "aborted"]
    run_id = started(fake)
    began = time.monotonic()

    run = remote_run_wait(engine, run_id, deadline=time.time() + 30, interval=0.05)

    assert run.status == "aborted" and run.is_terminal
    assert time.monotonic() - began < 3
    assert fake.cancels == []
