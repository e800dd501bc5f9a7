"""`make audit`: known vulnerabilities in the pinned dependencies, and what could not be checked.

pip-audit reports "No known vulnerabilities found" and exits 0 even when it could not look a single
package up (offline, or its vulnerability service does not know the pinned versions): each such
package is only marked as skipped in its JSON report. This runs pip-audit with ``--format json``,
names every package it skipped and why, and exits non-zero when it found a vulnerability or
checked none of the packages.

    python scripts/audit.py -r requirements.txt        # runs pip-audit with these arguments
    python scripts/audit.py --report audit.json        # judges a report pip-audit already wrote
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Verdict:
    checked: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # name -> pip-audit's reason
    vulnerable: dict[str, list[str]] = field(default_factory=dict)  # "name version" -> advisory ids

    @property
    def passed(self) -> bool:
        return bool(self.checked) and not self.vulnerable

    def lines(self) -> list[str]:
        total = len(self.checked) + len(self.skipped)
        out = [f"Checked {len(self.checked)} of {total} dependencies against the vulnerability database."]
        for package, ids in sorted(self.vulnerable.items()):
            out.append(f"VULNERABLE {package}: {', '.join(ids)}")
        if self.skipped:
            out.append(f"Could not check {len(self.skipped)}:")
            out.extend(f"  {name}: {reason}" for name, reason in sorted(self.skipped.items()))
        if not self.checked:
            out.append("FAILED: no dependency could be checked (is the vulnerability database reachable?)")
        elif self.vulnerable:
            out.append(f"FAILED: {len(self.vulnerable)} vulnerable dependencies")
        elif self.skipped:
            out.append("No known vulnerabilities in the dependencies that were checked.")
        else:
            out.append("No known vulnerabilities found.")
        return out


def audit_verdict(report: dict) -> Verdict:
    """Sort pip-audit's JSON report (``--format json``) into checked, skipped and vulnerable packages."""
    verdict = Verdict()
    for dependency in report.get("dependencies", []):
        name = dependency["name"]
        if "skip_reason" in dependency:
            verdict.skipped[name] = dependency["skip_reason"]
            continue
        verdict.checked.append(name)
        if dependency.get("vulns"):
            ids = [vuln["id"] for vuln in dependency["vulns"]]
            verdict.vulnerable[f"{name} {dependency['version']}"] = ids
    return verdict


def _run_pip_audit(arguments: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "audit.json"
        command = [sys.executable, "-m", "pip_audit", *arguments, "--format", "json", "--output", str(output)]
        # Exit status 1 means "vulnerabilities found" when a report was written; judged from the report.
        finished = subprocess.run(command, check=False)  # noqa: S603 (our interpreter, pip-audit, our arguments)
        if not output.exists():
            raise SystemExit(f"pip-audit failed (exit status {finished.returncode}) and wrote no report")
        return json.loads(output.read_text())


def main(argv: list[str]) -> int:
    if argv[:1] == ["--report"] and len(argv) == 2:
        report = json.loads(Path(argv[1]).read_text())
    else:
        report = _run_pip_audit(argv)
    verdict = audit_verdict(report)
    print("\n".join(verdict.lines()))
    return 0 if verdict.passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
