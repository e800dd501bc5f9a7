"""Core: the environment reader, mode (DEBUG / test suite), secrets, apps, middleware, templates."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Everything a development process writes (SQLite, media, the filesystem broker, caches).
VAR_DIR = BASE_DIR / "var"


def config_error(message: str) -> SystemExit:
    """One line naming the variable, not a traceback: SystemExit prints its message and exits 1."""
    return SystemExit(f"photomania: configuration error: {message}")


class _Env(environ.Env):
    """environ.Env whose parse errors name the variable in one line."""

    def get_value(self, var, cast=None, default=environ.Env.NOTSET, parse_default=False):
        try:
            return super().get_value(var, cast=cast, default=default, parse_default=parse_default)
        except environ.ImproperlyConfigured as exc:
            raise config_error(f"{var} is not set") from exc
        except (ValueError, TypeError) as exc:
            raise config_error(f"{var} is malformed ({exc})") from exc


env = _Env()
if (BASE_DIR / ".env").exists():
    env.read_env(BASE_DIR / ".env")

# Fail safe: production unless development mode is asked for (`make run` sets DEBUG=True).
DEBUG = env.bool("DEBUG", default=False)
TESTING = env.bool("PHOTOMANIA_TESTING", default=False)
# The embedded development defaults (dev secret key, loopback hosts, plain HTTP, optional email
# verification, text logs) apply to a DEBUG process and to the test suite, never to production.
DEVELOPMENT_DEFAULTS = DEBUG or TESTING

if DEVELOPMENT_DEFAULTS:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-insecure-photomania-key-change-me")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver", "[::1]"])
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure") or SECRET_KEY.startswith("dev-"):
        raise config_error("SECRET_KEY must be set to a random value of 50+ characters when DEBUG=False")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
    if not ALLOWED_HOSTS:
        raise config_error("ALLOWED_HOSTS must be set when DEBUG=False")

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# The product name in emails and page titles; with SITE_URL's host it is written to the Sites
# framework's row (SITE_ID) by every `migrate`, which allauth's emails read.
SITE_NAME = env.str("SITE_NAME", default="PhotoMania")
SITE_ID = 1

INSTALLED_APPS = [
    "photomania.apps.PhotoManiaAdminConfig",  # django.contrib.admin with our site
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
    "drf_spectacular_sidecar",
    # Its abstract hashed-key model (accounts.ApiKey); its own APIKey table stays unused.
    "rest_framework_api_key",
    "allauth",
    "photomania.apps.SignInAccountConfig",  # allauth.account
    "allauth.socialaccount",
    "allauth.mfa",
    "allauth.headless",
    "djstripe",
    # Drag-and-drop ordering of the effect list in admin.
    "adminsortable2",
    "accounts",
    "effects",
    "billing",
]

MIDDLEWARE = [
    # Outermost, so the latency it records covers every other middleware.
    "core.middleware.RequestMetricsMiddleware",
    "core.middleware.RequestIdMiddleware",
    # 413 for a body over its route's limit on every path, before anything reads it.
    "core.api.middleware.RequestBodyLimitMiddleware",
    # A URL carrying an API key is refused before anything logs or reads it.
    "core.api.middleware.ApiKeyInQueryMiddleware",
    # allauth's JSON API: malformed JSON (too deep, oversized numbers) is a 400, not a 500.
    "core.middleware.HeadlessJsonGuardMiddleware",
    # The JSON envelope for every /api/ error.
    "core.api.middleware.ApiEnvelopeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Staff without a second factor are sent to set one up before the admin opens.
    "photomania.admin.AdminMfaMiddleware",
    # Development only: page 404s render templates/404.html (Django's own page breaks the CSP).
    "core.middleware.DebugNotFoundMiddleware",
]

ROOT_URLCONF = "photomania.urls"
WSGI_APPLICATION = "photomania.wsgi.application"

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

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
