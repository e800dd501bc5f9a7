"""`make run`'s process manager: honcho, with time for a warm shutdown, exit 0 after a clean stop,
and a worker that fails restarted instead of everything stopping.

honcho 2.0 sends SIGTERM to every process on Ctrl-C, kills whatever still runs 5 s after the
first one stopped, and exits 130 even when every process stopped by itself. The Celery worker's
warm shutdown (finish the running task, close the broker connection) can need more than 5 s on a
busy machine, so the grace period here is STOP_GRACE seconds (default 30), and the exit status
is 0 when the stop was asked for and nothing had to be killed.

honcho also stops everything when one process exits. A worker exits non-zero on purpose when its
consumer watchdog finds it stuck (core/watchdog.py), expecting a supervisor to start a fresh
one: here a `worker` process that exits non-zero is started again, at most RESTART_LIMIT times
(default 5) in RESTART_WINDOW seconds; past that, honcho stops everything as before.

honcho prints "SIGINT received" from its signal handler, which can run while the main loop is in
the middle of printing a line: Python then refuses the nested write to stdout ("reentrant call")
and the manager dies with a traceback instead of stopping its processes. Here a line printed while
another is being printed waits and follows it.

Usage: python scripts/honcho_run.py -f Procfile.dev start [-p PORT]
"""

import multiprocessing
import os
import queue
import sys
import time

import honcho.command
import honcho.manager

honcho.manager.KILL_WAIT = int(os.environ.get("STOP_GRACE", "30"))
_ASKED_TO_STOP = {130, 143}  # honcho's status after SIGINT / SIGTERM
RESTARTABLE = {"worker"}  # Procfile names; honcho calls the processes worker.1, worker.2, ...
RESTART_LIMIT = int(os.environ.get("RESTART_LIMIT", "5"))
RESTART_WINDOW = 600


class _RestartingEvents:
    """honcho's event queue as its loop reads it: a stop the manager restarted is not reported."""

    def __init__(self, events, manager):
        self._events = events
        self._manager = manager

    def put(self, message):
        self._events.put(message)

    def get(self, timeout=None):
        message = self._events.get(timeout=timeout)
        if message.type == "stop" and self._manager.restart_if_failed(message):
            raise queue.Empty
        return message


class _OneWriteAtATime:
    """A printer's ``write`` that never nests: a line written while another is being written (from a
    signal handler) is kept and written right after it, in order."""

    def __init__(self, write):
        self._write = write
        self._writing = False
        self._waiting: list = []

    def __call__(self, message):
        if self._writing:
            self._waiting.append(message)
            return
        self._writing = True
        try:
            self._write(message)
            while self._waiting:
                self._write(self._waiting.pop(0))
        finally:
            self._writing = False


class Manager(honcho.manager.Manager):
    killed = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.events = _RestartingEvents(self.events, self)
        self._restarts: dict[str, list[float]] = {}
        self._printer.write = _OneWriteAtATime(self._printer.write)

    def kill(self):
        self.killed = True
        super().kill()

    def loop(self):
        super().loop()
        if self.returncode in _ASKED_TO_STOP and not self.killed:
            self.returncode = 0

    def restart_if_failed(self, message) -> bool:
        """Start a restartable process that exited non-zero again, within the restart budget; True if started."""
        returncode = message.data["returncode"]
        if returncode == 0 or self._terminating or message.name.partition(".")[0] not in RESTARTABLE:
            return False
        now = time.monotonic()
        recent = [at for at in self._restarts.get(message.name, []) if now - at < RESTART_WINDOW]
        if len(recent) >= RESTART_LIMIT:
            self._system_print(
                f"{message.name} exited (rc={returncode}) after {len(recent)} restarts in {RESTART_WINDOW} s: "
                "not restarting it\n"
            )
            return False
        self._restarts[message.name] = [*recent, now]
        self._system_print(
            f"{message.name} exited (rc={returncode}): restarting it "
            f"(restart {len(recent) + 1} of at most {RESTART_LIMIT} in {RESTART_WINDOW} s)\n"
        )
        entry = self._processes[message.name]
        entry["process"].join()
        entry["process"] = multiprocessing.Process(name=message.name, target=entry["obj"].run, args=(self.events, True))
        entry["process"].start()
        return True


honcho.command.Manager = Manager

if __name__ == "__main__":
    honcho.command.main(sys.argv[1:])
