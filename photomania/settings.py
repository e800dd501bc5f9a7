"""PhotoMania settings.

Every setting that varies between machines comes from the environment (django-environ) and
is documented in README.md ("Configuration"). With nothing set, the embedded development
defaults apply: SQLite, local media under var/, a filesystem Celery broker. With
DEBUG=False the process refuses to start unless SECRET_KEY and ALLOWED_HOSTS are set.
"""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def _config_error(message: str) -> SystemExit:
    # One line naming the variable, not a traceback: SystemExit prints its message and exits 1.
    return SystemExit(f"photomania: configuration error: {message}")


class _Env(environ.Env):
    """environ.Env whose parse errors name the variable in one line."""

    def get_value(self, var, cast=None, default=environ.Env.NOTSET, parse_default=False):
        try:
            return super().get_value(var, cast=cast, default=default, parse_default=parse_default)
        except environ.ImproperlyConfigured as exc:
            raise _config_error(f"{var} is not set") from exc
        except (ValueError, TypeError) as exc:
            raise _config_error(f"{var} is malformed ({exc})") from exc


env = _Env()
if (BASE_DIR / ".env").exists():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=True)
TESTING = env.bool("PHOTOMANIA_TESTING", default=False)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-insecure-photomania-key-change-me")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver", "[::1]"])
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure") or SECRET_KEY.startswith("dev-"):
        raise _config_error("SECRET_KEY must be set to a random value of 50+ characters when DEBUG=False")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
    if not ALLOWED_HOSTS:
        raise _config_error("ALLOWED_HOSTS must be set when DEBUG=False")

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.headless",
    "djstripe",
    "accounts",
    "effects",
    "billing",
]

MIDDLEWARE = [
    "photomania.middleware.RequestIdMiddleware",
    # API (issue 3): 413 for oversized /api/ bodies before parsing, JSON envelope for every /api/ error.
    "photomania.api.middleware.ApiEnvelopeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "photomania.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "photomania.urls"
WSGI_APPLICATION = "photomania.wsgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int("DB_CONNECT_TIMEOUT", default=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and broker -----------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "photomania.cache.PooledRedisCache",
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

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }

# Reliability settings recommended for a Redis broker (see README "Job pipeline").
JOB_SOFT_TIME_LIMIT = env.int("JOB_SOFT_TIME_LIMIT", default=120)
JOB_TIME_LIMIT = env.int("JOB_TIME_LIMIT", default=150)
JOB_MAX_RETRIES = env.int("JOB_MAX_RETRIES", default=5)
JOB_RETRY_BACKOFF_MAX = env.int("JOB_RETRY_BACKOFF_MAX", default=300)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = JOB_SOFT_TIME_LIMIT
CELERY_TASK_TIME_LIMIT = JOB_TIME_LIMIT
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUE_PRIORITY = "priority"
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Above the hard time limit plus the longest retry countdown, so a slow job is never
        # redelivered while it still runs.
        "visibility_timeout": JOB_TIME_LIMIT + JOB_RETRY_BACKOFF_MAX + 600,
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE: dict = {}

# --- Job pipeline (effects engineer) ---------------------------------------------------------
# Workers consume `-Q priority,default`; kombu's Redis transport with queue_order_strategy
# "priority" polls the queues in that fixed order (BRPOP key order), so paid jobs go first.
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS["queue_order_strategy"] = "priority"
    CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = env.int(
        "CELERY_VISIBILITY_TIMEOUT", default=CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    )
CELERY_TASK_ROUTES = {
    "effects.sweep_jobs": {"queue": "default"},
    "effects.send_job_callback": {"queue": "default"},
}
JOB_RETRY_BACKOFF_BASE = env.float("JOB_RETRY_BACKOFF_BASE", default=5.0)
# A PENDING job never published (broker down at apply) is re-enqueued after this many seconds.
JOB_ENQUEUE_GRACE = env.int("JOB_ENQUEUE_GRACE", default=60)
# A published PENDING job still not started after this long is published again (lost message).
JOB_PENDING_STALE = env.int("JOB_PENDING_STALE", default=900)
JOB_SWEEP_INTERVAL = env.int("JOB_SWEEP_INTERVAL", default=60)
CELERY_BEAT_SCHEDULE["effects-sweep"] = {"task": "effects.sweep_jobs", "schedule": float(JOB_SWEEP_INTERVAL)}
REPLICATE_TIMEOUT = env.float("REPLICATE_TIMEOUT", default=30.0)
REPLICATE_POLL_INTERVAL = env.float("REPLICATE_POLL_INTERVAL", default=5.0)
REPLICATE_DEADLINE = env.int("REPLICATE_DEADLINE", default=900)
CALLBACK_TIMEOUT = env.float("CALLBACK_TIMEOUT", default=10.0)
CALLBACK_MAX_RETRIES = env.int("CALLBACK_MAX_RETRIES", default=8)
CALLBACK_RETRY_BACKOFF = env.float("CALLBACK_RETRY_BACKOFF", default=10.0)
# --- end job pipeline ------------------------------------------------------------------------

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions (browser cookies and allauth's X-Session-Token) are read from the cache, written through to the DB.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "account_login"

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="optional" if DEBUG else "mandatory")
if ACCOUNT_EMAIL_VERIFICATION not in {"none", "optional", "mandatory"}:
    raise _config_error("ACCOUNT_EMAIL_VERIFICATION must be one of none, optional, mandatory")
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[PhotoMania] "
ACCOUNT_RATE_LIMITS = {
    "login_failed": env.str("RATE_LIMIT_LOGIN_FAILED", default="10/m/ip,5/5m/key"),
    "signup": env.str("RATE_LIMIT_SIGNUP", default="20/m/ip"),
}
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
HEADLESS_CLIENTS = ("app", "browser")
HEADLESS_ONLY = False
HEADLESS_SERVE_SPECIFICATION = True
HEADLESS_TOKEN_STRATEGY = "allauth.headless.tokens.strategies.sessions.SessionTokenStrategy"
SOCIALACCOUNT_PROVIDERS: dict = {}

# --- Email ----------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="PhotoMania <no-reply@photomania.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# No public media URL: files are served through signed, expiring URLs only.
MEDIA_URL = "/media/"
MEDIA_URL_EXPIRY = env.int("MEDIA_URL_EXPIRY", default=3600)

S3_BUCKET = env.str("S3_BUCKET", default="")
if S3_BUCKET:
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
            "region_name": env.str("S3_REGION", default="auto"),
            "signature_version": "s3v4",
            "addressing_style": env.str("S3_ADDRESSING_STYLE", default="path"),
            "querystring_auth": True,
            "querystring_expire": MEDIA_URL_EXPIRY,
            "default_acl": None,
            "file_overwrite": True,
            "location": env.str("S3_PREFIX", default=""),
        },
    }
else:
    _media_storage = {
        "BACKEND": "effects.storage.SignedFileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT)},
    }
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Images and jobs ------------------------------------------------------------------------
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

# The person-segmentation model behind local:background-* effects; .ci/models.sh installs it at setup.
SEGMENTATION_MODEL_PATH = Path(
    env.str("SEGMENTATION_MODEL_PATH", default=str(VAR_DIR / "models" / "selfie_segmentation.tflite"))
)
# The folder of the face-detection models (BlazeFace short and full range) behind the people
# effects; .ci/models.sh installs them there at setup.
FACE_MODEL_DIR = Path(env.str("FACE_MODEL_DIR", default=str(VAR_DIR / "models")))

REPLICATE_API_TOKEN = env.str("REPLICATE_API_TOKEN", default="")
REPLICATE_API_BASE = env.str("REPLICATE_API_BASE", default="https://api.replicate.com/v1")
REPLICATE_WEBHOOK_SECRET = env.str("REPLICATE_WEBHOOK_SECRET", default="")

# --- Billing --------------------------------------------------------------------------------
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_LIVE_MODE = env.bool("STRIPE_LIVE_MODE", default=False)
STRIPE_API_VERSION = env.str("STRIPE_API_VERSION", default="2024-06-20")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")
DJSTRIPE_FOREIGN_KEY_TO_FIELD = "id"
DJSTRIPE_USE_NATIVE_JSONFIELD = True
DJSTRIPE_WEBHOOK_VALIDATION = "verify_signature"
REFERRAL_BONUS_CREDITS = env.int("REFERRAL_BONUS_CREDITS", default=5)
FREE_REFILL_DAYS = 30
# -- billing engineer's block: Stripe / dj-stripe wiring --
# dj-stripe reads STRIPE_API_HOST once at start-up (a local Stripe-compatible server, e.g. stripe-mock).
if STRIPE_API_BASE:
    STRIPE_API_HOST = STRIPE_API_BASE
# Our /api/webhooks/stripe verifies with STRIPE_WEBHOOK_SECRET (300 s tolerance) and never honours
# dj-stripe's DEBUG-only x-djstripe-webhook-secret header. dj-stripe's own endpoint
# (/stripe/webhook/<uuid>/) uses the secret of its WebhookEndpoint row.
DJSTRIPE_SUBSCRIBER_MODEL = AUTH_USER_MODEL
# The daily free-plan refill: tops FREE users up to the FREE quota once per FREE_REFILL_DAYS.
CELERY_BEAT_SCHEDULE["billing-free-refill"] = {"task": "billing.free_credits_refill", "schedule": timedelta(days=1)}
# -- end billing block --

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "allauth.headless.contrib.rest_framework.authentication.XSessionTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["photomania.api.renderers.EnvelopeJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "EXCEPTION_HANDLER": "photomania.api.exceptions.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "photomania.api.pagination.EnvelopePagination",
    "PAGE_SIZE": 20,
    # API (issue 3): documents the envelope and the error responses of every operation.
    "DEFAULT_SCHEMA_CLASS": "photomania.api.schema.EnvelopeAutoSchema",
    "DEFAULT_THROTTLE_RATES": {
        "apply": env.str("RATE_LIMIT_APPLY", default="30/min"),
        "upload": env.str("RATE_LIMIT_UPLOAD", default="60/hour"),
        "user": env.str("RATE_LIMIT_USER", default="600/min"),
        "anon": env.str("RATE_LIMIT_ANON", default="300/min"),
    },
    "NUM_PROXIES": ALLAUTH_TRUSTED_PROXY_COUNT,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PhotoMania API",
    "DESCRIPTION": "Apply AI photo effects; pay with credits.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # API (issue 3): the envelope's "success" flag is true on success bodies, false on errors.
    "ENUM_NAME_OVERRIDES": {
        "SuccessTrueEnum": [(True, True)],
        "SuccessFalseEnum": [(False, False)],
        "ErrorCodeEnum": "photomania.api.errors.ErrorCode",
    },
    # Links chain an apply to the job it created (clients and stateful fuzzing follow them).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "photomania.api.schema.add_links",
    ],
}

# --- Security -------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^api/health$"]

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Logging --------------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "photomania.middleware.RequestIdLogFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# How long an Idempotency-Key is remembered (Stripe keeps them 24 hours).
IDEMPOTENCY_KEY_TTL = timedelta(hours=env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24))
# Development and tests serve static files straight from the finders (no collectstatic needed).
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
