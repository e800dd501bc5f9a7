"""gunicorn's configuration (``gunicorn -c gunicorn.conf.py``, the Procfile's web): Prometheus multiprocess mode.

Each gunicorn worker process keeps its own request metrics; with ``PROMETHEUS_MULTIPROC_DIR``
set, prometheus_client writes them to files in that folder, and a scrape (answered by any one
worker) adds up the files of every worker, the exited ones included. The folder is emptied when
the server starts (a previous run's values would otherwise be counted again); without the
variable, a private folder is made for this server and removed when it stops. This module must
set the variable before anything imports prometheus_client: it picks its mode at import.
"""

import os
import shutil
import tempfile
from pathlib import Path

_made_dir = False
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="photomania-metrics-")
    _made_dir = True

# Imported now, not in a hook: child_exit runs in a signal handler, where an import can collide
# with one the master is in the middle of.
from prometheus_client import multiprocess  # noqa: E402

# The access log (scripts/web.sh turns it on) writes the path without its query string, and no
# Referer: a URL may carry a secret a client put there by mistake (an API key in ?api_key=, which
# is refused, or a signed link's signature).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s" %(M)sms'


def on_starting(server):
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()


def child_exit(server, worker):
    # Drops the exited worker's live gauges; its counters and histograms keep counting.
    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _made_dir:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
