"""``redgov audit`` end to end on the fixture graph (the real CLI, the real loader)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook
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
    assert list(got) == ["query", "params", "columns", "rows", "count"]
    assert got["query"] == "overdue_reelection"
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
    assert res.exit_code == 2 and "no unit with code '350206'" in res.output, res.output
    res = audit(fx, engine, "one_shoulder", "--as-of", "yesterday")
    assert res.exit_code == 2 and "parameter as_of (date): 'yesterday'" in res.output, res.output
    res = audit(fx, engine, "no_such_question")
    assert res.exit_code == 2 and "no audit question named" in res.output, res.output


def test_csv_neutralises_formulas(fx: Store, engine: Any, tmp_path: Path) -> None:
    """CO3's project name in the fixture starts with '=': a spreadsheet must not execute it."""
    out = tmp_path / "m.csv"
    res = audit(fx, engine, "model_project_eligibility", "--format", "csv", "--out", str(out))
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["project"] for r in rows] == ["大洋雅苑项目", "金桂苑项目", "'=老街院落项目"]


def test_all_writes_a_workbook_with_chinese_headers(
    fx: Store, engine: Any, tmp_path: Path
) -> None:
    out = tmp_path / "report.xlsx"
    res = audit(fx, engine, "--all", "--out", str(out))
    assert res.exit_code == 0, res.output
    wb = load_workbook(out, read_only=True)
    questions = catalog()
    assert wb.sheetnames == ["汇总", *[q.name for q in questions]]
    summary = list(wb["汇总"].iter_rows(values_only=True))
    assert summary[0][:5] == ("问题", "标题", "行数", "规则", "来源")
    by_name = {r[0]: r for r in summary[1:]}
    assert by_name["overdue_reelection"][2:5] == (1, "R13", "002")
    assert by_name["coverage_rollup"][2:4] == (4, "R1, R5, R6, R7")
    sheet = list(wb["one_shoulder"].iter_rows(values_only=True))
    assert sheet[0] == tuple(c.title_zh for c in get_question("one_shoulder").columns)
    assert sheet[0][:2] == ("小区编码", "小区名称")
    assert sheet[1][:7] == ("CP01", "大洋雅苑", "B1", "OC1", "P01", "P01", True)
    projects = [r[4] for r in wb["model_project_eligibility"].iter_rows(values_only=True)]
    assert projects[1:] == ["大洋雅苑项目", "金桂苑项目", "'=老街院落项目"]
    lists = [r[7] for r in wb["interlocks"].iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(v, str) and v.startswith("[") for v in lists), lists
    res = audit(fx, engine, "--all")
    assert res.exit_code == 2 and "--out" in res.output
