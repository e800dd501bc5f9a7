"""Cache, broker and Celery: Redis when REDIS_URL is set, otherwise a file cache and a filesystem broker.

The filesystem broker's folders are created when Celery first reads this configuration, in
every process that publishes or consumes (see celery_app.py), not here.
"""

from datetime import timedelta
from pathlib import Path

from photomania.settings.core import VAR_DIR, env
from photomania.settings.pipeline import (
    JOB_RETRY_BACKOFF_MAX,
    JOB_SOFT_TIME_LIMIT,
    JOB_SWEEP_INTERVAL,
    JOB_TIME_LIMIT,
)

REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="pm"),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    # A cache shared by the web and worker processes without a server (allauth's and DRF's
    # rate limits need a shared cache; LocMem would give each process its own counters).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# A host name keeps kombu from warning that none was given (the filesystem transport ignores it).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://localhost/")


def _broker_transport_options(url: str) -> dict:
    if url.startswith(("redis://", "rediss://")):
        return {
            # Above the hard time limit plus the longest retry countdown, so a slow job is
            # never redelivered while it still runs.
            "visibility_timeout": env.int(
                "CELERY_VISIBILITY_TIMEOUT", default=JOB_TIME_LIMIT + JOB_RETRY_BACKOFF_MAX + 600
            ),
            # Workers consume `-Q sweep,priority,default`; with this strategy kombu polls the queues
            # in that fixed order (BRPOP key order), so paid plans' jobs go first.
            "queue_order_strategy": "priority",
            # Dead connections are noticed rather than waited on forever: a timeout on every
            # command, TCP keepalive, a PING before reusing an idle connection and kombu's own
            # check of the long-lived BRPOP connection (dropped once its reply is overdue).
            "socket_connect_timeout": 2,
            "socket_timeout": 5,
            "socket_keepalive": True,
            "health_check_interval": env.int("CELERY_BROKER_HEALTH_CHECK_INTERVAL", default=10),
            "retry_on_timeout": True,
        }
    if url.startswith("filesystem://"):
        folder = Path(env.str("CELERY_BROKER_FOLDER", default=str(VAR_DIR / "broker")))
        return {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "store_processed": False,
            # kombu's exchange table; it would default to ./control in the working directory.
            "control_folder": str(folder / "control"),
        }
    return {}


CELERY_BROKER_TRANSPORT_OPTIONS = _broker_transport_options(CELERY_BROKER_URL)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker that lost its broker keeps reconnecting (forever) instead of giving up.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2}

# Reliability: a task is acknowledged after it ran, and redelivered if its worker died.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Messages each worker process holds beyond the one it runs (still acknowledged only after the
# run, so a lost worker's jobs are redelivered). 1: a job never waits behind a long one while
# another worker is idle; `python -m bench pipeline` measures 2 against it.
CELERY_WORKER_PREFETCH_MULTIPLIER = env.int("WORKER_PREFETCH_MULTIPLIER", default=1)
CELERY_TASK_SOFT_TIME_LIMIT = JOB_SOFT_TIME_LIMIT
CELERY_TASK_TIME_LIMIT = JOB_TIME_LIMIT
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUE_PRIORITY = "priority"
# Every worker consumes `-Q sweep,priority,default`: the sweeper has a queue of its own, polled
# first, so a backlog on the queues it repairs never delays it.
CELERY_TASK_ROUTES = {
    "effects.sweep_jobs": {"queue": "sweep"},
    "effects.send_job_callback": {"queue": "default"},
    "effects.cancel_prediction": {"queue": "default"},
    "effects.purge_idempotency_keys": {"queue": "default"},
    "accounts.erase_account": {"queue": "default"},
    "accounts.sweep_account_deletions": {"queue": "default"},
    "accounts.build_data_export": {"queue": "default"},
    "accounts.purge_data_exports": {"queue": "default"},
}

# Run exactly one beat process.
CELERY_BEAT_SCHEDULE = {
    # Re-enqueue PENDING jobs whose message was lost; retry or fail PROCESSING jobs past their limit.
    "effects-sweep": {"task": "effects.sweep_jobs", "schedule": float(JOB_SWEEP_INTERVAL)},
    # Forget Idempotency-Keys older than IDEMPOTENCY_KEY_TTL.
    "effects-purge-idempotency-keys": {"task": "effects.purge_idempotency_keys", "schedule": timedelta(hours=1)},
    # Top FREE users up to the FREE quota once per FREE_REFILL_DAYS.
    "billing-free-refill": {"task": "billing.free_credits_refill", "schedule": timedelta(days=1)},
    # Delete job photos past SOURCE_RETENTION_DAYS / RESULT_RETENTION_DAYS, and files no job names.
    "effects-retention": {"task": "effects.jobs_retention", "schedule": timedelta(minutes=10)},
    # Forget the IP address of audit rows older than AUDIT_IP_RETENTION_DAYS.
    "accounts-forget-audit-ips": {"task": "accounts.audit_ip_addresses_forget", "schedule": timedelta(hours=6)},
    # Finish account deletions a crash or an outage left half-done.
    "accounts-sweep-deletions": {"task": "accounts.sweep_account_deletions", "schedule": timedelta(minutes=15)},
    # Delete data export archives whose 24-hour link expired.
    "accounts-purge-data-exports": {"task": "accounts.purge_data_exports", "schedule": timedelta(hours=1)},
}
