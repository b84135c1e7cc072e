"""The kept row memo (loaders/kept.py) at any scale, without a store.

``python benchmarks/bench_memo.py EXPORT_DIR`` scans the export once into an empty state
with a memo (as the overlapped first sync's worker does), then prints the memo's rows and
bytes per row (``sys.getsizeof`` of keys, entries and dicts), the CPU seconds to encode the
kept bundle's parts and to decode them again (what ``kept.load`` does after the store's
read), and a second scan with the decoded memo against the decoded state (a ``verify``
re-sync's scan: every table replayed, every reference checked), with the process's peak RSS.
Why without a store: the memo's own size and costs, apart from the engine's.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path


def _rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def main(export: Path) -> None:
    home = Path(tempfile.mkdtemp(prefix="redgov-bench-memo-"))
    os.environ["REDGOV_HOME"] = str(home)
    from redgov.loaders import kept
    from redgov.loaders.pii import Hasher, load_key
    from redgov.loaders.read import open_export
    from redgov.loaders.state import GraphState
    from redgov.loaders.validate import scan

    out: dict[str, object] = {}
    try:
        hasher = Hasher(load_key())
        work = home / "work"
        work.mkdir()
        with open_export(export, work) as ex:
            cpu = time.process_time()
            memo = kept.new_memo(hasher)
            found = scan(ex, GraphState(), hasher, work, memo)
            found.spool.close()
            out["scan_learning_cpu_s"] = round(time.process_time() - cpu, 1)
            assert memo is not None and not found.errors, found.errors[:5]
            rows = sum(len(t.new) for t in memo.tables.values())
            size = sum(sys.getsizeof(t.new) + sum(sys.getsizeof(k) + sys.getsizeof(v)
                                                  for k, v in t.new.items())
                       for t in memo.tables.values())
            out["memo_rows"], out["bytes_per_row"] = rows, round(size / max(rows, 1))
            state = GraphState(sigs={t: dict(s) for t, s in found.sigs.items()}, snapshot=1)
            kept_rows, files = memo.kept(state, found)
            cpu = time.process_time()
            texts = list(kept._parts(state, kept_rows))
            out["encode_cpu_s"] = round(time.process_time() - cpu, 1)
            out["parts"], out["text_mib"] = len(texts), round(sum(map(len, texts)) / 2**20)
            del memo, kept_rows, found, state
            gc.collect()
            cpu = time.process_time()
            loaded, memo_rows = GraphState(), {}  # type: ignore[var-annotated]
            for text in texts:
                kept._take(json.loads(text), loaded, memo_rows)
            out["decode_cpu_s"] = round(time.process_time() - cpu, 1)
            del texts
            gc.collect()
            loaded.snapshot = 1
            again = kept.RowMemo(hasher, date.today().isoformat(), old=memo_rows,
                                 old_files=files)
            cpu = time.process_time()
            found = scan(ex, loaded, hasher, work, again)
            found.spool.close()
            out["scan_replaying_cpu_s"] = round(time.process_time() - cpu, 1)
            out["rows_known"], out["rows_seen"] = again.hits, again.seen
            out["tables_replayed"] = sum(t.replayed for t in again.tables.values())
            out["peak_rss_mib"] = _rss()
            out["load"] = [round(x, 1) for x in os.getloadavg()]
    finally:
        shutil.rmtree(home, ignore_errors=True)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
