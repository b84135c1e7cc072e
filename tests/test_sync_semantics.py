"""Full vs incremental semantics, retire-not-erase, idempotence, provenance, ancestry, PII.

All against the real embedded engine with the hand-made ``sync_basic`` export: 6 units,
7 organisations, 4 people, 5 posts, 3 supervisions, 1 contract, 2 visits, 1 rating.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from redgov.graph.conditions import expand
from redgov.loaders import sync_export
from test_sync_support import (
    RAW_PII,
    add_row,
    copy_export,
    counts,
    drop_rows,
    dump,
    make_incremental,
    node,
    rel,
    set_cell,
    set_manifest,
    status_counts,
)

BASIC_COUNTS = {"SyncRun": 1, "Unit": 6, "Organisation": 7, "Person": 4, "Rating": 1}


@pytest.fixture(autouse=True)
def _home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.getbasetemp() / "sync-home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("REDGOV_HOME", str(home))
    return home


@pytest.fixture
def export(tmp_path: Path) -> Path:
    return copy_export(tmp_path)


@pytest.fixture
def loaded(store, export: Path):  # type: ignore[no-untyped-def]
    """The basic export applied once; yields the export folder for the next snapshot."""
    report = sync_export(store, export)
    assert report.status == "applied", report.errors
    set_manifest(export, "快照日期", "2024-04-01")
    return export


def test_first_sync_counts_and_graph(store, export: Path) -> None:
    report = sync_export(store, export)
    assert report.status == "applied"
    assert report.snapshot_date == "2024-03-01"
    assert status_counts(report) == {
        "单位": {"added": 6}, "组织": {"added": 7}, "人员": {"added": 4}, "任职": {"added": 5},
        "监管": {"added": 3}, "物业服务": {"added": 1}, "走访": {"added": 2}, "评价": {"added": 1},
    }
    assert counts(store) == {"Organisation": 7, "Person": 4, "Rating": 1, "SyncRun": 1, "Unit": 6}
    k1 = node(store, "Unit", "K1")
    assert k1 == {
        "code": "K1", "name": "大洋雅苑", "level": "compound", "parent_code": "M1",
        "compound_type": "managed", "households": 320, "retired": False,
        "city_code": "C1", "city_name": "厦门市", "district_code": "D1", "district_name": "湖里区",
        "street_code": "S1", "street_name": "湖里街道", "community_code": "M1",
        "community_name": "禾盛社区", "run": report.run_id, "src_table": "单位", "src_row": 6,
        "sig": k1["sig"],
    }
    assert node(store, "Unit", "S1")["street_code"] == "S1"
    assert "community_code" not in node(store, "Unit", "S1")
    oc = node(store, "Organisation", "O_OC1")
    assert (oc["kind"], oc["term_end"], oc["term_end_day"], oc["status"]) == (
        "owners_committee", "2024-06-01", 19875, "active")
    post = rel(store, "CROSS_APPOINTED_TO", "P1|O_OC1|director|2021-06-01")
    assert (post["title"], post["role"], post["start"], post["src_table"], post["src_row"]) == (
        "业委会主任", "director", "2021-06-01", "任职", 3)
    guidance = rel(store, "SUPERVISES", "P4|O_CO1|party_building_guidance|2020-01-01")
    assert guidance["kind"] == "party_building_guidance"
    rating = node(store, "Rating", "O_CO1|2023")
    assert (rating["year"], rating["list"], rating["grade"]) == (2023, "red", "A")
    run = node_run(store)
    assert (run["status"], run["kind"], run["snapshot_date"], run["source"]) == (
        "applied", "full", "2024-03-01", "湖里区党建台账")
    assert json.loads(run["changes_json"])["单位"]["added"] == 6


def node_run(store) -> dict:  # type: ignore[no-untyped-def]
    rows = store.read("MATCH (r:SyncRun) RETURN properties(r) AS p ORDER BY r.id DESC")
    return rows[0]["p"]


@pytest.mark.parametrize("verify", [False, True], ids=["fingerprint", "full-diff"])
def test_same_export_twice_is_unchanged_with_zero_writes(
    store, export: Path, verify: bool
) -> None:
    set_cell(export, "任职", 4, "职务", "楼长助理")  # one warning, reported both times
    sync_export(store, export)
    before = dump(store)
    report = sync_export(store, export, verify=verify)
    assert report.status == "unchanged"
    assert [(w.row, w.value) for w in report.warnings] == [(4, "楼长助理")]
    assert report.writes == 0
    assert status_counts(report) == {
        "单位": {"unchanged": 6}, "组织": {"unchanged": 7}, "人员": {"unchanged": 4},
        "任职": {"unchanged": 5}, "监管": {"unchanged": 3}, "物业服务": {"unchanged": 1},
        "走访": {"unchanged": 2}, "评价": {"unchanged": 1},
    }
    assert dump(store) == before


def test_fingerprint_only_matches_the_newest_run(store, export: Path, tmp_path: Path) -> None:
    """A→B→A: the third run must diff against B's graph, not trust A's fingerprint."""
    other = copy_export(tmp_path, to="other")
    drop_rows(other, "走访", lambda r: r["日期"] != "2024-02-20")
    assert sync_export(store, export).status == "applied"
    assert status_counts(sync_export(store, other))["走访"] == {"retired": 1, "unchanged": 1}
    back = sync_export(store, export)
    assert back.status == "applied"
    assert status_counts(back)["走访"] == {"added": 1, "unchanged": 1}
    assert sync_export(store, export).status == "unchanged"


def test_full_export_retires_what_disappeared(store, loaded: Path) -> None:
    nodes_before = counts(store)
    drop_rows(loaded, "人员", lambda r: r["人员编码"] != "P3")
    drop_rows(loaded, "任职", lambda r: r["人员编码"] != "P3")
    drop_rows(loaded, "物业服务", lambda r: False)
    report = sync_export(store, loaded)
    assert report.status == "applied"
    assert status_counts(report) == {
        "单位": {"unchanged": 6}, "组织": {"unchanged": 7},
        "人员": {"retired": 1, "unchanged": 3}, "任职": {"retired": 1, "unchanged": 4},
        "监管": {"unchanged": 3}, "物业服务": {"retired": 1}, "走访": {"unchanged": 2},
        "评价": {"unchanged": 1},
    }
    assert counts(store) == {**nodes_before, "SyncRun": 2}  # nothing erased
    p3 = node(store, "Person", "P3")
    assert (p3["retired"], p3["retired_on"], p3["run"]) == (True, "2024-04-01", report.run_id)
    post = rel(store, "SERVES_AS", "P3|O_CO1|project_manager|2019-03-01")
    assert (post["retired"], post["end"]) == (True, "2024-04-01")
    contract = rel(store, "MANAGES", "O_CO1|K1|2019-03-01")
    assert (contract["retired"], contract["end"]) == (True, "2024-04-01")  # 2025 end cut back
    # Coming back un-retires and counts as added.
    set_manifest(loaded, "快照日期", "2024-05-01")
    add_row(loaded, "人员", {"人员编码": "P3", "姓名": "王五", "政治面貌": "中共预备党员",
                             "党组织编码": "O_BR1", "居住单位编码": "K2"})
    again = sync_export(store, loaded)
    assert status_counts(again)["人员"] == {"added": 1, "unchanged": 3}
    p3 = node(store, "Person", "P3")
    assert p3["retired"] is False and "retired_on" not in p3, p3


def test_a_person_takes_their_relations_along(store, loaded: Path) -> None:
    drop_rows(loaded, "人员", lambda r: r["人员编码"] != "P4")
    drop_rows(loaded, "任职", lambda r: r["人员编码"] != "P4")
    report = sync_export(store, loaded)
    # The post left the export (retired by the table diff) and P4's supervision and visits
    # still listed retire with P4: each counted once, in its own table.
    assert status_counts(report) == {
        "单位": {"unchanged": 6}, "组织": {"unchanged": 7},
        "人员": {"retired": 1, "unchanged": 3}, "任职": {"retired": 1, "unchanged": 4},
        "监管": {"retired": 1, "unchanged": 2}, "物业服务": {"unchanged": 1},
        "走访": {"retired": 2}, "评价": {"unchanged": 1},
    }
    assert rel(store, "VISITED", "P4|O_CO1|2024-02-05")["retired"] is True


def test_incremental_operations(store, loaded: Path) -> None:
    make_incremental(loaded, "2024-04-01", {
        "人员": [
            {"人员编码": "P5", "姓名": "孙八", "政治面貌": "群众", "居住单位编码": "K2",
             "操作": "新增"},
            {"人员编码": "P2", "姓名": "李四", "性别": "女", "政治面貌": "中共党员",
             "居住单位编码": "K2", "身份证号": "35020619850208567X", "手机号": "13900001111",
             "操作": "修改"},
        ],
        "任职": [
            {"人员编码": "P2", "组织编码": "O_OC1", "职务": "委员", "开始日期": "2021-06-01",
             "操作": "删除"},
            {"人员编码": "P5", "组织编码": "O_OC1", "职务": "委员", "任职类型": "本职",
             "开始日期": "2024-03-15", "操作": "新增"},
        ],
        "单位": [{"单位编码": "K3", "名称": "海天苑", "层级": "小区", "上级单位编码": "M1",
                  "小区类型": "安置小区", "户数": "88", "操作": "新增"}],
    })
    report = sync_export(store, loaded)
    assert report.status == "applied", report.errors
    assert status_counts(report) == {
        "单位": {"added": 1}, "人员": {"added": 1, "changed": 1},
        "任职": {"added": 1, "retired": 1},
    }
    p2 = node(store, "Person", "P2")
    assert (p2["standing"], p2["home_code"]) == ("full_member", "K2")
    assert rel(store, "SERVES_AS", "P2|O_OC1|committee_member|2021-06-01")["retired"] is True
    k3 = node(store, "Unit", "K3")  # its parent is in the graph, not in the export
    assert (k3["community_name"], k3["street_code"], k3["city_code"]) == ("禾盛社区", "S1", "C1")
    homes = store.read(expand(
        "MATCH (:Person {code: 'P2'})-[h:LIVES_IN]->(u:Unit) WHERE @live(h) RETURN u.code AS c"))
    assert homes == [{"c": "K2"}]  # the structural relation was replaced, not added to
    # The same increment again changes nothing.
    again = sync_export(store, loaded)
    assert again.status == "unchanged"
    assert status_counts(again) == {
        "单位": {"unchanged": 1}, "人员": {"unchanged": 2}, "任职": {"unchanged": 2},
    }


def test_incremental_delete_of_a_company_cascades(store, loaded: Path) -> None:
    make_incremental(loaded, "2024-04-01", {
        "组织": [{"组织编码": "O_CO1", "操作": "删除"}],
    })
    report = sync_export(store, loaded)
    assert status_counts(report) == {
        "组织": {"retired": 1}, "任职": {"retired": 1}, "监管": {"retired": 2},
        "物业服务": {"retired": 1}, "走访": {"retired": 2}, "评价": {"retired": 1},
    }
    assert node(store, "Rating", "O_CO1|2023")["retired"] is True
    assert node(store, "Organisation", "O_CO1")["retired_on"] == "2024-04-01"


def test_revoked_status_is_a_change_not_a_retirement(store, loaded: Path) -> None:
    set_cell(loaded, "组织", 7, "状态", "撤销")
    report = sync_export(store, loaded)
    assert status_counts(report)["组织"] == {"changed": 1, "unchanged": 6}
    oc = node(store, "Organisation", "O_OC1")
    assert (oc["status"], oc["retired"], oc["run"]) == ("revoked", False, report.run_id)


def test_post_type_change_moves_the_relation(store, loaded: Path) -> None:
    set_cell(loaded, "任职", 3, "任职类型", "本职")
    report = sync_export(store, loaded)
    assert status_counts(report)["任职"] == {"changed": 1, "unchanged": 4}
    assert rel(store, "SERVES_AS", "P1|O_OC1|director|2021-06-01")["src_row"] == 3
    gone = store.read(expand(
        "MATCH ()-[r:CROSS_APPOINTED_TO]->() WHERE @live(r) RETURN count(r) AS n"))
    assert gone == [{"n": 0}]


def test_street_rename_rewrites_descendant_ancestry(store, loaded: Path) -> None:
    set_cell(loaded, "单位", 4, "名称", "湖里 街道办")
    report = sync_export(store, loaded)
    assert status_counts(report)["单位"] == {"changed": 1, "unchanged": 5}
    for code in ("S1", "M1", "K1", "K2"):
        assert node(store, "Unit", code)["street_name"] == "湖里街道办", code
    assert node(store, "Unit", "K1")["run"] == report.run_id


def test_unknown_role_is_kept_and_warned(store, export: Path) -> None:
    set_cell(export, "任职", 4, "职务", "楼长助理")
    report = sync_export(store, export)
    assert report.status == "applied"
    assert [(w.table, w.row, w.column, w.value) for w in report.warnings] == [
        ("任职", 4, "职务", "楼长助理")]
    post = rel(store, "SERVES_AS", "P2|O_OC1|楼长助理|2021-06-01")
    assert post["title"] == "楼长助理" and "role" not in post


def test_dry_run_writes_nothing(store, loaded: Path) -> None:
    before = dump(store)
    drop_rows(loaded, "人员", lambda r: r["人员编码"] != "P3")
    drop_rows(loaded, "任职", lambda r: r["人员编码"] != "P3")
    report = sync_export(store, loaded, dry_run=True)
    assert report.status == "dry-run"
    assert status_counts(report)["人员"] == {"retired": 1, "unchanged": 3}
    assert dump(store) == before


def test_pii_never_stored_raw(store, export: Path, _home: Path) -> None:
    set_cell(export, "人员", 3, "居住单位编码", "K9")  # one rejected run too, for the log
    sync_export(store, export)
    set_cell(export, "人员", 3, "居住单位编码", "K1")
    report = sync_export(store, export)
    assert report.status == "applied"
    nodes, rels = dump(store)
    text = "\n".join(nodes + rels)
    log = (_home / "sync-runs.jsonl").read_text(encoding="utf-8")
    for raw in RAW_PII:
        assert raw not in text, raw
        assert raw not in log, raw
        assert raw not in json.dumps(report.to_json(), ensure_ascii=False)
    p2 = node(store, "Person", "P2")
    assert (p2["id_masked"], p2["phone_masked"]) == ("3502**********567X", "139****1111")
    import hashlib
    import hmac

    key = (_home / "pii.key").read_bytes()
    assert p2["id_hash"] == hmac.new(key, b"35020619850208567X", hashlib.sha256).hexdigest()
    assert (_home / "pii.key").stat().st_mode & 0o777 == 0o600
    assert "id_hash" not in node(store, "Person", "P4")
