"""`make clients` output is committed: regenerating the schema and both clients changes nothing."""

import filecmp
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command
from django.test import override_settings

from .conftest import CLIENTS

BIN = Path(sys.executable).parent


def _differences(left: Path, right: Path) -> list[str]:
    compared = filecmp.dircmp(left, right, ignore=["__pycache__"])
    found = [str(left / name) for name in compared.left_only + compared.right_only + compared.diff_files]
    for name in compared.common_dirs:
        found += _differences(left / name, right / name)
    return found


def test_the_committed_schema_and_clients_are_what_make_clients_generates(tmp_path):
    schema = tmp_path / "openapi.yaml"
    # As `make clients` exports it: the development URL in `servers`.
    with override_settings(SPECTACULAR_SETTINGS={**_spectacular(), "SERVERS": _dev_servers()}):
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(schema))
    assert schema.read_text() == (CLIENTS / "openapi.yaml").read_text()

    subprocess.run(
        [
            str(BIN / "openapi-python-client"),
            "generate",
            "--path",
            str(schema),
            "--config",
            str(CLIENTS / "python-config.yaml"),
            "--output-path",
            str(tmp_path / "python"),
            "--overwrite",
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert _differences(CLIENTS / "python", tmp_path / "python") == []

    typescript = CLIENTS / "typescript"
    subprocess.run(
        [str(typescript / "node_modules/.bin/openapi-typescript"), str(schema), "-o", str(tmp_path / "schema.d.ts")],
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert (tmp_path / "schema.d.ts").read_text() == (typescript / "src/schema.d.ts").read_text()


def _spectacular() -> dict:
    from django.conf import settings

    return settings.SPECTACULAR_SETTINGS


def _dev_servers() -> list[dict]:
    return [{"url": "http://127.0.0.1:8000", "description": "This PhotoMania server"}]
