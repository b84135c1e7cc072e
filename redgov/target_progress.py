"""Progress against the phase targets (R21) at every published snapshot, with a projection.

Each target's metric is measured at each published snapshot up to the one asked for (its
date is the as-of date), so the trend is what the registry said at each point in time, not
a history rebuilt from today's records:

- ``new_party_orgs``: active 党委/党总支/党支部 of the target's 组建方式 built in a compound
  (商圈楼宇 included: it is a compound type), founded between ``start`` and the earlier of
  the snapshot date and ``due`` (by 成立日期);
- ``managed_coverage``: of the compounds with an active 物业服务 contract of an active
  company, the share covered by R1 — a party organisation, or a guided party work group
  (``compounds_without_branch``'s 工作覆盖, so the definition is the catalog's);
- ``funding_rate``: ``funding_guarantee``'s share of organisations at their floor, for the
  snapshot date's year;
- ``named``: 命名 records of the category dated between ``start`` and the earlier of the
  snapshot date and ``due``.

The projection is the least-squares line over the snapshots dated on or before the due
date, evaluated at the due date (:func:`redgov.targets.project`); a count never projects
below what it has reached, a rate stays within 0…1.  The status compares the latest value
and the projection with the target (:func:`redgov.targets.status_of`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from .graph import scope as scoping
from .graph.cypher import cypher
from .graph.display import format_rate
from .graph.snapshots import Snapshot, list_snapshots
from .graph.stores.base import Store
from .queries import run_question
from .queries.runner import choose_snapshot, unknown_scope
from .targets import STATUS, Target, metric_text, project, status_of

__all__ = ["HEADERS", "METHOD", "Progress", "measure", "present", "progress", "trend_table"]

#: How the projection is made, for every output that shows one.
METHOD: Final = {
    "zh": "预测方法：对各已发布快照的指标值按快照日期做最小二乘直线拟合"
          "（只用截止日期及以前的快照），取截止日期处的值；个数不低于已达到的数，比例限定在0至100%；少于两个快照时不预测。",
    "en": "Projection: a least-squares line through the values at the published snapshots "
          "(those dated on or before the due date) against their dates, read at the due "
          "date; a count never below what it has reached, a rate within 0–100%; no "
          "projection from fewer than two snapshots.",
}

_PARTY = "['party_committee', 'general_branch', 'party_branch']"
NEW_ORGS = cypher(
    "progress.new_party_orgs",
    f"""
MATCH (po:Organisation)-[b:BUILT_IN]->(c:Unit {{level: 'compound'}})
WHERE @current(po) AND po.status = 'active' AND po.kind IN {_PARTY}
  AND po.formation = $formation AND @live(b) AND @current(c) AND @in_scope(c)
  AND po.founded IS NOT NULL AND po.founded >= $start AND po.founded <= $end
RETURN count(DISTINCT po.code) AS orgs
""",
)
MANAGED = cypher(
    "progress.managed_compounds",
    f"""
MATCH (co:Organisation {{kind: 'property_company'}})
      -[k:MANAGES]->(c:Unit {{level: 'compound'}})
WHERE @current(co) AND co.status = 'active' AND @active(k) AND @current(c) AND @in_scope(c)
WITH DISTINCT c
OPTIONAL MATCH (po:Organisation)-[pb:BUILT_IN]->(c)
WITH c, count(CASE WHEN po.kind IN {_PARTY} AND @live(pb) AND @current(po)
                    AND po.status = 'active' THEN 1 END) > 0 AS has_party_org
RETURN c.code AS compound_code, has_party_org
ORDER BY compound_code
""",
)
NAMED = cypher(
    "progress.named",
    """
MATCH (t)-[nr:NAMED]->(n:Naming)
WHERE @live(nr) AND @current(n) AND n.category = $category
  AND coalesce(n.date, toString(n.year) + '-12-31') >= $start
  AND coalesce(n.date, toString(n.year) + '-12-31') <= $end
OPTIONAL MATCH (t)-[s:SITS_AT|LIVES_IN]->(home:Unit)
WITH n, t, collect(CASE WHEN @live(s) THEN home END) AS homes
WITH n, CASE WHEN t.level IS NOT NULL THEN t ELSE head(homes) END AS place
WHERE $scope IS NULL OR (place IS NOT NULL AND @in_scope(place))
RETURN count(n) AS named
""",
)

@dataclass
class Progress:
    """One target's standing at the chosen snapshot and its trend over the snapshots."""

    target: Target
    value: float | None
    projected: float | None
    status: str
    trend: list[tuple[str, float | None]] = field(default_factory=list)

    @property
    def share(self) -> float | None:
        """value / target (4 decimals), how far along the target is."""
        if self.value is None:
            return None
        return round(self.value / self.target.target, 4)

    def to_json(self) -> dict[str, Any]:
        return {**self.target.to_json(), "value": self.value, "share": self.share,
                "projected": self.projected, "status": self.status,
                "trend": [{"date": d, "value": v} for d, v in self.trend]}

def _window_end(target: Target, on: date) -> str:
    return min(on, target.due).isoformat()

def measure(store: Store, target: Target, snapshot: Snapshot, scope: str | None) -> float | None:
    """The target's metric at one published snapshot (None: nothing to measure, e.g. a rate
    over no compound)."""
    assert snapshot.date is not None
    on = date.fromisoformat(snapshot.date)
    base = {"snapshot": snapshot.ordinal, "scope": scope, "as_of": snapshot.date}
    if target.metric in ("new_party_orgs", "named"):
        assert target.start is not None
        if on < target.start:
            return 0
        window = {"start": target.start.isoformat(), "end": _window_end(target, on)}
        if target.metric == "new_party_orgs":
            rows = store.read(NEW_ORGS, {**base, **window, "formation": target.formation})
            return int(rows[0]["orgs"]) if rows else 0
        rows = store.read(NAMED, {**base, **window, "category": target.category})
        return int(rows[0]["named"]) if rows else 0
    if target.metric == "managed_coverage":
        managed = store.read(MANAGED, base)
        if not managed:
            return None
        work = {r["compound_code"] for r in run_question(
            store, "compounds_without_branch", {"scope": scope}, snapshot=snapshot).rows
            if r["finding"] == "工作覆盖"}
        covered = sum(1 for r in managed if r["has_party_org"] or r["compound_code"] in work)
        return round(covered / len(managed), 4)
    rows = run_question(store, "funding_guarantee", {"scope": scope, "year": on.year},
                        snapshot=snapshot).rows
    if not rows:
        return None
    return round(sum(1 for r in rows if r["guaranteed"]) / len(rows), 4)

def progress(store: Store, targets: Sequence[Target], *, scope: str | None = None,
             snapshot: Snapshot | str | None = None,
             account_scope: str | None = None) -> tuple[list[Progress], Snapshot | None]:
    """Every target's progress at ``snapshot`` (default the latest) and the snapshot used.

    ``account_scope`` (a dashboard account's unit) narrows ``scope`` as every catalog
    question does; a unit outside it, or one that does not exist, is a :class:`ParamError`.
    """
    chosen = choose_snapshot(store, snapshot)
    if chosen is None:
        return [Progress(t, None, None, "no_trend") for t in targets], None
    if scope is not None or account_scope is not None:
        try:
            scope = scoping.intersect(store, account_scope, scope, snapshot=chosen.ordinal)
        except scoping.OutOfScope:
            raise unknown_scope(scope) from None
        if scope is not None and scoping.resolve(store, scope, snapshot=chosen.ordinal) is None:
            raise unknown_scope(scope)
    history = [s for s in list_snapshots(store.read)
               if s.ordinal <= chosen.ordinal and s.date is not None]
    out: list[Progress] = []
    for t in targets:
        trend: list[tuple[str, float | None]] = [
            (s.date, measure(store, t, s, scope)) for s in history if s.date is not None]
        known = [(date.fromisoformat(d), v) for d, v in trend if v is not None]
        value = known[-1][1] if known and trend[-1][1] is not None else None
        projected = project(t, known)
        on = date.fromisoformat(chosen.date) if chosen.date else date.today()
        out.append(Progress(t, value, projected, status_of(t, value, projected, on), trend))
    return out, chosen


#: The progress table's headers (Chinese, English), in column order.
HEADERS: Final = (
    ("目标", "target"), ("指标", "metric"), ("起算日期", "start"), ("截止日期", "due"),
    ("目标值", "target value"), ("当前值", "value"), ("完成比例", "share done"),
    ("截止日预测值", "projected at due date"), ("判断", "status"), ("依据", "source"),
)


def _figure(target: Target, value: float | None, lang: str) -> str:
    if value is None:
        return ""
    if target.is_rate:
        return format_rate(value, lang)
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def present(rows: Sequence[Progress], lang: str = "zh") -> tuple[list[str], list[list[Any]]]:
    """The progress rows in words: rates as percentages, the status in Chinese (or English)."""
    headers = [en if lang == "en" else zh for zh, en in HEADERS]
    cells = []
    for p in rows:
        t = p.target
        zh, en = STATUS[p.status]
        cells.append([t.name, metric_text(t, lang), t.start.isoformat() if t.start else "",
                      t.due.isoformat(), _figure(t, t.target, lang), _figure(t, p.value, lang),
                      format_rate(p.share, lang), _figure(t, p.projected, lang),
                      en if lang == "en" else zh, t.source])
    return headers, cells


def trend_table(rows: Sequence[Progress], lang: str = "zh") -> tuple[list[str], list[list[Any]]]:
    """One row per target and snapshot: the values the projection is fitted to."""
    headers = (["target", "snapshot date", "value"] if lang == "en"
               else ["目标", "快照日期", "指标值"])
    return headers, [[p.target.name, d, _figure(p.target, v, lang)]
                     for p in rows for d, v in p.trend]
