"""``redgov evaluate``: one year's 示范创建 evaluation of one category (seed 004, R16–R19).

    redgov evaluate 示范项目 --year 2024 [--scope CODE] [--snapshot D|RUN] [--quota N]
                    [--format table|json|csv|xlsx] [--out FILE] [--lang en]

One row per candidate: rank among the eligible, total, each criterion (mean over scorers),
the criteria nobody scored, eligibility with every reason and the fact behind it (table,
row, sync run), whether the rank is within the year's quota, whether it was named.  Table,
CSV and XLSX are in Chinese (``--lang en``: English); JSON keeps the machine codes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..graph.display import display, format_date
from ..graph.evaluation_rules import CATEGORIES
from ..output import render_cells, to_json, write_xlsx
from ..queries.evaluation import EvaluationResult
from ..queries.evaluation import evaluate as run_evaluation
from ..queries.runner import ParamError
from .common import (
    chosen_snapshot,
    lang_option,
    opened_store,
    say,
    snapshot_option,
    store_option,
    timeout_option,
)

__all__ = ["COMMANDS", "evaluate", "evaluation_table", "evidence_text"]

_FORMATS = ("table", "json", "csv", "xlsx")


def evidence_text(fact: dict[str, Any], lang: str = "zh") -> str:
    """One fact in words, e.g. ``物业企业近两年安全事故：事件 第4行 CO4 2024-02-01 外墙维修坠落``.

    The record's identity is shown by its subject's code only (an incident's key also
    holds its kind's machine code, which the reason already says in words).
    """
    reason = display(fact["reason"], lang, "disqualifier")
    where = fact["table"] or ""
    if fact.get("row") is not None:
        where += say(lang, f" 第{fact['row']}行", f" row {fact['row']}")
    subject = str(fact.get("key") or "").split("|", 1)[0]
    parts = [p for p in (where, subject, format_date(fact.get("date")), fact.get("note")) if p]
    return f"{reason}：{' '.join(str(p) for p in parts)}" if lang != "en" else \
        f"{reason}: {' '.join(str(p) for p in parts)}"


def evaluation_table(result: EvaluationResult, lang: str = "zh"
                     ) -> tuple[list[str], list[list[Any]]]:
    """Headers and cells for people (Chinese by default)."""
    crit = [display(c, lang, "criterion") for c in result.criteria]
    headers = [*(say(lang, zh, en) for zh, en in (
        ("名次", "rank"), ("对象编码", "code"), ("对象名称", "name"), ("总分", "total"))),
        *crit,
        *(say(lang, zh, en) for zh, en in (
            ("未评指标", "not scored"), ("可参评", "eligible"),
            ("不得参评情形", "disqualified by"), ("依据", "evidence"),
            ("名额内", "within quota"), ("已命名", "named"), ("区县", "district")))]
    cells: list[list[Any]] = []
    for r in result.rows:
        cells.append([
            r.rank if r.rank is not None else "", r.code, r.name or "", f"{r.total:.1f}",
            *(f"{r.scores[c]:.1f}" for c in result.criteria),
            "、".join(display(c, lang, "criterion") for c in r.missing),
            display(r.eligible, lang),
            "、".join(display(c, lang, "disqualifier") for c in r.disqualified_by),
            "；".join(evidence_text(f, lang) for f in r.evidence),
            display(r.within_quota, lang), display(r.named, lang),
            r.place.get("district_name") or "",
        ])
    return headers, cells


def _title(result: EvaluationResult, lang: str) -> str:
    snap = result.snapshot
    if snap is None:
        at = say(lang, "尚无快照", "no snapshot yet")
    else:
        at = say(lang, f"快照 {snap.ordinal}（{snap.date}）",
                 f"snapshot {snap.ordinal} ({snap.date})")
    kind = display(result.category, lang, "eval_category")
    return say(
        lang,
        f"{result.year} 年度{kind}评选 — {at}，名额 {result.quota}，参评 {len(result.rows)}，"
        f"可参评 {result.eligible_count}，已命名 {result.named_count}",
        f"{kind} {result.year} — {at}, quota {result.quota}, candidates {len(result.rows)}, "
        f"eligible {result.eligible_count}, named {result.named_count}",
    )


@click.command()
@click.argument("kind", metavar="KIND")
@click.option("--year", type=int, required=True, help="The evaluation year (年度).")
@click.option("--scope", default=None, metavar="CODE",
              help="Only candidates in this unit's subtree.")
@snapshot_option
@click.option("--quota", type=click.IntRange(min=0), default=None,
              help="The year's quota (default: the seed's 30/10/10/50).")
@click.option("--format", "fmt", type=click.Choice(_FORMATS), default=None,
              help="table (default), json, csv or xlsx (xlsx needs --out).")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to FILE instead of standard output.")
@lang_option
@store_option
@timeout_option
def evaluate(kind: str, year: int, scope: str | None, snapshot_spec: str | None,
             quota: int | None, fmt: str | None, out: Path | None, lang: str,
             store_spec: str | None, timeout: float | None) -> None:
    """Evaluate KIND (示范项目, 示范企业, 最美业委会, 最美物业人 or project, company,
    committee, person) for --year: scores, eligibility with evidence, rank, quota."""
    fmt = fmt or ("xlsx" if out is not None and out.suffix.lower() == ".xlsx" else "table")
    if fmt == "xlsx" and out is None:
        raise click.UsageError(say(lang, "--format xlsx 需要 --out 文件名",
                                   "--format xlsx needs --out FILE"))
    with opened_store(store_spec, timeout=timeout) as store:
        snapshot = chosen_snapshot(store, snapshot_spec)
        try:
            result = run_evaluation(store, kind, year, scope=scope, snapshot=snapshot,
                                    quota=quota)
        except ParamError as exc:
            raise click.UsageError(exc.text(lang)) from None
    if fmt == "json":
        text = to_json(result.to_json())
    elif fmt == "xlsx":
        assert out is not None
        headers, cells = evaluation_table(result, lang)
        sheet = display(result.category, lang, "eval_category")
        write_xlsx(out, [(f"{sheet}{result.year}", headers, cells)], lang)
        click.echo(say(lang, f"已写出 {len(cells)} 行：{out}", f"wrote {len(cells)} rows to {out}"))
        return
    else:
        headers, cells = evaluation_table(result, lang)
        text = render_cells(headers, cells, fmt)
        if fmt == "table":
            text = f"{_title(result, lang)}\n{text}"
    if out is not None:
        encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
        out.write_text(text if text.endswith("\n") else text + "\n", encoding=encoding)
        click.echo(say(lang, f"已写出 {len(result.rows)} 行：{out}",
                       f"wrote {len(result.rows)} rows to {out}"), err=True)
    else:
        click.echo(text, nl=not text.endswith("\n"))


#: The Chinese categories, for help texts and the guide.
KIND_CHOICES = tuple(CATEGORIES)
COMMANDS = [evaluate]
