"""The credit ledger as CSV: the API's ``GET /api/user/credits/history?format=csv`` (streamed) and
the data export's credits.csv.

Spreadsheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return)
as a formula; every text cell that does is written with a leading ``'`` (CSV injection). Numbers
are written as numbers (a negative change stays ``-1``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from accounts.models import User
from billing.selectors import credit_history

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CREDIT_HISTORY_CSV_COLUMNS = ["date", "change", "balance", "reason", "description", "jobId", "reference"]


def csv_safe(value) -> str | int:
    """A cell a spreadsheet shows as text: numbers as they are, text starting like a formula quoted."""
    if value is None:
        return ""
    if isinstance(value, int):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


class _Line:
    """csv.writer's file: hands back the line it was given (so rows can be streamed one by one)."""

    def write(self, line: str) -> str:
        return line


def csv_lines(rows: Iterable[Iterable]) -> Iterator[str]:
    """Each row as one CSV line, every cell through :func:`csv_safe`."""
    writer = csv.writer(_Line())
    for row in rows:
        yield writer.writerow([csv_safe(cell) for cell in row])


def credit_history_csv(*, user: User) -> Iterator[str]:
    """The user's whole ledger, newest first, as CSV lines (a header, then one line per movement)."""
    yield from csv_lines([CREDIT_HISTORY_CSV_COLUMNS])
    rows = credit_history(user=user).iterator(chunk_size=500)
    yield from csv_lines(
        (
            row.created_at.isoformat(),
            row.amount,
            row.balance_after,
            row.kind,
            row.description,
            str(row.job_id) if row.job_id else "",
            row.reference,
        )
        for row in rows
    )
