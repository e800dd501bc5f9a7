"""The consumer watchdog: a heartbeat while the consumer takes messages, a stall once messages wait
WORKER_STALL_TIMEOUT seconds with nothing taken."""

import json

import pytest
import redis
from django.conf import settings

from core.watchdog import ConsumerMonitor, heartbeat_key

QUEUE = "watchdog-test-queue"
NODE = "celery@watchdog-test"


@pytest.fixture
def client():
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(QUEUE, heartbeat_key(NODE))
    yield client
    client.delete(QUEUE, heartbeat_key(NODE))


def monitor_on(client) -> ConsumerMonitor:
    return ConsumerMonitor(nodename=NODE, queues=[QUEUE], client=client, stall_timeout=30, interval=5)


def test_a_consumer_with_nothing_waiting_beats_and_is_not_stalled(client):
    monitor = monitor_on(client)

    stalled = monitor.check(now=monitor.last_received + 1000)

    assert stalled is False
    assert json.loads(client.get(heartbeat_key(NODE)))["queues"] == [QUEUE]


def test_messages_waiting_with_nothing_taken_for_the_stall_timeout_is_a_stall(client):
    monitor = monitor_on(client)
    client.rpush(QUEUE, b"{}")
    start = monitor.last_received + 100

    first = monitor.check(now=start)
    client.delete(heartbeat_key(NODE))
    later = monitor.check(now=start + 31)

    assert (first, later) == (False, True)
    assert client.get(heartbeat_key(NODE)) is None  # no heartbeat while stalled


def test_a_message_taken_meanwhile_is_no_stall(client):
    monitor = monitor_on(client)
    client.rpush(QUEUE, b"{}")
    start = monitor.last_received + 100
    monitor.check(now=start)

    monitor.last_received = start + 20  # the consumer took one
    stalled = monitor.check(now=start + 31)

    assert stalled is False
