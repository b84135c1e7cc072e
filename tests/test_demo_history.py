"""``redgov demo --history N``: monthly full exports with churn, synced as N snapshots.

The churn is checked on the files alone, by comparing consecutive exports with the
registry's own identities (no bookkeeping of the generator is trusted); the graph test
syncs a three-month history on each engine, reads every snapshot back and checks that
the facts written at each publish answer as the definitions (tests/facts_diff.py).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest
from click.testing import CliRunner
from facts_diff import differences, facts_made
from redgov.graph.snapshots import list_snapshots
from redgov.loaders.demo import SNAPSHOT, generate
from redgov.loaders.demo.churn import KINDS
from redgov.loaders.demo.figures import graph_figures
from redgov.loaders.demo.history import generate_history, month_ends
from redgov.loaders.demo.measure import measure

from redgov.cli import main

TABLES = ("清单", "单位", "组织", "人员", "任职", "监管", "物业服务", "走访", "评价",
          "评分", "命名", "事件", "经费")
DATES = ["2024-10-31", "2024-11-30", "2024-12-31"]
PARTY = ("党委", "党总支", "党支部")


def read(folder: Path, table: str) -> list[dict[str, str]]:
    with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("history")
    return out, *generate_history(out, scale="district", seed=1, months=3)


def test_month_ends_cross_years_and_short_months() -> None:
    got = [d.isoformat() for d in month_ends(SNAPSHOT, 14)]
    assert got[0] == "2023-11-30" and got[3] == "2024-02-29" and got[-1] == "2024-12-31"


def test_dated_full_exports_ending_at_the_snapshot(history) -> None:
    out, summary, months = history
    assert [m.snapshot.isoformat() for m in months] == DATES
    for m in months:
        assert m.folder == out / m.snapshot.isoformat()
        manifest = {r["项目"]: r["值"] for r in read(m.folder, "清单")}
        assert manifest["快照日期"] == m.snapshot.isoformat() and manifest["类型"] == "全量"
        assert {t: len(read(m.folder, t)) for t in TABLES if t != "清单"} == m.rows
        day = m.snapshot.isoformat()
        spans = (("组织", "成立日期", None), ("任职", "开始日期", "结束日期"),
                 ("监管", "开始日期", "结束日期"), ("物业服务", "开始日期", "结束日期"),
                 ("走访", "日期", None))
        for table, start, end in spans:
            for r in read(m.folder, table):  # nothing begins after the date it describes
                assert r[start] <= day and (not end or not r[end] or r[start] <= r[end]), (
                    m.snapshot, table, r)
    assert summary.snapshot_date == DATES[-1] and summary.out_dir == months[-1].folder
    assert summary.compounds == measure(months[-1].folder)["compounds"] > 510


def test_same_seed_same_bytes_whatever_the_hash_seed(history, tmp_path: Path) -> None:
    out, _, _ = history
    code = ("from pathlib import Path; from redgov.loaders.demo.history import generate_history; "
            f"generate_history(Path({str(tmp_path / 'again')!r}), seed=1, months=3)")
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=120)
    for date in DATES:
        for table in TABLES:
            assert (tmp_path / "again" / date / f"{table}.csv").read_bytes() == (
                out / date / f"{table}.csv").read_bytes(), (date, table)
    generate_history(tmp_path / "other", seed=2, months=2)
    assert (tmp_path / "other" / DATES[-1] / "人员.csv").read_bytes() != (
        out / DATES[-1] / "人员.csv").read_bytes()


def test_one_month_is_the_single_export(tmp_path: Path) -> None:
    _, months = generate_history(tmp_path / "h", seed=3, months=1)
    generate(tmp_path / "single", seed=3)
    for table in TABLES:
        assert (months[0].folder / f"{table}.csv").read_bytes() == (
            tmp_path / "single" / f"{table}.csv").read_bytes(), table


def _by(rows: list[dict[str, str]], *cols: str) -> dict[tuple[str, ...], dict[str, str]]:
    return {tuple(r[c] for c in cols): r for r in rows}


def _churn(a: Path, b: Path) -> Counter[str]:
    """Each kind of change between two consecutive exports, found from the files alone."""
    day_from, day_to = (m["值"] for f in (a, b) for m in read(f, "清单") if m["项目"] == "快照日期")
    seen: Counter[str] = Counter()
    units_a, units_b = _by(read(a, "单位"), "单位编码"), _by(read(b, "单位"), "单位编码")
    orgs_a, orgs_b = _by(read(a, "组织"), "组织编码"), _by(read(b, "组织"), "组织编码")
    people_a, people_b = _by(read(a, "人员"), "人员编码"), _by(read(b, "人员"), "人员编码")
    posts_a = _by(read(a, "任职"), "人员编码", "组织编码", "职务", "开始日期")
    posts_b = _by(read(b, "任职"), "人员编码", "组织编码", "职务", "开始日期")
    in_month = (lambda d: day_from < d <= day_to)  # noqa: E731
    covered_a = {c for o in orgs_a.values() if o["类型"] in PARTY and o["状态"] == "正常"
                 for c in o["依托主体编码"].split(";")}
    for (code,), o in orgs_b.items():
        old = orgs_a.get((code,))
        ended = [k for k, p in posts_b.items() if k[1] == code and in_month(p["结束日期"])
                 and not posts_a[k]["结束日期"]]
        begun = [k for k in posts_b if k[1] == code and k not in posts_a and in_month(k[3])]
        moved = old and o["届满日期"] > old["届满日期"]
        if moved and o["类型"] == "业主委员会" and ended and begun:
            seen["reelection"] += 1
        if old is None and o["类型"] == "党支部" and begun and all(
                units_a.get((c,), {}).get("层级") == "小区" and c not in covered_a
                for c in o["依托主体编码"].split(";")):
            seen["branch_founded"] += 1
        if old is None and o["类型"] == "业主委员会" and begun:
            seen["owners_committee_founded"] += 1
        if old and old["状态"] == "正常" and o["状态"] == "撤销":
            seen["revoked"] += 1
    contracts_b = read(b, "物业服务")
    new_compounds = [c for (c,), u in units_b.items()
                     if (c,) not in units_a and u["层级"] == "小区"]
    homes = Counter(p["居住单位编码"] for p in people_b.values())
    seen["new_compound"] = sum(homes[c] >= 3 and any(r["小区编码"] == c for r in contracts_b)
                               for c in new_compounds)
    for k, p in people_b.items():
        old = people_a.get(k)
        if old and old["政治面貌"] == "中共预备党员" and p["政治面貌"] == "中共党员":
            seen["standing"] += 1
    seen["moved_out"] = len(people_a.keys() - people_b.keys())
    ends_a = _by(read(a, "物业服务"), "企业编码", "小区编码", "开始日期")
    for r in contracts_b:
        old = ends_a.get((r["企业编码"], r["小区编码"], r["开始日期"]))
        if old is not None and old["结束日期"] != r["结束日期"] and in_month(r["结束日期"]):
            successor = [s for s in contracts_b if s["小区编码"] == r["小区编码"]
                         and s["开始日期"] == r["结束日期"] and s["企业编码"] != r["企业编码"]]
            seen["contract_switch"] += bool(successor)
    return seen


def test_churn_holds_every_kind_at_about_two_percent(history) -> None:
    _, _, months = history
    total: Counter[str] = Counter()
    for a, b in pairwise(months):
        total.update(_churn(a.folder, b.folder))
        rows_a = {t: {tuple(r.values()) for r in read(a.folder, t)} for t in TABLES[1:]}
        rows_b = {t: {tuple(r.values()) for r in read(b.folder, t)} for t in TABLES[1:]}
        changed = sum(len(rows_b[t] - rows_a[t]) + len(rows_a[t] - rows_b[t]) for t in rows_b)
        share = changed / sum(len(v) for v in rows_b.values())
        assert 0.01 < share < 0.04, (b.snapshot, share)  # rows new, changed (counted twice), gone
    for kind in ("reelection", "branch_founded", "owners_committee_founded", "new_compound",
                 "standing", "moved_out", "contract_switch", "revoked"):
        assert total[kind] > 0, (kind, total)
    assert set(KINDS) >= set(total)


def test_cli_export_only_writes_the_dated_folders(history, tmp_path: Path) -> None:
    out, _, _ = history
    result = CliRunner().invoke(main, ["demo", "--history", "3", "--export-only",
                                       str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == DATES
    for date in DATES:
        assert f"redgov sync {tmp_path / date}" in result.output
        for table in TABLES:
            assert (tmp_path / date / f"{table}.csv").read_bytes() == (
                out / date / f"{table}.csv").read_bytes()
    bad = CliRunner().invoke(main, ["demo", "--history", "0", "--export-only", str(tmp_path)])
    assert bad.exit_code == 2


@pytest.mark.timeout(900)  # three district syncs; Neo4j on a loaded machine takes minutes
def test_demo_history_publishes_one_snapshot_a_month(
    store, redgov_env, engine, graph_name, monkeypatch
) -> None:
    """Each snapshot reads back exactly what its month's export says (the figures counted
    in the graph at that snapshot equal those counted from its files), they differ, and
    the facts written at each publish answer as the definitions (tests/facts_diff.py)."""
    runner = CliRunner()
    args: list[str] = []
    if engine.name == "neo4j":
        spec, _ = engine.spec(graph_name)
        monkeypatch.delenv("REDGOV_STORE")
        args = ["--store", spec]
    first = runner.invoke(main, ["demo", "--history", "3", *args, "--format", "json"])
    assert first.exit_code == 0, first.output
    payload = json.loads(first.output)
    assert [s["status"] for s in payload["sync"]] == ["applied"] * 3
    assert all(s["warnings"] == [] for s in payload["sync"])
    snapshots = list_snapshots(store.read)
    assert [(s.ordinal, s.date) for s in snapshots] == list(enumerate(DATES, 1))
    figures = []
    for snap, month, line in zip(snapshots, payload["history"], payload["snapshots"],
                                 strict=True):
        counted = measure(Path(month["out_dir"]))
        in_graph = graph_figures(store, snap.date, snap.ordinal)
        assert in_graph == {k: counted[k] for k in in_graph}, (snap, in_graph, counted)
        assert line["graph"] == in_graph and line["ordinal"] == snap.ordinal
        figures.append((in_graph["compounds"], in_graph["compounds_covered"],
                        in_graph["owners_committee_compounds"]))
    assert len(set(figures)) == 3, figures
    # Issue 18: at every snapshot of the demo history, each question read from the facts
    # written at publish time answers as its definition; the first sync wrote every
    # compound's fact, the later ones only those of the compounds the month changed.
    found = [d for snap in snapshots for d in differences(store, snap)]
    assert found == [], "\n".join(found)
    made = [facts_made(store, snap) for snap in snapshots]
    assert made[0][0] == made[0][1] > 0, made
    assert all(0 < now < live / 2 for live, now in made[1:]), made

    again = runner.invoke(main, ["demo", "--history", "3", *args])
    assert again.exit_code == 0, again.output
    assert again.output.count("无变化") >= 3 and "快照（3 个，按日期）：" in again.output
    for date in DATES:
        assert f"  {date}  #" in again.output, again.output
    assert len(list_snapshots(store.read)) == 3
