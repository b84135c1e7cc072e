"""``redgov demo``: generate the synthetic registry export, sync it, show what was built.

The export goes through the real loader (``sync_export``), so the demo graph is exactly
what a registry clerk's export of that shape would give.  Without ``--export-only`` the
files are written to ``<data dir>/demo/<scale>-seed<N>`` and kept there: the same seed
writes the same bytes, so running ``redgov demo`` again reports ``unchanged``.

``--history N`` writes N monthly full exports with realistic churn (:mod:`..loaders.demo.
history`) into dated folders and syncs them in order, so the graph holds N published
snapshots from the first command (the overview's trend has something to show).
"""

from __future__ import annotations

import os
import sys
import unicodedata
from pathlib import Path
from typing import Any

import click

from ..graph.display import display
from ..graph.home import PRIVATE_UMASK, data_dir
from ..graph.introspection import graph_counts
from ..graph.stores import StoreError
from ..loaders.demo import SCALES, DemoSummary, generate
from ..loaders.demo.figures import graph_figures
from ..loaders.demo.history import MAX_MONTHS, Month, generate_history
from ..loaders.demo.summary import SCALE_ZH
from ..loaders.progress import phase
from ..output import to_json
from ..progress import done, progress_option, shown
from .common import lang_option, opened_store, say, store_option


def _generate(target: Path, scale: str, seed: int, *, private: bool,
              months: int = 1) -> tuple[DemoSummary, list[Month]]:
    """Into the data directory the export is written private (0700 folders, 0600 files)
    like everything else there; ``--export-only`` writes where the user asked, as usual.
    One month: the single export in ``target``; more: one dated folder per month."""
    old = os.umask(PRIVATE_UMASK) if private else None
    try:
        if months == 1:
            summary = generate(target, scale=scale, seed=seed)
            return summary, []
        return generate_history(target, scale=scale, seed=seed, months=months)
    finally:
        if old is not None:
            os.umask(old)


_NEXT = (
    ("redgov dashboard", "在浏览器中查看图谱", "explore the graph in the browser"),
    ("redgov status", "节点、关系数和最近一次同步", "node and relation counts, last sync"),
    ("redgov audit --all --out 审计报告.xlsx", "全部审计问题写成一个工作簿",
     "every audit question in one workbook"),
)
#: The graph figures the demo prints, in the order of the summary above them.
_FIGURES = {
    "compounds": ("小区", "compounds"),
    "compound_branches": ("小区党组织", "compound party organisations"),
    "compounds_covered": ("党组织覆盖小区", "compounds covered"),
    "managed_compounds": ("专业化物业管理小区", "professionally managed"),
    "owners_committee_compounds": ("成立业委会的小区", "with an owners' committee"),
    "companies_with_party_org": ("建有党组织的物业企业", "companies with a party organisation"),
    "one_shoulder": ("书记主任“一肩挑”", "secretary is also chair"),
    "party_member_chairs": ("党员业委会主任", "party-member chairs"),
}


@click.command()
@click.option("--scale", type=click.Choice(list(SCALES)), default="district", show_default=True,
              help="district = Huli (湖里区) as published; city = Xiamen's 6 districts; "
              "province = ≥ 50,000 compounds, ≥ 1,000,000 people (for benchmarks).")
@click.option("--seed", type=int, default=1, show_default=True,
              help="Same seed → byte-identical export.")
@click.option("--export-only", "export_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Only write the export into this folder; do not sync.")
@click.option("--history", "months", type=click.IntRange(1, MAX_MONTHS), default=1,
              show_default=True,
              help="Generate and sync this many monthly full exports (month ends up to "
              "2024-12-31, about 2% churn a month): one published snapshot each.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@lang_option
@store_option
@progress_option
def demo(scale: str, seed: int, export_dir: Path | None, months: int, fmt: str, lang: str,
         store_spec: str | None, progress_mode: str) -> None:
    """Build the demo city: a synthetic registry export, synced into the graph."""
    if export_dir is not None and export_dir.exists() and not export_dir.is_dir():
        raise click.BadParameter(say(lang, "不是文件夹", "not a folder"),
                                 param_hint="--export-only")
    if months > 1:
        with shown(progress_mode, fmt, lang, runs=months):
            _history(scale, seed, months, export_dir, fmt, lang, store_spec)
        return
    with shown(progress_mode, fmt, lang):
        _demo(scale, seed, export_dir, fmt, lang, store_spec)


def _demo(scale: str, seed: int, export_dir: Path | None, fmt: str, lang: str,
          store_spec: str | None) -> None:
    target = export_dir or data_dir() / "demo" / f"{scale}-seed{seed}"
    with phase("generate"):
        summary, _ = _generate(target, scale, seed, private=export_dir is None)
    result: dict[str, object] = {"export": summary.to_dict()}
    if export_dir is not None:
        done()
        if fmt == "json":
            click.echo(to_json(result))
            return
        _print_summary(summary, lang)
        click.echo(say(lang, f"\n台账导出已写入 {target}（{summary.seconds:.1f} 秒），同步命令：",
                       f"\nexport written to {target} ({summary.seconds:.1f} s); sync it with:"))
        click.echo(f"  redgov sync {target}")
        return

    from ..loaders import sync_export  # the loader is only needed when syncing

    with opened_store(store_spec) as store:
        try:
            report = sync_export(store, target)
            with phase("figures"):
                figures = graph_figures(store, summary.snapshot_date) if report.status in (
                    "applied", "unchanged") else {}
                nodes, rels = graph_counts(store)
        except StoreError as exc:
            raise click.ClickException(say(lang, f"同步失败，未写入任何数据：{exc}",
                                           f"the sync failed and nothing was applied: {exc}")
                                       ) from None
    done()
    result.update(sync=report.to_json(), graph=figures, nodes=nodes, relations=rels)
    if fmt == "json":
        click.echo(to_json(result))
    else:
        _print_summary(summary, lang)
        _print_closing(report, target, figures, nodes, lang)
    if report.status not in ("applied", "unchanged"):
        sys.exit(1)


def _history(scale: str, seed: int, months: int, export_dir: Path | None, fmt: str,
             lang: str, store_spec: str | None) -> None:
    """``--history N``: N dated exports; without ``--export-only`` synced in order."""
    target = export_dir or data_dir() / "demo" / f"{scale}-seed{seed}-history{months}"
    with phase("generate"):
        summary, history = _generate(target, scale, seed, private=export_dir is None,
                                     months=months)
    result: dict[str, object] = {"export": summary.to_dict(), "history": [
        {"snapshot_date": m.snapshot.isoformat(), "out_dir": str(m.folder), "rows": m.rows,
         "churn": dict(m.events)} for m in history]}
    if export_dir is not None:
        done()
        if fmt == "json":
            click.echo(to_json(result))
            return
        _print_summary(summary, lang)
        click.echo(say(lang, f"\n{months} 份月度台账导出已写入 {target}（{summary.seconds:.1f} 秒）"
                             "，按日期依次同步：",
                       f"\n{months} monthly exports written to {target} "
                       f"({summary.seconds:.1f} s); sync them in date order:"))
        for m in history:
            click.echo(f"  redgov sync {m.folder}")
        return

    from ..loaders.demo.replay import snapshot_lines, sync_history  # only when syncing

    lines: list[dict[str, Any]] = []
    with opened_store(store_spec) as store:
        try:
            reports = sync_history(store, history)
            report = reports[-1]
            ok = report.status in ("applied", "unchanged")
            with phase("figures"):
                if ok:
                    lines = snapshot_lines(store, history, reports)
                figures = graph_figures(store, summary.snapshot_date) if ok else {}
                nodes, _ = graph_counts(store)
        except StoreError as exc:
            raise click.ClickException(say(lang, f"同步失败：{exc}", f"the sync failed: {exc}")
                                       ) from None
    done()
    result.update(sync=[r.to_json() for r in reports], snapshots=lines, graph=figures,
                  nodes=nodes)
    if fmt == "json":
        click.echo(to_json(result))
    else:
        _print_summary(summary, lang)
        _print_closing(report, history[len(reports) - 1].folder, figures, nodes, lang,
                       lines)
    if not ok:
        sys.exit(1)


def _print_snapshots(lines: list[dict[str, Any]], lang: str) -> None:
    click.echo(say(lang, f"快照（{len(lines)} 个，按日期）：",
                   f"snapshots ({len(lines)}, by date):"))
    sep = ", " if lang == "en" else "，"
    for s in lines:
        status = display(s["status"], lang, "sync_status")
        changes = sep.join(f"{display(k, lang, 'change')} {v:,}" for k, v in s["changes"].items())
        graph = s["graph"]
        figures = sep.join(f"{say(lang, *_FIGURES[k])} {graph[k]}" for k in (
            "compounds", "compounds_covered", "owners_committee_compounds") if k in graph)
        took = say(lang, f"{status}（{s['seconds']:.1f} 秒）", f"{status} ({s['seconds']:.1f} s)")
        click.echo(f"  {s['snapshot_date']}  #{s['ordinal']}  {took}  {changes}  |  {figures}")


def _print_closing(report: Any, target: Path, figures: dict[str, Any],
                   nodes: dict[str, int], lang: str,
                   snapshots: list[dict[str, Any]] | None = None) -> None:
    """What was synced, what the graph now holds, and what to run next."""
    status = display(report.status, lang, "sync_status")
    sep = ", " if lang == "en" else "，"
    click.echo(say(lang, f"\n同步：{status}（{report.duration_s:.1f} 秒），来自 {target}",
                   f"\nsync: {status} ({report.duration_s:.1f} s) from {target}"))
    if report.errors:
        click.echo(say(lang, f"错误 {len(report.errors)} 条，未写入任何数据；前几条：",
                       f"{len(report.errors)} errors, nothing applied; the first ones:"))
        for e in report.errors[:20]:
            reason = e.reason_en if lang == "en" else e.reason_zh
            click.echo(f"  {e.table} {say(lang, '第', 'row ')}{e.row}{say(lang, '行', '')} "
                       f"{e.column}：{e.value} — {reason}")
    if figures:
        words = {k: say(lang, *v) for k, v in _FIGURES.items()}
        click.echo(say(lang, "图中：", "in the graph: ") + sep.join(
            f"{words.get(k, k)} {v}" for k, v in figures.items()))
        click.echo(say(lang, "节点：", "nodes: ") + sep.join(
            f"{display(k, lang, 'label')} {v}" for k, v in nodes.items()))
        if snapshots:
            _print_snapshots(snapshots, lang)
        click.echo(say(lang, "\n下一步：", "\nnext:"))
        width = max(_width(cmd) for cmd, _, _ in _NEXT)
        for cmd, zh, en in _NEXT:
            click.echo(f"  {cmd}{' ' * (width - _width(cmd))}  # {say(lang, zh, en)}")


def _print_summary(summary: DemoSummary, lang: str = "zh") -> None:
    if lang == "en":
        click.echo(f"demo {summary.scale}, seed {summary.seed}: snapshot "
                   f"{summary.snapshot_date}, {summary.districts} district(s)")
    else:
        scale = SCALE_ZH.get(summary.scale, summary.scale)
        click.echo(f"演示数据（{scale}规模，种子 {summary.seed}）：快照日期 "
                   f"{summary.snapshot_date}，{summary.districts} 个区县")
    lines = summary.headline(lang)
    width = max(_width(label) for label, _ in lines)
    for label, value in lines:
        click.echo(f"  {label}{' ' * (width - _width(label))}  {value}")


def _width(text: str) -> int:
    """Columns a terminal gives the text: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


COMMANDS = [demo]
