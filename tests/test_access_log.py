"""The access log under hostile use: masking, bounds, a session's budget, bounded reading.

Unit-level cases write through ``redgov.access.log.record`` exactly as the dashboard and
the CLI do; the dashboard cases (links and the login form) run the real app through
AppTest on the hand-made fixture of test_access_dashboard.py, on both engines.
"""

from __future__ import annotations

import json
import re
import tracemalloc
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from test_access_dashboard import fresh, goto, graph, signed_in, submit

from redgov.access import log as access_log
from redgov.access.log import iter_log, mask_entry, read_log, record, tail_log
from redgov.cli import main

__all__ = ["graph"]  # the fixture graph with accounts, from the dashboard tests

#: Valid ID numbers and mobiles in the forms a visitor might type them.
ID = "110101199003077715"  # a valid GB 11643 check digit
HOSTILE = [
    ID, ID.lower(), f"U{ID}abc", "11010119900307771X", "110101 19900307 7715",
    "１１０１０１１９９００３０７７７１５",
    "13812345678", "+86 138 1234 5678", "138-1234-5678", "138.1234.5678", "x13812345678y",
    "110101900307771",  # an old 15-digit number
]
#: What must never appear in the file: each number's digits in a row.
RAW = re.compile(r"1101011990030777|110101900307771|3812345678")


def _raw_digits(path: Path) -> list[str]:
    text = path.read_text("utf-8")
    folded = re.sub(r"[ .\-]", "", text)
    return RAW.findall(folded)


@pytest.fixture
def log_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "access.jsonl"
    monkeypatch.setenv("REDGOV_ACCESS_LOG", str(path))
    access_log._BUDGETS.clear()
    return path


@pytest.mark.parametrize("value", HOSTILE)
def test_personal_shaped_values_are_masked_in_every_field(log_file: Path, value: str) -> None:
    record("not_found", value, unit=value, person=value, account=value,
           params={"q": value, value: [value, {"deep": value}]}, session="s")
    assert _raw_digits(log_file) == [], log_file.read_text("utf-8")
    entry = read_log()[0]
    assert "*" in entry["unit"] and "*" in entry["user"], entry


def test_codes_and_dates_are_kept_as_typed(log_file: Path) -> None:
    record("view", "li", unit="510703001001", person="P01", params={"as_of": "2024-06-30"})
    entry = read_log()[0]
    assert (entry["unit"], entry["person"], entry["params"]) == (
        "510703001001", "P01", {"as_of": "2024-06-30"}), entry


def test_one_entry_is_bounded(log_file: Path) -> None:
    huge = "甲" * 1_000_000
    record("not_found", "li", unit=huge, params={f"k{i}": huge for i in range(1000)},
           session="s")
    line = log_file.read_text("utf-8")
    entry = json.loads(line)
    assert len(line.encode()) <= access_log.Bounds().entry_bytes, len(line.encode())
    assert entry["truncated"] is True and entry["unit"].endswith("…"), entry.keys()
    assert len(entry["unit"]) == access_log.Bounds().field_chars
    small = mask_entry({"params": {f"k{i}": i for i in range(100)}})
    assert len(small["params"]) == access_log.MAX_ITEMS + 1 and small["params"]["…"] == 68


def test_a_session_over_its_budget_is_summarised(log_file: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(access_log, "_clock", lambda: now[0])
    monkeypatch.setenv("REDGOV_ACCESS_LOG_SESSION_ENTRIES", "10")
    for i in range(25):
        record("view" if i % 2 else "not_found", "li", unit=f"U{i}", session="user:li")
    record("view", "wang", session="user:wang")  # another session has its own budget
    events = [e["event"] for e in read_log()]
    assert events == ["not_found", "view"] * 5 + ["limited", "view"], events
    now[0] += access_log.WINDOW_S
    record("view", "li", unit="U99", session="user:li")
    summary = [e for e in read_log() if e["event"] == "summary"]
    assert len(summary) == 1 and summary[0]["held"] == 15, summary
    assert summary[0]["events"] == {"not_found": 8, "view": 7}, summary
    assert read_log()[-1]["unit"] == "U99"
    # The CLI's own entries (no session) are never held back.
    for _ in range(30):
        record("user_add", None, account="x")
    assert sum(e["event"] == "user_add" for e in read_log()) == 30


def test_reading_a_large_log_stays_in_bounded_memory(log_file: Path) -> None:
    line = json.dumps({"time": "2026-12-01T00:00:00.000Z", "event": "view", "user": "li",
                       "page": "hierarchy", "unit": "U" * 150}, ensure_ascii=False) + "\n"
    with log_file.open("w", encoding="utf-8") as fh:
        fh.write("x" * (8 << 20))  # one torn line of 8 MiB, no newline until here
        fh.write("\n")
        for _ in range(20):
            fh.write(line * 5000)  # ≈ 28 MiB in all (the whole log in a list: ≈ 100 MiB)
    size = log_file.stat().st_size
    tracemalloc.start()
    try:
        streamed = sum(1 for _ in iter_log(user="li"))
        result = CliRunner().invoke(main, ["access-log", "--user", "li"])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.exit_code == 0, result.output
    assert streamed == 100_000 and "共 100000 条，显示最近 1000 条" in result.output
    assert size > 25 << 20 and peak < 8 << 20, (size, peak)
    kept, total = tail_log(10)
    assert (len(kept), total) == (10, 100_000)


def test_an_older_log_is_masked_when_read(log_file: Path) -> None:
    """Entries written raw by an earlier version never reach a reader raw."""
    raw = {"time": "2026-12-01T00:00:00.000Z", "event": "not_found", "user": ID,
           "unit": "138 1234 5678", "person": "x" * 5000}
    log_file.write_text(json.dumps(raw, ensure_ascii=False) + "\n", "utf-8")
    out = CliRunner().invoke(main, ["access-log", "--format", "json"]).output
    table = CliRunner().invoke(main, ["access-log"]).output
    for text in (out, table):
        assert not RAW.findall(re.sub(r"[ .\-]", "", text)), text
    [entry] = json.loads(out)
    assert entry["unit"] == "138****5678" and len(entry["person"]) == 200, entry


def test_json_output_streams_every_entry(log_file: Path) -> None:
    for i in range(3):
        record("view", "li", unit=f"U{i}")
    out = CliRunner().invoke(main, ["access-log", "--format", "json"]).output
    assert [e["unit"] for e in json.loads(out)] == ["U0", "U1", "U2"], out
    empty = CliRunner().invoke(main, ["access-log", "--user", "nobody", "--format", "json"])
    assert json.loads(empty.output) == []


# --- through the dashboard ----------------------------------------------------------------

@pytest.fixture
def app_env(graph: SimpleNamespace, monkeypatch: pytest.MonkeyPatch, log_file: Path) -> None:
    """Point the app at the fixture graph (conftest clears the store variables)."""
    for key, value in graph.env.items():
        monkeypatch.setenv(key, value)


def test_links_and_login_names_reach_the_log_masked(app_env: None, log_file: Path) -> None:
    submit(fresh(), ID, "whatever-password")  # an ID number typed as the account name
    submit(fresh(), "13812345678", "whatever-password")  # a phone number, a valid name shape
    submit(fresh(), "138 1234 5678", "whatever-password")  # not a valid name: never written
    at = signed_in("li")
    for value in (ID, "x13812345678y", "110101 19900307 7715"):
        goto(at, "hierarchy", unit=value)
        goto(at, "people", person=value)
    entries = read_log()
    seen = [(e["event"], e.get("user"), e.get("unit"), e.get("person")) for e in entries]
    assert _raw_digits(log_file) == [], seen
    assert [e["user"] for e in entries if e["event"] == "login_failed"] == [
        "1101**********7715", "138****5678"], seen
    assert ("login_refused", None, None, None) in seen, seen
    assert ("not_found", "li", "1101**********7715", None) in seen, seen
    assert ("not_found", "li", None, "x138****5678y") in seen, seen
