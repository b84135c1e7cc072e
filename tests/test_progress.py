"""Issue 23: long commands show their progress, keep their phase timings, and stop cleanly.

- A sync driven through a pseudo-terminal (the ``pty`` module: the child's standard
  output and error are a terminal, as for a clerk) shows its phases in Chinese with rows
  per table, and leaves exactly the graph and answers a piped sync of the same export
  leaves (:func:`engine_diff.dump_at` and the required questions, both engines).
- ``--format json`` on a terminal, and any output into a pipe, carry no progress text;
  ``--progress plain`` writes one line per phase to standard error.
- Each sync's phase timings are in its ``SyncRun`` record, in ``redgov status`` (table
  and JSON) and in the run log.
- A sync interrupted by SIGINT in the middle of its writes (a ``district`` demo export on
  top of itself with thousands of people changed: seconds of writing) exits 130 with one
  Chinese line and no traceback; the published snapshots, what readers see and the
  answers are as before; the next sync of the same export applies (both engines).

The children run without ``$CI`` (CI sets it, and the display rightly stays off there).
"""

from __future__ import annotations

import csv
import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from engine_diff import dump_at
from redgov.graph.introspection import sync_runs
from redgov.graph.snapshots import list_snapshots
from redgov.graph.stores.base import DEFAULT_BATCH
from redgov.loaders.progress import PHASES, SILENT, timings_of
from test_snapshot_history import EXPORTS, REQUIRED, answers

from redgov.progress import PlainReporter, RichReporter, choose

#: The phases every applied sync goes through, in order (facts only where a command has it).
SYNC_PHASES = [p for p in PHASES if p != "facts"]
ZH_PHASES = ["读取", "校验", "比对", "写入", "发布"]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
SMALL = EXPORTS[0]  # the hand-written first export of the snapshot history
#: Asked before and after the interruption (at district scale each answer costs seconds on
#: Neo4j; with the dump of everything readers see, two questions suffice).
ASKED = ("coverage_rollup", "overdue_reelection")
INTERRUPTED = "已中断：未发布任何更改（已发布的快照不变，未发布的写入已撤销或由下次同步清除）"


def _env(engine: Any, graph: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update(engine.env(graph), TERM="xterm-256color", COLUMNS="110", LINES="40")
    return env


def _redgov(*args: str) -> list[str]:
    return [sys.executable, "-m", "redgov", *args]


def _sigint_default() -> None:
    """A suite started in the background (``cmd &`` in a script) runs with SIGINT ignored,
    and a child inherits that and Python keeps it: Ctrl-C would never reach the sync."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Terminal:
    """A child whose standard input, output and error are one pseudo-terminal."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     close_fds=True, preexec_fn=_sigint_default)
        os.close(slave)
        self.raw = b""

    def read_until(self, needle: str, timeout: float) -> bool:
        """Read until ``needle`` shows (True), the child ends, or ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.text:
                return True
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    return needle in self.text
                if not chunk:
                    return needle in self.text
                self.raw += chunk
        return needle in self.text

    def finish(self, timeout: float = 600) -> int:
        self.read_until("\0never\0", timeout=0)
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self.read_until("\0never\0", timeout=0.5)
        self.read_until("\0never\0", timeout=0.5)
        os.close(self.master)
        return self.proc.wait(timeout=10)

    @property
    def text(self) -> str:
        return ANSI.sub("", self.raw.decode("utf-8", "replace"))


def _answers(env: dict[str, str], names: tuple[str, ...] = REQUIRED) -> dict[str, Any]:
    """The questions' answers, without the snapshot's run id (two graphs' runs have two
    ids; the answer is what must match)."""
    got = answers(env, names)
    assert all(isinstance(a, dict) for a in got.values()), got  # no CLI failure
    assert any(a["rows"] for a in got.values()), got  # and something to compare
    return {name: {k: v for k, v in a.items() if k != "snapshot"} for name, a in got.items()}


def _piped(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_redgov(*args), env=env, capture_output=True, text=True,
                          timeout=900, check=False)


# --- which display, when -------------------------------------------------------------------

def test_the_display_is_chosen_by_terminal_format_and_ci(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    monkeypatch.delenv("CI", raising=False)
    master, slave = pty.openpty()
    try:
        with open(slave, "w", closefd=False) as tty, open(os.devnull, "w") as pipe:
            assert isinstance(choose("auto", "table", stream=tty), RichReporter)
            assert choose("auto", "json", stream=tty) is SILENT
            assert choose("auto", "table", stream=pipe) is SILENT
            assert choose("none", "table", stream=tty) is SILENT
            assert isinstance(choose("plain", "table", stream=pipe), PlainReporter)
            monkeypatch.setenv("CI", "true")
            assert choose("auto", "table", stream=tty) is SILENT
    finally:
        os.close(master)
        os.close(slave)


def test_the_live_display_folds_finished_tables_into_their_phase() -> None:
    """What a clerk sees, drawn into a recording console: the phase in Chinese, the
    running table's rows done of expected, and a finished phase with its rows and time."""
    import io

    from rich.console import Console

    console = Console(file=io.StringIO(), force_terminal=True, width=100, record=True)
    reporter = RichReporter("zh", console=console)
    with reporter:
        reporter.start("read")
        reporter.end("read", 0.25)
        reporter.start("validate", 2)
        reporter.table("单位", 510)
        reporter.advance(510)
        reporter.table("人员", 24_000)
        reporter.advance(12_000)
        reporter.bar.refresh()
        running = console.export_text()
        reporter.end("validate", 1.5)
    finished = console.export_text()
    assert "✓ 读取" in running and "0.2 秒" in running, running
    assert "… 校验" in running and "12,000/24,000 行" in running, running
    assert "单位" not in running.split("… 校验")[1], running  # folded into the phase
    assert "✓ 校验" in finished and "12,510 行，1.5 秒" in finished, finished


def test_plain_lines_say_phase_rows_and_seconds() -> None:
    import io

    out = io.StringIO()
    reporter = PlainReporter("zh", out)
    reporter.start("write")
    reporter.table("人员", 10)
    reporter.advance(5)
    reporter.advance(4.5)
    reporter.advance(0.5)
    reporter.end("write", 3.14159)
    reporter.start("publish")
    reporter.end("publish", 0.01)
    assert out.getvalue().splitlines() == ["[redgov] 写入 完成：10 行，3.1 秒",
                                           "[redgov] 发布 完成：0.0 秒"], out.getvalue()


# --- a sync on a terminal, and the same sync piped --------------------------------------------

def test_a_sync_on_a_terminal_shows_its_phases_and_ends_as_a_piped_one(engine: Any) -> None:
    with engine.fresh_graph("progress: terminal sync") as graph:
        env = _env(engine, graph)
        term = Terminal(_redgov("sync", str(SMALL)), env)
        code = term.finish()
        shown = term.text
        assert code == 0, shown[-3000:]
        positions = [shown.find(f"✓ {p}") for p in ZH_PHASES]
        assert -1 not in positions and positions == sorted(positions), shown[-3000:]
        assert "同步已应用" in shown, shown[-3000:]
        store = engine.open(graph)
        try:
            on_terminal = (dump_at(store, 1), _answers(env))
        finally:
            store.close()
    with engine.fresh_graph("progress: piped sync") as graph:
        env = _env(engine, graph)
        done = _piped(env, "sync", str(SMALL))
        assert done.returncode == 0, done.stderr
        assert done.stderr == "", done.stderr  # a pipe: no progress at all
        assert "\x1b" not in done.stdout and "✓" not in done.stdout, done.stdout
        assert done.stdout.startswith("同步已应用"), done.stdout
        store = engine.open(graph)
        try:
            piped = (dump_at(store, 1), _answers(env))
        finally:
            store.close()
    assert piped == on_terminal


def test_json_on_a_terminal_and_plain_lines_in_a_pipe(engine: Any) -> None:
    with engine.fresh_graph("progress: json and plain") as graph:
        env = _env(engine, graph)
        term = Terminal(_redgov("sync", str(SMALL), "--format", "json"), env)
        assert term.finish() == 0, term.text[-3000:]
        raw = term.raw.decode("utf-8")
        assert "\x1b" not in raw, raw[:500]  # not one escape: no live display
        report = json.loads(raw.replace("\r\n", "\n"))
        assert report["status"] == "applied", report
        assert list(report["phases"]) == SYNC_PHASES, report["phases"]
        # Plain: one line per phase on standard error, nothing but the result on stdout.
        done = _piped(env, "sync", str(EXPORTS[1]), "--progress", "plain", "--format", "json")
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["status"] == "applied", done.stdout
        lines = done.stderr.splitlines()
        assert [line.split()[1] for line in lines] == ZH_PHASES, lines
        assert all(line.startswith("[redgov] ") and line.endswith(" 秒") for line in lines), \
            lines


def test_review_and_diff_report_their_phases(engine: Any) -> None:
    """``sync --review`` stages (读取 … 暂存), ``review approve`` syncs (读取 … 发布) and
    ``diff`` compares (比较快照), each a line a phase with ``--progress plain``."""
    with engine.fresh_graph("progress: review") as graph:
        env = _env(engine, graph)
        assert _piped(env, "sync", str(SMALL)).returncode == 0

        def phases(done: subprocess.CompletedProcess[str]) -> list[str]:
            assert done.returncode == 0, done.stderr
            return [line.split()[1] for line in done.stderr.splitlines()]

        staged = _piped(env, "sync", str(EXPORTS[1]), "--review", "--format", "json",
                        "--progress", "plain")
        assert phases(staged) == ["读取", "校验", "比对", "暂存"], staged.stderr
        sid = json.loads(staged.stdout)["staged_id"]
        approved = _piped(env, "review", "approve", sid, "--progress", "plain")
        assert phases(approved) == ZH_PHASES, approved.stderr
        compared = _piped(env, "diff", "--from", "2024-06-30", "--to", "2024-09-30",
                          "--format", "json", "--progress", "plain")
        assert phases(compared) == ["比较快照"], compared.stderr
        assert json.loads(compared.stdout)["changes"], compared.stdout[:300]


# --- the timings kept ---------------------------------------------------------------------------

def test_phase_timings_are_in_the_run_record_status_and_log(engine: Any) -> None:
    with engine.fresh_graph("progress: timings") as graph:
        env = _env(engine, graph)
        done = _piped(env, "sync", str(SMALL), "--format", "json")
        assert done.returncode == 0, done.stderr
        run_id = json.loads(done.stdout)["run_id"]
        store = engine.open(graph)
        try:
            node = next(r for r in sync_runs(store) if r["id"] == run_id)
        finally:
            store.close()
        timings = timings_of(node.get("phases_json"))
        assert list(timings) == SYNC_PHASES, node
        assert all(v >= 0 for v in timings.values()) and timings["validate"] > 0, timings
        status = _piped(env, "status", "--format", "json")
        assert json.loads(status.stdout)["last_sync"]["phases"] == timings, status.stdout
        table = _piped(env, "status").stdout
        line = next(x for x in table.splitlines() if x.startswith("各阶段用时："))
        assert re.fullmatch(r"各阶段用时：\s+读取 [\d.]+ 秒，校验 [\d.]+ 秒，比对 [\d.]+ 秒，"
                            r"写入 [\d.]+ 秒，发布 [\d.]+ 秒", line), line
        log = Path(env["REDGOV_HOME"]) / "sync-runs.jsonl"
        entry = next(json.loads(x) for x in log.read_text("utf-8").splitlines()
                     if json.loads(x)["id"] == run_id)
        assert timings_of(entry["phases_json"]) == timings, entry


# --- Ctrl-C in the middle of the writes --------------------------------------------------------

#: People whose phone number the second export changes: two write batches of people
#: (``graph.stores.base.DEFAULT_BATCH`` rows a batch), seconds of writing on either engine.
CHANGED_PEOPLE = 8000


@pytest.fixture(scope="module")
def district_pair(tmp_path_factory: pytest.TempPathFactory,
                  district_demo: Any) -> tuple[Path, Path]:
    """The district demo export (seed 1), and the same with the first
    :data:`CHANGED_PEOPLE` people's phone numbers changed.

    Not seed 2, which rewrites nearly every row: its sync after the interruption took a
    minute of the Neo4j half's time, and a change of thousands of people interrupts the
    writes as well.
    """
    root = tmp_path_factory.mktemp("district")
    first = district_demo(root / "seed1")
    second = district_demo(root / "phones")
    path = second / "人员.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    column = rows[0].index("手机号")
    assert DEFAULT_BATCH < CHANGED_PEOPLE < len(rows) - 1  # more than a batch, not everyone
    for row in rows[1:CHANGED_PEOPLE + 1]:
        phone = row[column]
        row[column] = phone[:-1] + str((int(phone[-1]) + 1) % 10)  # still a mobile number
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return first, second


@pytest.mark.timeout(900)  # two district syncs and a half: minutes on a loaded Neo4j
def test_an_interrupted_sync_publishes_nothing_and_the_next_one_applies(
    engine: Any, district_pair: tuple[Path, Path],
) -> None:
    first, second = district_pair
    with engine.fresh_graph("progress: interrupted sync") as graph:
        env = _env(engine, graph)
        assert _piped(env, "sync", str(first)).returncode == 0
        store = engine.open(graph)
        try:
            before = (list_snapshots(store.read), dump_at(store, 1), _answers(env, ASKED))
            term = Terminal(_redgov("sync", str(second)), env)
            assert term.read_until("写入", timeout=600), term.text[-3000:]
            time.sleep(0.5)  # into the writes of the changed people
            term.proc.send_signal(signal.SIGINT)
            code = term.finish(timeout=300)
            shown = term.text
            assert code == 130, shown[-3000:]
            assert "Traceback" not in shown, shown[-3000:]
            last = [x for x in shown.replace("\r", "\n").splitlines() if x.strip()][-1]
            assert last == INTERRUPTED, shown[-3000:]
            assert "✓ 发布" not in shown, shown[-3000:]
            after = (list_snapshots(store.read), dump_at(store, 1), _answers(env, ASKED))
            assert after == before
            done = _piped(env, "sync", str(second), "--format", "json")
            assert done.returncode == 0, done.stderr
            report = json.loads(done.stdout)
            assert report["status"] == "applied", done.stdout[:500]
            assert report["changes"]["人员"]["changed"] == CHANGED_PEOPLE, report["changes"]
            assert [s.ordinal for s in list_snapshots(store.read)] == [1, 2]
        finally:
            store.close()
