"""`make run`'s embedded database is SQLite: every migration applies there, and API keys (their
scopes are a JSON list) are made and checked there as on PostgreSQL."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

ON_SQLITE = """
import django; django.setup()
from django.db import connection
from accounts.api_keys import api_key_authenticate, api_key_create
from accounts.models import User
assert connection.vendor == "sqlite", connection.vendor
user = User.objects.create_user(email="dev@example.com", password="a-long-Passphrase-42")
row, key = api_key_create(user=user, name="script", scopes=["apply", "read"])
found = api_key_authenticate(key=key)
assert found is not None and found.user == user, found
assert sorted(found.api_key_scopes) == ["apply", "read"], found.scopes
print("ok")
"""


def test_every_migration_applies_on_sqlite_and_api_keys_work_there(tmp_path):
    variables = {"PHOTOMANIA_TESTING", "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "PYTEST_XDIST_WORKER"}
    env = {k: v for k, v in os.environ.items() if k not in variables}
    env.update(
        DJANGO_SETTINGS_MODULE="photomania.settings",
        PYTHONPATH=str(ROOT),
        DEBUG="True",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        CELERY_BROKER_FOLDER=str(tmp_path / "broker"),
    )

    def run(*args):
        return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)

    migrate = run(sys.executable, "manage.py", "migrate", "--no-input", "-v", "0")
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    used = run(sys.executable, "-c", ON_SQLITE)
    assert used.returncode == 0 and used.stdout.strip() == "ok", used.stderr[-3000:]
