"""The export folder being written: one streaming CSV writer per registry table.

Rows go straight to disk as they are generated, so a province-sized export never sits
in memory; the writer only keeps a row count per table for the summary.  Headers are
the loaders' declarations (docs/registry.md's column tables are generated from the
same).  Files are UTF-8 without BOM and ``\\r\\n`` line ends (what Excel and the csv module expect).
"""

from __future__ import annotations

import csv
from pathlib import Path
from types import TracebackType
from typing import Final, TextIO

from ..schema import TABLE_ORDER

__all__ = ["HEADERS", "MANIFEST", "ExportWriter"]

MANIFEST: Final = "清单"

#: Table name → Chinese headers in file order, manifest first: the loaders' declarations
#: (loaders/schema.py, whose column tables docs/registry.md holds).
HEADERS: Final[dict[str, tuple[str, ...]]] = {
    MANIFEST: ("项目", "值"),
    **{table.name: table.headers for table in TABLE_ORDER},
}


class ExportWriter:
    """Open every table of an export folder for writing; ``row(table, *values)`` appends."""

    def __init__(self, out_dir: Path) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self.out_dir = out_dir
        self.counts: dict[str, int] = {name: 0 for name in HEADERS}
        self._files: dict[str, TextIO] = {}
        self._writers: dict[str, csv.Writer] = {}  # type: ignore[name-defined]
        for name, header in HEADERS.items():
            fh = (out_dir / f"{name}.csv").open("w", encoding="utf-8", newline="")
            self._files[name] = fh
            writer = csv.writer(fh)
            writer.writerow(header)
            self._writers[name] = writer

    def row(self, table: str, *values: object) -> None:
        """Append one row; columns past the values given are left empty (a column declared
        after the generator was written, which the demo does not fill)."""
        width = len(HEADERS[table])
        if len(values) > width:
            raise ValueError(f"{table}: {len(values)} values for {width} columns")
        self._writers[table].writerow(values if len(values) == width
                                      else (*values, *[""] * (width - len(values))))
        self.counts[table] += 1

    def close(self) -> None:
        for fh in self._files.values():
            fh.close()

    def __enter__(self) -> ExportWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
