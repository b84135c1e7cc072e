"""Input limits of a sync: how big an export (and each table, row and cell) may be.

Every limit is checked while the bytes stream, so a hostile export — a zip bomb, a
gigabyte-long line, a million columns — is refused within seconds and a sync's memory
stays bounded whatever an entry's size.  Defaults sit well above the largest real
export (a province: 1.2 M people, 177 MiB of CSV) and are changed by environment
variables (README "Limits and data protection"):

==========================  ===============  ===============================================
variable                    default          what it bounds
==========================  ===============  ===============================================
REDGOV_MAX_ENTRY_BYTES      1 GiB            decompressed bytes of one table file or entry
REDGOV_MAX_TOTAL_BYTES      4 GiB            decompressed bytes of the whole export
REDGOV_MAX_RATIO            100              decompressed/compressed size of a zip entry
REDGOV_MAX_CELL_CHARS       32767            characters in one cell (Excel's own limit)
REDGOV_MAX_LINE_CHARS       1048576          characters in one physical line of a CSV
REDGOV_MAX_ROWS             5000000          rows (lines) of one table
REDGOV_MAX_COLUMNS          256              columns of one table
==========================  ===============  ===============================================

The compression ratio is only judged past :data:`RATIO_FLOOR` bytes: small files of a
repeated code compress well and are harmless.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

__all__ = ["ENV", "RATIO_FLOOR", "Limits"]

#: Below this many decompressed bytes an entry's compression ratio is not judged.
RATIO_FLOOR = 1 << 20

ENV = {
    "entry_bytes": "REDGOV_MAX_ENTRY_BYTES",
    "total_bytes": "REDGOV_MAX_TOTAL_BYTES",
    "ratio": "REDGOV_MAX_RATIO",
    "cell_chars": "REDGOV_MAX_CELL_CHARS",
    "line_chars": "REDGOV_MAX_LINE_CHARS",
    "rows": "REDGOV_MAX_ROWS",
    "columns": "REDGOV_MAX_COLUMNS",
}


class BadLimit(ValueError):
    """An environment variable that does not hold a positive integer."""


@dataclass(frozen=True)
class Limits:
    entry_bytes: int = 1 << 30
    total_bytes: int = 4 << 30
    ratio: int = 100
    cell_chars: int = 32767
    line_chars: int = 1 << 20
    rows: int = 5_000_000
    columns: int = 256

    @classmethod
    def from_env(cls) -> Limits:
        """The defaults, each overridden by its ``REDGOV_MAX_*`` variable when set."""
        values: dict[str, int] = {}
        for f in fields(cls):
            text = os.environ.get(ENV[f.name], "").strip()
            if not text:
                continue
            try:
                number = int(text.replace("_", ""))
            except ValueError:
                number = 0
            if number <= 0:
                raise BadLimit(f"{ENV[f.name]} must be a positive integer, not {text!r}")
            values[f.name] = number
        return cls(**values)
