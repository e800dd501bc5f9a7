"""`make run`'s process manager (.ci/honcho_run.py): a slow warm shutdown is waited for, Ctrl-C exits 0."""

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# A process that needs 6 s to stop after SIGTERM (more than honcho's own 5 s), beside one that stops at once.
PROCFILE = """\
quick: {python} -c "import time; time.sleep(60)"
slow: {python} -c "import signal, sys, time; signal.signal(signal.SIGTERM, lambda *a: (time.sleep(6), sys.exit(0))); print('ready', flush=True); time.sleep(60)"
"""


def ctrl_c(tmp_path, **env_overrides) -> tuple[int, str]:
    (tmp_path / "Procfile").write_text(PROCFILE.format(python=sys.executable))
    process = subprocess.Popen(
        [sys.executable, str(ROOT / ".ci" / "honcho_run.py"), "-f", "Procfile", "start"],
        cwd=tmp_path,
        env={**os.environ, **env_overrides},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen = []
    for line in process.stdout:
        seen.append(line)
        if "ready" in line:
            break
    process.send_signal(signal.SIGINT)
    output = "".join(seen) + process.stdout.read()
    return process.wait(timeout=60), output


def test_ctrl_c_waits_for_a_slow_warm_shutdown_and_exits_0(tmp_path):
    returncode, output = ctrl_c(tmp_path)

    assert returncode == 0, output
    assert "SIGKILL" not in output


def test_a_process_still_running_after_the_grace_period_is_killed_and_the_exit_is_not_0(tmp_path):
    returncode, output = ctrl_c(tmp_path, STOP_GRACE="1")

    assert returncode == 130, output
    assert "sending SIGKILL to slow.1" in output
