"""A temporary file of normalised records, so the apply step need not parse the export again.

The scan normalises every row once (dates, codes, hashes of personal data); the records of
the big tables (people and the relation tables) are pickled here in chunks as they are
scanned, and the apply step streams them back.  Memory stays at one chunk either way.
Only identity, row, values and sig are kept — never a raw ID number or phone number.
"""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from .records import Record, new_record

__all__ = ["Spool"]

_CHUNK = 5000
#: Test hook: records per chunk (a small number makes small fixtures stream in chunks).
CHUNK_ENV = "REDGOV_TEST_SPOOL_CHUNK"


def _chunk_size() -> int:
    text = os.environ.get(CHUNK_ENV, "")
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) <= _CHUNK else _CHUNK


class Spool:
    """Chunks of pickled records in a private folder (``workdir``, else a new one)."""

    def __init__(self, workdir: Path | None = None) -> None:
        if workdir is None:
            from .workdir import new_private_dir

            self._dir = new_private_dir()
        else:
            self._dir = Path(tempfile.mkdtemp(prefix="spool-", dir=workdir))
        self._files: dict[str, Path] = {}
        self._open: dict[str, tuple[IO[bytes], list[tuple[Any, ...]]]] = {}
        #: Wall seconds pickling chunks to disk and reading them back (a sync's time split).
        self.write_s = 0.0
        self.read_s = 0.0
        self._chunk = _chunk_size()
        #: Called as ``on_chunk(table, path, start, end)`` once a full chunk of ``table`` is
        #: on disk at bytes ``start:end`` of ``path`` (the overlapped sync's worker tells
        #: the writer, which may write those records at once, :func:`read_chunk`).
        self.on_chunk: Callable[[str, Path, int, int], None] | None = None

    @property
    def directory(self) -> Path:
        return self._dir

    def path(self, table: str) -> Path | None:
        """The file holding ``table``'s records (complete once :meth:`finish` ran)."""
        return self._files.get(table)

    def adopt(self, table: str, path: Path) -> None:
        """Read ``table`` from ``path``, a finished file another spool wrote (the
        validation worker's, :mod:`.overlap`); :meth:`close` removes it too."""
        self._files[table] = path

    def add(self, rec: Record) -> None:
        entry = self._open.get(rec.table)
        if entry is None:
            path = self._dir / f"{len(self._files)}.pickle"
            self._files[rec.table] = path
            entry = self._open[rec.table] = (open(path, "wb"), [])  # noqa: SIM115
        fh, chunk = entry
        chunk.append((rec.row, rec.key, rec.values, rec.sig, rec.op))
        if len(chunk) >= self._chunk:
            t0 = time.perf_counter()
            start = fh.tell()
            pickle.dump(chunk, fh, protocol=pickle.HIGHEST_PROTOCOL)
            if self.on_chunk is not None:
                fh.flush()
            self.write_s += time.perf_counter() - t0
            chunk.clear()
            if self.on_chunk is not None:
                self.on_chunk(rec.table, self._files[rec.table], start, fh.tell())

    def finish(self, table: str) -> None:
        entry = self._open.pop(table, None)
        if entry is not None:
            fh, chunk = entry
            t0 = time.perf_counter()
            if chunk:
                pickle.dump(chunk, fh, protocol=pickle.HIGHEST_PROTOCOL)
            fh.close()
            self.write_s += time.perf_counter() - t0

    def records(self, table: str, start: int = 0) -> Iterator[Record]:
        """``table``'s records, from byte ``start`` on (a chunk's start: see ``on_chunk``)."""
        path = self._files.get(table)
        if path is None:
            return
        with open(path, "rb") as fh:
            fh.seek(start)
            while True:
                t0 = time.perf_counter()
                try:
                    chunk = pickle.load(fh)
                except EOFError:
                    return
                finally:
                    self.read_s += time.perf_counter() - t0
                for row, key, values, sig, op in chunk:
                    yield new_record(table, row, key, values, sig, op)

    def read_chunk(self, table: str, path: Path, start: int) -> list[Record]:
        """The chunk of ``table`` that begins at byte ``start`` of ``path`` (see
        ``on_chunk``): a file another process is still writing, read up to that chunk."""
        t0 = time.perf_counter()
        with open(path, "rb") as fh:
            fh.seek(start)
            chunk = pickle.load(fh)
        self.read_s += time.perf_counter() - t0
        return [new_record(table, row, key, values, sig, op)
                for row, key, values, sig, op in chunk]

    def close(self) -> None:
        for table in list(self._open):
            self.finish(table)
        for path in self._files.values():
            if path.parent != self._dir:  # adopted
                path.unlink(missing_ok=True)
        shutil.rmtree(self._dir, ignore_errors=True)
