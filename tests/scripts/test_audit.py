"""`make audit` (scripts/audit.py) judging pip-audit's JSON reports: it names what it could not check,
and fails when it checked nothing or found a vulnerability.

pip_audit/offline.json is pip-audit 2.10.1's report on requirements.txt from a machine without its
vulnerability database (every package skipped; pip-audit itself printed "No known vulnerabilities
found" and exited 0). The others were written by pip-audit 2.10.1's own JSON formatter.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REPORTS = Path(__file__).parent / "pip_audit"


def judge(report: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "audit.py"), "--report", str(REPORTS / report)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_an_audit_that_checked_no_dependency_fails_and_names_every_one():
    result = judge("offline.json")

    assert result.returncode == 1
    assert "Checked 0 of 63 dependencies" in result.stdout
    assert "django: Dependency not found on PyPI and could not be audited: django (5.2.19)" in result.stdout
    assert "tzlocal: " in result.stdout
    assert "no dependency could be checked" in result.stdout


def test_an_audit_that_checked_some_dependencies_passes_and_names_the_others():
    result = judge("partly-checked.json")

    assert result.returncode == 0
    assert "Checked 2 of 4 dependencies" in result.stdout
    assert "Could not check 2:" in result.stdout
    assert "celery: Dependency not found on PyPI" in result.stdout
    assert "kombu: Dependency not found on PyPI" in result.stdout


def test_an_audit_that_found_a_vulnerability_fails_and_names_it():
    result = judge("vulnerable.json")

    assert result.returncode == 1
    assert "VULNERABLE django 5.2.19: PYSEC-2026-0001" in result.stdout


def test_an_audit_that_checked_every_dependency_and_found_nothing_passes():
    result = judge("all-checked.json")

    assert result.returncode == 0
    assert "Checked 2 of 2 dependencies" in result.stdout
    assert "Could not check" not in result.stdout
