"""``redgov demo``: generate the synthetic registry export, sync it, show what was built.

The export goes through the real loader (``sync_export``), so the demo graph is exactly
what a registry clerk's export of that shape would give.  Without ``--export-only`` the
files are written to ``<data dir>/demo/<scale>-seed<N>`` and kept there: the same seed
writes the same bytes, so running ``redgov demo`` again reports ``unchanged``.
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import click

from ..graph.introspection import graph_counts
from ..graph.stores import StoreError
from ..graph.stores.embedded_server import data_dir
from ..loaders.demo import SCALES, DemoSummary, generate
from ..loaders.demo.figures import graph_figures
from ..output import to_json
from .common import opened_store, store_option

_NEXT = (
    "redgov dashboard        # explore the graph in the browser",
    "redgov status           # node and relation counts, last sync",
)


@click.command()
@click.option("--scale", type=click.Choice(list(SCALES)), default="district", show_default=True,
              help="district = Huli (湖里区) as published; city = Xiamen's 6 districts; "
              "province = ≥ 50,000 compounds, ≥ 1,000,000 people (for benchmarks).")
@click.option("--seed", type=int, default=1, show_default=True,
              help="Same seed → byte-identical export.")
@click.option("--export-only", "export_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Only write the export into this folder; do not sync.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@store_option
def demo(scale: str, seed: int, export_dir: Path | None, fmt: str,
         store_spec: str | None) -> None:
    """Build the demo city: a synthetic registry export, synced into the graph."""
    if export_dir is not None and export_dir.exists() and not export_dir.is_dir():
        raise click.BadParameter("not a folder", param_hint="--export-only")
    target = export_dir or data_dir() / "demo" / f"{scale}-seed{seed}"
    summary = generate(target, scale=scale, seed=seed)
    result: dict[str, object] = {"export": summary.to_dict()}
    if export_dir is not None:
        if fmt == "json":
            click.echo(to_json(result))
            return
        _print_summary(summary)
        click.echo(f"\nexport written to {target} ({summary.seconds:.1f} s); sync it with:")
        click.echo(f"  redgov sync {target}")
        return

    from ..loaders import sync_export  # the loader is only needed when syncing

    with opened_store(store_spec) as store:
        try:
            report = sync_export(store, target)
            figures = graph_figures(store, summary.snapshot_date) if report.status in (
                "applied", "unchanged") else {}
            nodes, rels = graph_counts(store)
        except StoreError as exc:
            raise click.ClickException(f"the sync failed and nothing was applied: {exc}") from None
    result.update(sync=report.to_json(), graph=figures, nodes=nodes, relations=rels)
    if fmt == "json":
        click.echo(to_json(result))
    else:
        _print_summary(summary)
        click.echo(f"\nsync: {report.status} ({report.duration_s:.1f} s) from {target}")
        if report.errors:
            click.echo(f"{len(report.errors)} errors, nothing applied; the first ones:")
            for e in report.errors[:20]:
                click.echo(f"  {e.table} row {e.row} {e.column}: {e.value} — {e.reason}")
        if figures:
            click.echo("in the graph: " + ", ".join(f"{k} {v}" for k, v in figures.items()))
            click.echo("nodes: " + ", ".join(f"{k} {v}" for k, v in nodes.items()))
            click.echo("\nnext:")
            for line in _NEXT:
                click.echo(f"  {line}")
    if report.status not in ("applied", "unchanged"):
        sys.exit(1)


def _print_summary(summary: DemoSummary) -> None:
    click.echo(f"demo {summary.scale}, seed {summary.seed}: snapshot {summary.snapshot_date}, "
               f"{summary.districts} district(s)")
    lines = summary.headline()
    width = max(_width(label) for label, _ in lines)
    for label, value in lines:
        click.echo(f"  {label}{' ' * (width - _width(label))}  {value}")


def _width(text: str) -> int:
    """Columns a terminal gives the text: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


COMMANDS = [demo]
