"""Production is the default and refuses to start without its secrets; bad variables give one line naming them."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz"
# Variables a production process never has (other tests may set them in this process).
NOT_IN_PRODUCTION = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE", "PHOTOMANIA_TESTING"}
PRODUCTION_SECRETS = {"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "photomania.example"}


def production_env(**overrides) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in NOT_IN_PRODUCTION}
    env.update(overrides)
    return env


def run_check(**env_overrides):
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=production_env(**env_overrides),
        capture_output=True,
        text=True,
        timeout=120,
    )


def read_settings(*names: str, **env_overrides) -> dict:
    """The given settings as a fresh process sees them with this environment."""
    script = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: repr(getattr(settings, n, None)) for n in {list(names)!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=production_env(DJANGO_SETTINGS_MODULE="photomania.settings", **env_overrides),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_without_secret_key_refuses_to_start_with_one_line():
    result = run_check(DEBUG="False", ALLOWED_HOSTS="example.com")

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_production_without_allowed_hosts_refuses_to_start():
    result = run_check(DEBUG="False", SECRET_KEY=GOOD_KEY)

    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_malformed_variable_is_named_in_one_line():
    result = run_check(DEBUG="True", DB_CONN_MAX_AGE="soon")

    assert result.returncode != 0
    assert "DB_CONN_MAX_AGE" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_traces_sample_rate_outside_0_to_1_refuses_to_start_naming_it():
    result = run_check(DEBUG="True", SENTRY_TRACES_SAMPLE_RATE="5")

    assert result.returncode != 0
    assert "SENTRY_TRACES_SAMPLE_RATE" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_env_passes_the_deploy_check():
    env = {k: v for k, v in os.environ.items() if k not in NOT_IN_PRODUCTION}
    env.update(DEBUG="False", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="photomania.example")

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr + result.stdout


def test_debug_is_false_when_unset():
    values = read_settings("DEBUG", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", **PRODUCTION_SECRETS)

    assert values == {"DEBUG": "False", "SECURE_SSL_REDIRECT": "True", "SESSION_COOKIE_SECURE": "True"}


def test_without_secrets_and_without_debug_the_process_refuses_to_start():
    result = run_check()

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_forwarded_proto_is_not_trusted_without_a_declared_proxy():
    values = read_settings("SECURE_PROXY_SSL_HEADER", **PRODUCTION_SECRETS)

    assert values == {"SECURE_PROXY_SSL_HEADER": "None"}


def test_forwarded_proto_is_trusted_behind_a_declared_proxy():
    values = read_settings("SECURE_PROXY_SSL_HEADER", TRUSTED_PROXY_COUNT="1", **PRODUCTION_SECRETS)

    assert values == {"SECURE_PROXY_SSL_HEADER": "('HTTP_X_FORWARDED_PROTO', 'https')"}


def test_forwarded_proto_can_be_trusted_explicitly():
    values = read_settings("SECURE_PROXY_SSL_HEADER", SECURE_PROXY_SSL_HEADER="True", **PRODUCTION_SECRETS)

    assert values == {"SECURE_PROXY_SSL_HEADER": "('HTTP_X_FORWARDED_PROTO', 'https')"}


def test_importing_the_settings_creates_no_folders(tmp_path):
    broker = tmp_path / "broker"
    media = tmp_path / "media"
    env = production_env(
        DEBUG="True",
        REDIS_URL="",
        CELERY_BROKER_URL="filesystem://",
        CELERY_BROKER_FOLDER=str(broker),
        MEDIA_ROOT=str(media),
    )

    result = subprocess.run(
        [sys.executable, "-c", "import photomania.settings"], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_stripe_test_server_override_runs_checks_without_djstripe_w002():
    result = run_check(**PRODUCTION_SECRETS, STRIPE_TEST_API_BASE="http://127.0.0.1:12111")
    seen = read_settings("STRIPE_API_HOST", **PRODUCTION_SECRETS, STRIPE_TEST_API_BASE="http://127.0.0.1:12111")

    assert result.returncode == 0, result.stderr
    assert "W002" not in result.stdout + result.stderr
    assert seen["STRIPE_API_HOST"] == repr("http://127.0.0.1:12111")


def test_the_stripe_test_server_override_is_refused_in_live_mode():
    result = run_check(**PRODUCTION_SECRETS, STRIPE_TEST_API_BASE="http://127.0.0.1:12111", STRIPE_LIVE_MODE="true")

    assert result.returncode != 0
    assert "STRIPE_TEST_API_BASE" in result.stderr


PROVIDER_APPS = "[app for app in settings.INSTALLED_APPS if '.providers.' in app]"


def read_provider_apps(**env_overrides) -> list[str]:
    script = (
        f"import json, django; from django.conf import settings; django.setup(); print(json.dumps({PROVIDER_APPS}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=production_env(DJANGO_SETTINGS_MODULE="photomania.settings", **env_overrides),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_provider_credentials_no_social_provider_is_installed():
    values = read_settings("SOCIALACCOUNT_PROVIDERS", **PRODUCTION_SECRETS)

    assert values == {"SOCIALACCOUNT_PROVIDERS": "{}"}
    assert read_provider_apps(**PRODUCTION_SECRETS) == []


def test_a_provider_with_its_client_id_and_secret_is_configured_and_alone_installed():
    github = {"GITHUB_CLIENT_ID": "gh-id", "GITHUB_CLIENT_SECRET": "gh-secret"}

    providers = read_settings("SOCIALACCOUNT_PROVIDERS", **PRODUCTION_SECRETS, **github)["SOCIALACCOUNT_PROVIDERS"]

    assert "'github'" in providers and "'gh-id'" in providers and "'gh-secret'" in providers
    assert "'google'" not in providers and "'openid_connect'" not in providers
    assert read_provider_apps(**PRODUCTION_SECRETS, **github) == ["allauth.socialaccount.providers.github"]


def test_the_oidc_provider_is_installed_with_its_server_url_and_name():
    oidc = {
        "OIDC_CLIENT_ID": "photomania",
        "OIDC_CLIENT_SECRET": "oidc-secret",
        "OIDC_SERVER_URL": "https://id.example.com/realms/staff",
        "OIDC_NAME": "Example ID",
    }

    providers = read_settings("SOCIALACCOUNT_PROVIDERS", **PRODUCTION_SECRETS, **oidc)["SOCIALACCOUNT_PROVIDERS"]

    assert "'server_url': 'https://id.example.com/realms/staff'" in providers
    assert "'name': 'Example ID'" in providers
    assert "'provider_id': 'sso'" in providers
    assert read_provider_apps(**PRODUCTION_SECRETS, **oidc) == ["allauth.socialaccount.providers.openid_connect"]


def test_a_client_id_without_its_secret_refuses_to_start_with_one_line():
    result = run_check(**PRODUCTION_SECRETS, GOOGLE_CLIENT_ID="google-id")

    assert result.returncode != 0
    assert "GOOGLE_CLIENT_SECRET" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_oidc_credentials_without_a_server_url_refuse_to_start():
    result = run_check(**PRODUCTION_SECRETS, OIDC_CLIENT_ID="photomania", OIDC_CLIENT_SECRET="oidc-secret")

    assert result.returncode != 0
    assert "OIDC_SERVER_URL" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_oidc_server_over_plain_http_is_refused_in_production():
    result = run_check(
        **PRODUCTION_SECRETS,
        OIDC_CLIENT_ID="photomania",
        OIDC_CLIENT_SECRET="oidc-secret",
        OIDC_SERVER_URL="http://id.example.com",
    )

    assert result.returncode != 0
    assert "OIDC_SERVER_URL" in result.stderr
    assert "Traceback" not in result.stderr
