"""``redgov audit`` end to end on the fixture graph (the real CLI, the real loader)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook
from redgov.graph.snapshots import list_snapshots
from redgov.graph.stores.base import Store
from redgov.queries import catalog, get_question
from test_questions import synced_store

from redgov.cli import main


@pytest.fixture(scope="module")
def fx(engine: Any) -> Iterator[Store]:
    yield from synced_store(engine, "cli")


def audit(fx: Store, engine: Any, *args: str) -> Result:
    env = engine.env(getattr(fx, "graph_name", ""))
    return CliRunner().invoke(main, ["audit", *args], env=env, catch_exceptions=False)


def test_lists_the_catalog(fx: Store, engine: Any) -> None:
    res = audit(fx, engine)
    assert res.exit_code == 0, res.output
    names = [line.split()[0] for line in res.output.splitlines()[2:]]
    assert names == [q.name for q in catalog()], names


def test_json_output_shape(fx: Store, engine: Any) -> None:
    res = audit(fx, engine, "overdue_reelection", "--format", "json", "--as-of", "2024-07-01",
                "--scope", "CM111")
    assert res.exit_code == 0, res.output
    got = json.loads(res.output)
    assert list(got) == ["query", "snapshot", "params", "columns", "rows", "count"]
    assert got["query"] == "overdue_reelection"
    latest = list_snapshots(fx.read)[-1]  # the audit fixture's second sync
    assert got["snapshot"] == {"ordinal": 2, "date": "2024-06-30", "run_id": latest.run_id}
    assert got["params"] == {"as_of": "2024-07-01", "scope": "CM111"}
    assert got["columns"] == get_question("overdue_reelection").column_names
    assert [(r["committee_code"], r["days_overdue"]) for r in got["rows"]] == [("OC3", 31),
                                                                             ("OC2", 1)]
    assert got["count"] == 2


def test_params_from_the_command_line(fx: Store, engine: Any) -> None:
    res = audit(fx, engine, "owners_committee_party_share", "--param", "min_share=0.25",
                "--format", "json")
    assert [r["finding"] for r in json.loads(res.output)["rows"]] == ["ok", "ok", "主任非党员"]
    # A unit code that looks like a number stays a code, and an unknown one is a usage error.
    res = audit(fx, engine, "one_shoulder", "--scope", "350206")
    assert res.exit_code == 2 and "没有编码为 '350206' 的单位" in res.output, res.output
    res = audit(fx, engine, "one_shoulder", "--as-of", "yesterday")
    assert res.exit_code == 2 and "'yesterday' 不是日期（YYYY-MM-DD）" in res.output, res.output
    res = audit(fx, engine, "one_shoulder", "--as-of", "yesterday", "--lang", "en")
    assert res.exit_code == 2 and "parameter as_of (date): 'yesterday'" in res.output, res.output
    res = audit(fx, engine, "no_such_question")
    assert res.exit_code == 2 and "没有名为 'no_such_question' 的审计问题" in res.output, res.output


def test_csv_neutralises_formulas(fx: Store, engine: Any, tmp_path: Path) -> None:
    """CO3's project name in the fixture starts with '=': a spreadsheet must not execute it.
    The file has a BOM (Excel reads it as UTF-8) and Chinese headers."""
    out = tmp_path / "m.csv"
    res = audit(fx, engine, "model_project_eligibility", "--format", "csv", "--out", str(out))
    assert res.exit_code == 0, res.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r["项目名称"] for r in rows] == ["大洋雅苑项目", "金桂苑项目", "'=老街院落项目"]
    assert [r["结论"] for r in rows] == ["合规", "黑榜企业", "无小区党组织"], rows
    assert {r["红黑榜"] for r in rows} <= {"红榜", "黑榜", ""}, rows


def test_table_is_chinese_and_english_on_request(fx: Store, engine: Any) -> None:
    res = audit(fx, engine, "coverage_rollup", "--as-of", "2024-07-01")
    assert res.exit_code == 0, res.output
    head = res.output.splitlines()[0].split()
    assert head[:4] == ["单位编码", "单位名称", "层级", "小区数"], head
    assert " street " not in res.output and "街道" in res.output
    assert re.search(r"\d+\.\d%", res.output), res.output  # rates by the one rounding rule
    res = audit(fx, engine, "coverage_rollup", "--as-of", "2024-07-01", "--lang", "en")
    head = res.output.splitlines()[0].split("  ")
    assert head[:2] == ["unit code", "unit name"], head
    assert " street " in res.output
    res = audit(fx, engine)
    assert res.output.split()[:5] == ["问题编号", "标题", "规则", "类型", "每行是"], res.output
    got = json.loads(audit(fx, engine, "--format", "json").output)
    assert got[0]["name"] == catalog()[0].name and "finding" in got[0]


def test_all_writes_a_workbook_with_chinese_headers(
    fx: Store, engine: Any, tmp_path: Path
) -> None:
    out = tmp_path / "report.xlsx"
    res = audit(fx, engine, "--all", "--out", str(out))
    assert res.exit_code == 0, res.output
    wb = load_workbook(out, read_only=True)
    questions = catalog()
    assert wb.sheetnames == ["封面", "汇总", *[q.title_zh for q in questions]]
    summary = list(wb["汇总"].iter_rows(values_only=True))
    assert summary[0][:3] == ("工作表", "问题", "规则"), summary[0]
    by_title = {r[0]: r for r in summary[1:]}
    overdue = by_title["业委会到期未换届"]
    assert overdue[6:8] == (1, 1) and overdue[2].startswith("R13 "), overdue
    assert "《福建厦门市湖里区" in overdue[4], overdue
    assert by_title["党建引领物业治理覆盖汇总"][6:8] == (4, "不适用")
    sheet = list(wb["书记主任“一肩挑”"].iter_rows(values_only=True))
    assert sheet[0] == tuple(c.title_zh for c in get_question("one_shoulder").columns)
    assert sheet[1][:7] == ("CP01", "大洋雅苑", "B1", "OC1", "P01", "P01", "是")
    projects = [r[4] for r in wb["示范项目资格"].iter_rows(values_only=True)]
    assert projects[1:] == ["大洋雅苑项目", "金桂苑项目", "'=老街院落项目"]
    lists = [r[7] for r in wb["组织交叉任职关联"].iter_rows(min_row=2, values_only=True)]
    assert lists and all(isinstance(v, str) and "（P" in v and "[" not in v for v in lists), lists
    res = audit(fx, engine, "--all")
    assert res.exit_code == 2 and "--out" in res.output
