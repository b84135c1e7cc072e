"""Every human-facing format of every catalog question, in Chinese and in English.

Walks the whole catalog on the fixture graph: the ``table``, ``csv`` and ``xlsx`` outputs
in Chinese hold no English code of the vocabulary (``managed``, ``SERVES_AS``, ``ok``,
``street`` …) in headers or values; in English the headers are English and the values
the English forms; ``--format json`` keeps the codes whatever ``--lang`` says.
"""

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
from redgov.graph.display import DOMAINS, english_codes
from redgov.graph.stores.base import Store
from redgov.queries import catalog
from test_questions import synced_store

from redgov.cli import main

QUESTIONS = catalog()
CODES = english_codes()
#: Parameters that make the fixture give rows for every question.
PARAMS = {"brokers": ["--param", "top=0"], "overloaded": ["--param", "threshold=1"]}


@pytest.fixture(scope="module")
def fx(engine: Any) -> Iterator[Store]:
    yield from synced_store(engine, "lang")


def audit(fx: Store, engine: Any, *args: str) -> Result:
    env = engine.env(getattr(fx, "graph_name", ""))
    return CliRunner().invoke(main, ["audit", *args], env=env, catch_exceptions=False)


def leaks(text: str) -> set[str]:
    """English vocabulary codes appearing as words (codes like CP01 are not words)."""
    return {w for w in re.findall(r"[A-Za-z_]+", text) if w in CODES}


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: q.name)
def test_zh_table_csv_and_xlsx_hold_no_english_code(
    fx: Store, engine: Any, q: Any, tmp_path: Path
) -> None:
    args = [q.name, *PARAMS.get(q.name, [])]
    table = audit(fx, engine, *args)
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert len(lines) > 2, f"{q.name}: no rows to check"
    assert lines[0].split() == [c.title_zh for c in q.columns], lines[0]
    assert not leaks(table.output), (q.name, leaks(table.output))

    text = audit(fx, engine, *args, "--format", "csv").output
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [c.title_zh for c in q.columns]
    assert not leaks(text), (q.name, leaks(text))
    for c in q.columns:  # rates by the one rounding rule, booleans in words
        values = [r[q.column_names.index(c.name)] for r in rows[1:]]
        if c.type == "rate":
            assert all(re.fullmatch(r"\d{1,3}\.\d%", v) for v in values if v), (c.name, values)
        if c.type == "bool":
            assert set(values) <= {"是", "否", ""}, (c.name, values)

    out = tmp_path / "q.xlsx"
    assert audit(fx, engine, *args, "--out", str(out)).exit_code == 0
    wb = load_workbook(out, read_only=True)
    cells = [str(v) for ws in wb.worksheets[1:] for r in ws.iter_rows(values_only=True)
             for v in r if v is not None]
    assert not leaks(" ".join(cells)), (q.name, leaks(" ".join(cells)))


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: q.name)
def test_en_is_english_and_json_keeps_codes(fx: Store, engine: Any, q: Any) -> None:
    args = [q.name, *PARAMS.get(q.name, [])]
    text = audit(fx, engine, *args, "--format", "csv", "--lang", "en").output
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [c.name.replace("_", " ") for c in q.columns]
    assert not re.search(r"[\u4e00-\u9fff]", ",".join(rows[0])), rows[0]
    for c in q.columns:
        if c.domain in ("level", "org_kind", "compound_type", "relation", "rating_list"):
            values = {r[q.column_names.index(c.name)] for r in rows[1:]} - {""}
            english = {en for _, en in DOMAINS[c.domain].values()}
            assert values <= english, (q.name, c.name, values)
    got = json.loads(audit(fx, engine, *args, "--format", "json", "--lang", "zh").output)
    assert got["columns"] == q.column_names
    for c in q.columns:
        if c.domain and c.domain not in ("finding", "origin", "org_state"):
            values = {r[c.name] for r in got["rows"]} - {None}
            assert values <= set(DOMAINS[c.domain]), (q.name, c.name, values)


def test_codes_do_appear_where_they_should(fx: Store, engine: Any) -> None:
    """The check can fail: English output and JSON do carry the codes."""
    en = audit(fx, engine, "compounds_without_branch", "--lang", "en").output
    assert leaks(en) >= {"old", "abandoned"}, leaks(en)
    raw = audit(fx, engine, "dq_posts_in_retired_orgs", "--format", "json").output
    assert "SERVES_AS" in raw and "party_branch" in raw
