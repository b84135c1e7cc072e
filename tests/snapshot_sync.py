"""Run one sync in a child process with a chosen batch size (for the kill tests).

``python tests/snapshot_sync.py EXPORT BATCH_SIZE`` opens the store the environment names
(``REDGOV_STORE``/``REDGOV_GRAPH``/``REDGOV_HOME``, as the CLI does), syncs EXPORT through
the Python API with BATCH_SIZE rows per batch and prints the report's status, run id and
rows written as one JSON line.  A child process, because the kill hook
(``REDGOV_TEST_KILL_AFTER_BATCHES``) SIGKILLs the process that syncs; the Python API,
because ``redgov sync`` has no batch-size option (a small batch size is what gives a small
export enough batches to kill it at ten points).
"""

from __future__ import annotations

import json
import sys

from redgov.graph.stores import open_store
from redgov.loaders import sync_export


def main(export: str, batch_size: str) -> None:
    store = open_store(None)
    try:
        report = sync_export(store, export, batch_size=int(batch_size))
    finally:
        store.close()
    print(json.dumps({"status": report.status, "run_id": report.run_id,
                      "writes": report.writes, "errors": [str(e) for e in report.errors]},
                     ensure_ascii=False))


if __name__ == "__main__":
    main(*sys.argv[1:])
