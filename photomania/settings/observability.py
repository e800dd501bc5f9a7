"""Observability: error reporting to Sentry (web and workers) and the Prometheus metrics.

Metrics need no setting of their own: ``/metrics`` is open to staff sessions and to
``Authorization: Bearer <HEALTH_TOKEN>`` (the deep health check's rule), and gunicorn's config
sets ``PROMETHEUS_MULTIPROC_DIR`` for its workers (read by prometheus_client itself).
"""

from photomania.settings.core import DEBUG, config_error, env

# Without a DSN the SDK is not initialised at all: nothing is sent, nothing is patched.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="development" if DEBUG else "production")
# The deployed version (e.g. the git commit); the SDK's own guess is used when empty.
SENTRY_RELEASE = env.str("SENTRY_RELEASE", default="")
# Share of requests and tasks traced for Sentry's performance view (0 = errors only).
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
if not 0.0 <= SENTRY_TRACES_SAMPLE_RATE <= 1.0:
    raise config_error("SENTRY_TRACES_SAMPLE_RATE must be between 0 and 1")
