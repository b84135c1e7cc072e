"""The hand-made registry export the dashboard tests sync, and what it should show.

City 示范市 (C) › districts 东区 (D1), 西区 (D2) › streets S1, S2 › communities M1, M2 ›
compounds X1, X2 (M1) and X3 (M2).  Two full exports: the first (snapshot 2025-06-30)
and the second (2025-12-31), which adds a branch built in X3.  M2 and W3 are named with
Markdown and HTML (see MARKDOWN_NAME): the dashboard must show them as text.

Worked out by hand, as of the second (latest) snapshot:
- party organisation: X1 (B1, standalone) and X3 (B3) → 2/3; X2 has nothing and only
  two resident full members (P3, P6: not qualified) → work coverage 2/3.
- owners' committee or self-governance: X1 (OC1), X3 (OC3), X2 (SG2) → 3/3.
- company CO1: one full member employee (P3) → not due its own organisation; no party
  organisation and no instructor → 未覆盖.
- 一肩挑: X1 and X3 have both a branch and a committee; P1 is B1's secretary and chairs
  OC1, P4 (from 2025-09-01) is B3's secretary and chairs OC3 → 2/2.
- cross appointment: X1's committee {P1 书记, P3 兼职委员}: P1 sits in OC1, P3 works for
  CO1 (X1's company); X3's committee {P4}: P4 sits in OC3 → 3/3.
- OC1's term ended 2025-01-01 → one overdue re-election.
At the first snapshot (the previous one) B3 and P4's secretary post do not exist yet:
party organisation 1/3 (X1), 一肩挑 1/1 (X1 only has both bodies), hence changes of
+33.3 pp and +0.0 pp since the previous snapshot.
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

#: Registry text that must show as typed (issue 11): Markdown that would draw a remote
#: image, HTML that would fetch one.  Nothing may render them or ask `host` for anything.
MARKDOWN_NAME = "![t](http://host/x.png)"
HTML_NAME = '<img src="http://host/o.png">工作小组'

MANIFEST = [("项目", "值"), ("来源", "测试台账"), ("导出时间", "2025-06-30 18:00:00"),
            ("快照日期", "2025-06-30"), ("类型", "全量"), ("版本", "1")]

UNITS = [
    ("单位编码", "名称", "层级", "上级单位编码", "小区类型", "户数"),
    ("C", "示范市", "市", "", "", ""),
    ("D1", "东区", "区", "C", "", ""),
    ("D2", "西区", "区", "C", "", ""),
    ("S1", "东风街道", "街道", "D1", "", ""),
    ("S2", "西湖街道", "街道", "D2", "", ""),
    ("M1", "和平社区", "社区", "S1", "", ""),
    ("M2", MARKDOWN_NAME, "社区", "S2", "", ""),
    ("X1", "阳光小区", "小区", "M1", "物管小区", "300"),
    ("X2", "老街小区", "小区", "M1", "老旧小区", "120"),
    ("X3", "新苑小区", "小区", "M2", "物管小区", "200"),
]

ORG_HEADER = ("组织编码", "名称", "类型", "所在单位编码", "隶属组织编码", "依托主体编码",
              "组建方式", "成立日期", "届满日期", "状态")
ORGS = [
    ORG_HEADER,
    ("MP1", "和平社区党委", "党委", "M1", "", "", "", "2010-01-01", "", "正常"),
    ("B1", "阳光小区党支部", "党支部", "X1", "MP1", "X1", "单独建", "2020-01-01", "", "正常"),
    ("OC1", "阳光小区业主委员会", "业主委员会", "X1", "", "", "", "2020-01-01", "2025-01-01",
     "正常"),
    ("SG2", "老街小区议事会", "自治组织", "X2", "", "", "", "2021-01-01", "", "正常"),
    ("W3", HTML_NAME, "党的工作小组", "X3", "", "X3", "", "2022-01-01", "",
     "正常"),
    ("OC3", "新苑小区业主委员会", "业主委员会", "X3", "", "", "", "2022-01-01", "2027-01-01",
     "正常"),
    ("CO1", "安居物业公司", "物业服务企业", "S1", "", "", "", "2015-01-01", "", "正常"),
]
B3 = ("B3", "新苑小区党支部", "党支部", "X3", "", "X3", "单独建", "2025-09-01", "", "正常")
B3_SECRETARY = ("P4", "B3", "书记", "本职", "2025-09-01", "")

PEOPLE = [
    ("人员编码", "姓名", "性别", "政治面貌", "党组织编码", "居住单位编码", "身份证号", "手机号"),
    ("P1", "张三", "男", "中共党员", "B1", "X1", "350203198001011234", "13800001111"),
    ("P2", "李四", "女", "群众", "", "X1", "350203198102021235", "13800002222"),
    ("P3", "王五", "男", "中共党员", "B1", "X2", "350203198203031236", "13800003333"),
    ("P4", "赵六", "女", "中共预备党员", "", "X3", "350203198304041237", "13800004444"),
    ("P5", "钱七", "男", "群众", "", "X3", "350203198405051238", "13800005555"),
    ("P6", "孙八", "女", "中共党员", "MP1", "X2", "350203198506061239", "13800006666"),
]

POSTS = [
    ("人员编码", "组织编码", "职务", "任职类型", "开始日期", "结束日期"),
    ("P1", "B1", "书记", "本职", "2020-01-01", ""),
    ("P1", "OC1", "主任", "兼任", "2020-01-01", ""),
    ("P2", "OC1", "委员", "本职", "2020-01-01", ""),
    ("P3", "CO1", "项目经理", "本职", "2019-01-01", ""),
    ("P3", "B1", "兼职委员", "兼任", "2021-01-01", ""),
    ("P4", "OC3", "主任", "本职", "2022-01-01", ""),
    ("P5", "OC3", "委员", "本职", "2022-01-01", ""),
    ("P6", "MP1", "委员", "本职", "2015-01-01", ""),
    ("P6", "W3", "党建指导员", "兼任", "2022-01-01", ""),
]
SUPERVISION = [
    ("监管方编码", "被监管方编码", "监管类型", "开始日期", "结束日期"),
    ("P6", "X3", "党建指导", "2022-01-01", ""),
    ("MP1", "OC1", "党组织领导", "2020-01-01", ""),
]
CONTRACTS = [
    ("企业编码", "小区编码", "项目名称", "开始日期", "结束日期"),
    ("CO1", "X1", "阳光小区物业项目", "2020-01-01", ""),
    ("CO1", "X2", "老街小区物业项目", "2021-01-01", ""),
]

FIRST_SNAPSHOT = "2025-06-30"
SECOND_SNAPSHOT = "2025-12-31"
COMPOUNDS = ("X1", "X2", "X3")
PEOPLE_NAMES = {row[0]: row[1] for row in PEOPLE[1:]}


def _write(path: Path, rows: list[tuple]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)


def write_export(folder: Path, *, second: bool = False) -> Path:
    """Write the first (or second) export as CSV files into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest = list(MANIFEST)
    if second:
        manifest[2] = ("导出时间", "2025-12-31 18:00:00")
        manifest[3] = ("快照日期", SECOND_SNAPSHOT)
    _write(folder / "清单.csv", manifest)
    _write(folder / "单位.csv", UNITS)
    _write(folder / "组织.csv", ORGS + ([B3] if second else []))
    _write(folder / "人员.csv", PEOPLE)
    _write(folder / "任职.csv", POSTS + ([B3_SECRETARY] if second else []))
    _write(folder / "监管.csv", SUPERVISION)
    _write(folder / "物业服务.csv", CONTRACTS)
    return folder


def sync_fixture(store, tmp: Path) -> list:
    """Sync both exports through the real loader; return the two reports."""
    from redgov.loaders import sync_export

    first = sync_export(store, write_export(tmp / "export1"))
    second = sync_export(store, write_export(tmp / "export2", second=True))
    return [first, second]


@contextlib.contextmanager
def fixture_graph(engine, tmp: Path) -> Iterator[SimpleNamespace]:
    """A fresh graph on the engine under test holding both exports; emptied afterwards.

    The environment points at it while it is built (the loader's log and PII key live in
    REDGOV_HOME); the tests point the app at it with ``engine.env(name)``.
    """
    with engine.fresh_graph(f"dashboard fixture {tmp.name}") as name:
        store = engine.open(name)
        try:
            with pytest.MonkeyPatch.context() as mp:
                for key, value in engine.env(name).items():
                    mp.setenv(key, value)
                reports = sync_fixture(store, tmp)
            assert [r.status for r in reports] == ["applied", "applied"]
            yield SimpleNamespace(store=store, name=name, runs=[r.run_id for r in reports],
                                  env=engine.env(name))
        finally:
            store.close()


def test_fixture_files_are_well_formed(tmp_path: Path) -> None:
    folder = write_export(tmp_path / "e", second=True)
    got = sorted(p.stem for p in folder.iterdir())
    want = sorted(["清单", "单位", "组织", "人员", "任职", "监管", "物业服务"])
    assert got == want, got
    with (folder / "任职.csv").open(encoding="utf-8") as fh:
        assert len(list(csv.reader(fh))) == len(POSTS) + 1
