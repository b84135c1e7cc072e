"""Access-log benchmark: what writing and reading the log cost, and that reading is bounded.

Usage::

    python benchmarks/bench_access_log.py [--mib 100]

Writes, in a temporary folder, an access log of about ``--mib`` MiB of ordinary entries
(one in a hundred carrying an ID number typed into a link, so the reader's masking path is
exercised too), then runs ``redgov access-log`` on it in a child process, as a table (the
newest 1000 entries) and as JSON (every entry, to /dev/null), and prints for each the wall
time and the child's peak RSS (``wait4``).  It also times ``record()`` itself (entries a
second, one session, the budget lifted).  Nothing is left behind.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _write_log(path: Path, mib: int) -> int:
    plain = json.dumps({"time": "2026-12-01T08:00:00.000Z", "event": "query", "user": "li.huli",
                        "page": "audit", "question": "coverage_rollup", "scope": "350206001",
                        "params": {"level": "street", "as_of": "2026-11-30"}, "rows": 12,
                        "client": "10.1.2.*"}, ensure_ascii=False) + "\n"
    personal = plain.replace('"rows": 12', '"unit": "110101199003077715", "rows": 0')
    block = plain * 99 + personal
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        while fh.tell() < mib << 20:
            fh.write(block)
            n += 100
    return n


def _child(args: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MiB) and exit status of ``redgov ARGS``."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "redgov", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - t0, usage.ru_maxrss / 1024, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mib", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="redgov-bench-log-") as tmp:
        log = Path(tmp) / "access-log.jsonl"
        entries = _write_log(log, args.mib)
        env = {**os.environ, "REDGOV_ACCESS_LOG": str(log), "REDGOV_HOME": tmp}
        size = log.stat().st_size / 2**20
        print(f"log: {size:.0f} MiB, {entries} entries (1 in 100 with an ID number)")
        print("| read | wall s | peak RSS MiB |")
        print("|---|---|---|")
        for name, cmd in (("table (newest 1000)", ["access-log"]),
                          ("json (every entry)", ["access-log", "--format", "json"])):
            wall, rss, code = _child(cmd, env)
            assert code == 0, (name, code)
            print(f"| {name} | {wall:.1f} | {rss:.0f} |")
        os.environ["REDGOV_ACCESS_LOG"] = str(Path(tmp) / "write.jsonl")
        os.environ["REDGOV_ACCESS_LOG_SESSION_ENTRIES"] = str(10**9)
        from redgov.access.log import record

        n = 20_000
        t0 = time.perf_counter()
        for i in range(n):
            record("query", "li.huli", session="bench", page="audit", question="q",
                   params={"as_of": "2026-11-30", "q": f"13812345{i % 1000:03d}"}, rows=i)
        wall = time.perf_counter() - t0
        print(f"record(): {n / wall:,.0f} entries/s (masked, bounded, one session)")


if __name__ == "__main__":
    main()
