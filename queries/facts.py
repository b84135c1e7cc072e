"""What the graph said about one unit, organisation or person at one snapshot, and where
each fact came from (``redgov show``; ``redgov audit NAME --explain KEY`` reuses it).

A *fact* is one relation version live at the snapshot, seen from the subject: a post
held in an organisation, a member, a supervision, a contract, a seat, an affiliation,
a sub-unit, a resident.  Each carries its provenance — the run that wrote the version,
the registry table (``src_table``) and row (``src_row``) it was read from, and that run's
snapshot date — so an auditor can go from any answer back to the registry line.

Reads pin ``$snapshot`` with the shared ``@live`` macro (a node reached through a live
relation is live; docs/model.md, snapshots); whether a dated fact (post, supervision, contract) was
*held* on ``as_of`` is the catalog's activity rule, applied here to the fact so that a
listing can show ended posts too, marked.

People: only what is shown everywhere else — name, gender, standing, and the masked ID
and phone (``id_masked``, ``phone_masked``); the ID and phone hashes never leave here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..graph.cypher import cypher
from ..graph.snapshots import Snapshot, list_snapshots
from ..graph.stores.base import Store
from ..graph.vocabulary import LABEL_ORGANISATION, LABEL_PERSON, LABEL_UNIT, REL
from ..loaders.schema import PEOPLE, shown_values

__all__ = ["Fact", "NotFound", "Subject", "explain_facts", "read_subject", "unit_ancestry"]

_LABELS = (LABEL_UNIT, LABEL_ORGANISATION, LABEL_PERSON)
_KIND = {LABEL_UNIT: "unit", LABEL_ORGANISATION: "organisation", LABEL_PERSON: "person"}

_NODE = {label: cypher(f"facts.node.{label.lower()}", f"""
MATCH (n:{label} {{code: $code}})
WHERE @live(n)
RETURN properties(n) AS props
""") for label in _LABELS}



def _relations(label: str, outgoing: bool) -> str:
    """The relation versions live at ``$snapshot`` from (or into) one node, with the other end."""
    pattern = "(n)-[r]->(m)" if outgoing else "(m)-[r]->(n)"
    return cypher(f"facts.{'out' if outgoing else 'in'}.{label.lower()}", f"""
MATCH (n:{label} {{code: $code}})
WHERE @live(n)
MATCH {pattern}
WHERE @live(r)
RETURN type(r) AS rel, properties(r) AS props, labels(m)[0] AS label,
       coalesce(m.code, m.key) AS code, m.name AS name,
       coalesce(m.kind, m.level, m.standing, m.list) AS other_kind,
       coalesce(m.retired, false) AS other_retired
""")


_OUT = {label: _relations(label, True) for label in _LABELS}
_IN = {label: _relations(label, False) for label in _LABELS}
_UNITS = cypher("facts.units", """
MATCH (u:Unit)
WHERE u.code IN $codes AND @live(u)
RETURN properties(u) AS props
""")

#: The section of a fact: (relation type, the subject is its start) → record domain code.
_SECTION = {
    (REL.PART_OF, True): "ancestor", (REL.PART_OF, False): "sub_unit",
    (REL.SITS_AT, True): "seat", (REL.SITS_AT, False): "organisation",
    (REL.BUILT_IN, True): "built_in", (REL.BUILT_IN, False): "organisation",
    (REL.SERVES_AS, True): "post", (REL.SERVES_AS, False): "post",
    (REL.CROSS_APPOINTED_TO, True): "post", (REL.CROSS_APPOINTED_TO, False): "post",
    (REL.SUPERVISES, True): "supervision", (REL.SUPERVISES, False): "supervision",
    (REL.MANAGES, True): "contract", (REL.MANAGES, False): "contract",
    (REL.AFFILIATED_UNDER, True): "affiliation", (REL.AFFILIATED_UNDER, False): "affiliation",
    (REL.MEMBER_OF, True): "membership", (REL.MEMBER_OF, False): "membership",
    (REL.LIVES_IN, True): "residence", (REL.LIVES_IN, False): "residence",
    (REL.VISITED, True): "visit", (REL.VISITED, False): "visit",
    (REL.RATED, True): "rating", (REL.RATED, False): "rating",
    (REL.SCORED, True): "score", (REL.NAMED, True): "naming",
    (REL.HAD_INCIDENT, True): "incident", (REL.FUNDED, True): "funding",
}
#: What of a person may be shown (masked values only; never a hash): the declared values
#: of 人员 (loaders/schema.py), then whether and when the person left.
PERSON_FIELDS = (*shown_values(PEOPLE), "retired", "retired_on")
_ANCESTRY = ("city_code", "district_code", "street_code", "community_code")
_MAX_AFFILIATION = 8


class NotFound(LookupError):
    """No unit, organisation or person has this code at the snapshot."""


@dataclass(frozen=True)
class Source:
    """A version's provenance."""

    run: str | None
    src_table: str | None
    src_row: int | None
    snapshot_date: str | None

    def to_json(self) -> dict[str, Any]:
        return {"snapshot_date": self.snapshot_date, "src_table": self.src_table,
                "src_row": self.src_row, "run": self.run}


def _source(props: Mapping[str, Any], dates: Mapping[str, str | None]) -> Source:
    run = props.get("run")
    return Source(run, props.get("src_table"), props.get("src_row"), dates.get(run or ""))


@dataclass(frozen=True)
class Fact:
    """One relation version live at the snapshot, seen from ``subject_code``."""

    section: str
    rel: str
    outgoing: bool
    subject_code: str
    other_label: str
    other_code: str | None
    other_name: str | None
    other_kind: str | None
    role: str | None
    title: str | None
    start: str | None
    end: str | None
    held: bool
    source: Source
    other_retired: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"section": self.section, "rel": self.rel,
                "direction": "out" if self.outgoing else "in",
                "subject_code": self.subject_code, "other_label": self.other_label,
                "other_code": self.other_code, "other_name": self.other_name,
                "other_kind": self.other_kind, "role": self.role, "title": self.title,
                "start": self.start, "end": self.end, "held": self.held,
                "other_retired": self.other_retired, **self.extra,
                "source": self.source.to_json()}


@dataclass
class Subject:
    """A unit, organisation or person at one snapshot: its record, place and facts."""

    kind: str  # unit / organisation / person
    code: str
    name: str | None
    record: dict[str, Any]
    source: Source
    snapshot: Snapshot
    as_of: str
    ancestry: list[dict[str, Any]] = field(default_factory=list)
    affiliation_chain: list[dict[str, Any]] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "code": self.code, "name": self.name,
                "record": self.record, "source": self.source.to_json(),
                "snapshot": self.snapshot.to_json(), "as_of": self.as_of,
                "ancestry": self.ancestry, "affiliation_chain": self.affiliation_chain,
                "facts": [f.to_json() for f in self.facts]}


def _held(props: Mapping[str, Any], on: str) -> bool:
    if props.get("retired"):
        return False
    start, end = props.get("start"), props.get("end")
    return (start is None or str(start) <= on) and (end is None or on < str(end))


def _record(kind: str, props: Mapping[str, Any]) -> dict[str, Any]:
    drop = {"vf", "vt", "sig", "run", "src_table", "src_row"}
    if kind == "person":
        return {k: props.get(k) for k in PERSON_FIELDS if props.get(k) is not None}
    return {k: v for k, v in sorted(props.items()) if k not in drop}


class _Reader:
    """One snapshot's reads, with the run → snapshot date map read once."""

    def __init__(self, store: Store, snapshot: Snapshot, as_of: str) -> None:
        self.store, self.snapshot, self.as_of = store, snapshot, as_of
        self.dates = {s.run_id: s.date for s in list_snapshots(store.read)}
        self.params = {"snapshot": snapshot.ordinal}

    def node(self, code: str) -> tuple[str, dict[str, Any]] | None:
        for label in _LABELS:
            rows = self.store.read(_NODE[label], {**self.params, "code": code})
            if rows:
                return label, dict(rows[0]["props"])
        return None

    def facts(self, label: str, code: str) -> list[Fact]:
        out: list[Fact] = []
        for outgoing, texts in ((True, _OUT), (False, _IN)):
            for row in self.store.read(texts[label], {**self.params, "code": code}):
                props = row["props"]
                rel = row["rel"]
                dated = rel in (REL.SERVES_AS, REL.CROSS_APPOINTED_TO, REL.SUPERVISES,
                                REL.MANAGES)
                extra = {k: props[k] for k in ("kind", "project", "date") if props.get(k)}
                out.append(Fact(
                    _SECTION.get((rel, outgoing), rel.lower()), rel, outgoing, code,
                    row["label"], row["code"], row["name"], row["other_kind"],
                    props.get("role"), props.get("title"), props.get("start"),
                    props.get("end"),
                    _held(props, self.as_of) if dated else not props.get("retired"),
                    _source(props, self.dates), bool(row["other_retired"]), extra))
        order = list(dict.fromkeys(_SECTION.values()))
        out.sort(key=lambda f: (order.index(f.section) if f.section in order else 99,
                                not f.held, f.other_code or "", f.start or ""))
        return out

    def units(self, codes: list[str]) -> list[dict[str, Any]]:
        rows = self.store.read(_UNITS, {**self.params, "codes": codes}) if codes else []
        by_code = {r["props"]["code"]: r["props"] for r in rows}
        return [{"code": c, "name": by_code[c].get("name"), "level": by_code[c].get("level"),
                 "source": _source(by_code[c], self.dates).to_json()}
                for c in codes if c in by_code]


def unit_ancestry(reader: _Reader, props: Mapping[str, Any],
                  include_self: bool) -> list[dict[str, Any]]:
    codes = [props[k] for k in _ANCESTRY if props.get(k) and props.get(k) != props.get("code")]
    if include_self:
        codes.append(props["code"])
    return reader.units([c for c in codes if c])


def read_subject(store: Store, code: str, snapshot: Snapshot, as_of: str | None = None) -> Subject:
    """The unit, organisation or person ``code`` at ``snapshot`` (facts held on ``as_of``,
    default the snapshot's date).  Raises :class:`NotFound`."""
    reader = _Reader(store, snapshot, as_of or snapshot.date or "")
    return _subject(reader, code)


def _subject(reader: _Reader, code: str) -> Subject:
    found = reader.node(code)
    if found is None:
        raise NotFound(code)
    label, props = found
    kind = _KIND[label]
    subject = Subject(kind, code, props.get("name"), _record(kind, props),
                      _source(props, reader.dates), reader.snapshot, reader.as_of)
    subject.facts = reader.facts(label, code)
    if kind == "unit":
        subject.ancestry = unit_ancestry(reader, props, include_self=False)
    else:
        seat_section = "seat" if kind == "organisation" else "residence"
        seats = [f for f in subject.facts if f.section == seat_section and f.outgoing
                 and f.other_label == LABEL_UNIT]
        if seats:
            seat = reader.store.read(_NODE[LABEL_UNIT], {**reader.params,
                                                        "code": seats[0].other_code})
            if seat:
                subject.ancestry = unit_ancestry(reader, seat[0]["props"], include_self=True)
    if kind == "organisation":
        subject.affiliation_chain = _affiliations(reader, subject.facts)
    return subject


def _affiliations(reader: _Reader, facts: list[Fact]) -> list[dict[str, Any]]:
    """The organisation's party affiliation upward (隶属), nearest first."""
    chain: list[dict[str, Any]] = []
    step = [f for f in facts if f.rel == REL.AFFILIATED_UNDER and f.outgoing]
    seen: set[str] = set()
    while step and len(chain) < _MAX_AFFILIATION:
        f = step[0]
        if f.other_code is None or f.other_code in seen:
            break
        seen.add(f.other_code)
        chain.append({"code": f.other_code, "name": f.other_name, "kind": f.other_kind,
                      "source": f.source.to_json()})
        step = [g for g in reader.facts(LABEL_ORGANISATION, f.other_code)
                if g.rel == REL.AFFILIATED_UNDER and g.outgoing]
    return chain


#: For an explained finding: from a unit, the organisations there and what about them a
#: rule reads (their posts, supervisions, contracts); from an organisation or a person,
#: its own facts.
_EXPAND = ("post", "supervision", "contract")


def explain_facts(store: Store, code: str, snapshot: Snapshot,
                  as_of: str | None = None) -> tuple[Subject, list[Fact]]:
    """The subject ``code`` and the facts a catalog rule reads about it: its own, and for a
    unit those of the organisations sitting at or built in it (posts, supervisions,
    contracts) — the compound's bodies, their committees and who guides them."""
    reader = _Reader(store, snapshot, as_of or snapshot.date or "")
    subject = _subject(reader, code)
    facts = list(subject.facts)
    if subject.kind == "unit":
        orgs = sorted({f.other_code for f in subject.facts
                       if f.section == "organisation" and f.other_code})
        for org in orgs:
            facts += [f for f in reader.facts(LABEL_ORGANISATION, org)
                      if f.section in _EXPAND and f.other_code != code]
    return subject, facts
