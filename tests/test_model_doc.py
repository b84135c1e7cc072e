"""docs/model.md and graph/vocabulary.py say the same thing (a doc that drifts fails here)."""

from __future__ import annotations

import re
from pathlib import Path

from redgov.graph import vocabulary as v
from redgov.graph.schema import KEYS, LOOKUPS, falkordb_index_statements

DOC = (Path(__file__).resolve().parents[1] / "docs" / "model.md").read_text(encoding="utf-8")


def _table_first_cells(heading: str) -> list[str]:
    section = DOC.split(heading, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([A-Za-z_]+)` \|", section, flags=re.M)


def test_every_label_is_documented_and_nothing_else() -> None:
    assert sorted(_table_first_cells("## Nodes")) == sorted(v.NODE_LABELS)


def test_every_relation_type_is_documented_and_nothing_else() -> None:
    assert sorted(_table_first_cells("## Relations")) == sorted(v.REL.ALL)


def test_mermaid_diagram_shows_every_relation() -> None:
    diagram = DOC.split("```mermaid", 1)[1].split("```", 1)[0]
    assert set(re.findall(r"-- ([A-Z_]+) -->", diagram)) == set(v.REL.ALL)


def test_enumerations_are_documented() -> None:
    for values in (
        v.LEVEL_ORDER, v.ORG_KINDS.values(), v.COMPOUND_TYPES.values(),
        v.SUPERVISION_KINDS.values(), v.STANDINGS.values(), v.FORMATIONS.values(),
        v.ORG_STATUS.values(), v.RATING_LISTS.values(),
    ):
        missing = [x for x in values if f"`{x}`" not in DOC]
        assert missing == [], missing
    for zh, en in v.ORG_KINDS.items():
        assert f"`{en}` {zh}" in DOC, (zh, en)


def test_keys_documented_and_indexed() -> None:
    for label, key in KEYS.items():
        assert re.search(rf"^\| `{label}` \| `{key}`", DOC, flags=re.M), label
    wanted = set(KEYS.items()) | {(lab, p) for lab, props in LOOKUPS.items() for p in props}
    assert set(falkordb_index_statements()) == wanted
    for (label, prop), text in falkordb_index_statements().items():
        assert text == f"CREATE INDEX FOR (n:{label}) ON (n.{prop})"
