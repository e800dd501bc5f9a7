"""The TypeScript client (openapi-fetch + the generated types, `tsc --strict`) through the whole flow."""

import base64
import json
import os
import subprocess

import pytest

from tests.support.images import image_bytes

from .conftest import CLIENTS, PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
TYPESCRIPT = CLIENTS / "typescript"


@pytest.fixture(scope="module")
def compiled_flow():
    if not (TYPESCRIPT / "node_modules" / ".bin" / "tsc").exists():
        pytest.fail("clients/typescript has no node_modules: run scripts/clients.sh (make test does)")
    subprocess.run(
        [str(TYPESCRIPT / "node_modules/.bin/tsc"), "-p", "tsconfig.json", "--strict"],
        cwd=TYPESCRIPT,
        check=True,
        timeout=300,
    )
    return TYPESCRIPT / "dist" / "flow.js"


def test_typescript_client_runs_the_whole_flow_and_parses_every_error(api_server, compiled_flow):
    environment = {
        **os.environ,
        "PHOTOMANIA_URL": api_server["url"],
        "PHOTO_URL": api_server["photo_url"],
        "PHOTO_BASE64": base64.b64encode(image_bytes("JPEG", (80, 60))).decode(),
        "EMAIL": "ts-flow@example.com",
        "PASSWORD": PASSWORD,
    }

    run = subprocess.run(
        ["node", str(compiled_flow)], env=environment, capture_output=True, text=True, timeout=300, check=False
    )

    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert "client-gray" in out["catalog"]
    assert out["replayed"] == "true" and out["sameJob"] is True
    assert out["statuses"] == ["COMPLETED", "COMPLETED"] and out["downloads"] == [200, 200]
    assert out["charges"] == 2 and isinstance(out["credits"], int)
    assert out["name"] == "TS Client"
    assert out["waited"] == {
        "status": 200,
        "applied": "wait=60",
        "charged": "1",
        "rateLimited": True,
        "job": "COMPLETED",
    }
    assert out["batch"] == {"status": 202, "statuses": ["COMPLETED", "COMPLETED"], "keysWithKey": 403}
    assert out["deleted"] == [True, True]
    errors = out["errors"]
    assert errors["401"] == "UNAUTHORIZED"
    code, error = errors["402"]
    assert code == "INSUFFICIENT_CREDITS" and error["error"]["details"]["needed"] == 1000
    assert errors["404"] == "NOT_FOUND"
    assert errors["415"] == [415, "UNSUPPORTED_MEDIA_TYPE"]
    assert errors["422"] == [422, "IDEMPOTENCY_CONFLICT"]
    assert errors["429"] == 429
