"""Every read answers for a snapshot through the shared conditions, never pasted ones.

The snapshot, activity and scope conditions are written once (``graph/conditions.py``) and
expanded by ``cypher()`` at registration.  This test reads the *registered* texts (what is
linted and run) and checks that each condition in them is a macro's expansion:

- ``coalesce(x.retired, false) = false`` only as part of ``@current(x)`` (preceded by
  ``x``'s snapshot test), the validity test on ``$as_of`` only as part of ``@active(x)``,
  a ``$scope IN [...]`` list only as ``@in_scope(x)``'s;
- every relation variable of a pattern carries ``@live``/``@current``/``@active`` (no
  anonymous relation: name it), a variable-length one through ``relationships(path)``;
  the first node of every ``MATCH`` has a snapshot test, or the relation next to it has
  (an ``OPTIONAL MATCH`` starts from a bound, checked node);
- every text that reads a versioned label or relation, or uses ``$as_of``, pins
  ``$snapshot``.

It also reads the catalog's ``.cypher`` sources: no pasted condition there either.  And it
shows the check fails on a question whose macro was replaced by the pasted text.
"""

from __future__ import annotations

import re

import pytest
from redgov.graph.conditions import MACROS, expand, live
from redgov.graph.cypher import REGISTRY
from redgov.graph.vocabulary import LABEL_ORGANISATION, LABEL_PERSON, LABEL_RATING, LABEL_UNIT
from redgov.queries import catalog, get_question
from redgov.queries.catalog import parse_header
from test_cypher_lint import _import_everything

#: Registered reads that are not (yet) held to the snapshot rules, with the reason.  The
#: dashboard's own reads belong to its branch (snap-dash); the loader's reads look at the
#: open versions it writes on, not a published snapshot; accounts, throttles, sync runs and
#: the index list are not versioned.
NOT_SNAPSHOT_READS = {
    "sync.": "the loader's own state reads (open versions, write path)",
    "access.": "accounts and login throttles are not versioned",
    "snapshots.": "SyncRun nodes are not versioned",
    "demo.published_digests": "SyncRun nodes are not versioned",
    "introspection.sync_runs": "SyncRun nodes are not versioned",
    "falkordb.list_indexes": "schema, not data",
    "summaries.": "answers kept in the metadata space, keyed by a published snapshot's run id",
    "doc.": "doctest examples (graph/cypher.py)",
    "test.": "texts registered by tests",
}
_VERSIONED_LABELS = (LABEL_UNIT, LABEL_ORGANISATION, LABEL_PERSON, LABEL_RATING)
_VERSIONED_RELS = ("PART_OF", "SITS_AT", "BUILT_IN", "AFFILIATED_UNDER", "LIVES_IN", "MEMBER_OF",
                   "RATED", "SERVES_AS", "CROSS_APPOINTED_TO", "SUPERVISES", "MANAGES",
                   "VISITED")
_WRITE = re.compile(r"\b(CREATE|MERGE|SET|DELETE|REMOVE|DROP)\b")
_RETIRED = re.compile(r"coalesce\((\w+)\.retired, false\) = false")
_VALID = re.compile(r"\((\w+)\.start IS NULL OR \1\.start <= \$as_of\)")
_SCOPE_LIST = re.compile(r"\$scope IN \[(\w+)\.code")
_REL_VAR = re.compile(r"-\[(\w+)(?::[A-Z_|]+)?(\*[\d.]*)?\]-")
_ANON_REL = re.compile(r"-\[(?::[A-Z_|]+)?(\*[\d.]*)?\]-")
_PATH_VAR_LENGTH = re.compile(r"\b(\w+) = \(\w*(?::\w+)?(?: \{[^}]*\})?\)-\[:[A-Z_]+\*[\d.]*\]-")
_FIRST_NODE = re.compile(r"(?<!OPTIONAL )\bMATCH (?:\w+ = )?\((\w*)[^)]*\)(?:<?-\[(\w+))?")


def problems(text: str) -> list[str]:
    """What in one registered read text is not written through the shared conditions."""
    found = []
    for m in _RETIRED.finditer(text):
        x = m.group(1)
        if not text[:m.start()].endswith(f"{live(x)} AND "):
            found.append(f"pasted not-retired test on {x} (use @current({x}))")
    for m in _VALID.finditer(text):
        x = m.group(1)
        if not text[:m.start()].endswith(f"{MACROS['current'](x)} AND "):
            found.append(f"pasted validity test on {x} (use @active({x}))")
    for m in _SCOPE_LIST.finditer(text):
        x = m.group(1)
        whole = MACROS["in_scope"](x)
        if text[m.start() - len("$scope IS NULL OR "):].find(whole) != 0:
            found.append(f"pasted scope list on {x} (use @in_scope({x}))")
    paths = set(_PATH_VAR_LENGTH.findall(text))
    each = _esc_live(r"\1")
    for p in paths:
        if not re.search(rf"all\((\w+) IN relationships\({p}\) WHERE \({each}\)", text):
            found.append(f"variable-length path {p} without @live on relationships({p})")
    for m in _REL_VAR.finditer(text):
        r = m.group(1)
        if live(r) not in text:
            found.append(f"relation {r} without @live/@current/@active")
    for m in _ANON_REL.finditer(text):
        if not (m.group(1) and paths):  # only a checked variable-length path may be unnamed
            found.append(f"anonymous relation {m.group(0)!r} (name it and check it)")
    for m in _FIRST_NODE.finditer(text):
        x, rel = m.group(1), m.group(2)
        if rel and live(rel) in text:
            continue  # reached through a checked relation: live
        if not x or live(x) not in text:
            found.append(f"first node {x or '()'} of a MATCH without a snapshot test")
    uses_versioned = any(f":{label}" in text for label in _VERSIONED_LABELS) or any(
        re.search(rf"[:|]{rel}\b", text) for rel in _VERSIONED_RELS)
    if (uses_versioned or "$as_of" in text) and "$snapshot" not in text:
        found.append("reads versions or $as_of without pinning $snapshot")
    return found


def _esc_live(x: str) -> str:
    return re.escape(live("VAR")).replace("VAR", x)


def _reads() -> dict[str, str]:
    _import_everything()
    catalog()  # the .cypher questions register on first use
    return {name: c.text for name, c in sorted(REGISTRY.items())
            if not _WRITE.search(c.text)
            and not any(name.startswith(prefix) for prefix in NOT_SNAPSHOT_READS)}


def test_every_registered_read_uses_the_shared_conditions() -> None:
    reads = _reads()
    questions = [f"queries.{q.name}" for q in catalog() if q.kind == "cypher"]
    assert questions and set(questions) <= set(reads), sorted(reads)
    assert {"queries.analytics.holders", "scope.unit", "introspection.node_counts",
            "report.unit", "demo.one_shoulder"} <= set(reads)
    found = {name: p for name, text in reads.items() if (p := problems(text))}
    assert found == {}, found


def test_the_catalog_sources_paste_no_condition() -> None:
    for q in catalog():
        if q.kind != "cypher":
            continue
        assert q.path is not None
        body = parse_header(q.path.read_text(encoding="utf-8"), q.path.name)[1]
        assert "coalesce(" not in body or ".retired, false) = false" not in body, q.name
        assert "$scope IN" not in body and ".start <= $as_of" not in body, q.name
        assert "vf <=" not in body and "$snapshot" not in body, q.name  # only via macros
        assert "@live(" in body or "@current(" in body, q.name


@pytest.mark.parametrize("name, macro, pasted", [
    ("owners_committee_party_share", "@active(r)",
     "coalesce(r.retired, false) = false AND (r.start IS NULL OR r.start <= $as_of)"
     " AND (r.end IS NULL OR $as_of < r.end)"),
    ("one_shoulder", "@live(os) AND ", ""),
    ("overdue_reelection", "@current(oc)", "coalesce(oc.retired, false) = false"),
    ("compounds_without_governance", "@in_scope(c)",  # the old list, without the city
     "($scope IS NULL OR $scope IN [c.code, c.community_code, c.street_code, c.district_code])"),
    ("coverage_rollup", "all(x IN relationships(up) WHERE @live(x))", "true"),
])
def test_the_check_fails_when_a_question_drops_its_macro(name: str, macro: str,
                                                         pasted: str) -> None:
    q = get_question(name)
    assert q.path is not None and problems(q.text) == []
    body = parse_header(q.path.read_text(encoding="utf-8"), q.path.name)[1]
    assert macro in body
    assert problems(expand(body.replace(macro, pasted, 1))), (name, macro)
