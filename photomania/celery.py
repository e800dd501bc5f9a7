"""The Celery app: configured from Django settings (CELERY_* names), tasks autodiscovered."""

import os
from pathlib import Path

from celery import Celery
from celery.signals import (
    beat_init,
    before_task_publish,
    celeryd_init,
    task_postrun,
    task_prerun,
)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "photomania.settings")

app = Celery("photomania")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Celery's Django fixup closes the database connection before and after every task unless
# DB_REUSE_MAX is set, so each job paid a new PostgreSQL connection (and a cold server backend).
# Connections are kept as across web requests instead: ``close_old_connections`` at each task's
# start and end (below) honours CONN_MAX_AGE and CONN_HEALTH_CHECKS and drops a broken connection.
# The fixup still closes them after 2 x DB_REUSE_MAX tasks.
app.conf.CELERY_DB_REUSE_MAX = 10_000

# Inside every worker: exit (to be restarted) when the consumer stops taking waiting messages.
app.steps["consumer"].add("core.watchdog:ConsumerWatchdog")


@celeryd_init.connect
@beat_init.connect
def _start_error_reporting(**kwargs):
    """Worker and beat processes report errors to Sentry when SENTRY_DSN is set (pool children inherit it)."""
    from core.sentry import sentry_init

    sentry_init()


_FILESYSTEM_BROKER_FOLDERS = ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")


@app.on_after_configure.connect
def _create_filesystem_broker_folders(sender, **kwargs):
    """The filesystem broker needs its folders before the first publish or consume.

    Runs once per process (web, worker, beat, shell) when Celery first reads its configuration.
    """
    if not str(sender.conf.broker_url or "").startswith("filesystem://"):
        return
    options = sender.conf.broker_transport_options or {}
    for key in _FILESYSTEM_BROKER_FOLDERS:
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


# The request id of the web request that enqueued a task follows it into the worker's logs.
@before_task_publish.connect
def _attach_request_id(headers=None, **kwargs):
    from core.middleware import request_id_var

    if headers is not None and "request_id" not in headers:
        headers["request_id"] = request_id_var.get()


@task_prerun.connect
def _restore_request_id(task=None, **kwargs):
    from core.middleware import request_id_var

    request_id = getattr(task.request, "request_id", None) if task is not None else None
    task.request._request_id_token = request_id_var.set(request_id or f"task-{task.request.id}")


@task_postrun.connect
def _clear_request_id(task=None, **kwargs):
    from core.middleware import request_id_var

    token = getattr(task.request, "_request_id_token", None) if task is not None else None
    if token is not None:
        request_id_var.reset(token)


@task_prerun.connect
@task_postrun.connect
def _close_old_database_connections(**kwargs):
    """As Django does around each request: drop connections that are too old or broke."""
    from django.db import close_old_connections

    close_old_connections()
