"""axe-core in the browser tests: run it on the open page and report WCAG 2.1 AA violations readably.

axe-core is pinned in ``tests/system/e2e/axe/package-lock.json`` and installed by ``scripts/browser.sh``
(``make test`` runs it). The browser fixture adds it to every page as an init script, which runs
outside the pages' Content-Security-Policy, so the pages keep their real CSP while being checked.
"""

from __future__ import annotations

from pathlib import Path

AXE_SCRIPT = Path(__file__).resolve().parents[1] / "system" / "e2e" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0 and 2.1, levels A and AA.
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_RUN = """async (tags) => {
  const results = await window.axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), html: n.html, summary: n.failureSummary})),
  }));
}"""


def axe_script() -> str:
    if not AXE_SCRIPT.is_file():
        raise FileNotFoundError(f"{AXE_SCRIPT} is missing: run scripts/browser.sh (make test does)")
    return AXE_SCRIPT.read_text()


def axe_violations(page) -> list[dict]:
    """The WCAG 2.1 A/AA violations axe-core finds on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        raise RuntimeError(f"axe-core is not loaded in {page.url}: open the page with the browser tests' page fixture")
    return page.evaluate(_RUN, WCAG_21_AA)


def axe_report(url: str, violations: list[dict]) -> str:
    """One readable paragraph per violation: rule, impact, what to do, and each offending element."""
    lines = [f"{url}: {len(violations)} accessibility violation(s)"]
    for violation in violations:
        lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"]:
            lines.append(f"    at {node['target']}: {node['html'][:200]}")
            lines.extend(f"      {line}" for line in (node["summary"] or "").splitlines() if line.strip())
    return "\n".join(lines)


def axe_audit(page) -> str:
    """The readable report of the open page's violations, or "" when it has none."""
    violations = axe_violations(page)
    return axe_report(page.url, violations) if violations else ""
