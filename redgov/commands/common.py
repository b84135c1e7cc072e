"""Options and helpers shared by the commands."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import click

from ..graph.stores import Store, StoreError, open_store

__all__ = ["opened_store", "parse_params", "store_option"]

store_option = click.option(
    "--store",
    "store_spec",
    default=None,
    metavar="STORE",
    help="embedded (default), falkordb://host:port, bolt://…, neo4j://… or neo4j+s://… "
    "(else $REDGOV_STORE).",
)


@contextlib.contextmanager
def opened_store(spec: str | None) -> Iterator[Store]:
    """Open the store or exit 1 with its (credential-free) message."""
    try:
        store = open_store(spec)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        yield store
    finally:
        store.close()


def parse_params(pairs: tuple[str, ...]) -> dict[str, object]:
    """``k=v`` pairs; values that read as integers, floats or booleans become those."""
    params: dict[str, object] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"expected k=v, got {pair!r}", param_hint="--param")
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
