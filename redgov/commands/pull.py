"""``redgov source``, ``redgov pull`` and ``redgov service``: syncing from the registry
unattended (see ``loaders/pull.py``).

    redgov source add NAME (--folder PATH | --url URL) --scope CODE [--review]
                      [--schedule 1h] [--ca-file PEM] [--auth none|bearer|basic] [--user U]
    redgov source list | remove NAME | test NAME
    redgov pull [NAME…] [--once | --every 1h] [--status]
    redgov service install --dir DIR [--every 15m] [--user USER]

Secrets (``--auth``) are asked for on the terminal (or read from standard input), kept in
a 0600 file of the data directory and never printed.  ``redgov pull`` prints one line per
source; exit status 1 when a source failed (or another pull holds the lock).
"""

from __future__ import annotations

import getpass
import json
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import click

from ..graph.display import format_time
from ..graph.home import data_dir
from ..loaders.fetch import PullFailed, probe
from ..loaders.pull import PullBusy, pull, read_status
from ..loaders.sources import (
    FOLDER,
    HTTP,
    Source,
    SourceError,
    add_source,
    duration_text,
    get_source,
    load_sources,
    parse_duration,
    read_secret,
    remove_source,
)
from ..loaders.systemd import unit_files
from ..output import render_cells, to_json
from .common import lang_option, opened_store, say, store_option

__all__ = ["COMMANDS"]


def _fail(exc: SourceError | PullFailed, lang: str) -> None:
    raise click.ClickException(exc.en if lang == "en" else exc.zh)


@click.group()
def source() -> None:
    """Pull sources: where the registry hands out exports (redgov pull takes them)."""


@source.command("add")
@click.argument("name")
@click.option("--folder", "folder", type=click.Path(file_okay=False, path_type=Path),
              help="A folder the registry drops .zip/.xlsx exports into.")
@click.option("--url", help="An HTTP(S) URL serving the registry's current export.")
@click.option("--scope", required=True, metavar="UNIT_CODE",
              help="The unit whose subtree this source's exports may change.")
@click.option("--review", is_flag=True, help="Stage each export for review instead of "
              "publishing it (redgov review approve).")
@click.option("--schedule", default="1h", show_default=True,
              help="How often the source is pulled when due (30m, 1h, 1d).")
@click.option("--ca-file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="PEM file of the CA that signs the registry's certificate.")
@click.option("--auth", type=click.Choice(["none", "bearer", "basic"]), default="none",
              help="bearer: a token is asked for; basic: --user and a password.")
@click.option("--user", "user", default=None, help="User name for --auth basic.")
@click.option("--settle", default="5s", show_default=True,
              help="Folder sources: a file is read once unchanged this long.")
@click.option("--timeout", default="30s", show_default=True, help="HTTP read timeout.")
@lang_option
def add_cmd(name: str, folder: Path | None, url: str | None, scope: str, review: bool,
            schedule: str, ca_file: Path | None, auth: str, user: str | None, settle: str,
            timeout: str, lang: str) -> None:
    """Declare a source NAME (a drop folder or an HTTP(S) URL)."""
    if (folder is None) == (url is None):
        raise click.UsageError(say(lang, "须给出 --folder 或 --url 之一",
                                   "give one of --folder or --url"))
    secret: dict[str, str] = {}
    try:
        src = Source(
            name=name, kind=FOLDER if folder else HTTP,
            location=str(folder.resolve()) if folder else str(url), scope=scope.strip(),
            review=review, schedule_s=parse_duration(schedule),
            ca_file=str(ca_file.resolve()) if ca_file else None, auth=auth,
            settle_s=float(parse_duration(settle)), timeout_s=float(parse_duration(timeout)))
        secret: dict[str, str] = {}
        if auth == "bearer":
            secret["token"] = _ask(say(lang, "令牌", "token"))
        elif auth == "basic":
            if not user:
                raise click.UsageError(say(lang, "--auth basic 需要 --user", "--auth basic "
                                           "needs --user"))
            secret = {"user": user, "password": _ask(say(lang, "密码", "password"))}
        add_source(src, secret or None)
    except SourceError as exc:
        _fail(exc, lang)
    click.echo(say(lang, f"已添加来源 {name}（凭据已单独保存，不会显示）" if secret
                   else f"已添加来源 {name}",
                   f"source {name} added" + (" (credentials kept apart, never shown)"
                                              if secret else "")))


def _ask(what: str) -> str:
    """A secret from the terminal (not echoed), or the first line of standard input."""
    text = (getpass.getpass(f"{what}: ") if sys.stdin.isatty()
            else sys.stdin.readline()).strip()
    if not text:
        raise click.UsageError(f"{what}: ?")
    return text


@source.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@lang_option
def list_cmd(fmt: str, lang: str) -> None:
    """The declared sources (credentials shown only as set or not)."""
    try:
        sources = load_sources()
    except SourceError as exc:
        _fail(exc, lang)
        return
    if fmt == "json":
        click.echo(to_json([{**s.to_json(), "secret_set": bool(read_secret(s.name))}
                            for s in sources]))
        return
    if not sources:
        click.echo(say(lang, "尚未添加来源（redgov source add）",
                       "no sources yet (redgov source add)"))
        return
    headers = [say(lang, *h) for h in (("名称", "name"), ("类型", "kind"), ("位置", "where"),
                                       ("范围", "scope"), ("发布方式", "publish"),
                                       ("周期", "schedule"), ("凭据", "credentials"))]
    rows = [[s.name, say(lang, "投放文件夹", "folder") if s.kind == FOLDER else "HTTP(S)",
             s.location, s.scope,
             say(lang, "暂存待审核", "review") if s.review else say(lang, "直接发布", "publish"),
             duration_text(s.schedule_s),
             say(lang, "已设置", "set") if read_secret(s.name) else say(lang, "无", "none")]
            for s in sources]
    click.echo(render_cells(headers, rows, "table"))


@source.command("remove")
@click.argument("name")
@lang_option
def remove_cmd(name: str, lang: str) -> None:
    """Remove a source and its credentials."""
    try:
        remove_source(name)
    except SourceError as exc:
        _fail(exc, lang)
    click.echo(say(lang, f"已删除来源 {name}", f"source {name} removed"))


@source.command("test")
@click.argument("name")
@lang_option
def test_cmd(name: str, lang: str) -> None:
    """Check that a source can be reached; nothing is downloaded or synced."""
    try:
        src = get_source(name)
        zh, en = probe(src, read_secret(name))
    except (SourceError, PullFailed) as exc:
        _fail(exc, lang)
        return
    click.echo(f"{name}：{zh}" if lang != "en" else f"{name}: {en}")


def _status_rows(lang: str) -> tuple[list[str], list[list[object]]]:
    status = read_status().get("sources", {})
    headers = [say(lang, *h) for h in (
        ("来源", "source"), ("上次尝试（北京时间）", "last attempt (Beijing time)"),
        ("上次成功（北京时间）", "last success (Beijing time)"),
        ("下次运行（北京时间）", "next run (Beijing time)"), ("连续失败", "failures in a row"),
        ("上次结果", "last result"))]
    rows: list[list[object]] = []
    for s in load_sources():
        e = status.get(s.name) or {}
        rows.append([s.name, format_time(e.get("last_attempt")) or "—",
                     format_time(e.get("last_success")) or "—",
                     format_time(e.get("next_run")) or say(lang, "现在", "now"),
                     int(e.get("failures_in_row") or 0),
                     e.get("last_line_en" if lang == "en" else "last_line_zh") or ""])
    return headers, rows


@click.command("pull")
@click.argument("names", nargs=-1, metavar="[NAME]...")
@click.option("--once", is_flag=True, help="Pull every source (or NAME) now, whatever its "
              "schedule, then exit.")
@click.option("--every", "every", default=None, metavar="DURATION",
              help="Keep running: wake every DURATION (1h, 15m) and pull the sources due.")
@click.option("--status", "show_status", is_flag=True,
              help="Show each source's last attempt, last success, next run and failures.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@lang_option
@store_option
def pull_cmd(names: tuple[str, ...], once: bool, every: str | None, show_status: bool,
             fmt: str, lang: str, store_spec: str | None) -> None:
    """Fetch what the sources have that is new, check it, then sync or stage it.

    Without NAME or --once, only the sources that are due by their schedule are pulled.
    One line per source; a failure says why and changes nothing.
    """
    try:
        declared = load_sources()
    except SourceError as exc:
        _fail(exc, lang)
        return
    if show_status:
        if fmt == "json":
            click.echo(to_json(read_status()))
        else:
            click.echo(render_cells(*_status_rows(lang), "table"))
        return
    if once and every:
        raise click.UsageError(say(lang, "--once 与 --every 不能同时使用",
                                   "--once and --every exclude each other"))
    try:
        interval = parse_duration(every) if every else None
    except SourceError as exc:
        raise click.UsageError(exc.en if lang == "en" else exc.zh) from None
    if not declared:
        raise click.ClickException(say(lang, "尚未添加来源（redgov source add）",
                                       "no sources yet (redgov source add)"))
    if interval is None:
        failed = _pass(list(names), not (names or once), fmt, lang, store_spec)
        sys.exit(1 if failed else 0)
    while True:  # pragma: no cover - runs until stopped; each pass is _pass
        _pass(list(names), True, fmt, lang, store_spec)
        time.sleep(_until_next(interval))


def _until_next(interval: int) -> float:
    """Sleep to the earliest next run, at most ``interval``, at least a second."""
    now = time.time()
    nexts = [float(e.get("next_run_ts") or now) for e in
             (read_status().get("sources") or {}).values()]
    return max(1.0, min([interval, *[t - now for t in nexts]]))


def _pass(names: list[str], only_due: bool, fmt: str, lang: str, store_spec: str | None
          ) -> bool:
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    with opened_store(store_spec) as store:
        try:
            outcomes = pull(store, names or None, only_due=only_due)
        except PullBusy:
            click.echo(say(lang, PullBusy.zh, PullBusy.en))
            return True
        except SourceError as exc:  # sources.json damaged meanwhile
            click.echo(say(lang, exc.zh, exc.en))
            return True
    if fmt == "json":
        click.echo(json.dumps({"at": stamp, "outcomes": [o.to_json() for o in outcomes]},
                              ensure_ascii=False))
    else:
        for o in outcomes:
            click.echo(o.line(lang))
    return any(o.failed for o in outcomes)


@click.group()
def service() -> None:
    """Run redgov pull unattended under systemd (Debian)."""


@service.command("install")
@click.option("--dir", "target", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Where to write the units (/etc/systemd/system on the host).")
@click.option("--every", default="15m", show_default=True,
              help="How often the timer wakes redgov pull (each source keeps its schedule).")
@click.option("--user", "user", default=None, help="The account the service runs as "
              "(default: the current one).")
@click.option("--redgov", "exe", default=None, help="Path of the redgov program "
              "(default: the one running).")
@click.option("--env-file", default="/etc/redgov/pull.env", show_default=True,
              help="Optional environment file (REDGOV_STORE, NEO4J_PASSWORD …), mode 0600.")
@lang_option
def install_cmd(target: Path, every: str, user: str | None, exe: str | None, env_file: str,
                lang: str) -> None:
    """Write redgov-pull.service and redgov-pull.timer into --dir."""
    try:
        seconds = parse_duration(every)
    except SourceError as exc:
        raise click.UsageError(exc.en if lang == "en" else exc.zh) from None
    program = exe or shutil.which("redgov") or str(Path(sys.argv[0]).resolve())
    files = unit_files(program=str(Path(program).resolve()), home=data_dir(),
                       user=user or getpass.getuser(), every_s=seconds, env_file=env_file)
    target.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (target / name).write_text(text, encoding="utf-8")
    click.echo(say(
        lang,
        f"已写入 {target / 'redgov-pull.service'} 与 {target / 'redgov-pull.timer'}；"
        "启用：systemctl daemon-reload && systemctl enable --now redgov-pull.timer",
        f"wrote {target / 'redgov-pull.service'} and {target / 'redgov-pull.timer'}; "
        "enable: systemctl daemon-reload && systemctl enable --now redgov-pull.timer"))


COMMANDS = [source, pull_cmd, service]
