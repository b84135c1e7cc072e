"""``redgov diff`` (what changed between two snapshots) and ``redgov show`` (one record, its
place and its facts, each with its source).

    redgov diff --from 2024-01-01 --to 2024-06-30 [--scope CODE] [--level street]
                [--format table|json|xlsx] [--out FILE] [--lang zh|en]
    redgov show CODE [--snapshot S] [--as-of D] [--format table|json]

A snapshot is named by a date (the latest snapshot on or before it) or a run id, as for
``--snapshot``.  Tables and workbooks are in Chinese (``--lang en``: English); JSON keeps
the codes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from ..graph.snapshots import Snapshot, SnapshotNotFound, resolve
from ..graph.stores import Store
from ..loaders.progress import phase
from ..output import render_cells, to_json, write_xlsx
from ..progress import progress_option, shown
from ..queries.diff import DIFF_LEVELS, diff
from ..queries.facts import NotFound, read_subject
from ..queries.present_changes import (
    change_rows,
    diff_heading,
    fact_rows,
    figure_rows,
    subject_lines,
)
from ..queries.runner import ParamError
from .common import lang_option, opened_store, run_lang, say, store_option, timeout_option

__all__ = ["COMMANDS", "diff_command", "show", "snapshot_named"]


def snapshot_named(store: Store, spec: str | None, option: str, lang: str) -> Snapshot:
    """The published snapshot ``spec`` names, or a usage error saying what exists."""
    try:
        found = resolve(store.read, spec)
    except SnapshotNotFound as exc:
        raise click.UsageError(f"{option}: {exc}") from None
    if found is None:
        raise click.UsageError(say(lang, "没有已发布的快照：图中还没有同步过数据",
                                   "no published snapshot: nothing has been synced yet"))
    return found


@contextlib.contextmanager
def _usage_errors() -> Iterator[None]:
    try:
        yield
    except ParamError as exc:
        raise click.UsageError(exc.text(run_lang())) from None
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


@click.command("diff")
@click.option("--from", "first", required=True, metavar="SNAPSHOT",
              help="The earlier snapshot: a date (YYYY-MM-DD) or a run id.")
@click.option("--to", "second", required=True, metavar="SNAPSHOT",
              help="The later snapshot: a date or a run id.")
@click.option("--scope", default=None, metavar="CODE", help="Only this unit's subtree.")
@click.option("--level", type=click.Choice(DIFF_LEVELS), default="street", show_default=True,
              help="The units whose headline figures are compared.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "xlsx"]), default="table")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to FILE (needed for xlsx).")
@click.option("--all-figures", is_flag=True,
              help="List every figure of every unit, not only those that moved.")
@lang_option
@store_option
@timeout_option
@progress_option
def diff_command(first: str, second: str, scope: str | None, level: str, fmt: str,
                 out: Path | None, all_figures: bool, lang: str, store_spec: str | None,
                 timeout: float | None, progress_mode: str) -> None:
    """What changed between two snapshots: units and organisations added, retired or
    moved; posts begun and ended; affiliations, supervisions and contracts changed; and
    how each headline figure moved per unit at --level."""
    if fmt == "xlsx" and out is None:
        raise click.UsageError(say(lang, "--format xlsx 需要 --out 文件名",
                                   "--format xlsx needs --out FILE"))
    with opened_store(store_spec, timeout=timeout) as store:
        a = snapshot_named(store, first, "--from", lang)
        b = snapshot_named(store, second, "--to", lang)
        with _usage_errors(), shown(progress_mode, fmt, lang, writes=False), \
                phase("compare"):
            result = diff(store, a, b, level=level, scope=scope)
    moves = result.figures if all_figures else result.moves
    if fmt == "json":
        payload = result.to_json()
        if all_figures:
            payload["figures"] = [m.to_json() for m in moves]
        _emit(to_json(payload), out, lang)
        return
    sheets = [(say(lang, "指标变化", "figure moves"), *figure_rows(moves, lang)),
              (say(lang, "记录变化", "record changes"), *change_rows(result.changes, lang))]
    if fmt == "xlsx":
        assert out is not None
        cover = (say(lang, "说明", "about"), [say(lang, "比较", "comparison")],
                 [[diff_heading(result, lang)]])
        write_xlsx(out, [cover, *sheets], lang, cover_first=True)
        click.echo(say(lang, f"已写出：{out}", f"wrote {out}"))
        return
    parts = [diff_heading(result, lang)]
    for title, headers, cells in sheets:
        parts += ["", f"{title}（{len(cells)}）" if lang != "en" else f"{title} ({len(cells)})"]
        parts.append(render_cells(headers, cells, "table") if cells
                     else say(lang, "（无）", "(none)"))
    _emit("\n".join(parts), out, lang)


def _emit(text: str, out: Path | None, lang: str) -> None:
    if out is None:
        click.echo(text)
        return
    out.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    click.echo(say(lang, f"已写出：{out}", f"wrote {out}"), err=True)


@click.command()
@click.argument("code")
@click.option("--snapshot", default=None, metavar="DATE|RUN_ID",
              help="The snapshot to read (default: the latest).")
@click.option("--as-of", "as_of", default=None, metavar="DATE",
              help="Which posts, supervisions and contracts count as held (default: the "
                   "snapshot's date).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@lang_option
@store_option
@timeout_option
def show(code: str, snapshot: str | None, as_of: str | None, fmt: str, lang: str,
         store_spec: str | None, timeout: float | None) -> None:
    """A unit, organisation or person at a snapshot: its place in the hierarchy, its posts,
    members, affiliations, supervisions and contracts, each with its source (snapshot
    date, registry table and row, run)."""
    with opened_store(store_spec, timeout=timeout) as store:
        snap = snapshot_named(store, snapshot, "--snapshot", lang)
        if as_of is not None:
            as_of = _date(as_of, lang)
        try:
            subject = read_subject(store, code, snap, as_of)
        except NotFound:
            raise click.ClickException(say(
                lang, f"快照 {snap.date}（#{snap.ordinal}）中没有编码为 {code} 的单位、组织或人员",
                f"no unit, organisation or person with code {code} in snapshot {snap.date}"
            )) from None
    if fmt == "json":
        click.echo(to_json(subject.to_json()))
        return
    click.echo("\n".join(subject_lines(subject, lang)))
    click.echo("")
    click.echo(render_cells(*fact_rows(subject.facts, lang), "table") if subject.facts
               else say(lang, "（无）", "(none)"))


def _date(value: str, lang: str) -> str:
    from datetime import date

    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise click.UsageError(say(lang, f"--as-of {value!r} 不是日期（YYYY-MM-DD）",
                                   f"--as-of {value!r} is not a date (YYYY-MM-DD)")) from None


def explain_text(store: Store, name: str, key: str, values: dict[str, Any], fmt: str,
                 lang: str, snapshot: str | None = None) -> str:
    """``redgov audit NAME --explain KEY [--snapshot S]``: the row and the facts that
    produced it, at the snapshot the answer was read from."""
    from ..queries.explain import explain
    from ..queries.present import present_rows

    snap = snapshot_named(store, snapshot, "--snapshot", lang)
    with _usage_errors():
        found = explain(store, name, key, values, snapshot=snap)
    if fmt == "json":
        return to_json(found.to_json())
    header, cells = present_rows(found.question, found.rows, lang, {})
    colon = ": " if lang == "en" else "："
    lines = [f"{found.question.title(lang)} · {key}" if lang != "en"
             else f"{found.question.title(lang)} ({name}) · {key}"]
    for row, raw in zip(cells, found.rows, strict=True):
        verdict = say(lang, "问题", "finding") if found.question.is_finding(raw) \
            else say(lang, "非问题", "not a finding")
        lines.append(f"{say(lang, '结论', 'verdict')}{colon}{verdict}")
        lines += [f"  {h}{colon}{v}" for h, v in zip(header, row, strict=True)
                  if v not in ("", None)]
    lines += ["", *subject_lines(found.subject, lang), "",
              say(lang, "依据（事实与来源）", "evidence (facts and their sources)"),
              render_cells(*fact_rows(found.facts, lang, with_subject=True), "table")]
    return "\n".join(lines)


COMMANDS = [diff_command, show]
