"""How far long work has got: the reporter the loader calls, and the phase clock.

The loader never draws anything: it calls the :class:`Reporter` it finds in the current
context at each phase boundary and per batch (phase, table, rows done of rows expected),
and the command line supplies a reporter that draws (:mod:`redgov.progress`, on standard
error).  Called as a library (a scheduled pull, a test), the reporter is
:data:`SILENT` and costs one attribute look-up a batch.  The reporter travels in a
:class:`contextvars.ContextVar` rather than a parameter so that the calls in between
(``review approve`` → ``sync_export``, ``demo --history`` → each month's sync) need not
pass it along.

Phase codes (their Chinese forms are the ``sync_phase`` domain of
:mod:`redgov.graph.display`): ``read`` (open the export, fingerprint its bytes, read
the graph's state), ``validate`` (every row normalised and checked, per table),
``diff``, ``write`` (the new unpublished versions, per table), ``publish``, ``facts``
(figures computed after publishing, where a command does that).

:func:`phase` both reports a phase and times it into a ``{phase: seconds}`` dict: the
timings a sync keeps in its run record (``SyncRun.phases_json``).

Stop points: the command line turns a first Ctrl-C into a request (:func:`ask_to_stop`)
that the loader honours at its next :func:`stop_point` by raising ``KeyboardInterrupt``
there.  Every phase boundary, reported batch and :data:`TICK` rows validated is one.

>>> timings: dict[str, float] = {}
>>> with phase("read", timings):
...     pass
>>> list(timings)
['read']
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Protocol, TypeVar

__all__ = [
    "PHASES", "SILENT", "PhaseClock", "Reporter", "advance", "ask_to_stop", "current",
    "listen_for_stops", "phase", "reporting", "stop_asked", "stop_point", "table", "ticking",
    "timings_of", "timings_text",
]

#: The phases of a sync, in order (the keys of a run's timings).
PHASES = ("read", "validate", "diff", "write", "publish", "facts")
#: Rows between two reports while streaming rows (validation): cheap, yet several a second.
TICK = 2000

T = TypeVar("T")


class Reporter(Protocol):
    """What the loader tells whoever shows progress; every call must be cheap and quiet."""

    def start(self, phase: str, total: int | None = None) -> None:
        """A phase begins; ``total``: how many tables (or steps) it has, when known."""

    def table(self, name: str, expected: int | None) -> None:
        """Within the current phase, work on table ``name`` begins (rows expected, if known)."""

    def advance(self, rows: float) -> None:
        """``rows`` more rows of the current table are done (a half: a record written in
        two passes is counted half in each)."""

    def end(self, phase: str, seconds: float) -> None:
        """The phase is over (after ``seconds``)."""


class _Silent:
    """The reporter when nobody watches: does nothing."""

    def start(self, phase: str, total: int | None = None) -> None:
        pass

    def table(self, name: str, expected: int | None) -> None:
        pass

    def advance(self, rows: float) -> None:
        pass

    def end(self, phase: str, seconds: float) -> None:
        pass


SILENT: Reporter = _Silent()
_CURRENT: ContextVar[Reporter] = ContextVar("redgov_progress", default=SILENT)


def current() -> Reporter:
    return _CURRENT.get()


#: A stop asked and not yet honoured: a plain flag, because a signal handler sets it
#: (a lock taken there could be the one the interrupted code holds).
_stop = [False]


#: Someone may ask (the command line's handler is installed): validation counts its rows
#: for stop points even when nobody watches; otherwise it keeps its quicker path.
_listening = [False]


def listen_for_stops(on: bool) -> None:
    """The command line's Ctrl-C handler is installed (``True``) or removed."""
    _listening[0] = on


def ask_to_stop(asked: bool = True) -> None:
    """Ask the loader to stop at its next :func:`stop_point` (``False``: withdraw it)."""
    _stop[0] = asked


def stop_asked() -> bool:
    """A stop was asked and no stop point has honoured it yet."""
    return _stop[0]


def stop_point() -> None:
    """Raise ``KeyboardInterrupt`` here, once, if a stop was asked (the main thread only).

    Why not raise where the signal lands: a ``KeyboardInterrupt`` raised between any two
    bytecodes landed in a finaliser of the Neo4j driver, which swallowed it, and the sync
    went on to publish; another landed while a batch was being handed to a lane thread,
    which then wrote on unseen while the sync undid its writes and closed the driver under
    it.  The loader calls this where stopping leaves its own bookkeeping whole.
    """
    if _stop[0] and threading.current_thread() is threading.main_thread():
        _stop[0] = False
        raise KeyboardInterrupt


@contextlib.contextmanager
def reporting(reporter: Reporter) -> Iterator[Reporter]:
    """Make ``reporter`` the one the loader calls within the block (the CLI's side)."""
    token = _CURRENT.set(reporter)
    try:
        yield reporter
    finally:
        _CURRENT.reset(token)


class PhaseClock:
    """One phase at a time: :meth:`start` ends the running phase and begins the next, so
    a step-by-step function marks its boundaries with one call each; :meth:`stop` ends
    the last.  Each phase's wall time is added to ``timings[phase]`` (seconds)."""

    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self._name: str | None = None
        self._t0 = 0.0

    @property
    def running(self) -> str | None:
        """The phase being timed (None between phases)."""
        return self._name

    def start(self, name: str, total: int | None = None) -> None:
        self.stop()
        if name != "undo":  # removing unpublished writes is how a stop ends
            stop_point()
        current().start(name, total)
        self._name, self._t0 = name, time.perf_counter()

    def stop(self) -> None:
        name, self._name = self._name, None
        if name is None:
            return
        seconds = time.perf_counter() - self._t0
        self.timings[name] = round(self.timings.get(name, 0.0) + seconds, 3)
        current().end(name, seconds)


@contextlib.contextmanager
def phase(name: str, timings: dict[str, float] | None = None,
          total: int | None = None) -> Iterator[None]:
    """Report phase ``name`` and add its wall time to ``timings[name]`` (also when it
    fails: a rejected or interrupted run's timings say where the time went too)."""
    clock = PhaseClock({} if timings is None else timings)
    clock.start(name, total)
    try:
        yield
    finally:
        clock.stop()


def table(name: str, expected: int | None) -> None:
    stop_point()
    current().table(name, expected)


def advance(rows: float) -> None:
    stop_point()
    if rows:
        current().advance(rows)


def ticking(items: Iterable[T], every: int = TICK) -> Iterator[T]:
    """``items`` unchanged, reporting every ``every`` of them as rows done (each report a
    :func:`stop_point`, also when nobody watches but a stop may be asked)."""
    reporter = current()
    if reporter is SILENT and not _listening[0]:
        yield from items
        return
    n = 0
    for item in items:
        yield item
        n += 1
        if n == every:
            stop_point()
            reporter.advance(n)
            n = 0
    reporter.advance(n)


def timings_of(value: object) -> dict[str, float]:
    """A run's phase timings from its record (``phases_json`` text, or already a dict);
    empty for a run recorded before timings were kept, or an unreadable value."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    if not isinstance(value, dict):
        return {}
    out: dict[str, float] = {}
    for k, v in value.items():
        if isinstance(v, int | float) and not isinstance(v, bool):
            out[str(k)] = float(v)
    return out


def timings_text(value: object, lang: str = "zh") -> str:
    """``读取 0.1 秒，校验 2.0 秒，…`` in the order the phases ran; "" when none.

    >>> timings_text('{"read": 0.12, "validate": 2.04, "write": 3.1}')
    '读取 0.1 秒，校验 2.0 秒，写入 3.1 秒'
    >>> timings_text({"read": 0.12, "publish": 0.04}, "en")
    'read 0.1 s, publish 0.0 s'
    """
    from ..graph.display import display

    timings = timings_of(value)
    if lang == "en":
        return ", ".join(f"{display(k, 'en', 'sync_phase')} {v:.1f} s" for k, v in timings.items())
    return "，".join(f"{display(k, 'zh', 'sync_phase')} {v:.1f} 秒" for k, v in timings.items())
