"""Options and helpers shared by the commands."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import IO, Any

import click

from ..graph.cypher import cypher
from ..graph.snapshots import Snapshot, SnapshotNotFound, resolve
from ..graph.stores import Store, StoreError, open_store, resolve_store_spec
from ..present.clicktext import run_lang
from ..present.messages import say, word

__all__ = [
    "CYPHER_HELP_EXAMPLE",
    "SnapshotUnknown",
    "chosen_snapshot",
    "lang_option",
    "opened_store",
    "parse_params",
    "run_lang",
    "say",
    "snapshot_option",
    "store_option",
    "timeout_option",
    "word",
]

store_option = click.option(
    "--store",
    "store_spec",
    default=None,
    metavar="STORE",
    help="embedded (default), falkordb://host:port, bolt://…, neo4j://… or neo4j+s://… "
    "(else $REDGOV_STORE).",
)


@contextlib.contextmanager
def opened_store(spec: str | None, *, timeout: float | None = None) -> Iterator[Store]:
    """Open the store or exit 1 with its (credential-free) message.

    A :class:`StoreError` raised while the store is in use (the server killed, a read
    timed out) ends the command the same way: one line, exit 1, no traceback.
    """
    try:
        store = open_store(spec, read_timeout=timeout)
    except StoreError as exc:
        raise click.ClickException(exc.text(run_lang())) from None
    # What reopens this store in another process: a publishing command's background warm
    # step (dashboard/warm_background.py) reaches the same store through it.
    with contextlib.suppress(AttributeError):
        store.redgov_spec = resolve_store_spec(spec)  # type: ignore[attr-defined]
    try:
        yield store
    except StoreError as exc:
        _close_quietly(store)
        raise click.ClickException(exc.text(run_lang())) from None
    except BaseException:
        _close_quietly(store)
        raise
    store.close()


def _close_quietly(store: Store) -> None:
    """Close on the way out of an error, which stays the one reported: after a Ctrl-C
    pressed twice, a thread may still hold a connection mid-message, and the Neo4j
    driver's close then fails an assertion of its own (a traceback instead of exit 130)."""
    with contextlib.suppress(Exception):
        store.close()


timeout_option = click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=None,
    metavar="SECONDS",
    help="Stop a read that runs longer (enforced by the engine; 0 = no limit; "
    "default $REDGOV_READ_TIMEOUT, else 120).",
)


def parse_params(pairs: tuple[str, ...]) -> dict[str, object]:
    """``k=v`` pairs; values that read as integers, floats or booleans become those."""
    params: dict[str, object] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(word("param.bad_pair", run_lang(), pair=pair),
                                     param_hint="--param")
        value: object = raw
        if raw.lower() in ("true", "false"):
            value = raw.lower() == "true"
        else:
            for cast in (int, float):
                try:
                    value = cast(raw)
                    break
                except ValueError:
                    continue
        params[key] = value
    return params


lang_option = click.option(
    "--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
    envvar="REDGOV_LANG",
    help="Language of what people read (table, csv, xlsx): Chinese or English. "
    "--format json always keeps the stable codes.",
)


#: The example ``redgov cypher --help`` shows: registered (so linted and planned on both
#: engines) with the catalog's macro, whose expansion is what a user pastes.
CYPHER_HELP_EXAMPLE = cypher(
    "cli.cypher_help_example",
    "MATCH (u:Unit) WHERE @current(u) RETURN u.level AS level, count(u) AS units",
)

snapshot_option = click.option(
    "--snapshot", "snapshot_spec", default=None, metavar="DATE|RUN_ID",
    help="Answer for this published snapshot: a date YYYY-MM-DD (the latest snapshot on or "
    "before it), a sync run id, or latest (the default). `redgov status` lists them.",
)


class SnapshotUnknown(click.ClickException):
    """``--snapshot`` names no published snapshot: a usage error (exit 2), shown as the one
    Chinese line :func:`graph.snapshots.resolve` wrote (it names what exists)."""

    exit_code = 2

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.format_message(), err=True)


def chosen_snapshot(store: Store, spec: str | None) -> Snapshot | None:
    """The published snapshot ``--snapshot`` names (None: nothing is published yet)."""
    try:
        return resolve(store.read, spec)
    except SnapshotNotFound as exc:
        raise SnapshotUnknown(str(exc)) from None
