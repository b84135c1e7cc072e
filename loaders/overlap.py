"""Validation in a second process while the sync writes: a first sync costs ≈ max(validate,
write) instead of their sum.

Why: validating an export (reading, normalising and hashing every row) costs about what
the engine takes to write it, and a sync did one after the other on one core.  Tables are
validated, diffed and written in ``TABLE_ORDER``, and a table's checks, diff and writes
depend only on the tables before it (:func:`.validate.scan`, :func:`.diff.diff_table`,
:func:`.apply.apply_table`).  So a worker process (``python -m redgov.loaders.overlap``)
validates the export table by table, as a sequential sync does, and hands each finished
table over (its identities and signatures, its spool file); this process diffs and writes
it under the writers' lock while the worker validates the next one.

**Chunks** (so the writes start at once and the two processes overlap for the whole
sync): a table that is all additions (:meth:`.apply.Stream.possible`: a full export, a
table the graph holds nothing of, not units or organisations) is written while it is
still validated, a spool chunk (5,000 records) at a time.

The protocol, worker → this process, one pipe, in order:

- ``("table-start", name, expected)``, ``("advance", rows)``: progress only;
- ``("chunk", name, spool path, start, end, errors so far)``: a full chunk of valid
  records is on disk at bytes ``start:end`` of the table's spool file; written at once
  when the table streams and no error has been found, else ignored (the table is then
  written whole at its ``table`` message, as before);
- ``("table", name, payload, spool path, errors so far)``: the table is checked; the
  payload (a pickle: its identities → signatures, the whole records of units and
  organisations, its row memo, and for people the duplicate keys two of them share,
  :class:`.duplicates.SharedKeys`) and its spool are adopted; a streamed table writes the
  rows after its last chunk, the others are diffed and written whole;
- ``("done", errors, warnings, present, broken, stats)`` or ``("failed", masked text)``.

A new kind of message (e.g. a row memo handed over with its table) is one more branch in
:meth:`Overlap._pump` and :meth:`Overlap.write`; the order above is what the writes rely on.

What a sequential sync guarantees still holds:

- **Nothing is published unless the whole export is valid.**  The writes are an unpublished
  snapshot, as every sync's are; the first table with an error stops them, the worker still
  checks every remaining table (the report lists exactly the errors a sequential sync
  lists), and what was written is removed before the lock is released (``remove_unpublished``;
  a killed sync's leftovers are removed the same way by the next sync).  Readers never see
  any of it, and the graph ends as it was.
- **Personal data**: the worker writes only what the sequential scan writes — the spool of
  normalised records (ID numbers and phones hashed) — plus each table's identities and
  signatures, in the sync's private 0700 folder (:mod:`.workdir`).  The key goes over a pipe.
- **Ctrl-C and kills**: the worker runs in a session of its own (a terminal's Ctrl-C reaches
  this process only) and this process stops it on every way out; a SIGKILL of this process
  kills it too (``PR_SET_PDEATHSIG`` on Linux; elsewhere it ends at its next message).
- **Progress**: while the worker validates, the display shows its tables under 校验 (the
  writes made meanwhile belong to that phase's time); the writes left after it, under 写入.

When (:func:`wanted`): an export of at least :data:`MIN_ROWS` lines going into a graph that
holds fewer than half as many records (a first sync, a large addition), with no plan check,
no review base and not a dry run.  ``REDGOV_SYNC_OVERLAP=on`` / ``off`` forces it either
way (tests, benchmarks).  Otherwise a sync validates first, outside the lock, as before: a
re-sync of much the same content writes little, and a rejected one then never waits for
another writer.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ..graph.stores.base import Store, Writer
from . import cypher_sync as q
from . import kept
from .apply import Batches, Stream, apply_table, finish
from .diff import Plan, diff_table
from .duplicates import KeyCounts
from .manifest import read_manifest
from .pii import Hasher, mask_pii
from .prepare import older_than_latest
from .progress import SILENT, PhaseClock, Reporter, current, reporting, stop_point
from .read import Export, open_export
from .report import Issue, SyncReport
from .schema import ORG_T, PERSON_T, UNIT_T
from .spool import Spool
from .state import GraphState, read_state
from .tables import TABLE_ORDER
from .validate import Scan, scan

__all__ = ["MIN_ROWS", "OVERLAP_ENV", "Overlap", "begin", "wanted"]

OVERLAP_ENV = "REDGOV_SYNC_OVERLAP"
#: Below this many lines a second process costs more than it saves (its start ≈ 0.5 s).
MIN_ROWS = 20_000
#: While waiting for the worker, a cheap query this often keeps the writers' lock alive
#: (FalkorDB's lock expires two minutes after the last write).
KEEP_ALIVE_S = 30.0
_PR_SET_PDEATHSIG = 1


def wanted(export: Export, state: GraphState) -> bool:
    """Overlap this sync? See the module docstring."""
    mode = os.environ.get(OVERLAP_ENV, "auto").strip().lower()
    if mode in ("off", "0", "no"):
        return False
    if mode in ("on", "1", "yes"):
        return True
    if (os.cpu_count() or 1) < 2:
        return False
    rows = sum(export.expected_rows(t.name) or 0 for t in TABLE_ORDER)
    held = sum(len(sigs) for sigs in state.sigs.values())
    return rows >= MIN_ROWS and 2 * held <= rows


def begin(store: Store, export: Export, key: bytes, workdir: Path, report: SyncReport,
          *, allowed: bool, state: GraphState | None = None) -> tuple[Overlap | None, GraphState]:
    """Read the graph's state (unless the caller has it: ``state``); start the worker when
    this sync should overlap (``allowed``: no plan check, no review base, not a dry run).
    The state serves either way."""
    if state is None:
        t0 = time.perf_counter()
        state = read_state(store)
        report.split["state_read_s"] = round(time.perf_counter() - t0, 3)
    if not allowed or not wanted(export, state):
        return None, state
    errors: list[Issue] = []
    manifest = read_manifest(export, errors)
    if errors or manifest.kind is None:
        return None, state  # the sequential scan reports it, with every other error
    if older_than_latest(store.read, manifest.snapshot_date) is not None:
        return None, state  # likewise: refused with the rows' errors listed too
    try:
        pipeline = Overlap(export, key, workdir, state, Scan(manifest, spool=Spool(workdir)))
    except OSError:
        return None, state  # no second process to be had: validate first, as before
    report.snapshot_date, report.kind = manifest.snapshot_date, manifest.kind_en
    report.source, report.exported_at = manifest.source, manifest.exported_at
    return pipeline, state


class WorkerFailed(RuntimeError):
    """The validation worker ended without a result (its masked log's tail says why)."""


class Overlap:
    """The worker, and this side of the hand-over: :meth:`write` under the writers' lock."""

    def __init__(self, export: Export, key: bytes, workdir: Path, state: GraphState,
                 view: Scan) -> None:
        self.export, self.state, self.scan = export, state, view
        self._setup = {"path": str(export.path), "workdir": str(workdir),
                       "limits": export.limits, "key": key, "parent": os.getpid()}
        self._key = key
        self._log = workdir / "validate-worker.log"
        to_worker_r, to_worker_w = os.pipe()
        from_worker_r, from_worker_w = os.pipe()
        try:
            with open(self._log, "wb") as log:
                self._proc = subprocess.Popen(
                    [sys.executable, "-m", __name__, str(to_worker_r), str(from_worker_w)],
                    pass_fds=(to_worker_r, from_worker_w), stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL, stderr=log, start_new_session=True,
                )
        except BaseException:
            for fd in (to_worker_w, from_worker_r):
                os.close(fd)
            raise
        finally:
            os.close(to_worker_r)
            os.close(from_worker_w)
        self._to = Connection(to_worker_w, readable=False)
        self._from = Connection(from_worker_r, writable=False)
        self._ready: collections.deque[tuple[Any, ...]] = collections.deque()
        self._done: tuple[Any, ...] | None = None
        self._reporter: Reporter = SILENT
        self._batches: Batches | None = None
        self.split: dict[str, float] = {}

    # -- the hand-over ---------------------------------------------------------------------
    def write(self, writer: Writer, report: SyncReport, clock: PhaseClock, batch_size: int,
              ordinal: int) -> tuple[Scan, Plan, Batches]:
        """Start the worker's scan, then diff and write each table it hands over until an
        error; return the whole scan (its ``errors`` as a sequential scan's), the plan and
        the batches written.  The clock is in ``validate`` when called; it moves on to
        ``diff`` and ``write`` once the worker is done."""
        self._reporter = current()
        try:
            self._to.send({**self._setup, "state": self.state})
        except OSError:
            raise self._failed(None) from None
        b = Batches(writer, report.run_id, report.snapshot_date, batch_size, ordinal)
        b.between = self._pump
        self._batches = b
        try:
            return self._write(b, report, clock)
        finally:
            b.close()
            self._batches = None

    def _write(self, b: Batches, report: SyncReport, clock: PhaseClock
               ) -> tuple[Scan, Plan, Batches]:
        writer = b.writer
        plan, view = Plan(), self.scan
        stopped = False
        waited = applied = diffed = loaded = 0.0
        streams: dict[str, Stream] = {}
        chunks = 0
        while True:
            t0 = time.perf_counter()
            handed = self._next_table(writer)
            waited += time.perf_counter() - t0
            if handed is None:
                break
            if handed[0] == "chunk":  # a chunk of valid records of a table still validated
                _, name, spool_path, start, end, errors = handed
                stopped = stopped or bool(errors)
                if stopped:
                    continue
                stream = streams.get(name)
                if stream is None:
                    if not Stream.possible(name, view, self.state):
                        continue  # written whole once validated, as before
                    stream = streams[name] = Stream(b, name, plan, view, self.state)
                t0 = time.perf_counter()
                with reporting(SILENT):
                    stream.write(view.spool.read_chunk(name, Path(spool_path), start), end)
                applied += time.perf_counter() - t0
                chunks += 1
                continue
            _, name, payload, spool_path, errors = handed
            if stopped or errors:
                stopped = True
                Path(payload).unlink(missing_ok=True)
                continue
            t0 = time.perf_counter()
            self._adopt(name, Path(payload), spool_path)
            t1 = time.perf_counter()
            diff_table(plan, view, self.state, name)
            t2 = time.perf_counter()
            with reporting(SILENT) if self._done is None else contextlib.nullcontext():
                stream = streams.pop(name, None)
                if stream is None:
                    apply_table(b, name, plan, view, self.state)
                else:  # the rows after its last chunk
                    stream.finish()
            written = plan.tables.get(name)  # its writes are done: what it holds shrinks
            if written is not None and name in view.sigs:
                written.share_adds(view.sigs[name])
            if name == UNIT_T:
                view.units = kept.slim(view.units, name)
            elif name == ORG_T:
                view.orgs = kept.slim(view.orgs, name)
            loaded, diffed = loaded + t1 - t0, diffed + t2 - t1
            applied += time.perf_counter() - t2
            self._phase(clock)
        t0 = time.perf_counter()
        while self._done is None:
            self._wait(writer)
        waited += time.perf_counter() - t0
        self._phase(clock)
        b.drain()
        _, view.errors, view.warnings, view.present, view.broken, stats = self._done
        report.warnings = view.warnings
        if not stopped and not view.errors:
            finish(b, plan, view)
        self.split.update(stats)
        self.split.update({
            "wait_for_validation_s": waited, "table_handover_s": loaded, "diff_s": diffed,
            "apply_s": applied, "engine_s": b.engine_s, "send_wait_s": b.wait_s,
            "spool_read_s": view.spool.read_s,
            "chunks_streamed": chunks,
        })
        return view, plan, b

    def _phase(self, clock: PhaseClock) -> None:
        """Validation over: the phases move on (the writes left are the ``write`` phase)."""
        if self._done is not None and clock.running == "validate":
            clock.start("diff")
            clock.start("write")

    def _adopt(self, name: str, payload: Path, spool_path: str | None) -> None:
        with open(payload, "rb") as fh:
            sigs, whole, memo, shared = pickle.load(fh)
        payload.unlink()
        if shared is not None:  # duplicate_people's keys of the people (apply.finish)
            self.scan.shared_keys = shared
        if memo is not None:  # kept.py: the worker's row memo of the table, kept after publish
            day, handed = memo
            if self.scan.memo is None:
                self.scan.memo = kept.RowMemo(Hasher(self._key), day)
            if self.scan.memo.day == day:
                self.scan.memo.adopt(name, handed)
        if sigs is not None:
            self.scan.sigs[name] = sigs
        if name == UNIT_T:
            self.scan.units = whole
        elif name == ORG_T:
            self.scan.orgs = whole
        if spool_path:
            self.scan.spool.adopt(name, Path(spool_path))

    def _next_table(self, writer: Writer) -> tuple[Any, ...] | None:
        while not self._ready:
            if self._done is not None:
                return None
            self._wait(writer)
        return self._ready.popleft()

    def _wait(self, writer: Writer) -> None:
        if self._from.poll(KEEP_ALIVE_S):
            self._pump()
        else:
            if self._batches is not None:
                self._batches.drain()  # the writer is free again
            writer.run(q.UNPUBLISHED_RUNS)  # keeps the writers' lock (a cheap read)
            stop_point()  # _pump has its own

    def _pump(self) -> None:
        """Take every message the worker has sent: progress goes to the display, finished
        tables and the end are kept for :meth:`write`."""
        while self._done is None and self._from.poll(0):
            try:
                msg = self._from.recv()
            except (EOFError, OSError):
                raise self._failed(None) from None
            kind = msg[0]
            if kind == "table-start":
                expected = self.export.expected_rows(msg[1])
                self._reporter.table(msg[1], expected if expected is not None else msg[2])
            elif kind == "advance":
                self._reporter.advance(msg[1])
            elif kind in ("table", "chunk"):
                self._ready.append(msg)
            elif kind == "done":
                self._done = msg
            else:
                raise self._failed(msg[1])
        stop_point()  # a Ctrl-C while the worker validates (progress.py)

    def _failed(self, text: str | None) -> WorkerFailed:
        if text is None:
            with contextlib.suppress(OSError):
                self._proc.wait(timeout=5)
            text = f"exit code {self._proc.poll()}"
            with contextlib.suppress(OSError):
                text += ": " + self._log.read_text("utf-8", "replace")[-2000:]
        return WorkerFailed(f"校验进程意外结束 / the validation worker failed: {mask_pii(text)}")

    def close(self) -> None:
        """Stop the worker (if it still runs) and remove what it handed over."""
        if self._proc.poll() is None:
            with contextlib.suppress(OSError):
                self._proc.kill()
        with contextlib.suppress(Exception):
            self._proc.wait(timeout=30)
        for conn in (self._to, self._from):
            with contextlib.suppress(OSError):
                conn.close()
        self.scan.spool.close()


# --- the worker ------------------------------------------------------------------------------
class _Relay:
    """The worker's progress reporter: its tables and rows, sent to the sync's display."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def start(self, phase: str, total: int | None = None) -> None:
        pass

    def table(self, name: str, expected: int | None) -> None:
        self.conn.send(("table-start", name, expected))

    def advance(self, rows: float) -> None:
        self.conn.send(("advance", rows))

    def end(self, phase: str, seconds: float) -> None:
        pass


def _die_with_parent(parent: int) -> None:
    """SIGKILL this worker when the sync dies (Linux), and leave now if it already has."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def _work(inbox: Connection, outbox: Connection) -> None:
    setup = inbox.recv()
    _die_with_parent(setup["parent"])
    t0, cpu0 = time.perf_counter(), time.process_time()
    workdir = Path(setup["workdir"])
    handed = Path(tempfile.mkdtemp(prefix="tables-", dir=workdir))
    numbers = itertools.count()

    def table_done(found: Scan, name: str) -> None:
        whole = found.units if name == UNIT_T else found.orgs if name == ORG_T else None
        payload = handed / f"{next(numbers)}.pickle"
        tm = found.memo.tables.get(name) if found.memo is not None else None
        memo = None if tm is None else (found.memo.day, tm.handover())
        shared = None
        if name == PERSON_T:  # only the keys two people share go over (duplicates.py)
            shared = found.dup_counts.shared()
            found.dup_counts = KeyCounts()
        with open(payload, "wb") as fh:
            pickle.dump((found.sigs.get(name), whole, memo, shared), fh,
                        protocol=pickle.HIGHEST_PROTOCOL)
        spool_path = found.spool.path(name)
        outbox.send(("table", name, str(payload), str(spool_path) if spool_path else None,
                     len(found.errors)))

    def chunk_done(found: Scan, name: str, path: Path, start: int, end: int) -> None:
        outbox.send(("chunk", name, str(path), start, end, len(found.errors)))

    with open_export(setup["path"], workdir, setup["limits"]) as export, \
            reporting(_Relay(outbox)):
        hasher = Hasher(setup["key"])
        found = scan(export, setup["state"], hasher, workdir, kept.new_memo(hasher),
                     on_table=table_done, on_chunk=chunk_done)
    stats = {"validate_s": time.perf_counter() - t0,
             "validate_cpu_s": time.process_time() - cpu0,
             "spool_write_s": found.spool.write_s}
    outbox.send(("done", found.errors, found.warnings, found.present, found.broken, stats))


def main(argv: list[str]) -> int:
    """The worker's entry: ``python -m redgov.loaders.overlap IN_FD OUT_FD``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the sync's to handle
    inbox = Connection(int(argv[0]), writable=False)
    outbox = Connection(int(argv[1]), readable=False)
    try:
        _work(inbox, outbox)
    except BaseException as exc:  # told to the sync, masked; it fails the sync
        import traceback

        with contextlib.suppress(OSError):
            outbox.send(("failed", mask_pii(
                "".join(traceback.format_exception(exc))[-4000:])))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
