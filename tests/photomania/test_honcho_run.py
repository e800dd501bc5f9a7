"""`make run`'s process manager (scripts/honcho_run.py): a slow warm shutdown is waited for, Ctrl-C exits 0,
a worker that exits non-zero is restarted (a bounded number of times)."""

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


# A worker that exits with status 1 (as the consumer watchdog makes it) on its first two runs, then stays up.
FLAKY_WORKER_PROCFILE = """\
quick: {python} -c "import time; time.sleep(60)"
worker: {python} -c "import pathlib, sys, time; runs = pathlib.Path('runs'); n = len(runs.read_text()) if runs.exists() else 0; runs.write_text('x' * (n + 1)); n < 2 and sys.exit(1); print('ready', flush=True); time.sleep(60)"
"""
FAILING_WORKER_PROCFILE = """\
quick: {python} -c "import time; time.sleep(60)"
worker: {python} -c "import sys; sys.exit(1)"
"""


def start(tmp_path, procfile: str, **env_overrides) -> tuple[subprocess.Popen, str]:
    """Run the process manager on ``procfile`` until a process prints "ready" (or everything ended)."""
    (tmp_path / "Procfile").write_text(procfile.format(python=sys.executable))
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "honcho_run.py"), "-f", "Procfile", "start"],
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
    return process, "".join(seen)


def stop(process: subprocess.Popen, output: str) -> tuple[int, str]:
    process.send_signal(signal.SIGINT)
    output += process.stdout.read()
    return process.wait(timeout=60), output


def ctrl_c(tmp_path, **env_overrides) -> tuple[int, str]:
    return stop(*start(tmp_path, PROCFILE, **env_overrides))


def test_ctrl_c_waits_for_a_slow_warm_shutdown_and_exits_0(tmp_path):
    returncode, output = ctrl_c(tmp_path)

    assert returncode == 0, output
    assert "SIGKILL" not in output


def test_a_process_still_running_after_the_grace_period_is_killed_and_the_exit_is_not_0(tmp_path):
    returncode, output = ctrl_c(tmp_path, STOP_GRACE="1")

    assert returncode == 130, output
    assert "sending SIGKILL to slow.1" in output


def test_a_worker_that_exits_non_zero_is_restarted_while_the_others_keep_running(tmp_path):
    process, output = start(tmp_path, FLAKY_WORKER_PROCFILE)

    assert "ready" in output, output
    assert output.count("worker.1 exited (rc=1): restarting it") == 2
    assert "sending SIGTERM" not in output
    returncode, output = stop(process, output)
    assert returncode == 0, output


def test_a_worker_failing_past_the_restart_limit_stops_everything(tmp_path):
    process, output = start(tmp_path, FAILING_WORKER_PROCFILE, RESTART_LIMIT="2")

    returncode = process.wait(timeout=60)

    assert returncode == 1, output
    assert output.count("): restarting it") == 2
    assert "worker.1 exited (rc=1) after 2 restarts in 600 s: not restarting it" in output
    assert "sending SIGTERM to quick.1" in output


def test_a_line_printed_from_a_signal_handler_during_a_print_follows_it_instead_of_crashing():
    """Ctrl-C can arrive while a line is being printed: honcho's handler prints "SIGINT received"
    then. The nested print (which raises "reentrant call" on a real stdout) waits for the first."""
    import importlib.util
    import io

    from honcho.printer import Message, Printer

    spec = importlib.util.spec_from_file_location("honcho_run", ROOT / "scripts" / "honcho_run.py")
    honcho_run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(honcho_run)

    class Output(io.StringIO):
        interrupted = False

        def write(self, text):
            if not self.interrupted:  # the signal handler runs in the middle of this write
                self.interrupted = True
                manager._system_print("SIGINT received\n")
            return super().write(text)

    output = Output()
    manager = honcho_run.Manager(Printer(output, colour=False))
    manager._printer.write(Message(type="line", data="web ready\n", time=manager._clock.now(), name="web", colour=None))

    lines = output.getvalue().splitlines()
    assert [line.split("| ", 1)[1] for line in lines] == ["web ready", "SIGINT received"]
