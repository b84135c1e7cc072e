"""Codes joined into one string inside Cypher stay whole on both engines.

FalkorDB 4.16 loses bytes past 512 when a ``reduce`` appends a literal to an accumulator
that started as ``''`` (docs/engine-notes.md); at province the joined compound codes of
``model_company_disqualifiers`` crashed the server.  The two registered texts that join
codes use the one form that builds the string right; this test holds both engines to it,
on lists far past the broken length, from a parameter and from ``collect()``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from redgov.graph.stores.base import Store

ROOT = Path(__file__).resolve().parent.parent
#: Every text holding a reduce that builds a string: the file and the form it must use.
JOINS = {
    "queries/model_company_disqualifiers.cypher":
        "reduce(s = '', x IN codes | CASE WHEN s = '' THEN x ELSE s + (';' + x) END)",
    "queries/analytics.py":
        "reduce(joined = '', c IN codes | CASE WHEN joined = '' THEN c "
        "ELSE joined + (' ' + c) END)",
}


@pytest.mark.parametrize("path", sorted(JOINS))
def test_the_registered_texts_use_the_safe_join(path: str) -> None:
    text = re.sub(r"\s+", " ", (ROOT / path).read_text(encoding="utf-8"))
    assert JOINS[path] in text, f"{path} no longer joins with {JOINS[path]!r}"


@pytest.mark.parametrize("form", sorted(JOINS.values()))
@pytest.mark.parametrize("n", [1, 2, 63, 64, 65, 130, 1000])
def test_joined_codes_are_whole(store: Store, form: str, n: int) -> None:
    codes = [f"C{100000 + i}" for i in range(n)]
    sep = ";" if "';'" in form else " "
    from_param = store.read(f"WITH $codes AS codes RETURN {form} AS joined", {"codes": codes})
    from_collect = store.read(
        f"UNWIND $codes AS k WITH k ORDER BY k WITH collect(k) AS codes RETURN {form} AS joined",
        {"codes": codes})
    want = sep.join(codes)
    for rows in (from_param, from_collect):
        got = rows[0]["joined"]
        assert got == want, (n, len(got), len(want), got[-40:])
