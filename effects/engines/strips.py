"""Horizontal strips: an effect's full-size float work done a band of rows at a time.

A 2000x1500 float32 RGB array is 36 MB, and an effect written as whole-image numpy expressions
holds several of them (plus their temporaries) at once. Computed strip by strip, only the ``uint8``
result is full size. A neighbourhood filter sees ``halo`` extra rows above and below each strip,
so a strip's own rows come out as they would from the whole image (the rows near a strip's cut,
where the filter's border handling differs, are in the halo and thrown away): exactly for a filter
whose reach is at most the halo, to within its tail for one whose influence decays (a recursive filter).

Pure: numpy only, no Django.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

STRIP_ROWS = 256  # rows a strip owns: a 2000 px wide float32 RGB strip is ~6 MB


def by_strips(
    render: Callable[[int, int], np.ndarray],
    shape: tuple[int, ...],
    *,
    halo: int = 0,
    rows: int = STRIP_ROWS,
    dtype: type = np.uint8,
) -> np.ndarray:
    """An array of ``shape`` whose rows come from ``render(start, stop)``, called strip by strip.

    ``render`` returns rows ``start:stop`` of the result (computed from the same rows of its
    inputs); each call covers the strip's own rows plus up to ``halo`` rows of context on each
    side, which are cut off. Strips grow to at least four halos, so wide filters never recompute
    more than half a strip again.
    """
    height = shape[0]
    rows = max(rows, 4 * halo, 1)
    out = np.empty(shape, dtype)
    for top in range(0, height, rows):
        bottom = min(height, top + rows)
        start, stop = max(0, top - halo), min(height, bottom + halo)
        out[top:bottom] = render(start, stop)[top - start : bottom - start]
    return out
