"""Effects and the job pipeline: image limits, job time limits and retries, engines, callbacks."""

from pathlib import Path

from photomania.settings.core import VAR_DIR, env

# --- Uploaded and fetched images ---
IMAGE_MAX_UPLOAD_BYTES = env.int("IMAGE_MAX_UPLOAD_BYTES", default=15 * 1024 * 1024)
IMAGE_MAX_PIXELS = env.int("IMAGE_MAX_PIXELS", default=50_000_000)
IMAGE_MAX_SIDE = env.int("IMAGE_MAX_SIDE", default=2048)
IMAGE_FETCH_TIMEOUT = env.float("IMAGE_FETCH_TIMEOUT", default=10.0)
IMAGE_FETCH_MAX_REDIRECTS = 3
# Hosts the SSRF guard lets through although they resolve to private addresses (tests only).
IMAGE_FETCH_ALLOWED_HOSTS = env.list("IMAGE_FETCH_ALLOWED_HOSTS", default=[])
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Multipart bodies up to the image cap plus form overhead are let through to our validator.
REQUEST_MAX_BODY_BYTES = IMAGE_MAX_UPLOAD_BYTES + 512 * 1024
# Any other body (sign-in and sign-up forms, allauth's API, pages without uploads).
REQUEST_MAX_FORM_BYTES = env.int("REQUEST_MAX_FORM_BYTES", default=256 * 1024)

# --- Synchronous apply (`Prefer: wait=N`) ---
# Requests of one web process that may wait for their job at once; each holds a server thread (and
# a Redis connection) while it waits, so the default is a quarter of gunicorn's threads per process
# (WEB_THREADS, 16): the other threads keep serving everything else. Beyond it, a request that asks
# to wait is answered at once (202, as if it had not asked). 0 turns waiting off.
SYNC_APPLY_MAX_WAITERS = env.int("SYNC_APPLY_MAX_WAITERS", default=max(1, env.int("WEB_THREADS", default=16) // 4))

# --- Jobs: time limits, retries, the sweeper ---
JOB_SOFT_TIME_LIMIT = env.int("JOB_SOFT_TIME_LIMIT", default=120)
JOB_TIME_LIMIT = env.int("JOB_TIME_LIMIT", default=150)
JOB_MAX_RETRIES = env.int("JOB_MAX_RETRIES", default=5)
JOB_RETRY_BACKOFF_BASE = env.float("JOB_RETRY_BACKOFF_BASE", default=5.0)
JOB_RETRY_BACKOFF_MAX = env.int("JOB_RETRY_BACKOFF_MAX", default=300)
# A PENDING job never published (broker down at apply) is re-enqueued after this many seconds.
JOB_ENQUEUE_GRACE = env.int("JOB_ENQUEUE_GRACE", default=60)
# A published PENDING job still not started after this long is published again (lost message).
JOB_PENDING_STALE = env.int("JOB_PENDING_STALE", default=900)
JOB_SWEEP_INTERVAL = env.int("JOB_SWEEP_INTERVAL", default=60)
# A published PENDING job due this long ago whose message is in no broker queue and not held by any
# worker is published again by the next sweep (Redis lost its data): lost work waits at most
# this plus JOB_SWEEP_INTERVAL.
JOB_MESSAGE_LOST_AFTER = env.int("JOB_MESSAGE_LOST_AFTER", default=45)

# --- Worker watchdog and pipeline health ---
# A worker whose queues hold messages while its consumer has taken none for this long exits
# non-zero, so its supervisor restarts it (a consumer wedged by a broker fault).
WORKER_STALL_TIMEOUT = env.int("WORKER_STALL_TIMEOUT", default=45)
# How often the watchdog looks, and refreshes the worker's heartbeat (its TTL is three periods).
WORKER_WATCHDOG_INTERVAL = env.float("WORKER_WATCHDOG_INTERVAL", default=5.0)
# Readiness fails when the oldest due PENDING job has waited longer than this while no worker's
# heartbeat says it is consuming.
PIPELINE_MAX_WAIT = env.int("PIPELINE_MAX_WAIT", default=120)
# The deep health check (GET /api/health with a staff session or `Authorization: Bearer <token>`);
# without a token only staff see it. Its report is reused for this many seconds per process.
HEALTH_TOKEN = env.str("HEALTH_TOKEN", default="")
HEALTH_CACHE_SECONDS = env.float("HEALTH_CACHE_SECONDS", default=5.0)

# --- Engines ---
# The person-segmentation model behind local:background-* effects; scripts/models.sh installs it at setup.
SEGMENTATION_MODEL_PATH = Path(
    env.str("SEGMENTATION_MODEL_PATH", default=str(VAR_DIR / "models" / "selfie_segmentation.tflite"))
)
# The folder of the face-detection models (BlazeFace short and full range) behind the people
# effects; scripts/models.sh installs them there at setup.
FACE_MODEL_DIR = Path(env.str("FACE_MODEL_DIR", default=str(VAR_DIR / "models")))

REPLICATE_API_TOKEN = env.str("REPLICATE_API_TOKEN", default="")
REPLICATE_API_BASE = env.str("REPLICATE_API_BASE", default="https://api.replicate.com/v1")
REPLICATE_WEBHOOK_SECRET = env.str("REPLICATE_WEBHOOK_SECRET", default="")
REPLICATE_TIMEOUT = env.float("REPLICATE_TIMEOUT", default=30.0)
REPLICATE_POLL_INTERVAL = env.float("REPLICATE_POLL_INTERVAL", default=5.0)
REPLICATE_DEADLINE = env.int("REPLICATE_DEADLINE", default=900)
# Sources up to this size go inline as a data URI (Replicate recommends it under 1 MB); larger ones
# as a signed storage URL valid REPLICATE_INPUT_URL_EXPIRY seconds (S3/R2), else through its files API.
REPLICATE_DATA_URI_MAX_BYTES = env.int("REPLICATE_DATA_URI_MAX_BYTES", default=1_000_000)
REPLICATE_INPUT_URL_EXPIRY = env.int("REPLICATE_INPUT_URL_EXPIRY", default=600)
# Admin "Try it" and "Render preview" wait this long for a prediction, then cancel it.
REPLICATE_TRY_TIMEOUT = env.int("REPLICATE_TRY_TIMEOUT", default=120)

# --- Client callbacks ---
CALLBACK_TIMEOUT = env.float("CALLBACK_TIMEOUT", default=10.0)
CALLBACK_MAX_RETRIES = env.int("CALLBACK_MAX_RETRIES", default=8)
CALLBACK_RETRY_BACKOFF = env.float("CALLBACK_RETRY_BACKOFF", default=10.0)
