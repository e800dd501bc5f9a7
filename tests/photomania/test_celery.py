"""The Celery app's wiring: a web process publishes to the filesystem broker of a fresh checkout."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PUBLISH = "import django; django.setup(); from effects.tasks import sweep_jobs; sweep_jobs.delay()"


def test_publishing_creates_the_filesystem_broker_folders_and_queues_the_message(tmp_path):
    broker = tmp_path / "broker"
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_BROKER_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="photomania.settings", PYTHONPATH=str(ROOT), CELERY_BROKER_FOLDER=str(broker))

    result = subprocess.run(
        [sys.executable, "-c", PUBLISH], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    assert len(list((broker / "queue").iterdir())) == 1
    # The sweeper has a queue (and so an exchange) of its own.
    assert (broker / "control" / "sweep.exchange").is_file()
    assert not (tmp_path / "control").exists()


def _backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_a_worker_keeps_its_database_connection_between_tasks_until_it_is_too_old():
    import time

    from django.db import connection

    from photomania.celery import _close_old_database_connections, app

    # Celery's Django fixup would otherwise close the connection before and after every task.
    assert app.conf.get("CELERY_DB_REUSE_MAX") >= 1000
    first = _backend_pid()

    _close_old_database_connections()

    assert _backend_pid() == first
    connection.close_at = time.monotonic() - 1  # older than CONN_MAX_AGE
    _close_old_database_connections()
    assert _backend_pid() != first
