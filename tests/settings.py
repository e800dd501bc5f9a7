"""The test suite's settings: PhotoMania's own, in a process started with all three sign-in
providers configured, so their apps are installed the way a deployment installs them: from the
provider variables (``GOOGLE_*``, ``GITHUB_*``, ``OIDC_*``) read by ``photomania/settings/auth.py``.

Django cannot install an app for one test only, while tests need each provider in turn, so the
process starts like a deployment that has them all. The variables are then removed again and the
suite starts with no provider configured: a test configures providers as a deployment does, by
setting the variables and building ``SOCIALACCOUNT_PROVIDERS`` with ``social_providers_from_env``
(the ``oidc_server`` fixture does it for the local OpenID Connect provider).

Under pytest-xdist every worker process (``PYTEST_XDIST_WORKER`` = gw0, gw1...) gets a Redis db of
its own (cache, broker, heartbeats), as pytest-django gives it a database of its own.
"""

import os
from urllib.parse import urlsplit, urlunsplit

_REDIS_DBS = 16  # Redis's default number of dbs


def redis_url_for_worker(url: str, worker: str) -> str:
    """``url`` with its db number moved up by the xdist worker's index (gw0 keeps it, gw1 takes the next...)."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        return url
    base = int(parts.path.strip("/") or 0)
    db = base + int(worker.removeprefix("gw"))
    if db >= _REDIS_DBS:
        raise RuntimeError(
            f"pytest-xdist worker {worker} would need Redis db {db} (REDIS_URL's db {base} + its index): "
            f"run fewer workers or start from a lower db"
        )
    return urlunsplit(parts._replace(path=f"/{db}"))


# Moved in the environment, not only in these settings, so the subprocesses a test starts (web
# servers, Celery workers) inherit the worker's db; the marker keeps a child from moving it again.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker and os.environ.get("PHOTOMANIA_TEST_REDIS_WORKER") != _worker:
    for _variable in ("REDIS_URL", "CELERY_BROKER_URL"):
        if os.environ.get(_variable):
            os.environ[_variable] = redis_url_for_worker(os.environ[_variable], _worker)
    os.environ["PHOTOMANIA_TEST_REDIS_WORKER"] = _worker

# Placeholders: a test that signs in through a provider sets its own values (the OIDC server is
# then the local one); no test reaches these addresses.
_PROVIDER_VARIABLES = {
    "GOOGLE_CLIENT_ID": "google-test-client",
    "GOOGLE_CLIENT_SECRET": "google-test-secret",
    "GITHUB_CLIENT_ID": "github-test-client",
    "GITHUB_CLIENT_SECRET": "github-test-secret",
    "OIDC_CLIENT_ID": "oidc-test-client",
    "OIDC_CLIENT_SECRET": "oidc-test-secret",
    "OIDC_SERVER_URL": "https://sso.invalid",
}
_set_here = [name for name in _PROVIDER_VARIABLES if name not in os.environ]
for _name in _set_here:
    os.environ[_name] = _PROVIDER_VARIABLES[_name]

from photomania.settings import *  # noqa: E402, F403
from photomania.settings.auth import social_providers_from_env  # noqa: E402

_DEPLOYMENT_PROVIDERS = SOCIALACCOUNT_PROVIDERS  # noqa: F405
for _name in _set_here:
    del os.environ[_name]
# allauth reads a provider's own class ("provider_class") once, at start-up: the suite keeps the
# classes of the deployment it started as, while no provider is configured.
SOCIALACCOUNT_PROVIDERS = {
    provider: {"provider_class": config["provider_class"]}
    for provider, config in _DEPLOYMENT_PROVIDERS.items()
    if "provider_class" in config
} | social_providers_from_env()

# Hashing a password with the production hasher (PBKDF2, a million rounds) takes a large part of a
# second; the suite creates thousands of users. Hashing itself is Django's, tested there.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
