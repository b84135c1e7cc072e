"""``redgov targets``: the phase targets (分步部署, R21) and the progress against them.

    redgov targets [--scope CODE] [--snapshot S] [--file F] [--format table|json|csv|xlsx]
    redgov targets show [--file F] [--format table|json]     # the targets in effect
    redgov targets edit [--from FILE]                         # the city's own targets

The targets are data (:mod:`redgov.targets`): the seed's defaults ship with redgov, a city
keeps its own file in the data directory (``edit`` creates it from the defaults, opens it
in ``$EDITOR`` — or takes ``--from FILE`` — and keeps it only when it is valid).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..graph.home import write_private
from ..output import render_cells, to_json
from ..queries import ParamError
from ..queries.runner import snapshot_json
from ..report import report_context
from ..selection_report import write_tables
from ..target_progress import METHOD, present, progress, trend_table
from ..targets import (
    DEFAULT_FILE,
    MAX_BYTES,
    TargetError,
    city_file,
    load_targets,
    metric_text,
    parse_targets,
)
from .common import chosen_snapshot, lang_option, opened_store, say, store_option, timeout_option

__all__ = ["COMMANDS", "targets"]

_FORMATS = ("table", "json", "csv", "xlsx")
file_option = click.option(
    "--file", "file", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="A targets file to use instead of the city's own (else the shipped defaults).")


def _load(file: Path | None, lang: str) -> tuple[list[Any], Path]:
    try:
        return load_targets(file)
    except TargetError as exc:
        raise click.ClickException(exc.text(lang)) from None


def _where(path: Path, lang: str) -> str:
    if path == DEFAULT_FILE:
        return say(lang, f"默认目标（{path}）", f"the shipped defaults ({path})")
    return str(path)


@click.group(invoke_without_command=True)
@click.option("--scope", default=None, metavar="CODE", help="Only this unit's subtree.")
@click.option("--snapshot", "snapshot_spec", default=None, metavar="DATE|RUN_ID",
              help="Progress as of this published snapshot (default: the latest); the trend "
              "uses every snapshot up to it.")
@file_option
@click.option("--format", "fmt", type=click.Choice(_FORMATS), default="table",
              show_default=True, help="xlsx needs --out.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to FILE instead of standard output.")
@lang_option
@store_option
@timeout_option
@click.pass_context
def targets(ctx: click.Context, scope: str | None, snapshot_spec: str | None,
            file: Path | None, fmt: str, out: Path | None, lang: str,
            store_spec: str | None, timeout: float | None) -> None:
    """Progress against the phase targets (分步部署推进) at the chosen snapshot, with each
    target's trend over the published snapshots and its projection to the due date."""
    if ctx.invoked_subcommand is not None:
        return
    if fmt == "xlsx" and out is None:
        raise click.UsageError(say(lang, "--format xlsx 需要 --out 文件名",
                                   "--format xlsx needs --out FILE"))
    goals, source = _load(file, lang)
    with opened_store(store_spec, timeout=timeout) as store:
        snapshot = chosen_snapshot(store, snapshot_spec)
        try:
            rows, chosen = progress(store, goals, scope=scope, snapshot=snapshot)
        except ParamError as exc:
            raise click.UsageError(exc.text(lang)) from None
        cover = report_context(store, chosen, chosen.date if chosen else None,
                               scope) if fmt == "xlsx" else None
    if fmt == "json":
        text = to_json({"snapshot": snapshot_json(chosen), "scope": scope,
                        "file": str(source), "method": METHOD["en"],
                        "targets": [p.to_json() for p in rows]})
    elif fmt == "xlsx":
        assert out is not None
        headers, cells = present(rows, lang)
        t_headers, t_cells = trend_table(rows, lang)
        facts = [(say(lang, "目标文件", "Targets file"), _where(source, lang)),
                 (say(lang, "预测方法", "Projection"), METHOD[lang])]
        write_tables(out, say(lang, "分步部署推进目标进度表", "Phase targets progress"), facts,
                     [(say(lang, "目标进度", "Progress"), headers, cells, {}),
                      (say(lang, "趋势", "Trend"), t_headers, t_cells, {})], ["004"], lang,
                     ctx=cover)
        click.echo(say(lang, f"已写出 {len(rows)} 项目标：{out}",
                       f"wrote {len(rows)} targets to {out}"))
        return
    else:
        text = render_cells(*present(rows, lang), fmt)
        if fmt == "table":
            when = chosen.date if chosen else say(lang, "尚无快照", "no snapshot yet")
            text = (say(lang, f"快照：{when}；目标文件：{_where(source, lang)}",
                        f"snapshot: {when}; targets file: {_where(source, lang)}")
                    + "\n" + text + "\n" + METHOD[lang])
    if out is not None:
        encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
        out.write_text(text if text.endswith("\n") else text + "\n", encoding=encoding)
        click.echo(say(lang, f"已写出 {len(rows)} 项目标：{out}",
                       f"wrote {len(rows)} targets to {out}"), err=True)
    else:
        click.echo(text, nl=not text.endswith("\n"))


@targets.command("show")
@file_option
@click.option("--format", "fmt", type=click.Choice(("table", "json")), default="table",
              show_default=True)
@lang_option
def show(file: Path | None, fmt: str, lang: str) -> None:
    """The targets in effect and the file they come from."""
    goals, source = _load(file, lang)
    if fmt == "json":
        click.echo(to_json({"file": str(source), "targets": [t.to_json() for t in goals]}))
        return
    headers = (["id", "name", "metric", "start", "due", "target", "source"] if lang == "en"
               else ["编号", "目标", "指标", "起算日期", "截止日期", "目标值", "依据"])
    cells = [[t.id, t.name, metric_text(t, lang), t.start.isoformat() if t.start else "",
              t.due.isoformat(),
              f"{t.target:.0%}" if t.is_rate else str(t.target), t.source] for t in goals]
    click.echo(say(lang, f"目标文件：{_where(source, lang)}", f"targets file: "
                   f"{_where(source, lang)}"))
    click.echo(render_cells(headers, cells, "table"))


@targets.command("edit")
@click.option("--from", "source", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              default=None, help="Take this file (checked first) instead of opening an editor.")
@lang_option
def edit(source: Path | None, lang: str) -> None:
    """Edit the city's own targets (created from the defaults); kept only when valid."""
    own = city_file()
    if source is not None:
        if source.stat().st_size > MAX_BYTES:
            raise click.ClickException(say(lang, f"{source} 过大（上限 {MAX_BYTES} 字节）",
                                           f"{source} is too large (limit {MAX_BYTES} bytes)"))
        text = source.read_bytes().decode("utf-8-sig", errors="replace")
        where = str(source)
    else:
        before = own.read_text("utf-8") if own.is_file() else DEFAULT_FILE.read_text("utf-8")
        edited = click.edit(before, extension=".toml", require_save=True)
        if edited is None:
            click.echo(say(lang, "未修改，目标不变", "not changed; the targets stay as they were"))
            return
        text, where = edited, str(own)
    try:
        goals = parse_targets(text, where)
    except TargetError as exc:
        raise click.ClickException(exc.text(lang) + "\n" + say(
            lang, "本市目标文件未改动。", "The city's targets file was not changed.")) from None
    if own.is_file():
        write_private(own.with_suffix(".toml.bak"), own.read_text("utf-8"))
    write_private(own, text)
    click.echo(say(lang, f"已保存 {len(goals)} 项目标：{own}",
                   f"saved {len(goals)} targets: {own}"))


COMMANDS = [targets]
