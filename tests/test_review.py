"""Review before landing: ``sync --review`` → ``review list/show`` → ``approve`` / ``reject``.

Hand-written history on ``sync_basic`` (E1).  E2 changes, by hand:

- 单位 K2 renamed 金山小区 → 金山花园 (changed: name);
- 人员 P1's ID number replaced by another with the same masked form (changed: the ID hash
  only, shown without values); P2's phone 13900001111 → 13900002222 (changed:
  phone_masked 139****1111 → 139****2222); P3 中共预备党员 → 中共党员 (changed: standing and
  standing_text);
- 任职 P2's post in O_OC1 ends 2024-05-31 (changed: end);
- 组织 O_NEW added; 走访 P4 → O_CO1 on 2024-02-20 dropped (a full export: retired).

E3 (the conflicting direct sync) is E1 with O_REG renamed.  Approving E2 must publish
exactly what a direct sync of E2 publishes: both graphs are dumped whole and compared
(tests/engine_diff.py: run ids by position, clocks dropped; the SyncRun's ``path`` is the
staged copy's and is dropped too).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from engine_diff import normalise, run_map
from redgov.graph.home import data_dir
from redgov.graph.snapshots import latest
from redgov.graph.stores.base import Store
from redgov.graph.vocabulary import META_LABELS
from redgov.loaders import sync_export
from redgov.loaders.pii import find_pii
from redgov.loaders.staging import STAGED_FILE, staged_root
from test_sync_support import (
    BASIC,
    RAW_PII,
    copy_export,
    drop_rows,
    set_cell,
    set_manifest,
)

from redgov.cli import main

NEW_P1_ID = "350206198101011234"  # same masked form as P1's 350206198001011234
RAW = (*RAW_PII, NEW_P1_ID, "13900002222")
_NODES = "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props"
_RELS = ("MATCH (a)-[r]->(b) RETURN type(r) AS type, properties(r) AS props, "
         "coalesce(a.code, a.key, a.id) AS a, coalesce(b.code, b.key, b.id) AS b")
_WIPE = "MATCH (n) DETACH DELETE n"


@pytest.fixture(autouse=True)
def _no_staged_sets() -> None:
    """The session's data directory is shared (its server, its key): start with no sets."""
    for entry in staged_root().iterdir():
        shutil.rmtree(entry)


def e2(tmp: Path) -> Path:
    folder = copy_export(tmp, to="e2")
    set_manifest(folder, "快照日期", "2024-06-01")
    set_cell(folder, "单位", 7, "名称", "金山花园")
    set_cell(folder, "人员", 2, "身份证号", NEW_P1_ID)
    set_cell(folder, "人员", 3, "手机号", "13900002222")
    set_cell(folder, "人员", 4, "政治面貌", "中共党员")
    set_cell(folder, "任职", 4, "结束日期", "2024-05-31")
    from test_sync_support import add_row

    add_row(folder, "组织", {"组织编码": "O_NEW", "名称": "金山花园党小组", "类型": "党小组",
                           "所在单位编码": "K2", "状态": "正常"})
    drop_rows(folder, "走访", lambda r: r["日期"] != "2024-02-20")
    return folder


def e3(tmp: Path) -> Path:
    folder = copy_export(tmp, to="e3")
    set_manifest(folder, "快照日期", "2024-05-01")
    set_cell(folder, "组织", 8, "名称", "湖里区建设局")
    return folder


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def dump(store: Store, runs: list[str]) -> tuple[list[str], list[str]]:
    """Every node and relation, run ids by position, clocks and the SyncRun path dropped."""
    names = run_map(runs)
    nodes = []
    for r in normalise(store.read(_NODES), names):
        if set(r["labels"]) & set(META_LABELS):
            continue  # the metadata space (Neo4j: the same database) is not the graph
        props = dict(r["props"])
        if "SyncRun" in r["labels"]:
            props.pop("path", None)
        nodes.append(json.dumps([sorted(r["labels"]), props], ensure_ascii=False,
                                sort_keys=True))
    rels = [json.dumps(r, ensure_ascii=False, sort_keys=True)
            for r in normalise(store.read(_RELS), names)]
    return sorted(nodes), sorted(rels)


def stage(path: Path) -> str:
    code, out = cli("sync", str(path), "--review", "--format", "json")
    assert code == 0, out
    report = json.loads(out)
    assert report["status"] == "staged", report
    return str(report["staged_id"])


def staged_json(sid: str) -> str:
    return (staged_root() / sid / STAGED_FILE).read_text(encoding="utf-8")


#: The export's fingerprint (32 hex digits): one in ~500 holds a run shaped like a mobile.
_FINGERPRINT = re.compile(r'"(?:fingerprint|export_digest|seal)": "[0-9a-f]{32,128}"')


def assert_clean(where: str, text: str) -> None:
    for raw in RAW:
        assert raw not in text, (where, raw)
    assert find_pii(_FINGERPRINT.sub("", text)) is None, (where, text[:2000])


def test_stage_list_show_approve_equals_a_direct_sync(
        store: Store, redgov_env: dict[str, str], tmp_path: Path) -> None:
    first = sync_export(store, BASIC)
    assert first.status == "applied"
    before = dump(store, [first.run_id])
    export = e2(tmp_path)

    code, staged_out = cli("sync", str(export), "--review")
    assert code == 0, staged_out
    assert "已暂存待审核" in staged_out and "基于第 1 个快照" in staged_out, staged_out
    assert dump(store, [first.run_id]) == before  # staging wrote nothing
    assert latest(store.read) == 1
    sid = json.loads(cli("review", "list", "--format", "json")[1])[0]["id"]

    # list
    listed = json.loads(cli("review", "list", "--format", "json")[1])
    assert [r["id"] for r in listed] == [sid]
    item = listed[0]
    assert item["status"] == "staged" and item["snapshot_date"] == "2024-06-01"
    assert item["kind"] == "full" and item["source"] == "湖里区党建台账"
    assert item["base"] == {"ordinal": 1, "run_id": first.run_id}
    assert item["counts"]["单位"] == {"added": 0, "changed": 1, "retired": 0, "unchanged": 5}
    assert item["counts"]["人员"] == {"added": 0, "changed": 3, "retired": 0, "unchanged": 1}
    assert item["counts"]["组织"] == {"added": 1, "changed": 0, "retired": 0, "unchanged": 7}
    assert item["counts"]["任职"] == {"added": 0, "changed": 1, "retired": 0, "unchanged": 4}
    assert item["counts"]["走访"] == {"added": 0, "changed": 0, "retired": 1, "unchanged": 1}
    code, table = cli("review", "list")
    assert code == 0 and sid in table and "待审核" in table and "单位 +0 ~1 -0" in table, table

    # show: field-level before/after, as worked out by hand
    shown_json = cli("review", "show", sid, "--format", "json")[1]
    record = json.loads(shown_json)
    recs = record["records"]
    assert recs["单位"]["changed"] == [{"key": "K2", "name": "金山花园", "fields": [
        {"field": "name", "before": "金山小区", "after": "金山花园"}]}]
    people = {c["key"]: c["fields"] for c in recs["人员"]["changed"]}
    assert people == {
        "P1": [{"field": "id_hash", "before": None, "after": None, "hidden": True}],
        "P2": [{"field": "phone_masked", "before": "139****1111", "after": "139****2222"}],
        "P3": [{"field": "standing", "before": "probationary_member", "after": "full_member"},
               {"field": "standing_text", "before": "中共预备党员", "after": "中共党员"}],
    }
    [post] = recs["任职"]["changed"]
    assert post["key"].startswith("P2|O_OC1|") and post["fields"] == [
        {"field": "end", "before": None, "after": "2024-05-31"}]
    [org] = recs["组织"]["added"]
    assert org["key"] == "O_NEW" and org["fields"]["kind"] == "party_group"
    assert org["fields"]["unit_code"] == "K2"
    assert recs["走访"]["retired"] == [{"key": "P4|O_CO1|2024-02-20", "name": None, "fields": {
        "person": "P4", "org": "O_CO1", "date": "2024-02-20"}}]
    code, shown = cli("review", "show", sid)
    assert code == 0, shown
    for text in ("金山小区", "金山花园", "修改", "新增", "退出", "预备党员", "（已变更，不显示）",
                 "139****2222", "结束日期", "P2|O_OC1|委员|2021-06-01",
                 "身份证号校验位不符", "3502**********1234"):  # the new ID's check digit: a warning
        assert text in shown, (text, shown)
    assert "committee_member" not in shown and "probationary" not in shown
    code, english = cli("review", "show", sid, "--lang", "en")
    assert "probationary member" in english and "(changed, not shown)" in english, english

    # approve: the graph then equals a direct sync of the same export
    code, out = cli("review", "approve", sid, "--format", "json")
    assert code == 0, out
    approved = json.loads(out)
    assert approved["status"] == "approved" and approved["sync"]["status"] == "applied"
    run2 = approved["sync"]["run_id"]
    assert latest(store.read) == 2
    via_review = dump(store, [first.run_id, run2])
    decided = json.loads(cli("review", "list", "--format", "json")[1])[0]
    assert decided["status"] == "approved" and decided["decision"]["run_id"] == run2
    assert [p.name for p in (staged_root() / sid).iterdir() if not p.name.startswith(".")] \
        == [STAGED_FILE]  # the raw copy is gone once decided
    code, out = cli("review", "approve", sid)
    assert code == 1 and "已处理" in out, out  # decided once

    with store.transaction() as w:
        w.run(_WIPE)
    direct = [sync_export(store, BASIC), sync_export(store, export)]
    assert [r.status for r in direct] == ["applied", "applied"]
    assert dump(store, [r.run_id for r in direct]) == via_review

    for where, text in (("staged.json", staged_json(sid)), ("show", shown), ("list", table),
                        ("show json", shown_json), ("show en", english),
                        ("sync --review", staged_out)):
        assert_clean(where, text)


def test_reject_keeps_the_set_with_its_reason(
        store: Store, redgov_env: dict[str, str], tmp_path: Path) -> None:
    assert sync_export(store, BASIC).status == "applied"
    sid = stage(e2(tmp_path))
    code, out = cli("review", "reject", sid)
    assert code == 2 and "--reason" in out  # the reason is required
    code, out = cli("review", "reject", sid, "--reason", "  ")
    assert code == 1 and "理由" in out, out
    code, out = cli("review", "reject", sid, "--reason", "手机号有误，核对 13812345678")
    assert code == 0 and "已驳回" in out, out
    [item] = json.loads(cli("review", "list", "--format", "json")[1])
    decision = item["decision"]
    assert item["status"] == "rejected" and decision["status"] == "rejected"
    assert decision["reason"] == "手机号有误,核对 138****5678"  # free text: masked (NFKC)
    assert decision["by"] and decision["at"]
    assert latest(store.read) == 1  # not applied
    assert not (staged_root() / sid / "export").exists()  # the raw copy is gone
    code, out = cli("review", "approve", sid)
    assert code == 1 and "已处理（已驳回）" in out, out
    assert latest(store.read) == 1
    code, out = cli("review", "list")
    assert "已驳回" in out
    assert_clean("staged.json", staged_json(sid))
    code, out = cli("review", "show", "no-such-id", "--format", "json")
    assert code == 1 and json.loads(out)["code"] == "not_found"


def test_approve_refused_after_another_snapshot(
        store: Store, redgov_env: dict[str, str], tmp_path: Path) -> None:
    first = sync_export(store, BASIC)
    sid = stage(e2(tmp_path))
    other = sync_export(store, e3(tmp_path))
    assert other.status == "applied" and latest(store.read) == 2
    runs = [first.run_id, other.run_id]
    before = dump(store, runs)
    code, out = cli("review", "approve", sid)
    assert code == 1, out
    assert "暂存后已有新的快照发布" in out and "第 1 个快照" in out and "第 2 个" in out, out
    code, out = cli("review", "approve", sid, "--format", "json")
    assert code == 1 and json.loads(out)["code"] == "conflict", out
    assert dump(store, runs) == before  # nothing written
    assert latest(store.read) == 2
    [item] = json.loads(cli("review", "list", "--format", "json")[1])
    assert item["status"] == "staged"  # still there, to be rejected or staged again
    assert [r["code"] for r in item["refusals"]] == ["conflict", "conflict"]


def test_conflict_is_checked_under_the_writer_lock(
        store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sync's own check, inside its writer section: a snapshot published after the
    first check (simulated: the first look sees the stale base) still refuses."""
    from redgov.loaders import sync as sync_module

    first = sync_export(store, BASIC)
    assert first.status == "applied"
    before = dump(store, [first.run_id])
    real = sync_module.latest_snapshot
    looks: list[int] = []

    def stale_first_look(read):  # type: ignore[no-untyped-def]
        looks.append(1)
        return 0 if len(looks) == 1 else real(read)

    monkeypatch.setattr(sync_module, "latest_snapshot", stale_first_look)
    report = sync_export(store, e2(tmp_path), expect_base=0)
    assert report.status == "rejected" and len(looks) == 2  # refused under the lock
    assert "暂存后已有新的快照发布" in report.errors[0].reason_zh
    monkeypatch.undo()
    assert dump(store, [first.run_id]) == before and latest(store.read) == 1
    report = sync_export(store, e2(tmp_path / "again"), expect_base=0)
    assert report.status == "rejected"  # refused by the first check
    assert sync_export(store, e2(tmp_path / "ok"), expect_base=1).status == "applied"


def test_unchanged_or_rejected_exports_stage_nothing(
        store: Store, redgov_env: dict[str, str], tmp_path: Path) -> None:
    assert sync_export(store, BASIC).status == "applied"
    code, out = cli("sync", str(BASIC), "--review", "--format", "json")
    assert code == 0 and json.loads(out)["status"] == "unchanged", out
    bad = copy_export(tmp_path, to="bad")
    set_cell(bad, "人员", 2, "性别", "未知")
    code, out = cli("sync", str(bad), "--review")
    assert code == 1 and "错误" in out, out
    assert json.loads(cli("review", "list", "--format", "json")[1]) == []
    assert [p.name for p in staged_root().iterdir()] == []  # no half-made set left behind
    # a staging killed mid-copy leaves a hidden folder named after its process: the next
    # staging removes it (a live process's folder is left alone)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    torn = staged_root() / f".20240101-000000-abcd.{dead}"
    (torn / "export").mkdir(parents=True)
    alive = staged_root() / f".20240101-000000-beef.{os.getpid()}"
    alive.mkdir()
    code, out = cli("sync", str(BASIC), "--review", "--format", "json")
    assert code == 0, out
    assert sorted(p.name for p in staged_root().iterdir()) == [alive.name]


def test_staged_copy_is_private(store: Store, redgov_env: dict[str, str], tmp_path: Path) -> None:
    assert sync_export(store, BASIC).status == "applied"
    sid = stage(e2(tmp_path))
    folder = staged_root() / sid
    assert oct(staged_root().stat().st_mode & 0o777) == "0o700"
    for path in [folder, *folder.rglob("*")]:
        mode = path.stat().st_mode & 0o777
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
    copied = (folder / "export" / "人员.csv").read_bytes()
    assert copied == (tmp_path / "e2" / "人员.csv").read_bytes()


@pytest.fixture
def own_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A data directory of its own: its embedded server is stopped and started again."""
    from redgov.graph.stores.embedded_server import stop_server

    home = tmp_path / "home"
    monkeypatch.setenv("REDGOV_HOME", str(home))
    for name in ("REDGOV_STORE", "REDGOV_GRAPH"):
        monkeypatch.delenv(name, raising=False)
    yield home
    stop_server(home)


def _redgov(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "redgov", *args], capture_output=True,
                          text=True, timeout=180, check=False, env=dict(os.environ))


def test_staged_sets_survive_a_server_restart(own_home: Path, tmp_path: Path) -> None:
    """Embedded FalkorDB: stage, ``redgov stop``, list (no server needed), approve."""
    assert _redgov("sync", str(BASIC)).returncode == 0
    done = _redgov("sync", str(e2(tmp_path)), "--review", "--format", "json")
    assert done.returncode == 0, done.stderr
    sid = json.loads(done.stdout)["staged_id"]
    stopped = _redgov("stop")
    assert stopped.returncode == 0 and "已停止" in stopped.stdout, stopped.stdout
    listed = _redgov("review", "list", "--format", "json")
    assert [r["id"] for r in json.loads(listed.stdout)] == [sid]
    assert data_dir() == own_home.resolve()
    approved = _redgov("review", "approve", sid)
    assert approved.returncode == 0 and "已批准" in approved.stdout, approved.stderr
    status = _redgov("review", "list", "--format", "json")
    assert json.loads(status.stdout)[0]["status"] == "approved"



def test_sync_page_lists_staged_sets(store: Store, redgov_env: dict[str, str],
                                     tmp_path: Path) -> None:
    """The dashboard's 同步 page: the staged sets, read-only, with their totals."""
    from streamlit.testing.v1 import AppTest
    from streamlit.util import calc_hash

    assert sync_export(store, BASIC).status == "applied"
    pending = stage(e2(tmp_path / "a"))
    rejected = stage(e2(tmp_path / "b"))
    assert cli("review", "reject", rejected, "--reason", "重复暂存")[0] == 0
    app = str(Path(__file__).resolve().parent.parent / "dashboard" / "pages" / "app.py")
    at = AppTest.from_file(app, default_timeout=60)
    at.run()
    at._page_hash = calc_hash("sync")
    at.run()
    assert not at.exception, at.exception
    [frame] = [d.value for d in at.dataframe if "暂存编号" in d.value.columns]
    rows = {r["暂存编号"]: r for r in frame.to_dict("records")}
    assert set(rows) == {pending, rejected}
    assert rows[pending]["审核状态"] == "待审核" and rows[rejected]["审核状态"] == "已驳回"
    assert rows[rejected]["处理说明"] == "重复暂存"
    assert (rows[pending]["新增"], rows[pending]["修改"], rows[pending]["退出"]) == (1, 5, 1)
    assert rows[pending]["基于快照"] == 1 and rows[pending]["类型"] == "全量"
    page = "\n".join([d.value.to_csv() for d in at.dataframe] + [m.value for m in at.markdown])
    assert_clean("同步 page", page)
