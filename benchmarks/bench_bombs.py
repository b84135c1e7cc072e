"""Hostile-export benchmark: peak RSS and wall time of ``redgov sync`` on bombs.

Usage::

    python benchmarks/bench_bombs.py [--gib 1] [--keep]

Builds, in a temporary folder, exports that hide a huge table behind a small file (the
default input limits apply: see README "Limits and data protection"), runs ``redgov sync``
on each in a child process against a private embedded server (a temporary data
directory), and prints for each: the export's size on disk, the outcome (the first
error's reason), the child's wall time and its peak RSS (``wait4``).  The valid fixture
export is run first as the baseline.  Loopback only; nothing is left behind.

Cases (``N`` = ``--gib``):
- ``zip_single_line``: a zip whose ``人员.csv`` is N GiB of one line of ``a`` (deflated);
- ``zip_empty_lines``: a zip whose ``走访.csv`` is N GiB of empty lines;
- ``zip_lying_size``: the single-line entry with a central directory that claims 1 KiB;
- ``xlsx_sheet_bomb``: an ``.xlsx`` whose sheet XML inflates to N GiB;
- ``folder_long_cell``: a folder whose ``单位.csv`` holds a 50 MB cell (not compressed);
- ``folder_empty_lines``: a folder whose ``走访.csv`` is 256 MiB of empty lines.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASIC = ROOT / "tests" / "fixtures" / "exports" / "sync_basic"
MIB = 1 << 20


def _zip_with(path: Path, name: str, head: bytes, chunk: bytes, total: int) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(BASIC.iterdir()):
            if p.name != name:
                zf.write(p, p.name)
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=True) as fh:
            fh.write(head)
            block = chunk * (MIB // len(chunk))
            for _ in range(total // MIB):
                fh.write(block)
    return path


def _lie_about_size(path: Path, name: str) -> None:
    """Rewrite the central directory's sizes of ``name`` as 1 KiB (a lying header)."""
    data = bytearray(path.read_bytes())
    i = data.rfind(b"PK\x01\x02")
    while i >= 0:
        n = struct.unpack_from("<H", data, i + 28)[0]
        if bytes(data[i + 46:i + 46 + n]) == name.encode():
            extra = struct.unpack_from("<H", data, i + 30)[0]
            if struct.unpack_from("<I", data, i + 24)[0] == 0xFFFFFFFF and extra >= 12:
                struct.pack_into("<Q", data, i + 46 + n + 4, 1024)  # zip64 uncompressed size
            else:
                struct.pack_into("<I", data, i + 24, 1024)
            break
        i = data.rfind(b"PK\x01\x02", 0, i)
    path.write_bytes(bytes(data))


def _xlsx_bomb(path: Path, total: int) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "单位"
    wb.active.append(["单位编码", "名称", "层级"])
    small = path.with_suffix(".small.xlsx")
    wb.save(small)
    with zipfile.ZipFile(small) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("sheet1.xml"):
                with dst.open(info.filename, "w", force_zip64=True) as fh:
                    head, _, tail = data.partition(b"</sheetData>")
                    fh.write(head)
                    pad = b"<!--" + b"a" * (MIB - 7) + b"-->"
                    for _ in range(total // MIB):
                        fh.write(pad)
                    fh.write(b"</sheetData>" + tail)
            else:
                dst.writestr(info, data)
    small.unlink()
    return path


def _folder(tmp: Path, name: str, table: str, data_writer) -> Path:  # type: ignore[no-untyped-def]
    folder = tmp / name
    shutil.copytree(BASIC, folder)
    with open(folder / f"{table}.csv", "wb") as fh:
        data_writer(fh)
    return folder


def build(tmp: Path, gib: float) -> dict[str, Path]:
    total = int(gib * (1 << 30))
    cases: dict[str, Path] = {"baseline_valid": BASIC}
    cases["zip_single_line"] = _zip_with(tmp / "single.zip", "人员.csv",
                                         "人员编码,姓名\n".encode(), b"a", total)
    cases["zip_empty_lines"] = _zip_with(tmp / "empty.zip", "走访.csv",
                                         "人员编码,组织编码,日期\n".encode(), b"\n", total)
    lying = tmp / "lying.zip"
    shutil.copy(cases["zip_single_line"], lying)
    _lie_about_size(lying, "人员.csv")
    cases["zip_lying_size"] = lying
    cases["xlsx_sheet_bomb"] = _xlsx_bomb(tmp / "bomb.xlsx", total)

    def long_cell(fh) -> None:  # type: ignore[no-untyped-def]
        fh.write("单位编码,名称,层级,上级单位编码\nC1,\"".encode())
        for _ in range(50):
            fh.write(b"a" * 1_000_000)
        fh.write("\",市,\n".encode())
    cases["folder_long_cell"] = _folder(tmp, "long_cell", "单位", long_cell)

    def empty_lines(fh) -> None:  # type: ignore[no-untyped-def]
        fh.write("人员编码,组织编码,日期\n".encode())
        for _ in range(256):
            fh.write(b"\n" * MIB)
    cases["folder_empty_lines"] = _folder(tmp, "empty_lines", "走访", empty_lines)
    return cases


def measure(path: Path, env: dict[str, str], tmp: Path) -> dict[str, object]:
    t0 = time.perf_counter()
    with open(tmp / "out", "w+b") as out, open(tmp / "err", "w+b") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "redgov", "sync", str(path), "--format", "json"],
            env=env, stdout=out, stderr=err,
        )
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak RSS
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    try:
        report = json.loads(stdout)
        outcome = report["status"]
        if report["errors"]:
            outcome += ": " + report["errors"][0]["reason_en"]
    except (ValueError, KeyError):
        outcome = f"exit {proc.returncode}: " + " ".join(
            (stderr or stdout).decode(errors="replace").strip().splitlines()[-1:])
    size = sum(p.stat().st_size for p in path.rglob("*")) if path.is_dir() else path.stat().st_size
    rss = usage.ru_maxrss / 1024
    return {"on_disk_mib": round(size / MIB, 2), "seconds": round(seconds, 2),
            "peak_rss_mib": round(rss, 1), "outcome": outcome}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gib", type=float, default=1.0)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="redgov-bombs-"))
    home = tmp / "home"
    home.mkdir()
    env = {**os.environ, "REDGOV_HOME": str(home)}
    env.pop("REDGOV_STORE", None)
    results: dict[str, dict[str, object]] = {}
    try:
        for name, path in build(tmp, args.gib).items():
            results[name] = measure(path, env, tmp)
            print(f"{name:20} {json.dumps(results[name], ensure_ascii=False)}", flush=True)
    finally:
        subprocess.run([sys.executable, "-m", "redgov", "stop"], env=env, capture_output=True)
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
