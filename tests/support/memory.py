"""Peak memory of a call, read from the kernel: Pillow and OpenCV allocate outside Python's
allocator, so ``tracemalloc`` would not see their buffers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _status_mb(field: str) -> float:
    for line in _STATUS.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} missing from {_STATUS}")


def peak_rss_growth_mb(call: Callable[[], object]) -> float:
    """How far the process's peak resident memory rose above its current size during ``call``.

    Writing 5 to ``/proc/self/clear_refs`` resets the peak (VmHWM) to the current RSS (Linux >= 4.0).
    """
    _CLEAR_REFS.write_text("5")
    before = _status_mb("VmRSS")
    call()
    return _status_mb("VmHWM") - before
