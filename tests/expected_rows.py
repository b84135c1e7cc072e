"""A question's expected rows, ``queries/expected/<name>.jsonl``: the spec of its answer.

The rows are worked out by hand from the fixture registry and the question's rule (the
``why`` line says how), never pasted from what the engines return: a disagreement between
an engine and this file is investigated, not copied.  The format is JSON lines, so that a
change shows as the rows it changes:

- line 1, the header: ``question``; ``registry`` — the export folders synced in order, as
  repository paths; ``snapshot`` — ``latest`` or a ``--snapshot`` value; ``as_of`` and
  ``scope`` (null: the default); ``params`` — the question's own parameters (``{}``: its
  defaults); ``why`` — the reasoning;
- every further line, one row as an object whose keys are the question's columns in
  order.  A value ``"<run of snapshot N>"`` stands for the run id of published snapshot N
  (run ids are minted at sync time).
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXPECTED_DIR = ROOT / "queries" / "expected"
HOW_TO = "see queries/expected/README.md"
_RUN = re.compile(r"^<run of snapshot (\d+)>$")
_HEADER = ("question", "registry", "snapshot", "as_of", "scope", "params", "why")


class ExpectedError(AssertionError):
    """An expected-rows file is missing or malformed; the message names file and line."""


@dataclass(frozen=True)
class Expected:
    question: str
    registry: list[str]
    snapshot: str | None  # None: the latest
    params: dict[str, Any]  # as_of, scope and the question's own
    why: str
    rows: list[dict[str, Any]]
    path: Path

    def rows_for(self, runs: dict[int, str]) -> list[dict[str, Any]]:
        """The rows with each ``<run of snapshot N>`` replaced by that snapshot's run id."""
        def fill(value: Any) -> Any:
            m = _RUN.match(value) if isinstance(value, str) else None
            return runs.get(int(m.group(1)), value) if m else value

        return [{k: fill(v) for k, v in row.items()} for row in self.rows]


def path_of(name: str) -> Path:
    return EXPECTED_DIR / f"{name}.jsonl"


def load(name: str, columns: list[str]) -> Expected:
    """The expected rows of question ``name``, checked against its declared ``columns``."""
    path = path_of(name)
    where = path.relative_to(ROOT)
    if not path.is_file():
        raise ExpectedError(f"question {name!r} has no expected rows: write {where} ({HOW_TO})")
    lines = path.read_text(encoding="utf-8").splitlines()
    parsed = []
    for i, line in enumerate(lines, start=1):
        try:
            parsed.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise ExpectedError(f"{where} line {i}: not JSON ({exc})") from None
    if not parsed or not isinstance(parsed[0], dict) or list(parsed[0]) != list(_HEADER):
        raise ExpectedError(f"{where} line 1: the header needs the keys {', '.join(_HEADER)} "
                            f"in that order ({HOW_TO})")
    head = parsed[0]
    if head["question"] != name:
        raise ExpectedError(f"{where} line 1: question {head['question']!r} is not {name!r}")
    for i, row in enumerate(parsed[1:], start=2):
        if not isinstance(row, dict) or list(row) != columns:
            got = list(row) if isinstance(row, dict) else row
            raise ExpectedError(f"{where} line {i}: keys {got} are not the columns {columns}")
    snapshot = None if head["snapshot"] == "latest" else head["snapshot"]
    params = {"as_of": head["as_of"], "scope": head["scope"], **head["params"]}
    return Expected(name, head["registry"], snapshot,
                    {k: v for k, v in params.items() if v is not None}, head["why"],
                    parsed[1:], path)


def stray_files(names: set[str]) -> list[str]:
    """Expected-rows files naming no catalog question (a renamed or removed question)."""
    return sorted(p.name for p in EXPECTED_DIR.glob("*.jsonl") if p.stem not in names)


def diff(want: list[dict[str, Any]], got: list[dict[str, Any]], name: str) -> str:
    """A unified diff of the rows as JSON lines: what an assert shows when they differ."""
    def lines(rows: list[dict[str, Any]]) -> list[str]:
        return [json.dumps(r, ensure_ascii=False, default=str) for r in rows]

    return "\n".join(difflib.unified_diff(lines(want), lines(got), f"expected/{name}.jsonl",
                                          "the engine's rows", lineterm=""))
