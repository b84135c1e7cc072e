"""Reading an export: a folder, a ``.zip`` of one, or an ``.xlsx`` workbook — streaming.

An :class:`Export` knows where each table lives; ``export.rows(name)`` opens the table
anew each time and yields ``(row_number, {header: raw value})`` one row at a time, so a
sync can read a table twice (validate, then apply) without holding it.  Row numbers are
the ones a person sees in the file: the header is row 1.

CSV encodings are detected, not guessed: a BOM means UTF-8; otherwise the whole file must
decode as strict UTF-8, else as strict GB18030 (a superset of GBK and GB2312); only when
both fail is charset-normalizer asked.  Zip member names written by Chinese Windows
(GBK bytes without the UTF-8 flag) are decoded too.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from .normalise import normalise_header
from .tables import ALL_TABLE_NAMES

__all__ = ["Export", "ExportUnreadable", "TableRows", "detect_encoding", "open_export"]

_CHUNK = 1 << 20


class ExportUnreadable(ValueError):
    """The path is not an export at all (not a folder, zip or workbook, or corrupt)."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en


@dataclass
class TableRows:
    """One table's header (normalised) and its rows; ``location`` names the file or sheet."""

    location: str
    headers: list[str]
    rows: Iterator[tuple[int, dict[str, Any]]]
    closer: contextlib.ExitStack

    def close(self) -> None:
        """Release the file when the rows are not read to the end."""
        self.rows.close()  # type: ignore[attr-defined]
        self.closer.close()


def detect_encoding(open_binary: Callable[[], IO[bytes]]) -> str:
    """``utf-8-sig``, ``gb18030`` or charset-normalizer's best guess; reads in 1 MiB chunks."""
    with open_binary() as fh:
        head = fh.read(3)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)("strict")
        try:
            with open_binary() as fh:
                while chunk := fh.read(_CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            return "utf-8-sig" if encoding == "utf-8" else encoding
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    with open_binary() as fh:
        sample = fh.read(_CHUNK)
    best = from_bytes(sample).best()
    if best is None:
        raise ExportUnreadable("无法识别文件编码", "cannot tell the file's text encoding")
    return best.encoding


def _csv_rows(open_binary: Callable[[], IO[bytes]], location: str) -> TableRows:
    encoding = detect_encoding(open_binary)
    stack = contextlib.ExitStack()
    text = stack.enter_context(
        io.TextIOWrapper(open_binary(), encoding=encoding, errors="strict", newline="")
    )
    first = text.readline()
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    lines = _chain_first(first, text)
    reader = csv.reader(lines, delimiter=delimiter)
    return _table_rows(location, ((i, row) for i, row in enumerate(reader, start=1)), stack)


def _chain_first(first: str, rest: IO[str]) -> Iterator[str]:
    yield first
    yield from rest


def _table_rows(
    location: str, numbered: Iterator[tuple[int, Any]], stack: contextlib.ExitStack
) -> TableRows:
    """Find the header (the first non-empty row) and turn the rest into header→value dicts."""
    headers: list[str] = []
    for _, values in numbered:
        if any(v not in (None, "") for v in values):
            headers = [normalise_header(v) for v in values]
            break

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        with stack:
            for number, values in numbered:
                if _blank(values):
                    continue  # blank lines (and rows only formatted in Excel) are not records
                yield number, {
                    h: v for h, v in zip(headers, values, strict=False) if h
                }

    return TableRows(location, headers, rows(), stack)


def _blank(values: Any) -> bool:
    try:
        return not "".join(values).strip()  # CSV rows: all str, one C-level join
    except TypeError:  # spreadsheet rows hold numbers, dates and None too
        return not "".join("" if v is None else str(v) for v in values).strip()


class Export:
    """Where each table of one export lives; open a table with :meth:`rows`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._tmp: Path | None = None
        self._csv: dict[str, Callable[[], IO[bytes]]] = {}
        self._workbook: Path | None = None
        self._sheets: dict[str, str] = {}
        self._zip: zipfile.ZipFile | None = None
        self._locate()

    # -- locating the tables ----------------------------------------------------------------
    def _locate(self) -> None:
        path = self.path
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file())
            self._pick([(p.relative_to(path).as_posix(), p) for p in files])
        elif path.suffix.lower() == ".zip":
            try:
                self._zip = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError) as exc:
                raise ExportUnreadable(
                    "压缩包已损坏或无法打开", f"not a readable zip: {exc}"
                ) from None
            members = [
                (_member_name(info), info) for info in self._zip.infolist() if not info.is_dir()
            ]
            self._pick(members)
        elif path.suffix.lower() in (".xlsx", ".xlsm"):
            self._use_workbook(path)
        else:
            raise ExportUnreadable(
                "导出应为文件夹、.zip 压缩包或 .xlsx 工作簿",
                "an export is a folder, a .zip of one, or an .xlsx workbook",
            )

    def _pick(self, entries: list[tuple[str, Any]]) -> None:
        """Choose each table's CSV (the shallowest wins); else a workbook in the package."""
        csvs: dict[str, tuple[int, Any]] = {}
        workbooks: list[tuple[int, str, Any]] = []
        for name, ref in entries:
            pure = PurePosixPath(name)
            if any(part.startswith(("__MACOSX", ".")) for part in pure.parts):
                continue
            depth = len(pure.parts)
            stem, suffix = normalise_header(pure.stem), pure.suffix.lower()
            if suffix in (".csv", ".txt") and stem in ALL_TABLE_NAMES:
                if stem not in csvs or depth < csvs[stem][0]:
                    csvs[stem] = (depth, ref)
            elif suffix in (".xlsx", ".xlsm") and not pure.name.startswith("~$"):
                workbooks.append((depth, name, ref))
        for stem, (_, ref) in csvs.items():
            self._csv[stem] = self._opener(ref)
        if workbooks and len(csvs) < len(ALL_TABLE_NAMES):
            workbooks.sort(key=lambda w: (w[0], w[1]))
            _, name, ref = workbooks[0]
            self._use_workbook(self._materialise(name, ref))

    def _opener(self, ref: Any) -> Callable[[], IO[bytes]]:
        if isinstance(ref, Path):
            return lambda: open(ref, "rb")
        zf = self._zip
        assert zf is not None
        return lambda: zf.open(ref)

    def _materialise(self, name: str, ref: Any) -> Path:
        if isinstance(ref, Path):
            return ref
        assert self._zip is not None
        self._tmp = Path(tempfile.mkdtemp(prefix="redgov-xlsx-"))
        target = self._tmp / "book.xlsx"
        with self._zip.open(ref) as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst)
        return target

    def _use_workbook(self, path: Path) -> None:
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise ExportUnreadable(
                "工作簿已损坏或无法打开", f"not a readable workbook: {type(exc).__name__}"
            ) from None
        try:
            for title in wb.sheetnames:
                name = normalise_header(title)
                if name in ALL_TABLE_NAMES and name not in self._csv:
                    self._sheets[name] = title
        finally:
            wb.close()
        self._workbook = path

    # -- reading ------------------------------------------------------------------------------
    def digest(self) -> str:
        """BLAKE2b over every table's bytes (name, then content): same bytes, same digest."""
        h = hashlib.blake2b(digest_size=16)
        for name in sorted(self._csv):
            h.update(f"csv:{name}\n".encode())
            with self._csv[name]() as fh:
                while chunk := fh.read(_CHUNK):
                    h.update(chunk)
        if self._workbook is not None:
            h.update(b"xlsx:" + ",".join(sorted(self._sheets)).encode() + b"\n")
            with open(self._workbook, "rb") as fh:
                while chunk := fh.read(_CHUNK):
                    h.update(chunk)
        return h.hexdigest()

    def has(self, table: str) -> bool:
        return table in self._csv or table in self._sheets

    def rows(self, table: str) -> TableRows:
        """Open ``table`` afresh; iterate ``.rows`` to the end (or close it) to release it."""
        if table in self._csv:
            return _csv_rows(self._csv[table], f"{table}.csv")
        return self._sheet_rows(table)

    def _sheet_rows(self, table: str) -> TableRows:
        from openpyxl import load_workbook

        assert self._workbook is not None
        stack = contextlib.ExitStack()
        wb = load_workbook(self._workbook, read_only=True, data_only=True)
        stack.callback(wb.close)
        ws = wb[self._sheets[table]]
        ws.reset_dimensions()  # some writers record a wrong dimension; read what is there
        numbered = enumerate(ws.iter_rows(values_only=True), start=1)
        return _table_rows(f"{self._sheets[table]} (sheet)", numbered, stack)

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> Export:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _member_name(info: zipfile.ZipInfo) -> str:
    """Zip names without the UTF-8 flag are cp437 to Python; Chinese Windows wrote GBK."""
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437", errors="replace")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def open_export(path: Path | str) -> Export:
    path = Path(path)
    if not path.exists():
        raise ExportUnreadable(f"路径不存在：{path}", f"no such path: {path}")
    return Export(path)
