"""Read and validate a whole export against what the graph holds, without writing anything.

:func:`scan` reads every table once, normalises each row (``records.py``) and checks what
needs more than one row: the manifest, required tables and columns, unique identities,
references (each code resolves within the export or the graph), the level rules (a
compound under a community, … , a district under a city; one city root; no cycles) and
the 增量 operations.  It keeps whole records only for units and organisations (the small
tables the level rules and the apply step need); for people and the relation tables it
keeps identity → signature, which is all the diff needs.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..graph.evaluation_rules import CANDIDATE_KINDS, CATEGORY_ZH
from ..graph.vocabulary import COMPANY_KIND, LEVEL_ORDER, ORG_KIND_ZH, PARTY_SIDE_KINDS
from .duplicates import KeyCounts, SharedKeys
from .manifest import MISSING_COLUMN, MISSING_TABLE, Manifest, issue, read_manifest
from .normalise import clean_code
from .pii import Hasher, find_pii
from .progress import table as progress_table
from .progress import ticking
from .read import Export, TableError, TableRows
from .records import Record, to_record
from .report import Issue
from .schema import ANCHOR_TABLES, ORG_T, PERSON_T, UNIT_T
from .spool import Spool
from .state import GraphState, is_retired
from .tables import (
    ADD,
    DELETE,
    OPERATION,
    TABLE_ORDER,
    Table,
)

__all__ = ["ChunkDone", "Manifest", "Scan", "TableDone", "read_manifest", "scan"]


@dataclass
class Scan:
    manifest: Manifest
    present: set[str] = field(default_factory=set)
    units: dict[str, Record] = field(default_factory=dict)
    orgs: dict[str, Record] = field(default_factory=dict)
    #: table → identity → sig ("" for a 删除 row): what the export says.
    sigs: dict[str, dict[str, str]] = field(default_factory=dict)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    #: Codes seen in rows that failed to parse: references to them are not errors too.
    broken: set[str] = field(default_factory=set)
    #: Valid records of the big tables (people, relations), for the apply step.
    spool: Spool = field(default_factory=Spool)
    #: The row memo this scan used and filled (loaders/kept.py), or None.
    memo: Any = None
    #: duplicate_people's keys of the people spooled (:class:`.duplicates.KeyCounts`), and
    #: what an overlapped sync's worker handed over of them instead (``shared_keys``).
    dup_counts: KeyCounts = field(default_factory=KeyCounts)
    shared_keys: SharedKeys | None = None

    def duplicate_keys(self) -> SharedKeys:
        """The spooled people's shared keys (:func:`.duplicates.mark_duplicates`)."""
        return self.shared_keys if self.shared_keys is not None else self.dup_counts.shared()

    def codes(self, table: str) -> dict[str, str]:
        return self.sigs.setdefault(table, {})


_err = issue


#: Called after each table is checked (``TABLE_ORDER``, absent tables too) with the scan
#: so far and the table's name: every error of that table is in ``scan.errors`` by then.
TableDone = Callable[[Scan, str], None]
#: Called with the scan so far, the table, the spool file and the chunk's bytes
#: (``Spool.on_chunk``) each time a full chunk of valid records is spooled: every error
#: found up to that chunk's last row is in ``scan.errors`` by then.
ChunkDone = Callable[[Scan, str, Path, int, int], None]


def scan(export: Export, state: GraphState, hasher: Hasher | None,
         workdir: Path | None = None, memo: Any = None,
         on_table: TableDone | None = None, on_chunk: ChunkDone | None = None) -> Scan:
    """Read and check the whole export; ``scan.errors`` empty means it may be applied.

    The spool (in ``workdir``, a private folder) is removed here if the scan fails.
    ``memo`` (``kept.RowMemo``): rows it knows, unchanged in ``state``, are not normalised
    again (their references are still checked) and not spooled (nothing of them is written).
    ``on_table``, ``on_chunk``: see :data:`TableDone`, :data:`ChunkDone` (the overlapped
    sync's worker, :mod:`.overlap`).
    """
    errors: list[Issue] = []
    manifest = read_manifest(export, errors)
    result = Scan(manifest, errors=errors, spool=Spool(workdir), memo=memo)
    if on_chunk is not None:
        result.spool.on_chunk = functools.partial(on_chunk, result)
    try:
        _scan_all(export, state, hasher, result, on_table)
    except BaseException:
        result.spool.close()
        raise
    return result


def _scan_all(export: Export, state: GraphState, hasher: Hasher | None, result: Scan,
              on_table: TableDone | None = None) -> None:
    if result.manifest.kind is None:
        return  # without 全量/增量 the rows cannot be read correctly
    ctx = _Context(result, state)
    for table in TABLE_ORDER:
        _scan_one(export, table, ctx, hasher)
        if on_table is not None:
            on_table(result, table.name)


def _scan_one(export: Export, table: Table, ctx: _Context, hasher: Hasher | None) -> None:
    result, state = ctx.scan, ctx.state
    if not export.has(table.name):
        if table.required and not ctx.incremental:  # 增量 carries changed tables only
            result.errors.append(_err(table.name, None, None, None, *MISSING_TABLE))
        return
    # Rows expected: the CSV's lines, else what the graph holds (progress only).
    progress_table(table.name, export.expected_rows(table.name)
                   or len(state.sigs.get(table.name, ())) or None)
    try:
        _scan_table(export, table, ctx, hasher)
    except TableError as exc:
        result.errors.append(exc.issue())
        result.present.discard(table.name)  # its references are not judged further
        return
    if table.name == UNIT_T and UNIT_T in result.present:
        _check_units(ctx)
    elif table.name == ORG_T and ORG_T in result.present:
        _check_orgs(ctx)


def _similar(header: str, candidates: list[str]) -> str | None:
    """The expected header an unknown one most likely means (``身份证号码`` → ``身份证号``)."""
    for c in candidates:
        if c in header or header in c:
            return c
    close = difflib.get_close_matches(header, candidates, n=1, cutoff=0.6)
    return close[0] if close else None


def _check_headers(table: Table, rows: TableRows, incremental: bool, scan: Scan) -> bool:
    """Repeated, missing and look-alike headers; False when the table cannot be read.

    Rules: a known column named twice is an error (one would silently overwrite the other);
    an unknown one named twice, or an unknown name close to a column the table lacks, is a
    warning (its values are not read); a required column that is missing is an error,
    naming the look-alike when there is one.
    """
    known = set(table.headers) | ({OPERATION} if incremental else set())
    seen: set[str] = set()
    ok = True
    for header in rows.headers:
        if not header:
            continue
        if header in seen:
            if header in known:
                ok = False
                scan.errors.append(_err(
                    table.name, 1, header, None, "列名重复（同名的两列会互相覆盖）",
                    "the column appears twice (one would overwrite the other)"))
            else:
                scan.warnings.append(_err(table.name, 1, header, None, "未知列名重复，已忽略",
                                          "an unknown column appears twice; ignored"))
        seen.add(header)
    absent = [h for h in table.headers if h not in seen]
    unknown = [h for h in dict.fromkeys(rows.headers) if h and h not in known]
    alike: dict[str, str] = {}
    for header in unknown:
        if find_pii(header):
            scan.warnings.append(_err(
                table.name, 1, header, None, "列名像是个人信息（表头行缺失或错位？），该列未被读取",
                "a column name looks like personal data (a missing or shifted header row?); "
                "it is not read",
            ))
            continue
        target = _similar(header, absent)
        if target and target not in alike:
            alike[target] = header
    missing = [
        c.header for c in table.columns if c.header_required and c.header not in seen
    ]
    if incremental and OPERATION not in seen:
        missing.append(OPERATION)
    for header in missing:
        ok = False
        if header in alike:
            scan.errors.append(_err(
                table.name, 1, header, alike[header],
                f"缺少必需的列（“{alike[header]}”是否应为“{header}”？）",
                f"a required column is missing (is “{alike[header]}” meant to be “{header}”?)",
            ))
        else:
            scan.errors.append(_err(table.name, 1, header, None, *MISSING_COLUMN))
    for target, header in alike.items():
        if target not in missing:
            scan.warnings.append(_err(
                table.name, 1, header, None,
                f"未知列名“{header}”与“{target}”相近，该列未被读取",
                f"unknown column “{header}” looks like “{target}”; it is not read",
            ))
    return ok


class _Context:
    """Lookups across the export and the graph, shared by the table checks."""

    def __init__(self, scan: Scan, state: GraphState) -> None:
        self.scan = scan
        self.state = state
        self.incremental = scan.manifest.incremental

    def known(self, table: str, code: str) -> bool:
        if code in self.scan.broken:
            return True
        if table not in self.scan.present and table in ANCHOR_TABLES:
            return True  # that table could not be read: its errors are already reported
        return code in self.scan.sigs.get(table, {}) or code in self.state.sigs.get(table, {})

    def has(self, table: str, code: str) -> bool:
        """The code is a record of ``table`` (export or graph), or a row that failed to parse."""
        if code in self.scan.broken:
            return True
        return code in self.scan.sigs.get(table, {}) or code in self.state.sigs.get(table, {})

    def unit_level(self, code: str) -> str | None:
        rec = self.scan.units.get(code)
        if rec is not None and not rec.deleted:
            return rec.values["level"]
        info = self.state.units.get(code)
        return info.level if info else None

    def org_kind(self, code: str) -> str | None:
        rec = self.scan.orgs.get(code)
        if rec is not None and not rec.deleted:
            return rec.values["kind"]
        return self.state.org_kinds.get(code)


def _scan_table(export: Export, table: Table, ctx: _Context, hasher: Hasher | None) -> None:
    scan = ctx.scan
    rows = export.rows(table.name)
    if not _check_headers(table, rows, ctx.incremental, scan):
        rows.close()
        return
    scan.present.add(table.name)
    sigs = scan.codes(table.name)
    first_row: dict[str, int] | None = None  # built only when a duplicate shows up
    keep_whole = table.english in ("units", "organisations")
    key_column = table.identity[0]
    graph_sigs = ctx.state.sigs.get(table.name, {})
    # kept.py: a known row, unchanged in the graph, is not normalised (nor spooled) again;
    # a file with the same bytes as a table the last sync read cleanly is not even read.
    memo = scan.memo.table(export, table, rows.headers, ctx.incremental, graph_sigs,
                           REF_FIELDS.get(table.english)) if scan.memo is not None else None
    replay = memo.replay() if memo is not None else None
    if replay is not None:
        rows.close()
    before = len(scan.errors), len(scan.warnings)
    # Per table, not per row (millions of rows at province): what the loop asks each row.
    english, incremental = table.english, ctx.incremental
    spooled = english not in ("units", "organisations")
    add_to_spool = scan.spool.add
    check_refs = _REF_CHECKS.get(english, _check_refs)
    count_keys = scan.dup_counts.add if english == "people" else None
    for number, raw in ticking(replay if replay is not None else rows.rows):
        # replayed: ``raw`` is the record itself
        known = raw if replay is not None else (
            memo.known(number, raw) if memo is not None else None)
        if known is not None:
            record, errors, warnings = known, [], []
        else:
            record, errors, warnings = to_record(table, number, raw, incremental, hasher)
            if memo is not None and record is not None and not warnings:
                memo.learn(record)
        if warnings:
            scan.warnings.extend(warnings)
        if record is None:
            scan.errors.extend(errors)
            if len(table.identity) == 1:
                code = clean_code(raw.get(key_column))
                if code:
                    scan.broken.add(code)
            continue
        if record.key in sigs:
            if first_row is None:
                first_row = _first_rows(export, table, ctx.incremental)
            if table.english == "visits":  # the same visit listed twice: one visit
                scan.warnings.append(_err(table.name, number, key_column, record.key,
                                          f"与第 {first_row[record.key]} 行重复，已合并",
                                          f"repeats row {first_row[record.key]}; merged"))
                continue
            single = len(table.identity) == 1
            if table.english == "scores":  # docs/registry.md: the same scorer twice is an error
                scan.errors.append(_err(
                    table.name, number, "评分组织编码", record.values["scorer_code"],
                    "同一评分组织对同一对象的同一指标重复评分"
                    f"（第 {first_row[record.key]} 行已有）",
                    "the same scorer scored this criterion of this candidate twice "
                    f"(already on row {first_row[record.key]})"))
                continue
            scan.errors.append(_err(
                table.name, number, key_column, record.key,
                f"{'编码' if single else '记录'}重复（第 {first_row[record.key]} 行已有）",
                f"duplicate {'code' if single else 'record'} "
                f"(already on row {first_row[record.key]})",
            ))
            continue
        if incremental and record.op != ADD and record.key not in graph_sigs:
            scan.errors.append(_err(
                table.name, number, OPERATION, record.op,
                "要修改或删除的记录在图中不存在",
                "the record to modify or delete is not in the graph",
            ))
            continue
        deleted = record.op == DELETE
        sigs[record.key] = "" if deleted else record.sig
        if spooled:
            if not deleted:
                check_refs(table, record, ctx)
                if known is None:
                    add_to_spool(record)
                    if count_keys is not None:
                        count_keys(record.values)
        elif english == "units":
            scan.units[record.key] = record
        else:
            scan.orgs[record.key] = record
    scan.warnings.extend(rows.notes)
    if memo is not None:
        memo.finish((len(scan.errors), len(scan.warnings)) == before)
    if not keep_whole:
        scan.spool.finish(table.name)


def _first_rows(export: Export, table: Table, incremental: bool) -> dict[str, int]:
    """Identity → first row number, read again on the rare path of a duplicate."""
    first: dict[str, int] = {}
    for number, raw in export.rows(table.name).rows:
        record, _, _ = to_record(table, number, raw, incremental, None)
        if record is not None:
            first.setdefault(record.key, number)
    return first


def _ref_error(ctx: _Context, rec: Record, column: str, value: str, zh: str, en: str) -> None:
    ctx.scan.errors.append(_err(rec.table, rec.row, column, value, zh, en))


_NOT_FOUND = (
    "引用的编码在导出和图中都不存在", "the code exists neither in the export nor in the graph"
)


def _need(ctx: _Context, rec: Record, column: str, code: str | None, *tables: str) -> bool:
    if not code:
        return False
    for t in tables:  # a loop, not any(…): 2.5 M references a province scan checks
        if ctx.known(t, code):
            return True
    _ref_error(ctx, rec, column, code, *_NOT_FOUND)
    return False


def _company(ctx: _Context, rec: Record, column: str, code: str) -> None:
    if _need(ctx, rec, column, code, ORG_T):
        kind = ctx.org_kind(code)
        if kind is not None and kind != COMPANY_KIND:
            _ref_error(ctx, rec, column, code, "该编码不是物业服务企业",
                       "the code is not a property company (物业服务企业)")


#: The values the checks across rows read, per table (:func:`_check_refs`, the duplicate
#: scorer, the unit and organisation rules, ``diff._ancestry``, ``scope_guard``): kept with a
#: memoised row's digest (kept.py), so a row not normalised again is still checked.  No
#: personal data among them.  A table missing here is never memoised.
REF_FIELDS: dict[str, tuple[str, ...]] = {
    "units": ("level", "name", "parent_code"),
    "organisations": ("kind", "parent_code", "unit_code", "built_in_codes"),
    "people": ("party_org_code", "home_code"),
    "posts": ("person", "org"), "visits": ("person", "org"),
    "supervision": ("src", "dst"),
    "contracts": ("company", "compound"),
    "ratings": ("company_code",),
    "scores": ("category", "candidate_code", "scorer_code"),
    "namings": ("category", "candidate_code"),
    "incidents": ("target_code",),
    "funding": ("org_code",),
}


def _check_refs(table: Table, rec: Record, ctx: _Context) -> None:
    v = rec.values
    name = table.english
    if name == "people":
        _need(ctx, rec, "党组织编码", v["party_org_code"], ORG_T)
        _need(ctx, rec, "居住单位编码", v["home_code"], UNIT_T)
    elif name in ("posts", "visits"):
        _need(ctx, rec, "人员编码", v["person"], PERSON_T)
        _need(ctx, rec, "组织编码", v["org"], ORG_T)
    elif name == "supervision":
        _need(ctx, rec, "监管方编码", v["src"], ORG_T, PERSON_T)
        _need(ctx, rec, "被监管方编码", v["dst"], ORG_T, UNIT_T)
    elif name == "contracts":
        _company(ctx, rec, "企业编码", v["company"])
        if _need(ctx, rec, "小区编码", v["compound"], UNIT_T):
            level = ctx.unit_level(v["compound"])
            if level is not None and level != "compound":
                _ref_error(ctx, rec, "小区编码", v["compound"], "该编码不是小区",
                           "the code is not a compound (小区)")
    elif name == "ratings":
        _company(ctx, rec, "企业编码", v["company_code"])
    elif name in ("scores", "namings"):
        _candidate(ctx, rec, v["category"], v["candidate_code"])
        if name == "scores":
            _need(ctx, rec, "评分组织编码", v["scorer_code"], ORG_T)
    elif name == "incidents":
        _incident_target(ctx, rec, v["target_code"])
    elif name == "funding" and _need(ctx, rec, "组织编码", v["org_code"], ORG_T):
        kind = ctx.org_kind(v["org_code"])
        if kind is not None and kind not in PARTY_SIDE_KINDS:
            _ref_error(ctx, rec, "组织编码", v["org_code"],
                       f"经费只能拨给党组织（该编码是{ORG_KIND_ZH.get(kind, kind)}）",
                       f"funding goes to a party organisation (this code is a {kind})")


def _known_fast(ctx: _Context, table: str, code: str) -> bool:
    """:meth:`_Context.known` for an anchor table that was read (the usual case)."""
    return (code in ctx.scan.sigs.get(table, ()) or code in ctx.state.sigs.get(table, ())
            or code in ctx.scan.broken or table not in ctx.scan.present)


def _people_refs(table: Table, rec: Record, ctx: _Context) -> None:
    """:func:`_check_refs` of a person (1.2 M at province), same checks, same order."""
    v = rec.values
    code = v["party_org_code"]
    if code and not _known_fast(ctx, ORG_T, code):
        _ref_error(ctx, rec, "党组织编码", code, *_NOT_FOUND)
    code = v["home_code"]
    if code and not _known_fast(ctx, UNIT_T, code):
        _ref_error(ctx, rec, "居住单位编码", code, *_NOT_FOUND)


def _post_refs(table: Table, rec: Record, ctx: _Context) -> None:
    """:func:`_check_refs` of a post or a visit, same checks, same order."""
    v = rec.values
    code = v["person"]
    if code and not _known_fast(ctx, PERSON_T, code):
        _ref_error(ctx, rec, "人员编码", code, *_NOT_FOUND)
    code = v["org"]
    if code and not _known_fast(ctx, ORG_T, code):
        _ref_error(ctx, rec, "组织编码", code, *_NOT_FOUND)


#: The tables whose references :func:`_scan_table` checks with a specialised function.
_REF_CHECKS = {"people": _people_refs, "posts": _post_refs, "visits": _post_refs}


def _candidate(ctx: _Context, rec: Record, category: str, code: str) -> None:
    """A 评分/命名 candidate of the category's kind (evaluation_rules.CANDIDATE_KINDS)."""
    zh = CATEGORY_ZH[category]
    kind, detail = CANDIDATE_KINDS[category]
    if kind == "person":
        if not ctx.has(PERSON_T, code):
            _ref_error(ctx, rec, "对象编码", code, f"{zh}的评选对象应为人员，人员表中没有该编码",
                       f"a {category} candidate is a person; no person has this code")
        return
    if kind == "unit":
        level = ctx.unit_level(code)
        if level != detail and code not in ctx.scan.broken:
            _ref_error(ctx, rec, "对象编码", code,
                       f"{zh}的评选对象应为小区（含商圈楼宇）单位",
                       f"a {category} candidate is a compound unit (商圈楼宇 included)")
        return
    org_kind = ctx.org_kind(code)
    if org_kind != detail and code not in ctx.scan.broken:
        want = ORG_KIND_ZH[detail or ""]
        _ref_error(ctx, rec, "对象编码", code, f"{zh}的评选对象应为{want}",
                   f"a {category} candidate is a {detail}")


#: 事件 targets: a company, a compound, an owners' committee or a person (docs/registry.md).
_INCIDENT_ORG_KINDS = (COMPANY_KIND, "owners_committee")


def _incident_target(ctx: _Context, rec: Record, code: str) -> None:
    if code in ctx.scan.broken or ctx.org_kind(code) in _INCIDENT_ORG_KINDS:
        return
    if ctx.unit_level(code) == "compound" or ctx.has(PERSON_T, code):
        return
    _ref_error(ctx, rec, "对象编码", code,
               "事件对象应为物业服务企业、小区、业主委员会或人员",
               "an incident's subject is a property company, a compound, an owners' "
               "committee or a person")


def _check_units(ctx: _Context) -> None:
    """References and level rules of every unit row; one city root; no cycles."""
    scan = ctx.scan
    cities: list[Record] = []
    for rec in scan.units.values():
        if rec.deleted:
            continue
        level, parent = rec.values["level"], rec.values["parent_code"]
        if level == "city":
            cities.append(rec)
        if not parent:
            if level != "city":
                _ref_error(ctx, rec, "上级单位编码", "", "只有市级单位可以没有上级单位",
                           "only a city may have no parent unit")
            continue
        if not _need(ctx, rec, "上级单位编码", parent, UNIT_T):
            continue
        parent_level = ctx.unit_level(parent)
        want = _parent_level(level)
        if parent_level is not None and parent_level != want:
            if want is None:
                zh, en = "市级单位不能有上级单位", "a city has no parent unit"
            else:
                zh = f"上级单位层级不符：{_ZH[level]}的上级应为{_ZH[want]}"
                en = f"wrong parent level: a {level}'s parent must be a {want}"
            _ref_error(ctx, rec, "上级单位编码", parent, zh, en)
    _check_city_root(ctx, cities)
    parents = {c: ctx.state.units[c].parent_code for c in ctx.state.units}
    if not ctx.incremental:
        parents = {}
    for code, rec in scan.units.items():
        parents[code] = None if rec.deleted else rec.values["parent_code"]
    for rec in _cycle_records(parents, scan.units):
        _ref_error(ctx, rec, "上级单位编码", rec.values["parent_code"], "上级单位关系成环",
                   "the parent units form a cycle")


_ZH = {"city": "市", "district": "区", "street": "街道", "community": "社区", "compound": "小区"}


def _parent_level(level: str) -> str | None:
    i = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[i - 1] if i > 0 else None


def _check_city_root(ctx: _Context, cities: list[Record]) -> None:
    scan = ctx.scan
    roots = [c.key for c in cities]
    if ctx.incremental:
        for rec in scan.units.values():
            info = ctx.state.units.get(rec.key)
            if info is not None and info.level == "city" and (
                    rec.deleted or rec.values["level"] != "city"):
                _ref_error(ctx, rec, "单位编码", rec.key, "增量导出不能撤销或改变市级根单位",
                           "an incremental export cannot retire or demote the city root")
        deleted = {k for k, r in scan.units.items() if r.deleted}
        graph_cities = [
            c for c, info in ctx.state.units.items()
            if info.level == "city" and not is_retired(ctx.state.sigs.get(UNIT_T, {}).get(c, ""))
            and c not in deleted and c not in roots
        ]
        roots = graph_cities + roots
    elif not cities:
        scan.errors.append(_err(UNIT_T, None, "层级", None, "全量导出须有一个市级根单位",
                                "a full export needs exactly one city (the root unit)"))
        return
    extra = [c for c in cities if c.key != roots[0]]
    for rec in extra:
        _ref_error(ctx, rec, "层级", "市", "一个导出只能有一个市级根单位",
                   "an export has exactly one city root; this is a second one")


def _cycles(parents: dict[str, str | None]) -> set[str]:
    """Codes on a cycle of the parent map (iterative colouring, linear time)."""
    state: dict[str, int] = {}
    on_cycle: set[str] = set()
    for start in parents:
        path: list[str] = []
        node: str | None = start
        while node is not None and node in parents and state.get(node, 0) == 0:
            state[node] = 1
            path.append(node)
            node = parents[node]
        if node is not None and state.get(node) == 1:
            on_cycle.update(path[path.index(node):])
        for n in path:
            state[n] = 2
    return on_cycle


def _cycle_records(parents: dict[str, str | None], records: dict[str, Record]) -> list[Record]:
    """The export's records on a cycle, in row order."""
    found = [records[c] for c in _cycles(parents) if c in records and not records[c].deleted]
    return sorted(found, key=lambda r: r.row)


def _check_orgs(ctx: _Context) -> None:
    scan = ctx.scan
    for rec in scan.orgs.values():
        if rec.deleted:
            continue
        v = rec.values
        _need(ctx, rec, "所在单位编码", v["unit_code"], UNIT_T)
        if v["parent_code"]:
            if v["kind"] not in PARTY_SIDE_KINDS:
                _ref_error(ctx, rec, "隶属组织编码", v["parent_code"], "只有党组织填写隶属组织编码",
                           "only party organisations have an affiliation parent (隶属组织编码)")
            else:
                _need(ctx, rec, "隶属组织编码", v["parent_code"], ORG_T)
        for code in v["built_in_codes"]:
            _need(ctx, rec, "依托主体编码", code, UNIT_T, ORG_T)
    parents = dict(ctx.state.org_parents) if ctx.incremental else {}
    for code, rec in scan.orgs.items():
        parents[code] = None if rec.deleted else rec.values["parent_code"]
    for rec in _cycle_records(parents, scan.orgs):
        _ref_error(ctx, rec, "隶属组织编码", rec.values["parent_code"], "隶属关系成环",
                   "the affiliation parents form a cycle")
