"""A question's rows as a person reads them: headers and values from the display vocabulary.

Every human-facing output — the CLI's table and CSV, the XLSX report, the dashboard's
tables and downloads — goes through :func:`present_rows`, so a value looks the same
everywhere: vocabulary codes in Chinese (or English), booleans as 是/否, every rate by the
one rounding rule (``95.5%``), lists of codes as readable names.  ``--format json`` does
not come here: it keeps the stable machine values.

>>> from redgov.queries import get_question
>>> q = get_question("coverage_rollup")
>>> cell(q.column("level"), "street"), cell(q.column("party_org_rate"), 0.9549)
('街道', '95.5%')
>>> cell(q.column("compounds"), 12), cell(q.column("level"), "street", "en")
(12, 'street')
>>> cell(get_question("brokers").column("betweenness"), 0.123456789)
0.1235
>>> names = {"O1": "金桂苑党支部"}
>>> cell(get_question("overloaded").column("org_codes"), ["O1", "O9"], names=names)
'金桂苑党支部（O1）、O9'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..graph.cypher import cypher
from ..graph.display import display, format_date, format_rate
from ..graph.stores.base import Store
from .catalog import Column, Question

__all__ = ["cell", "headers", "list_text", "lookup_names", "present_rows"]

_NAME_QUERIES = {
    "codes:organisation": cypher(
        "queries.present.organisation_names",
        "UNWIND $codes AS code MATCH (n:Organisation {code: code}) WHERE @live(n) "
        "RETURN n.code AS code, n.name AS name",
    ),
    "codes:person": cypher(
        "queries.present.person_names",
        "UNWIND $codes AS code MATCH (n:Person {code: code}) WHERE @live(n) "
        "RETURN n.code AS code, n.name AS name",
    ),
    "codes:unit": cypher(
        "queries.present.unit_names",
        "UNWIND $codes AS code MATCH (n:Unit {code: code}) WHERE @live(n) "
        "RETURN n.code AS code, n.name AS name",
    ),
}


def lookup_names(
    store: Store, question: Question, rows: Iterable[Mapping[str, Any]],
    snapshot: int | None = None,
) -> dict[str, str]:
    """Names of every code listed in the rows' list columns (one read per node label), as
    the snapshot ``snapshot`` (an ordinal; None: the latest) has them."""
    rows = list(rows)
    names: dict[str, str] = {}
    for kind, query in _NAME_QUERIES.items():
        cols = [c.name for c in question.columns if c.type == kind]
        codes = sorted({x for r in rows for c in cols for x in (r.get(c) or [])})
        if codes:
            params: dict[str, Any] = {"codes": codes}
            if snapshot is not None:
                params["snapshot"] = snapshot
            names.update({r["code"]: r["name"] for r in store.read(query, params)
                          if r["name"]})
    return names


def list_text(codes: Sequence[str] | None, names: Mapping[str, str] | None,
              lang: str = "zh") -> str:
    """``名称（编码）、名称（编码）`` — the code stays beside the name so it can be looked up."""
    names = names or {}
    parts = []
    for code in codes or []:
        name = names.get(code)
        if name is None:
            parts.append(code)
        else:
            parts.append(f"{name} ({code})" if lang == "en" else f"{name}（{code}）")
    return ("; " if lang == "en" else "、").join(parts)


def cell(column: Column, value: Any, lang: str = "zh",
         names: Mapping[str, str] | None = None) -> Any:
    """One value for display: text, or an int/float kept as a number."""
    t = column.type
    if value is None:
        return ""
    if t == "rate":
        return format_rate(value, lang)
    if t == "bool" or isinstance(value, bool):
        return display(bool(value), lang, "bool")
    if t == "date":
        return format_date(value, lang)
    if t.startswith("codes:"):
        return list_text(value, names, lang)
    if column.domain is not None:
        return display(value, lang, column.domain)
    if t == "float" and isinstance(value, float):
        return round(value, 4)  # a measure, not a rate: four decimals are plenty to compare
    if isinstance(value, list):
        return list_text([str(v) for v in value], names, lang)
    return value


def headers(question: Question, lang: str = "zh") -> list[str]:
    return [c.title(lang) for c in question.columns]


def present_rows(
    question: Question, rows: Iterable[Mapping[str, Any]], lang: str = "zh",
    names: Mapping[str, str] | None = None,
) -> tuple[list[str], list[list[Any]]]:
    """(headers, rows of display cells) in the question's column order."""
    cols = question.columns
    return headers(question, lang), [
        [cell(c, r.get(c.name), lang, names) for c in cols] for r in rows
    ]
