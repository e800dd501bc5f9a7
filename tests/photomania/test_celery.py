"""The Celery app's wiring: a web process publishes to the filesystem broker of a fresh checkout; the
worker runs with glibc's malloc keeping image buffers in the heap."""

import os
import shlex
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


WORKER_MALLOC = {"MALLOC_MMAP_THRESHOLD_": "33554432", "MALLOC_TRIM_THRESHOLD_": "268435456"}


@pytest.mark.parametrize("procfile", ["Procfile", "Procfile.dev"])
def test_the_worker_line_keeps_image_buffers_in_the_heap(procfile):
    line = next(line for line in (ROOT / procfile).read_text().splitlines() if line.startswith("worker:"))
    words = shlex.split(line.removeprefix("worker:"))
    command = words.index(next(word for word in words if "=" not in word))

    assert dict(word.split("=", 1) for word in words[:command]).items() >= WORKER_MALLOC.items()
    assert words[command].endswith("celery")


# Bytes in mmap()ed chunks before and after allocating a 16 MB buffer, read from glibc's mallinfo2.
_MMAPPED_BY_A_16_MB_BUFFER = """
import ctypes
class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]
mallinfo2 = ctypes.CDLL("libc.so.6").mallinfo2
mallinfo2.restype = MallInfo2
before = mallinfo2().hblkhd
buffer = bytearray(16 * 1024 * 1024)
print(mallinfo2().hblkhd - before)
"""


def _mmapped_by_a_16_mb_buffer(**env: str) -> int:
    result = subprocess.run(
        [sys.executable, "-c", _MMAPPED_BY_A_16_MB_BUFFER],
        env={**{k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return int(result.stdout)


def test_the_worker_malloc_variables_serve_a_16_mb_buffer_from_the_heap():
    assert _mmapped_by_a_16_mb_buffer() >= 16 * 1024 * 1024  # glibc's default: a mapping of its own

    assert _mmapped_by_a_16_mb_buffer(**WORKER_MALLOC) == 0
