"""``manage.py worker_probe``: a liveness probe for a Celery worker (exit 0 alive and consuming, 1 not).

The worker's watchdog refreshes a heartbeat in the broker's Redis while its consumer takes
messages (or has none waiting); the probe checks that heartbeat is there. Orchestrators run it
beside the worker, e.g. every 30 s, and restart the worker after a few failures.
"""

import socket

import redis
from django.core.management.base import BaseCommand, CommandError

from core.watchdog import broker_client, consumer_heartbeats


class Command(BaseCommand):
    help = "Exit 0 if the named worker (default celery@<this host>) is seen consuming, 1 otherwise."

    def add_arguments(self, parser):
        parser.add_argument("--node", default=f"celery@{socket.gethostname()}", help="the worker's node name (-n)")
        parser.add_argument(
            "--any", dest="any_worker", action="store_true", help="succeed if any worker is seen consuming"
        )

    def handle(self, *args, node: str, any_worker: bool, **options):
        client = broker_client()
        try:
            beats = consumer_heartbeats(client)
        except redis.RedisError as exc:
            raise CommandError(f"broker unreachable: {exc.__class__.__name__}", returncode=1) from None
        finally:
            client.close()
        alive = bool(beats) if any_worker else node in beats
        if not alive:
            who = "any worker" if any_worker else node
            raise CommandError(f"no consumer heartbeat for {who}", returncode=1)
        self.stdout.write("ok: " + ", ".join(sorted(beats)))
