"""The dashboard answers for a chosen published snapshot (issue 9), on both engines.

A history of three full exports, synced through the real loader (each sync publishes one
snapshot): the dashboard fixture's first and second exports (test_dashboard_fixture.py)
and a third, written here, of 2026-03-31.  Worked out by hand, per snapshot:

=========================  ==============  ==============  ==============================
                           1 (2025-06-30)  2 (2025-12-31)  3 (2026-03-31)
=========================  ==============  ==============  ==============================
compounds                  X1 X2 X3        X1 X2 X3        X1 X2 X3 X4 (和苑小区, in M2)
X3's bodies                W3 OC3          W3 OC3 B3       W3 OC3 B3
P4 (赵六)'s posts           OC3 主任         + B3 书记        + B3 书记
P7 (周九, lives in X4)      —               —               found by the search
party organisation         X1 → 1/3        X1 X3 → 2/3     X1 X3 → 2/4
一肩挑                      X1 → 1/1        X1 X3 → 2/2     2/2
P5 (钱七)'s standing         群众             群众             中共党员 (changed by export 3)
=========================  ==============  ==============  ==============================

Everything in the first columns is an *addition* (B3, P4's post, X4, P7): the interim
loader (nothing re-versioned, vf = the snapshot that wrote a record) already answers an
earlier snapshot right for those.  P5's changed standing needs the versioned loader (a
changed record copied, the old version closed): those assertions are in the tests marked
as such below.  The figures per snapshot need the catalog questions to pin ``$snapshot``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from redgov.dashboard import data, reads
from redgov.dashboard.snapshot import PinnedStore
from redgov.graph.snapshots import list_snapshots
from streamlit.testing.v1 import AppTest
from test_dashboard_app import APP, _table
from test_dashboard_fixture import (
    FIRST_SNAPSHOT,
    PEOPLE,
    SECOND_SNAPSHOT,
    UNITS,
    write_export,
)
from test_dashboard_fixture import _write as write_csv

THIRD_SNAPSHOT = "2026-03-31"
DATES = (FIRST_SNAPSHOT, SECOND_SNAPSHOT, THIRD_SNAPSHOT)
X4 = ("X4", "和苑小区", "小区", "M2", "物管小区", "80")
P7 = ("P7", "周九", "男", "群众", "", "X4", "350203198707071230", "13800007777")


def write_third(folder: Path) -> Path:
    """The second export plus X4 and P7 (additions), P5 now a party member (a change)."""
    write_export(folder, second=True)
    write_csv(folder / "清单.csv", [("项目", "值"), ("来源", "测试台账"),
                                     ("导出时间", f"{THIRD_SNAPSHOT} 18:00:00"),
                                     ("快照日期", THIRD_SNAPSHOT), ("类型", "全量"),
                                     ("版本", "1")])
    write_csv(folder / "单位.csv", [*UNITS, X4])
    people = [("P5", "钱七", "男", "中共党员", "", "X3", "350203198405051238", "13800005555")
              if row[0] == "P5" else row for row in PEOPLE]
    write_csv(folder / "人员.csv", [*people, P7])
    return folder


@pytest.fixture(scope="module")
def history(engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    from redgov.loaders import sync_export

    tmp = tmp_path_factory.mktemp("dash-history")
    with engine.fresh_graph(f"dashboard history {tmp.name}") as name:
        store = engine.open(name)
        try:
            with pytest.MonkeyPatch.context() as mp:
                for key, value in engine.env(name).items():
                    mp.setenv(key, value)
                reports = [sync_export(store, write_export(tmp / "e1")),
                           sync_export(store, write_export(tmp / "e2", second=True)),
                           sync_export(store, write_third(tmp / "e3"))]
            assert [r.status for r in reports] == ["applied"] * 3, [r.status for r in reports]
            yield SimpleNamespace(store=store, runs=[r.run_id for r in reports],
                                  env=engine.env(name))
        finally:
            store.close()


@pytest.fixture(autouse=True)
def _app_env(history: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in history.env.items():
        monkeypatch.setenv(key, value)


def open_app(page: str | None = None, query: dict[str, str] | None = None,
             **state: Any) -> AppTest:
    """The app opened at ``page`` (a url path) in one run, as a link opens it, with
    ``?query`` parameters if given (test_dashboard_app.open_app runs the default page
    first; a link's notice shows on the one run that takes the link in)."""
    from streamlit.util import calc_hash

    at = AppTest.from_file(APP, default_timeout=180)  # a cold page on a loaded machine
    for key, value in (query or {}).items():
        at.query_params[key] = value
    for key, value in state.items():
        at.session_state[key] = value
    if page is not None:
        at._page_hash = calc_hash(page)
    at.run()
    assert not at.exception, at.exception
    return at


def choose(at: AppTest, run_id: str) -> AppTest:
    at.selectbox(key="snap.pick").set_value(run_id).run()
    assert not at.exception, at.exception
    return at


def _captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def _org_codes(at: AppTest) -> list[str]:
    return sorted(r["编码"] for r in _table(at, "所在单位", "状态"))


# --- what is published, and the reads pinned to one snapshot ---------------------------

def test_the_history_publishes_three_snapshots(history: SimpleNamespace) -> None:
    snaps = list_snapshots(history.store.read)
    assert [(s.ordinal, s.date, s.run_id) for s in snaps] == list(
        zip((1, 2, 3), DATES, history.runs, strict=True))


def test_reads_answer_for_the_pinned_snapshot(history: SimpleNamespace) -> None:
    compounds = {k: sorted(u["code"] for u in reads.units(PinnedStore(history.store, k))
                           if u["level"] == "compound") for k in (1, 2, 3)}
    assert compounds == {1: ["X1", "X2", "X3"], 2: ["X1", "X2", "X3"],
                         3: ["X1", "X2", "X3", "X4"]}, compounds
    # A plain read answers for the latest snapshot.
    assert sorted(u["code"] for u in reads.units(history.store)
                  if u["level"] == "compound") == compounds[3]
    x3 = {k: sorted(o["code"] for o in reads.unit_orgs(PinnedStore(history.store, k), "X3",
                                                        DATES[k - 1])) for k in (1, 2)}
    assert x3 == {1: ["OC3", "W3"], 2: ["B3", "OC3", "W3"]}, x3
    posts = {k: sorted((p["org_code"], p["title"]) for p in reads.person_posts(
        PinnedStore(history.store, k), "P4")) for k in (1, 2)}
    assert posts == {1: [("OC3", "主任")], 2: [("B3", "书记"), ("OC3", "主任")]}, posts
    found = {k: [p["code"] for p in reads.search_people(PinnedStore(history.store, k), "周九")]
             for k in (2, 3)}
    assert found == {2: [], 3: ["P7"]}, found


# --- the picker ------------------------------------------------------------------------

def test_picker_lists_every_snapshot_newest_first(history: SimpleNamespace) -> None:
    at = open_app()
    box = at.selectbox(key="snap.pick")
    assert box.label == "快照"
    assert box.options == ["2026-03-31 · 全量 · 第 3 次（最新）", "2025-12-31 · 全量 · 第 2 次",
                           "2025-06-30 · 全量 · 第 1 次"], box.options
    assert box.value == history.runs[2]
    assert f"截至日期：{THIRD_SNAPSHOT}（所选快照的快照日期）" in _captions(at), _captions(at)
    assert "snapshot" not in at.query_params  # nothing chosen: the latest, no link state


def test_choosing_a_snapshot_changes_every_page(history: SimpleNamespace) -> None:
    at = open_app("hierarchy", sel_unit="X3")
    assert _org_codes(at) == ["B3", "OC3", "W3"]
    choose(at, history.runs[0])
    assert _org_codes(at) == ["OC3", "W3"]  # B3 is not in the first snapshot
    assert at.query_params["snapshot"] == history.runs[0]
    assert f"截至日期：{FIRST_SNAPSHOT}（所选快照的快照日期）" in _captions(at)
    # The community's compounds: X4 only from the third snapshot on.
    at = open_app("hierarchy", sel_unit="M2")
    assert [r["编码"] for r in _table(at, "覆盖", "覆盖率")] == ["X3", "X4"]
    choose(at, history.runs[1])
    assert [r["编码"] for r in _table(at, "覆盖", "覆盖率")] == ["X3"]
    # People: P4's secretary post appears with the second snapshot.
    at = open_app("people", sel_person="P4")
    posts = sorted((r["组织编码"], r["职务"]) for r in _table(at, "组织编码", "在任"))
    assert posts == [("B3", "书记"), ("OC3", "主任")], posts
    choose(at, history.runs[0])
    posts = sorted((r["组织编码"], r["职务"]) for r in _table(at, "组织编码", "在任"))
    assert posts == [("OC3", "主任")], posts
    # Sync: the chosen snapshot's history, and how many runs came after it.
    at = open_app("sync", query={"snapshot": history.runs[1]})
    runs = _table(at, "同步编号", "警告数", without="导出目录")
    assert [r["同步编号"] for r in runs] == history.runs[1::-1], runs
    assert [i.value for i in at.info] == [
        "所选快照（第 2 次）之后另有 1 次同步，未列出；在侧栏选最新快照可看全部。"]


def test_the_choice_holds_across_pages(history: SimpleNamespace) -> None:
    at = open_app("hierarchy", sel_unit="X3")
    choose(at, history.runs[0])
    from streamlit.util import calc_hash

    at._page_hash = calc_hash("people")
    at.session_state["sel_person"] = "P4"
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="snap.pick").value == history.runs[0]
    posts = sorted(r["组织编码"] for r in _table(at, "组织编码", "在任"))
    assert posts == ["OC3"], posts


def test_audit_dates_default_to_the_chosen_snapshot(history: SimpleNamespace) -> None:
    at = open_app("audit")
    at.selectbox(key="au.q").set_value("overdue_reelection").run()
    assert str(at.date_input(key="au.p.overdue_reelection.as_of").value) == THIRD_SNAPSHOT
    choose(at, history.runs[0])
    assert str(at.date_input(key="au.p.overdue_reelection.as_of").value) == FIRST_SNAPSHOT


# --- the link --------------------------------------------------------------------------

def test_a_snapshot_link_opens_that_snapshot(history: SimpleNamespace) -> None:
    at = open_app("hierarchy", query={"snapshot": history.runs[0], "unit": "X3"})
    assert at.selectbox(key="snap.pick").value == history.runs[0]
    assert _org_codes(at) == ["OC3", "W3"]
    assert at.query_params["snapshot"] == history.runs[0]
    # A date names the latest snapshot on or before it; the link then names its run.
    at = open_app("hierarchy", query={"snapshot": "2026-01-15", "unit": "X3"})
    assert at.selectbox(key="snap.pick").value == history.runs[1]
    assert at.query_params["snapshot"] == history.runs[1]


def test_an_unknown_snapshot_link_says_so_and_shows_the_latest(
        history: SimpleNamespace) -> None:
    at = open_app("hierarchy", query={"snapshot": "no-such-run", "unit": "X3"})
    assert [w.value for w in at.warning] == ["找不到快照 no\\-such\\-run：已显示最新快照。"], \
        [w.value for w in at.warning]
    assert at.selectbox(key="snap.pick").value == history.runs[2]
    assert _org_codes(at) == ["B3", "OC3", "W3"]
    assert "snapshot" not in at.query_params
    # Before the first snapshot: no snapshot is named either.
    at = open_app(query={"snapshot": "2020-01-01"})
    assert len(at.warning) == 1 and at.selectbox(key="snap.pick").value == history.runs[2]


# --- the cache -------------------------------------------------------------------------

def test_cache_keys_carry_the_snapshot(history: SimpleNamespace,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Each snapshot's reads are their own cache entries: a snapshot read once is not
    read again, another one is (and its store is pinned to it)."""
    asked: list[int] = []
    original = reads.units

    def units(store: Any, scope: str | None = None) -> list[dict[str, Any]]:
        asked.append(store.ordinal)
        return original(store, scope)

    monkeypatch.setattr(reads, "units", units)
    data.units.clear()
    at = open_app("hierarchy")
    assert asked == [3], asked
    choose(at, history.runs[0])
    assert asked == [3, 1], asked
    choose(at, history.runs[2])
    assert asked == [3, 1], asked  # cached under the third snapshot's key
    snaps = list_snapshots(history.store.read)
    keys = {data.key_at(("s", "h", "g", "r", "*", 0, "", ""), s) for s in snaps}
    assert {k[5:] for k in keys} == set(zip((1, 2, 3), DATES, history.runs, strict=True))
    assert [data.snapshot_of(k) for k in sorted(keys)] == [
        type(s)(s.ordinal, s.date, s.run_id) for s in snaps]


# --- the overview's trend ----------------------------------------------------------------

def _trend(at: AppTest) -> list[dict[str, Any]]:
    import pyarrow as pa

    charts = at.get("vega_lite_chart")
    assert len(charts) == 5, len(charts)  # the chart by unit, then a trend panel per rate
    return [r for c in charts[1:]
            for r in pa.ipc.open_stream(c.proto.datasets[0].data.data).read_all().to_pylist()]


def test_the_trend_has_one_point_per_snapshot(history: SimpleNamespace) -> None:
    points = _trend(open_app())
    per_figure: dict[str, list[tuple[int, str]]] = {}
    for p in points:
        per_figure.setdefault(p["figure"], []).append((p["ordinal"], p["snapshot"]))
    assert per_figure["小区党组织覆盖率"] == list(zip((1, 2, 3), DATES, strict=True)), per_figure
    assert {p["point"] for p in points} == {f"{FIRST_SNAPSHOT}（第 1 次）",
                                            f"{SECOND_SNAPSHOT}（第 2 次）",
                                            f"{THIRD_SNAPSHOT}（第 3 次）"}
    # Up to the chosen snapshot only.
    at = choose(open_app(), history.runs[1])
    assert sorted({p["ordinal"] for p in _trend(at)}) == [1, 2]


# --- what needs the versioned loader (a changed record copied, the old version closed) --

def test_a_changed_record_reads_as_each_snapshot_had_it(history: SimpleNamespace) -> None:
    """P5's standing changed with the third export: the second snapshot still has 群众."""
    at = open_app("people", sel_person="P5")
    assert "钱七 · P5 · 中共党员" in [s.value for s in at.subheader], at.subheader
    choose(at, history.runs[1])
    assert "钱七 · P5 · 群众" in [s.value for s in at.subheader], at.subheader
    posts = sorted((r["组织编码"], r["职务"]) for r in _table(at, "组织编码", "在任"))
    assert posts == [("OC3", "委员")], posts
    # One version of P5 per snapshot: the search lists the person once, as it stood then.
    for k, standing in ((2, "non_member"), (3, "full_member")):
        pinned = PinnedStore(history.store, k)
        found = reads.search_people(pinned, "钱七")
        assert [(p["code"], p["standing"]) for p in found] == [("P5", standing)], (k, found)
        assert reads.count_people(pinned, "钱七") == 1


def test_a_pinned_store_answers_for_its_snapshot_whatever_is_bound(
        history: SimpleNamespace) -> None:
    """A helper below the dashboard that binds ``snapshot`` itself (say, to the latest
    when it was not told which) still reads the dashboard's snapshot."""
    pinned = PinnedStore(history.store, 2)
    rows = pinned.read(reads.UNITS, {"scope": None, "snapshot": 3})
    assert "X4" not in {r["code"] for r in rows}
    assert "X4" in {r["code"] for r in history.store.read(reads.UNITS, {"scope": None})}


def _cards(at: AppTest) -> dict[str, tuple[str, str | None]]:
    return {m.label.split(" · ")[0]: (m.value, m.delta) for m in at.metric}


def test_overview_figures_at_each_snapshot(history: SimpleNamespace) -> None:
    """Each snapshot's figures, and the change since the snapshot before it (its graph,
    its date): party organisation 1/3 → 2/3 → 2/4, 一肩挑 1/1 → 2/2 → 2/2."""
    at = open_app()
    cards = _cards(at)
    assert cards["小区党组织覆盖率"] == ("50.0%", "-16.7 个百分点"), cards
    assert cards["“一肩挑”比例"] == ("100.0%", "持平"), cards
    assert cards["业委会或自治组织覆盖率"] == ("75.0%", "-25.0 个百分点"), cards
    choose(at, history.runs[1])
    cards = _cards(at)
    assert cards["小区党组织覆盖率"] == ("66.7%", "+33.3 个百分点"), cards
    assert cards["“一肩挑”比例"] == ("100.0%", "持平"), cards
    choose(at, history.runs[0])
    cards = _cards(at)
    assert cards["小区党组织覆盖率"] == ("33.3%", ""), cards  # no snapshot before the first
    assert cards["“一肩挑”比例"] == ("100.0%", ""), cards


def test_the_trend_computes_each_point_at_its_snapshot(history: SimpleNamespace) -> None:
    got = {(p["ordinal"], p["figure"]): round(p["value"], 4) for p in _trend(open_app())}
    assert got == {
        (1, "小区党组织覆盖率"): 0.3333, (2, "小区党组织覆盖率"): 0.6667,
        (3, "小区党组织覆盖率"): 0.5,
        (1, "业委会或自治组织覆盖率"): 1.0, (2, "业委会或自治组织覆盖率"): 1.0,
        (3, "业委会或自治组织覆盖率"): 0.75,
        (1, "“一肩挑”比例"): 1.0, (2, "“一肩挑”比例"): 1.0, (3, "“一肩挑”比例"): 1.0,
        (1, "交叉任职比例"): 1.0, (2, "交叉任职比例"): 1.0, (3, "交叉任职比例"): 1.0,
    }, got
