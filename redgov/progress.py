"""The command line's progress display: what long work is doing and how far it has got.

The loader reports phases and rows (:mod:`redgov.loaders.progress`); this module turns
that into a display on standard error, drawn by ``rich``:

- ``auto`` (the default; ``--progress`` or ``$REDGOV_PROGRESS``): a live display — the
  phase in Chinese (读取, 校验, 比对, 写入, 发布 …), per table the rows done of the rows
  expected, the rate and the time left — only when standard error is a terminal, the
  output is not ``--format json`` and ``$CI`` is not set; otherwise nothing;
- ``plain``: one line per phase as it ends (its rows and seconds), for logs and the
  scheduled pull;
- ``none``: nothing.

Standard output never carries progress: a pipe or ``--format json`` reads only the result.

Ctrl-C: :func:`shown` stops the display, says in one line that the work was interrupted
and whether anything was published (a sync publishes in its last step only; what it had
written unpublished is removed on the way out, or by the next sync), and exits 130 with
no traceback.  Around work that writes, the first Ctrl-C is a request the loader honours
at its next stop point (between two batches; the notice says so), and a
second one interrupts at once (see :func:`redgov.loaders.progress.stop_point` for why).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from typing import IO, Any

import click

from .graph.display import display
from .loaders.progress import (
    SILENT,
    Reporter,
    ask_to_stop,
    current,
    listen_for_stops,
    reporting,
    stop_asked,
)

__all__ = ["MODES", "PlainReporter", "RichReporter", "choose", "done", "progress_option", "shown"]

MODES = ("auto", "plain", "none")
INTERRUPTED = 130  # the shell's code for a process ended by SIGINT

progress_option = click.option(
    "--progress", "progress_mode", type=click.Choice(MODES), default="auto",
    envvar="REDGOV_PROGRESS", show_default=True,
    help="Progress on standard error: auto = a live display on a terminal (none with "
    "--format json, a pipe or $CI), plain = one line per phase, none = nothing.",
)


def _say(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def _phase(code: str, lang: str) -> str:
    return display(code, lang, "sync_phase")


def _clock(seconds: float | None) -> str:
    """``1:05`` or ``1:02:03``; ``-:--`` when not known."""
    if seconds is None:
        return "-:--"
    whole = round(seconds)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class PlainReporter:
    """One line per phase as it ends: ``[redgov] 校验 完成：12,379 行，1.2 秒``."""

    def __init__(self, lang: str = "zh", stream: IO[str] | None = None) -> None:
        self.lang = lang
        self.stream = stream or sys.stderr
        self._rows = 0.0
        self.published = False

    def start(self, phase: str, total: int | None = None) -> None:
        self._rows = 0.0
        if phase == "read":
            self.published = False

    def table(self, name: str, expected: int | None) -> None:
        pass

    def advance(self, rows: float) -> None:
        self._rows += rows

    def end(self, phase: str, seconds: float) -> None:
        self.published = self.published or phase == "publish"
        name = _phase(phase, self.lang)
        if self.lang == "en":
            rows = f"{round(self._rows):,} rows, " if self._rows else ""
            line = f"[redgov] {name} done: {rows}{seconds:.1f} s"
        else:
            rows = f"{round(self._rows):,} 行，" if self._rows else ""
            line = f"[redgov] {name} 完成：{rows}{seconds:.1f} 秒"
        print(line, file=self.stream, flush=True)


class RichReporter:
    """A live display on standard error: the run's phases, one line each, and under the
    running phase the current table with a bar, rows done of expected, rate, time left.

    Finished tables fold into their phase's line (✓, rows, seconds), so a sync of nine
    tables stays a dozen lines; a new run (``demo --history``) starts a fresh list,
    headed ``同步 k/N``.
    """

    def __init__(self, lang: str = "zh", console: Any = None, runs: int | None = None) -> None:
        from rich.console import Console
        from rich.progress import Progress

        self.lang = lang
        self.console = console or Console(stderr=True)
        self.runs = runs
        self.run = 0
        self.published = False
        self.bar = Progress(
            *_columns(lang), console=self.console, refresh_per_second=8, transient=False,
            expand=False, redirect_stdout=False,  # standard output carries only the result
        )
        self._phase: Any = None
        self._table: Any = None
        self._head: Any = None
        self._rows = 0.0
        self._seen: set[str] = set()

    def __enter__(self) -> RichReporter:
        self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()

    def start(self, phase: str, total: int | None = None) -> None:
        if phase == "read":
            self._new_run()
        self._rows = 0.0
        self._seen.add(phase)
        self._phase = self.bar.add_task(_phase(phase, self.lang), total=None, kind="phase",
                                        seconds=None, rows=0, t0=time.monotonic())

    def _new_run(self) -> None:
        """A run starts: clear the last run's lines (not what came before the first run,
        such as generating the demo export); head the list when there are several."""
        self.run += 1
        self.published = False
        if "read" in self._seen:
            for task in list(self.bar.task_ids):
                self.bar.remove_task(task)
        if self.runs and self.runs > 1:
            self._head = self.bar.add_task(
                _say(self.lang, f"同步 {self.run}/{self.runs}", f"sync {self.run}/{self.runs}"),
                total=None, kind="head", seconds=None, rows=0, t0=time.monotonic())

    def table(self, name: str, expected: int | None) -> None:
        self._fold_table()
        self._table = self.bar.add_task(f"  {name}", total=expected, kind="table")

    def advance(self, rows: float) -> None:
        if self._table is not None:
            self.bar.advance(self._table, rows)
        else:
            self._rows += rows

    def end(self, phase: str, seconds: float) -> None:
        self._fold_table()
        self.published = self.published or phase == "publish"
        if self._phase is not None:
            self.bar.update(self._phase, seconds=seconds, rows=round(self._rows))
            self._phase = None

    def _fold_table(self) -> None:
        if self._table is None:
            return
        task = self.bar._tasks[self._table]
        self._rows += task.completed
        self.bar.remove_task(self._table)
        self._table = None


def _columns(lang: str) -> list[Any]:
    """The display's columns (rich is imported only when a live display is drawn)."""
    from rich.progress import BarColumn, ProgressColumn
    from rich.text import Text

    unit = " rows" if lang == "en" else " 行"

    class Label(ProgressColumn):
        """The phase (bold; ✓ when done), a run's heading, or a table (indented)."""

        def render(self, task: Any) -> Text:
            kind = task.fields.get("kind")
            if kind == "table":
                return Text(f"{task.description:<10}")
            if kind == "head":
                return Text(task.description, style="bold cyan")
            if task.fields.get("seconds") is not None:  # the mark apart: its own cell
                return Text.assemble(("✓", "green"), " ", (task.description, "bold green"))
            return Text.assemble(("…", ""), " ", (task.description, "bold"))

    class Count(ProgressColumn):
        """``12,000/24,379 行`` for a table; for a phase, time so far, or rows and seconds."""

        def render(self, task: Any) -> Text:
            if task.fields.get("kind") == "table":
                total = f"/{round(task.total):,}" if task.total else ""
                return Text(f"{round(task.completed):,}{total}{unit}")
            seconds = task.fields.get("seconds")
            if seconds is None and task.fields.get("kind") == "phase" and stop_asked():
                return Text(_stopping_notice(lang), style="bold yellow")
            if seconds is None:
                elapsed = _clock(time.monotonic() - task.fields.get("t0", time.monotonic()))
                return Text(_say(lang, f"用时 {elapsed}", f"{elapsed} so far"), style="dim")
            rows = int(task.fields.get("rows") or 0)
            if lang == "en":
                return Text((f"{rows:,} rows, " if rows else "") + f"{seconds:.1f} s",
                            style="green")
            return Text((f"{rows:,} 行，" if rows else "") + f"{seconds:.1f} 秒", style="green")

    class Rate(ProgressColumn):
        def render(self, task: Any) -> Text:
            if task.fields.get("kind") != "table" or not task.speed:
                return Text("")
            return Text(_say(lang, f"{task.speed:,.0f} 行/秒", f"{task.speed:,.0f} rows/s"),
                        style="cyan")

    class Left(ProgressColumn):
        def render(self, task: Any) -> Text:
            if task.fields.get("kind") != "table" or not task.total:
                return Text("")
            left = _clock(task.time_remaining)
            return Text(_say(lang, f"剩余 {left}", f"{left} left"), style="yellow")

    class Bar(BarColumn):
        """A table's bar; a phase's line has none (its tables carry theirs)."""

        def render(self, task: Any) -> Any:
            if task.fields.get("kind") != "table":
                return Text(" " * (self.bar_width or 0))
            return super().render(task)

    return [Label(), Bar(bar_width=24), Count(), Rate(), Left()]


def done() -> None:
    """Take the live display down (if one is drawn) before a command prints its result
    inside :func:`shown`: standard output then never mixes with the display."""
    reporter = current()
    if isinstance(reporter, RichReporter):
        reporter.bar.stop()


def choose(mode: str, fmt: str = "table", lang: str = "zh", *, runs: int | None = None,
           stream: IO[str] | None = None) -> Reporter:
    """The reporter for ``--progress mode``: see the module docstring for the rules."""
    stream = stream or sys.stderr
    if mode == "none":
        return SILENT
    if mode == "plain":
        return PlainReporter(lang, stream)
    if fmt == "json" or os.environ.get("CI") or not _is_terminal(stream):
        return SILENT
    return RichReporter(lang, runs=runs)


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def shown(mode: str, fmt: str = "table", lang: str = "zh", *,
          runs: int | None = None, writes: bool = True) -> Iterator[Reporter]:
    """Show progress for the block (see :func:`choose`); Ctrl-C inside it ends the command
    with one line on standard error and exit status 130, never a traceback.  ``writes``:
    the block may publish (a sync), so the line says whether it had."""
    reporter = choose(mode, fmt, lang, runs=runs)
    live = reporter if isinstance(reporter, RichReporter) else None
    stopping = (_stopping_at_stop_points(lang, live is not None) if writes
                else contextlib.nullcontext())
    try:
        with live if live is not None else contextlib.nullcontext(), reporting(reporter), \
                stopping:
            yield reporter
    except KeyboardInterrupt:
        published = bool(getattr(reporter, "published", False))
        if not writes:
            click.echo(_say(lang, "已中断", "interrupted"), err=True)
            sys.exit(INTERRUPTED)
        click.echo(_say(
            lang,
            "已中断：本次同步已发布，之后的步骤未完成" if published else
            "已中断：未发布任何更改（已发布的快照不变，未发布的写入已撤销或由下次同步清除）",
            "interrupted: the sync had published; the steps after it did not finish"
            if published else "interrupted: nothing was published (the published snapshots "
            "are unchanged; unpublished writes were removed or are left to the next sync)",
        ), err=True)
        sys.exit(INTERRUPTED)


def _stopping_notice(lang: str) -> str:
    return _say(lang, "正在中断：当前批次完成后即停止（再按一次 Ctrl-C 立即中断）",
                "interrupting: stopping once the current batch is done "
                "(press Ctrl-C again to stop at once)")


@contextlib.contextmanager
def _stopping_at_stop_points(lang: str, live: bool) -> Iterator[None]:
    """Within the block, a first Ctrl-C asks the loader to stop at its next stop point and
    says so; a second raises ``KeyboardInterrupt`` where it lands.  Installed only over
    Python's own handler, in the main thread (elsewhere the signal is not ours).

    The handler takes no lock and calls no Python writer: it may run inside a ``print``
    to standard error, which would refuse the reentrant write.  So a live display shows
    the notice in its phase line; otherwise it is written straight to the descriptor."""
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield
        return
    pressed = 0
    notice = (_stopping_notice(lang) + "\n").encode()

    def on_ctrl_c(signum: int, frame: Any) -> None:
        nonlocal pressed
        pressed += 1
        ask_to_stop()  # also when raising now: were it swallowed, the next stop point raises
        if pressed > 1:
            raise KeyboardInterrupt
        if not live:  # a live display shows the request (stop_asked) in its phase line
            with contextlib.suppress(OSError):
                os.write(2, notice)

    previous = signal.signal(signal.SIGINT, on_ctrl_c)
    listen_for_stops(True)
    try:
        yield
        if stop_asked():  # pressed after the last stop point: the notice needs its sequel
            click.echo(_say(lang, "Ctrl-C 时已没有可停下的步骤：本次工作已全部完成",
                            "Ctrl-C came after the last step that could stop: the work "
                            "finished"), err=True)
    finally:
        signal.signal(signal.SIGINT, previous)
        listen_for_stops(False)
        ask_to_stop(False)
