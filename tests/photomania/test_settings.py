"""Production mode refuses to start without its secrets; bad variables give one line naming them."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz"
# Variables a production process never has (other tests may set them in this process).
NOT_IN_PRODUCTION = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def run_check(**env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in NOT_IN_PRODUCTION}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


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
    result = run_check(DB_CONN_MAX_AGE="soon")

    assert result.returncode != 0
    assert "DB_CONN_MAX_AGE" in result.stderr
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
