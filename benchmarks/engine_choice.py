"""``--engines`` / ``--store`` as the benchmarks read them: one rule for every script."""

from __future__ import annotations

import argparse


def chosen_engines(parser: argparse.ArgumentParser, args: argparse.Namespace) -> str:
    """``falkordb``, ``neo4j`` or ``both``: ``--engines``, else the engine ``--store``
    names, else FalkorDB; a ``--store`` with another engine is a usage error."""
    spec_engine = None
    if args.store:
        spec_engine = "falkordb" if args.store.startswith(("falkordb", "redis")) else "neo4j"
    choice: str = args.engines or spec_engine or "falkordb"
    if args.store and choice != spec_engine:
        parser.error("--store names one engine: use --engines with that engine only")
    return choice
