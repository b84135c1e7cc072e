"""``duplicate_people`` at scale: plant known duplicates into a demo export, then time the
question unscoped and over many scopes, and compare its answers between two runs.

Usage (same environment as ``redgov``; the graph of the current REDGOV_HOME/REDGOV_GRAPH)::

    redgov demo --scale city --export-only /tmp/city
    python benchmarks/bench_duplicates.py plant /tmp/city /tmp/city_dups
    redgov sync /tmp/city_dups
    python benchmarks/bench_duplicates.py run [--repeat 3] [--save before.json]
    python benchmarks/bench_duplicates.py run --compare before.json     # after a change

The demo has almost no duplicate people of its own.  ``plant`` appends 160 copies of
existing people to ``人员.csv`` (and 30 posts to ``任职.csv``), chosen by a seeded random
generator from people with an ID number and a home: 40 with the same ID number and a
changed name (a match by hash), 40 with the same name, gender and masked ID but other
hidden digits, living in the same district (a match), 40 likewise in another district
(no match unless the person holds a post there), 10 with the same ID number and no home
(a match placed nowhere), 30 with the same name, gender and masked ID, no home and one
post in an organisation sitting in the original's district (a match through the post).

``run`` prints, and as one JSON line at the end: rows and median seconds unscoped, scoped
to the district with the most compounds, and the total over every district, every street
and the first communities (``--scopes`` of them at most).  ``--save`` writes every answer
(unscoped and per scope) to a file; ``--compare`` reads such a file and exits 1 unless
every answer is the same, row for row.  Nothing here is a timed test; the machine's load
average is printed beside every figure.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench_reads import _BIGGEST_DISTRICT, _timed  # the same district, timed the same way

QUESTION = "duplicate_people"
_SCOPES = """
MATCH (u:Unit)
WHERE u.level IN ['district', 'street', 'community'] AND u.vt = 2147483647
RETURN u.code AS code, u.level AS level
ORDER BY code
"""
_NAME_SWAP = "明华伟强军平杰磊涛斌"


def _load() -> float:
    return round(os.getloadavg()[0], 1)


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _append(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("a", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        for row in rows:
            writer.writerow({h: row.get(h, "") for h in header})


def _other_hidden(raw: str, k: int) -> str:
    """Another ID number with the same masked form (first and last four kept): the birth
    date moved back (the check digit is then wrong: a warning, not an error)."""
    born = date(int(raw[6:10]), int(raw[10:12]), int(raw[12:14])) - timedelta(days=k + 1)
    return f"{raw[:6]}{born:%Y%m%d}{raw[14:]}"


def plant(src: Path, dst: Path, seed: int) -> None:
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst)
    header, people = _read(dst / "人员.csv")
    _, orgs = _read(dst / "组织.csv")
    post_header, _ = _read(dst / "任职.csv")
    rng = random.Random(seed)
    placed = [p for p in people if p["身份证号"] and len(p["居住单位编码"]) >= 6]
    picks = rng.sample(placed, 160)
    compounds: dict[str, list[str]] = {}
    for p in placed:
        compounds.setdefault(p["居住单位编码"][:6], []).append(p["居住单位编码"])
    districts = sorted(compounds)
    org_at: dict[str, list[str]] = {}
    for o in orgs:
        if len(o["所在单位编码"]) >= 6 and o["状态"] == "正常":
            org_at.setdefault(o["所在单位编码"][:6], []).append(o["组织编码"])
    added: list[dict[str, str]] = []
    posts: list[dict[str, str]] = []
    for i, p in enumerate(picks):
        copy = dict(p, 人员编码=f"DUP{i:06d}", 手机号="")
        district = p["居住单位编码"][:6]
        if i < 40:  # same ID number, the name misspelt, another compound of the district
            copy["姓名"] = p["姓名"][:-1] + _NAME_SWAP[i % len(_NAME_SWAP)]
            copy["居住单位编码"] = rng.choice(compounds[district])
        elif i < 80:  # same name, gender, masked ID; same district
            copy["身份证号"] = _other_hidden(p["身份证号"], i)
            copy["居住单位编码"] = rng.choice(compounds[district])
        elif i < 120:  # the same in another district
            copy["身份证号"] = _other_hidden(p["身份证号"], i)
            other = rng.choice([d for d in districts if d != district])
            copy["居住单位编码"] = rng.choice(compounds[other])
        elif i < 130:  # same ID number, no home
            copy["居住单位编码"] = ""
        else:  # same name, gender, masked ID; placed only by a post in the district
            copy["身份证号"] = _other_hidden(p["身份证号"], i)
            copy["居住单位编码"] = ""
            posts.append({"人员编码": copy["人员编码"], "组织编码": rng.choice(org_at[district]),
                          "职务": "委员", "任职类型": "兼任", "开始日期": "2020-01-01"})
        added.append(copy)
    _append(dst / "人员.csv", header, added)
    _append(dst / "任职.csv", post_header, posts)
    print(f"planted {len(added)} people and {len(posts)} posts into {dst}")



def run(repeat: int, max_scopes: int, save: Path | None, compare: Path | None) -> int:
    from redgov.graph.stores.select import open_store
    from redgov.queries import run_question

    store = open_store(None, read_timeout=0)
    district = store.read(_BIGGEST_DISTRICT)[0]["code"]
    scopes = store.read(_SCOPES)
    chosen = [s["code"] for s in scopes if s["level"] != "community"]
    chosen += [s["code"] for s in scopes if s["level"] == "community"]
    chosen = chosen[:max_scopes]

    def ask(scope: str | None) -> list[dict[str, Any]]:
        return run_question(store, QUESTION, {"scope": scope} if scope else None).rows

    out: dict[str, Any] = {"question": QUESTION, "district": district}
    out["unscoped_s"], whole = _timed(lambda: ask(None), repeat)
    out["unscoped_rows"], out["unscoped_load"] = len(whole), _load()
    print(f"unscoped        {len(whole):>6} rows {out['unscoped_s']:>8.3f} s   load {_load()}",
          flush=True)
    out["district_s"], rows = _timed(lambda: ask(district), repeat)
    out["district_rows"], out["district_load"] = len(rows), _load()
    print(f"district {district} {len(rows):>6} rows {out['district_s']:>8.3f} s   load {_load()}",
          flush=True)
    answers: dict[str, Any] = {"": whole}
    t0 = time.perf_counter()
    for code in chosen:
        answers[code] = ask(code)
    out["scopes"] = len(chosen)
    out["scopes_total_s"] = round(time.perf_counter() - t0, 3)
    out["scopes_load"] = _load()
    print(f"{len(chosen)} scopes total  {out['scopes_total_s']:>8.3f} s   load {_load()}",
          flush=True)
    code = 0
    if save:
        save.write_text(json.dumps(answers, ensure_ascii=False, sort_keys=True, default=str))
    if compare:
        before = json.loads(compare.read_text())
        now = json.loads(json.dumps(answers, ensure_ascii=False, sort_keys=True, default=str))
        both = [k for k in now if k in before]
        differ = [k or "(unscoped)" for k in both if before[k] != now[k]]
        out["compared"] = len(both)
        out["differ"] = differ
        print(f"compared {len(both)} answers with {compare}: "
              f"{'identical' if not differ else 'DIFFERENT: ' + ', '.join(differ[:10])}")
        code = 1 if differ else 0
    print(json.dumps(out, ensure_ascii=False))
    return code


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("plant")
    p.add_argument("src", type=Path)
    p.add_argument("dst", type=Path)
    p.add_argument("--seed", type=int, default=1)
    r = sub.add_parser("run")
    r.add_argument("--repeat", type=int, default=3)
    r.add_argument("--scopes", type=int, default=70)
    r.add_argument("--save", type=Path)
    r.add_argument("--compare", type=Path)
    args = ap.parse_args(argv)
    if args.cmd == "plant":
        plant(args.src, args.dst, args.seed)
        return 0
    return run(args.repeat, args.scopes, args.save, args.compare)


if __name__ == "__main__":
    sys.exit(main())
