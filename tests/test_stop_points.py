"""Ctrl-C around work that writes is honoured at the loader's stop points.

The project's CI once saw a sync go on to publish after its Ctrl-C: Python raised the
``KeyboardInterrupt`` inside a finaliser of the Neo4j driver (``Workspace.__del__``),
which swallowed it; in another run it landed while a batch was handed to a lane thread,
which wrote on while the sync undid its writes and closed the driver under it (an
``AssertionError`` from the driver and exit 1 instead of 130).  So a first Ctrl-C only
asks (:func:`redgov.loaders.progress.ask_to_stop`) and the loader raises at its next
stop point; a second one raises at once, and is raised again at the next stop point if
something swallowed it.  These tests run in this process, with the real signal; the
syncs interrupted on both engines are in ``test_progress.py`` and ``test_sync_overlap.py``.
"""

from __future__ import annotations

import io
import os
import signal
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from redgov.loaders.progress import (
    SILENT,
    TICK,
    PhaseClock,
    advance,
    ask_to_stop,
    listen_for_stops,
    reporting,
    stop_asked,
    stop_point,
    ticking,
)

from redgov.progress import RichReporter, shown

INTERRUPTED = "已中断：未发布任何更改（已发布的快照不变，未发布的写入已撤销或由下次同步清除）"
NOTICE = "正在中断：当前批次完成后即停止（再按一次 Ctrl-C 立即中断）"


@pytest.fixture(autouse=True)
def python_handles_sigint() -> Iterator[None]:
    """Python's own SIGINT handler, as in a command started from a shell (a suite run in
    the background inherits SIGINT ignored); no stop left asked afterwards."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        ask_to_stop(False)


def _ctrl_c() -> None:
    os.kill(os.getpid(), signal.SIGINT)


def test_a_stop_is_raised_once_and_only_in_the_main_thread() -> None:
    ask_to_stop()
    seen: list[BaseException | None] = []

    def elsewhere() -> None:
        try:
            stop_point()
            seen.append(None)
        except BaseException as exc:
            seen.append(exc)

    t = threading.Thread(target=elsewhere)
    t.start()
    t.join()
    assert seen == [None] and stop_asked()
    with pytest.raises(KeyboardInterrupt):
        stop_point()
    assert not stop_asked()
    stop_point()  # honoured once: the undo on the way out is not stopped again


def test_phase_starts_reports_and_validation_ticks_are_stop_points_but_undo_is_not() -> None:
    clock = PhaseClock({})
    ask_to_stop()
    clock.start("undo")
    assert stop_asked()
    with pytest.raises(KeyboardInterrupt):
        clock.start("publish")
    assert clock.running is None  # the undo's clock starts from nothing
    ask_to_stop()
    with pytest.raises(KeyboardInterrupt):
        advance(100)
    seen = 0
    listen_for_stops(True)  # the command line listens; nobody watches: validation stops
    try:
        with reporting(SILENT):
            rows = ticking(range(3 * TICK))
            with pytest.raises(KeyboardInterrupt):
                for _ in rows:
                    seen += 1
                    if seen == 10:
                        ask_to_stop()
    finally:
        listen_for_stops(False)
    assert seen == TICK


def test_a_first_ctrl_c_lets_the_work_reach_its_stop_point_then_exits_130(
        capfd: pytest.CaptureFixture[str]) -> None:
    reached = []
    with pytest.raises(SystemExit) as ended, shown("plain"):
        _ctrl_c()
        reached.append("after the signal")  # not raised where the signal landed
        stop_point()
        reached.append("after the stop point")
    assert ended.value.code == 130
    assert reached == ["after the signal"]
    err = capfd.readouterr().err.splitlines()
    assert err == [NOTICE, INTERRUPTED], err
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back
    assert not stop_asked()


def test_a_ctrl_c_after_the_last_stop_point_is_answered_when_the_work_ends(
        capfd: pytest.CaptureFixture[str]) -> None:
    with shown("none"):
        _ctrl_c()
    assert capfd.readouterr().err.splitlines() == [
        NOTICE, "Ctrl-C 时已没有可停下的步骤：本次工作已全部完成"]
    assert not stop_asked()


class _Finaliser:
    """Sends Ctrl-C from inside ``__del__``: where Python swallows what a handler raises."""

    def __del__(self) -> None:
        _ctrl_c()


def test_a_ctrl_c_inside_a_finaliser_still_stops_the_work() -> None:
    """The CI failure: a single Ctrl-C landing in a finaliser; the sync then published."""
    reached = []
    with pytest.raises(SystemExit) as ended, shown("none"):
        _Finaliser()  # dropped at once: its __del__ runs here
        reached.append("went on")
        stop_point()
        reached.append("published")
    assert ended.value.code == 130 and reached == ["went on"]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # on purpose
def test_a_second_ctrl_c_interrupts_at_once_and_if_swallowed_at_the_next_stop_point() -> None:
    with pytest.raises(SystemExit) as ended, shown("none"):
        _ctrl_c()
        _ctrl_c()
        pytest.fail("the second Ctrl-C did not interrupt")  # pragma: no cover
    assert ended.value.code == 130
    reached = []
    with pytest.raises(SystemExit) as ended, shown("none"):
        _ctrl_c()
        _Finaliser()  # the second one lands in a finaliser and is swallowed there
        reached.append("went on")
        stop_point()
        reached.append("published")
    assert ended.value.code == 130 and reached == ["went on"]


def test_work_that_does_not_write_is_interrupted_where_the_signal_lands() -> None:
    with pytest.raises(SystemExit) as ended, shown("none", writes=False):
        _ctrl_c()
        pytest.fail("a read-only command waited for a stop point")  # pragma: no cover
    assert ended.value.code == 130


def test_the_live_display_says_it_is_stopping(monkeypatch: pytest.MonkeyPatch) -> None:
    """The handler writes nothing itself (it may interrupt a write to standard error): the
    running phase's line carries the notice at the display's next refresh."""
    from rich.console import Console

    import redgov.progress as shown_module

    console = Console(file=io.StringIO(), force_terminal=True, width=140, record=True)
    reporter = RichReporter("zh", console=console)
    monkeypatch.setattr(shown_module, "choose", lambda *a, **k: reporter)
    with pytest.raises(SystemExit), shown("auto"):
        reporter.start("write")
        _ctrl_c()
        reporter.bar.refresh()
        drawn = console.export_text(clear=False)
        stop_point()
    assert "… 写入" in drawn and NOTICE in drawn, drawn


def test_a_failing_close_does_not_hide_the_error_on_its_way_out(
        store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a second Ctrl-C a lane thread may hold a connection mid-message, and the Neo4j
    driver's close then fails its own assertion; that failure is injected here (it cannot
    be provoked on purpose), on a real store."""
    import click
    from redgov.graph.stores import StoreError

    from redgov.commands import common

    real_close = store.close

    def failing_close() -> None:
        real_close()
        raise AssertionError("the driver's buffer was left mid-message")

    with monkeypatch.context() as patch:  # undone before the fixture closes the store
        patch.setattr(common, "open_store", lambda spec, read_timeout=None: store)
        patch.setattr(store, "close", failing_close)
        with pytest.raises(KeyboardInterrupt), common.opened_store(None):
            raise KeyboardInterrupt
        with pytest.raises(click.ClickException), common.opened_store(None):
            raise StoreError("the server went away")
        with pytest.raises(AssertionError), common.opened_store(None):
            pass  # with nothing on its way out, a failing close is the error
