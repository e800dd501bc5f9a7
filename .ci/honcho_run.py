"""`make run`'s process manager: honcho, with time for a warm shutdown and exit 0 after a clean stop.

honcho 2.0 sends SIGTERM to every process on Ctrl-C, kills whatever still runs 5 s after the
first one stopped, and exits 130 even when every process stopped by itself. The Celery worker's
warm shutdown (finish the running task, close the broker connection) can need more than 5 s on a
busy machine, so the grace period here is STOP_GRACE seconds (default 30), and the exit status
is 0 when the stop was asked for and nothing had to be killed.

Usage: python .ci/honcho_run.py -f Procfile.dev start [-p PORT]
"""

import os
import sys

import honcho.command
import honcho.manager

honcho.manager.KILL_WAIT = int(os.environ.get("STOP_GRACE", "30"))
_ASKED_TO_STOP = {130, 143}  # honcho's status after SIGINT / SIGTERM


class Manager(honcho.manager.Manager):
    killed = False

    def kill(self):
        self.killed = True
        super().kill()

    def loop(self):
        super().loop()
        if self.returncode in _ASKED_TO_STOP and not self.killed:
            self.returncode = 0


honcho.command.Manager = Manager

if __name__ == "__main__":
    honcho.command.main(sys.argv[1:])
