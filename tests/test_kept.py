"""The kept state and row memo of a full-diff re-sync (loaders/kept.py), on both engines.

With the hand-made ``sync_basic`` export (6 units, 7 organisations, 4 people, 5 posts,
3 supervisions, 1 contract, 2 visits, 1 rating: 29 rows, all memoised):

- after every applied sync of a history that retires, cascades, restores, modifies by
  增量, moves a post's type and renames a street, the kept state equals the graph's;
- a re-spelt export (rows and columns reordered, GB18030, every cell quoted, blanks
  around values) is ``unchanged`` and writes nothing; verify of the same bytes is
  ``unchanged`` from the memo alone;
- one changed row in a re-spelt or a same-bytes export is found and written;
- a bundle of an older snapshot, of another key, or damaged is not used (the graph is read),
  and a graph without a bundle diffs as before; nor is one whose writing stopped (no head);
- an overlapped first sync (its worker validates, loaders/overlap.py) keeps the memo too;
- a memo entry packs into one string and unpacks to exactly what went in.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from redgov.graph.cypher import cypher
from redgov.graph.snapshots import list_snapshots
from redgov.loaders import kept, sync_export
from redgov.loaders.overlap import OVERLAP_ENV
from redgov.loaders.pii import Hasher, load_key
from redgov.loaders.prepare import Prepared, prepare
from redgov.loaders.read import open_export
from redgov.loaders.report import SyncReport
from redgov.loaders.state import GraphState, read_state
from test_sync_support import (
    add_row,
    copy_export,
    drop_rows,
    dump,
    make_incremental,
    node,
    read_rows,
    set_cell,
    set_manifest,
    status_counts,
)

_DAMAGE = cypher("test.kept.damage", "MATCH (k:SyncKept) SET k.data = k.data + ' '")
_BEHEAD = cypher("test.kept.behead", "MATCH (k:SyncKept {part: 0}) DELETE k")

#: The memoised rows of sync_basic: units 6, organisations 7, people 4, posts 5,
#: supervision 3, contracts 1, visits 2, ratings 1.
MEMOISED = 29


@pytest.fixture(autouse=True)
def _home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.getbasetemp() / "kept-home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("REDGOV_HOME", str(home))
    monkeypatch.delenv("REDGOV_PII_KEY", raising=False)
    return home


def _prepare(store, folder: Path, tmp_path: Path, key: bytes | None = None) -> Prepared:  # type: ignore[no-untyped-def]
    report = SyncReport(status="rejected", run_id="t", path=str(folder))
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    with open_export(folder, work) as export:
        prepared = prepare(store, export, Hasher(key or load_key()), work, report)
        prepared.close()
    return prepared


def _as_data(state: GraphState) -> tuple:  # type: ignore[type-arg]
    sigs = {t: s for t, s in state.sigs.items() if s}
    return sigs, state.units, state.org_kinds, state.org_parents, state.snapshot


def _kept_state(store) -> GraphState | None:  # type: ignore[no-untyped-def]
    bundle = kept._bundle(store, Hasher(load_key()))
    return None if bundle is None else bundle["state"]


def _check_kept(store, report) -> None:  # type: ignore[no-untyped-def]
    assert report.status == "applied", (report.status, report.errors)
    held = _kept_state(store)
    assert held is not None, "no kept state after an applied sync"
    assert _as_data(held) == _as_data(read_state(store)), report.changes


def test_kept_state_equals_the_graph_after_every_sync(store, tmp_path: Path) -> None:
    export = copy_export(tmp_path)
    _check_kept(store, sync_export(store, export))
    # A person and their post leave, the contract goes: retired, relations cascade.
    set_manifest(export, "快照日期", "2024-04-01")
    drop_rows(export, "人员", lambda r: r["人员编码"] != "P4")
    drop_rows(export, "任职", lambda r: r["人员编码"] != "P4")
    drop_rows(export, "物业服务", lambda r: False)
    _check_kept(store, sync_export(store, export))
    # P4 comes back (restored), a street is renamed (ancestry below it), a post changes type,
    # an owners' committee is revoked.
    set_manifest(export, "快照日期", "2024-05-01")
    add_row(export, "人员", {"人员编码": "P4", "姓名": "赵六", "政治面貌": "群众",
                             "居住单位编码": "K2"})
    set_cell(export, "单位", 4, "名称", "湖里 街道办")
    set_cell(export, "任职", 3, "任职类型", "本职")
    set_cell(export, "组织", 7, "状态", "撤销")
    _check_kept(store, sync_export(store, export))
    # 增量: add, modify, delete, and a company deleted with its relations.
    inc = copy_export(tmp_path, to="inc")
    make_incremental(inc, "2024-06-01", {
        "人员": [{"人员编码": "P5", "姓名": "孙八", "政治面貌": "群众", "居住单位编码": "K2",
                  "操作": "新增"},
                 {"人员编码": "P2", "姓名": "李四", "性别": "女", "政治面貌": "中共党员",
                  "居住单位编码": "K2", "操作": "修改"}],
        "单位": [{"单位编码": "K3", "名称": "海天苑", "层级": "小区", "上级单位编码": "M1",
                  "小区类型": "安置小区", "户数": "88", "操作": "新增"}],
        "组织": [{"组织编码": "O_CO1", "操作": "删除"}],
    })
    _check_kept(store, sync_export(store, inc))
    # A full export again: what the increment added and is not listed retires.
    set_manifest(export, "快照日期", "2024-07-01")
    _check_kept(store, sync_export(store, export))


def _respell(src: Path, dst: Path) -> None:
    """The same content in other bytes: GB18030, every cell quoted, rows and columns in
    another order, and blanks (which normalisation strips) around the first value of every
    other row: 17 of the 29 memoised rows (units 3, organisations 4, people 2, posts 3,
    supervision 2, contracts 1, visits 1, ratings 1)."""
    dst.mkdir()
    for path in src.glob("*.csv"):
        rows = read_rows(src, path.stem)
        header, body = rows[0], rows[1:]
        order = list(reversed(range(len(header))))
        if path.stem != "清单":
            body = list(reversed(body))
            body = [[f"  {v} " if v and i == 0 and n % 2 == 0 else v for i, v in enumerate(r)]
                    for n, r in enumerate(body)]
        with open(dst / path.name, "w", encoding="gb18030", newline="") as fh:
            csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(
                [[r[i] for i in order] for r in [header, *body]])


def test_respelt_export_is_unchanged_and_writes_nothing(store, tmp_path: Path) -> None:
    export = copy_export(tmp_path)
    assert sync_export(store, export).status == "applied"
    before = dump(store)
    respelt = tmp_path / "respelt"
    _respell(export, respelt)
    assert (respelt / "人员.csv").read_bytes() != (export / "人员.csv").read_bytes()
    # The same bytes with verify: every memoised row is known, unchanged, not normalised.
    again = _prepare(store, export, tmp_path)
    assert again.plan is not None and again.plan.empty
    assert again.scan.memo.hits == MEMOISED, again.scan.memo.hits
    # ... and each file, byte for byte as the last sync read it cleanly, is not even read.
    replayed = {n for n, t in again.scan.memo.tables.items() if t.replayed}
    assert replayed == set(again.scan.memo.tables) and len(replayed) == 8, replayed
    verified = sync_export(store, export, verify=True)
    assert verified.status == "unchanged" and dump(store) == before
    # Re-spelt: the rows without blanks are known (column order, quoting and encoding do not
    # matter), the 17 with blanks are normalised again; every row is unchanged.
    prepared = _prepare(store, respelt, tmp_path)
    assert prepared.ok and prepared.state.kept, prepared.errors
    assert prepared.plan is not None and prepared.plan.empty, prepared.plan.counts()
    assert prepared.scan.memo.hits == MEMOISED - 17, prepared.scan.memo.hits
    report = sync_export(store, respelt)
    assert report.status == "unchanged", (report.status, report.errors)
    assert all(set(c) == {"unchanged"} for c in status_counts(report).values()), report.changes
    assert report.writes == 0 and dump(store) == before
    assert verified.changes == report.changes
    # The memo kept is the last sync's: the re-spelt rows (12 of them spelt as the first).
    assert _prepare(store, export, tmp_path).scan.memo.hits == MEMOISED - 17


def test_a_changed_row_is_found_among_known_ones(store, tmp_path: Path) -> None:
    export = copy_export(tmp_path)
    assert sync_export(store, export).status == "applied"
    set_manifest(export, "快照日期", "2024-04-01")
    set_cell(export, "人员", 3, "政治面貌", "中共党员")  # P2: 群众 → 中共党员
    prepared = _prepare(store, export, tmp_path)
    assert prepared.scan.memo.hits == MEMOISED - 1, prepared.scan.memo.hits
    report = sync_export(store, export, verify=True)
    assert status_counts(report)["人员"] == {"changed": 1, "unchanged": 3}, report.changes
    assert node(store, "Person", "P2")["standing"] == "full_member"
    # In a re-spelt export too: one row changed back, found; the rest unchanged.
    respelt = tmp_path / "respelt"
    set_manifest(export, "快照日期", "2024-05-01")
    set_cell(export, "人员", 3, "政治面貌", "群众")
    _respell(export, respelt)
    back = sync_export(store, respelt)
    assert status_counts(back)["人员"] == {"changed": 1, "unchanged": 3}, back.changes
    assert all(set(c) == {"unchanged"} for t, c in status_counts(back).items()
               if t != "人员"), back.changes


def test_a_known_row_is_still_checked_against_the_other_rows(store, tmp_path: Path) -> None:
    """The contract and rating rows, same bytes (known), name O_CO1; O_CO1 is no longer a
    property company in this export: both rows are refused as before."""
    export = copy_export(tmp_path)
    assert sync_export(store, export).status == "applied"
    set_manifest(export, "快照日期", "2024-04-01")
    set_cell(export, "组织", 6, "类型", "行业主管部门")  # O_CO1
    assert _prepare(store, export, tmp_path).scan.memo.hits == MEMOISED - 1  # O_CO1's row
    report = sync_export(store, export)
    assert report.status == "rejected"
    assert sorted((e.table, e.column, e.value) for e in report.errors) == [
        ("物业服务", "企业编码", "O_CO1"), ("评价", "企业编码", "O_CO1")], report.errors
    # The very errors (rows, words) a sync without anything kept finds.
    kept.forget(store)
    assert not _prepare(store, export, tmp_path).state.kept
    assert sync_export(store, export).errors == report.errors


def test_a_warned_row_is_warned_again(store, tmp_path: Path) -> None:
    """Rows with a warning are never memoised, and their file is read again each time."""
    export = copy_export(tmp_path)
    set_cell(export, "任职", 4, "职务", "楼长助理")  # not a known role: kept and warned
    first = sync_export(store, export)
    assert [(w.table, w.row, w.value) for w in first.warnings] == [("任职", 4, "楼长助理")]
    prepared = _prepare(store, export, tmp_path)
    assert prepared.scan.memo.hits == MEMOISED - 1
    assert not prepared.scan.memo.tables["任职"].replayed
    again = sync_export(store, export, verify=True)
    assert again.status == "unchanged" and again.warnings == first.warnings


def test_a_bundle_of_an_older_snapshot_or_another_key_is_not_used(store, tmp_path: Path,
                                                                   monkeypatch) -> None:  # type: ignore[no-untyped-def]
    export = copy_export(tmp_path)
    assert sync_export(store, export).status == "applied"
    old_bundle = kept._bundle(store, Hasher(load_key()))
    assert old_bundle is not None
    set_manifest(export, "快照日期", "2024-04-01")
    set_cell(export, "人员", 3, "政治面貌", "中共党员")
    assert sync_export(store, export).status == "applied"
    # The first snapshot's bundle put back: it names snapshot 1, the latest is 2.
    old_state = old_bundle["state"]
    assert kept.keep(store, Hasher(load_key()), old_bundle["head"]["run_id"], old_state, None)
    prepared = _prepare(store, export, tmp_path)
    assert not prepared.state.kept and prepared.state.snapshot == 2
    assert prepared.plan is not None and prepared.plan.empty, prepared.plan.counts()
    # A bundle claiming the latest run id but holding snapshot 1's state: refused too.
    latest = list_snapshots(store.read)[-1]
    assert kept.keep(store, Hasher(load_key()), latest.run_id, old_state, None)
    assert not _prepare(store, export, tmp_path).state.kept
    # Another personal-data key: the bundle is not used, nor any memoised row.
    sync_export(store, export, verify=True)  # keeps the right bundle again
    assert _prepare(store, export, tmp_path).state.kept
    other = _prepare(store, export, tmp_path, key=b"another key")
    assert not other.state.kept and other.scan.memo.hits == 0


def test_a_damaged_or_missing_bundle_reads_the_graph(store, tmp_path: Path) -> None:
    export = copy_export(tmp_path)
    assert sync_export(store, export).status == "applied"
    kept.forget(store)
    prepared = _prepare(store, export, tmp_path)
    assert not prepared.state.kept and prepared.plan is not None and prepared.plan.empty
    set_manifest(export, "快照日期", "2024-04-01")
    set_cell(export, "人员", 3, "政治面貌", "中共党员")
    kept.forget(store)
    report = sync_export(store, export, verify=True)
    assert status_counts(report)["人员"] == {"changed": 1, "unchanged": 3}, report.changes
    # Damage one part's text: its digest no longer matches, the bundle is ignored.
    store.write_meta(_DAMAGE)
    assert kept._bundle(store, Hasher(load_key())) is None
    assert not _prepare(store, export, tmp_path).state.kept


def test_the_memo_is_bounded_and_a_re_sync_past_it_is_still_right(
        store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """At province the memo of every row pushed a sync past 3.7 GiB: it keeps at most
    ``MEMO_MAX_ROWS`` rows; the rows past it are normalised again, and the answer is the
    same (unchanged, nothing written; a changed row found)."""
    monkeypatch.setattr(kept, "MEMO_MAX_ROWS", 10)
    export = copy_export(tmp_path)
    assert sync_export(store, export).status == "applied"
    before = dump(store)
    again = _prepare(store, export, tmp_path)
    assert again.plan is not None and again.plan.empty, again.plan.counts()
    assert again.scan.memo.hits == 10, again.scan.memo.hits
    assert sum(len(t.new) for t in again.scan.memo.tables.values()) <= 10
    assert not all(t.replayed for t in again.scan.memo.tables.values())  # past the bound: read
    verified = sync_export(store, export, verify=True)
    assert verified.status == "unchanged" and verified.writes == 0 and dump(store) == before
    set_manifest(export, "快照日期", "2024-04-01")
    set_cell(export, "人员", 3, "政治面貌", "中共党员")
    report = sync_export(store, export, verify=True)
    assert status_counts(report)["人员"] == {"changed": 1, "unchanged": 3}, report.changes
    assert node(store, "Person", "P2")["standing"] == "full_member"


@pytest.mark.parametrize(("value", "bound"), [
    ("12", 12), ("0", 0), (" 7 ", 7), ("", None), ("abc", None), ("-5", None), ("1e9", None),
    ("99999999999999999999", None), ("１２", None), ("12; rm -rf /", None),
])
def test_the_memo_bound_from_the_environment_is_checked(
        monkeypatch: pytest.MonkeyPatch, value: str, bound: int | None) -> None:
    monkeypatch.setenv("REDGOV_KEPT_ROWS", value)
    assert kept.memo_max_rows() == (kept.MEMO_MAX_ROWS if bound is None else bound)


def test_a_bundle_without_its_head_is_not_used(store, tmp_path: Path) -> None:
    """The head (part 0) is written last: a bundle whose writing stopped before it is not used."""
    export = copy_export(tmp_path)
    assert sync_export(store, export).status == "applied"
    assert kept._bundle(store, Hasher(load_key())) is not None
    store.write_meta(_BEHEAD)
    assert kept._bundle(store, Hasher(load_key())) is None
    prepared = _prepare(store, export, tmp_path)
    assert not prepared.state.kept and prepared.plan is not None and prepared.plan.empty


def test_an_overlapped_first_sync_keeps_the_memo(store, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker hands each table's memo over with the table; the bundle kept after the
    publish holds every row, so a verify of the same bytes reads no file."""
    monkeypatch.setenv(OVERLAP_ENV, "on")
    export = copy_export(tmp_path)
    first = sync_export(store, export)
    assert first.status == "applied" and "wait_for_validation_s" in first.split, first.split
    before = dump(store)
    again = _prepare(store, export, tmp_path)
    assert again.state.kept and again.plan is not None and again.plan.empty
    assert again.scan.memo.hits == MEMOISED, again.scan.memo.hits
    assert all(t.replayed for t in again.scan.memo.tables.values()), again.scan.memo.tables
    monkeypatch.setenv(OVERLAP_ENV, "off")
    set_manifest(export, "快照日期", "2024-04-01")
    set_cell(export, "人员", 3, "政治面貌", "中共党员")
    report = sync_export(store, export, verify=True)
    assert status_counts(report)["人员"] == {"changed": 1, "unchanged": 3}, report.changes
    assert dump(store) != before


@pytest.mark.parametrize("values", [
    ["O1", "社区"], [None, "K2"], [None, None], [], ["a\x1fb", None], ["\x00"], [""],
    ["C1", ["O1", "O2"]], [3, "x"], ["湖里 街道办", "\x1e"],
])
@pytest.mark.parametrize("ident", ["P1", "\x1eP1", "人员|1", "a\x1fb"])
def test_a_memo_entry_unpacks_to_what_was_packed(ident: str, values: list) -> None:  # type: ignore[type-arg]
    entry = kept.pack(ident, 17, values)
    assert isinstance(entry, str) and kept.unpack(entry) == (ident, 17, values), repr(entry)
    assert kept._ident(entry) == ident and kept._head(entry) == (ident, 17)


def test_a_packed_memo_gives_back_its_entries_in_order() -> None:
    """An overlapped sync's memo is handed over packed (kept.Packed): the same entries in
    the same order, less those dropped; keys that are not 16 bytes stay a dict."""
    entries = {bytes([i]) * 16: kept.pack(f"P{i}", i, ["名称", None, "x\x1fy" if i % 3 else "z"])
               for i in range(40)}
    packed = kept.Packed(entries)
    assert list(packed.items()) == list(entries.items()) and len(packed) == 40
    gone = packed.drop(lambda e: kept.unpack(e)[1] % 2 == 0)
    want = [(k, v) for k, v in entries.items() if kept.unpack(v)[1] % 2 == 0]
    assert (gone, len(packed), list(packed.items())) == (20, 20, want), list(packed.items())
    assert kept._packed({b"short": "x"}) == {b"short": "x"}
