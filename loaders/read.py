"""Reading an export: a folder, a ``.zip`` of one, or an ``.xlsx`` workbook — streaming.

An :class:`Export` knows where each table lives; ``export.rows(name)`` opens the table
anew each time and yields ``(row_number, {header: raw value})`` one row at a time, so a
sync can read a table twice (validate, then apply) without holding it.  Row numbers are
the ones a person sees in the file: the header is row 1.

CSV encodings are detected, not guessed (``guard.detect_encoding``): a BOM means UTF-8;
otherwise the whole file must decode as strict UTF-8, else as strict GB18030 (a superset
of GBK and GB2312) with no clean UTF-8 line in it; anything else is that table's
encoding error, never a lossy decode.  Zip member names written by Chinese Windows (GBK
bytes without the UTF-8 flag) are decoded too.  Every byte read goes through the limits
of ``limits.py``; the package's safety checks live in ``package.py``.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path, PurePosixPath
from typing import IO, Any

from .guard import TableError, damaged, detect_encoding, open_limited
from .limits import Limits
from .normalise import normalise_header
from .package import (
    ExportUnreadable,
    check_workbook,
    entry_problem,
    file_problem,
    folder_entries,
    member_name,
    size_of,
    zip_entries,
)
from .report import Issue
from .tables import ALL_TABLE_NAMES

__all__ = [
    "FORMULAS", "ROW_ERROR", "Export", "ExportUnreadable", "Formula", "TableError", "TableRows",
    "detect_encoding", "open_export",
]

_CHUNK = 1 << 20
#: Key of a row dict whose shape is wrong: (zh, en); never a header (headers are str).
ROW_ERROR = ("row-error",)
#: Key present in a row dict when one of its cells is a :class:`Formula` without a value.
FORMULAS = ("formulas",)


@dataclass(frozen=True)
class Formula:
    """A spreadsheet formula cell with no value computed by Excel (``ref`` like ``B3``)."""

    ref: str

    def __str__(self) -> str:
        return f"={self.ref}"


@dataclass
class TableRows:
    """One table's header (normalised) and its rows; ``location`` names the file or sheet.

    ``headers`` keeps every header cell as found (blank and repeated ones too) so the
    validator can judge them; ``notes`` collects the warnings found while streaming.
    """

    location: str
    headers: list[str]
    rows: Iterator[tuple[int, dict[Any, Any]]]
    closer: contextlib.ExitStack
    notes: list[Issue] = field(default_factory=list)

    def close(self) -> None:
        """Release the file when the rows are not read to the end."""
        self.rows.close()  # type: ignore[attr-defined]
        self.closer.close()


def _bounded_lines(text: IO[str], table: str, location: str, limit: int) -> Iterator[str]:
    """Physical lines, none longer than ``limit`` characters (else the table's error)."""
    number = 0
    while line := text.readline(limit + 1):
        number += 1
        if len(line) > limit and not line.endswith(("\n", "\r")):
            raise TableError(
                table, number, location,
                f"一行超过 {limit} 个字符的上限（REDGOV_MAX_LINE_CHARS）",
                f"a line longer than {limit} characters (REDGOV_MAX_LINE_CHARS)",
            )
        yield line


def _csv_rows(open_binary: Callable[[], IO[bytes]], table: str, location: str,
              limits: Limits) -> TableRows:
    encoding = detect_encoding(open_binary, table, location, 4 * limits.line_chars + 4)
    stack = contextlib.ExitStack()
    binary = stack.enter_context(open_binary())
    text = stack.enter_context(_text(binary, encoding))
    lines = _bounded_lines(text, table, location, limits.line_chars)
    first = next(lines, "")
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    csv.field_size_limit(limits.cell_chars)
    reader = csv.reader(chain([first], lines), delimiter=delimiter)
    return _table_rows(table, location, _csv_numbered(reader, table, location, limits),
                       stack, limits, strict_width=True)


def _text(binary: IO[bytes], encoding: str) -> Any:
    return io.TextIOWrapper(binary, encoding=encoding, errors="strict", newline="")


def _csv_numbered(reader: Any, table: str, location: str, limits: Limits
                  ) -> Iterator[tuple[int, list[str]]]:
    """Numbered CSV records; empty lines are counted (row limit) but not passed on."""
    number = 0
    max_rows = limits.rows
    while True:
        try:
            values = next(reader)
            while not values:  # an empty line: the fast path of a flood of them
                number += 1
                if number > max_rows:
                    _check_shape(table, location, number, values, limits)
                values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field larger" in str(exc):
                raise TableError(
                    table, number + 1, location,
                    f"单元格超过 {limits.cell_chars} 个字符的上限（REDGOV_MAX_CELL_CHARS）",
                    f"a cell longer than {limits.cell_chars} characters "
                    "(REDGOV_MAX_CELL_CHARS)",
                ) from None
            raise TableError(table, number + 1, location, "CSV 格式错误",
                             f"malformed CSV: {exc}") from None
        except UnicodeDecodeError:
            raise TableError(table, number + 1, location, "文件编码在读取中途出错",
                             "the text encoding broke while reading") from None
        number += 1
        yield number, values


def _table_rows(
    table: str, location: str, numbered: Iterator[tuple[int, Any]],
    stack: contextlib.ExitStack, limits: Limits, strict_width: bool = False,
    formulas: bool = False,
) -> TableRows:
    """Find the header (the first non-empty row) and turn the rest into header→value dicts.

    Every limit on rows and columns is checked here, row by row; a CSV row whose field
    count differs from the header's is a shifted row: it is passed on with
    :data:`ROW_ERROR` instead of its (misplaced, possibly personal) values.
    """
    headers: list[str] = []
    try:
        for number, values in numbered:
            _check_shape(table, location, number, values, limits)
            if any(v not in (None, "") for v in values):
                headers = [normalise_header(v) for v in values]
                break
    except BaseException:
        stack.close()
        raise
    width = len(headers)
    result = TableRows(location, headers, iter(()), stack)
    named = [(i, h) for i, h in enumerate(headers) if h]
    blank = [i for i, h in enumerate(headers) if not h]
    # Every column named: a row is the headers zipped with its values (cut to the shorter,
    # later duplicates winning), the same dict as the general comprehension, made in C.
    zipped = headers if not blank else None

    def rows() -> Iterator[tuple[int, dict[Any, Any]]]:
        warned = False
        with stack:
            for number, values in numbered:
                _check_shape(table, location, number, values, limits)
                if _blank(values):
                    continue  # blank lines (and rows only formatted in Excel) are not records
                n = len(values)
                if strict_width and n != width and (
                    n < width or any(v.strip() for v in values[width:])
                ):
                    zh = f"该行有 {n} 个字段，表头有 {width} 个（行内容错位？）"
                    en = f"the row has {n} fields, the header {width} (a shifted row?)"
                    row = {h: values[i] for i, h in named if i < n}
                    row[ROW_ERROR] = (zh, en)  # to_record reports it, showing no value
                    yield number, row
                    continue
                if not warned and _lost(values, blank, width):
                    warned = True
                    result.notes.append(Issue(
                        table, number, None, None, "有数据的列没有列名，已忽略该列",
                        "values in a column without a header are ignored",
                    ))
                row = dict(zip(zipped, values, strict=False)) if zipped is not None else {
                    h: values[i] for i, h in named if i < n}
                if formulas and any(isinstance(v, Formula) for v in values):
                    row[FORMULAS] = True
                yield number, row

    result.rows = rows()
    return result


def _check_shape(table: str, location: str, number: int, values: Any, limits: Limits) -> None:
    if number > limits.rows:
        raise TableError(table, number, location,
                         f"行数超过 {limits.rows} 的上限（REDGOV_MAX_ROWS）",
                         f"more than {limits.rows} rows (REDGOV_MAX_ROWS)")
    if len(values) > limits.columns:
        raise TableError(table, number, location,
                         f"列数超过 {limits.columns} 的上限（REDGOV_MAX_COLUMNS）",
                         f"more than {limits.columns} columns (REDGOV_MAX_COLUMNS)")


def _lost(values: Any, blank: list[int], width: int) -> bool:
    """A value under a blank header or past the last header."""
    n = len(values)
    if any(i < n and _present(values[i]) for i in blank):
        return True
    return n > width and any(_present(v) for v in values[width:])


def _present(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


def _blank(values: Any) -> bool:
    try:
        return not "".join(values).strip()  # CSV rows: all str, one C-level join
    except TypeError:  # spreadsheet rows hold numbers, dates and None too
        return not "".join("" if v is None else str(v) for v in values).strip()


class Export:
    """Where each table of one export lives; open a table with :meth:`rows`.

    Unsafe packages are refused as a whole (:class:`ExportUnreadable`): zip entries named
    twice, with ``..``, an absolute path or a drive letter, or stored as links; folder
    entries linking outside the folder; two files for one table.  A damaged or oversized
    table is that table's error (:class:`TableError`), raised when it is read.
    """

    def __init__(self, path: Path, workdir: Path | None = None,
                 limits: Limits | None = None) -> None:
        self.path = path
        self.limits = limits or Limits.from_env()
        self._workdir = workdir
        self._tmp: Path | None = None
        self._csv: dict[str, Callable[[], IO[bytes]]] = {}
        self._where: dict[str, str] = {}
        self._bad: dict[str, TableError] = {}
        self._workbook: Path | None = None
        self._sheets: dict[str, str] = {}
        self._zip: zipfile.ZipFile | None = None
        #: Line breaks per CSV table, counted while :meth:`digest` reads the bytes anyway.
        self._lines: dict[str, int] = {}
        try:
            self._locate()
        except BaseException:
            self.close()
            raise

    # -- locating the tables ----------------------------------------------------------------
    def _locate(self) -> None:
        path = self.path
        if path.is_dir():
            self._pick(folder_entries(path))
        elif path.suffix.lower() == ".zip":
            try:
                self._zip = zipfile.ZipFile(path)
                infos = self._zip.infolist()
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                raise ExportUnreadable(
                    "压缩包已损坏或无法打开", f"not a readable zip: {exc}"
                ) from None
            self._pick(zip_entries(infos))
        elif path.suffix.lower() in (".xlsx", ".xlsm"):
            self._use_workbook(path)
        else:
            raise ExportUnreadable(
                "导出应为文件夹、.zip 压缩包或 .xlsx 工作簿",
                "an export is a folder, a .zip of one, or an .xlsx workbook",
            )

    def _pick(self, entries: list[tuple[str, Any]]) -> None:
        """Choose each table's CSV (the shallowest wins); else a workbook in the package."""
        csvs: dict[str, tuple[int, str, Any]] = {}
        workbooks: list[tuple[int, str, Any]] = []
        total = 0
        for name, ref in entries:
            pure = PurePosixPath(name)
            if any(part.startswith(("__MACOSX", ".")) for part in pure.parts):
                continue
            depth = len(pure.parts)
            stem, suffix = normalise_header(pure.stem), pure.suffix.lower()
            if suffix in (".csv", ".txt") and stem in ALL_TABLE_NAMES:
                if stem in csvs and csvs[stem][0] == depth:
                    raise ExportUnreadable(
                        f"同一张表有两个文件：{csvs[stem][1]} 与 {name}",
                        f"two files for one table: {csvs[stem][1]} and {name}",
                    )
                if stem not in csvs or depth < csvs[stem][0]:
                    csvs[stem] = (depth, name, ref)
            elif suffix in (".xlsx", ".xlsm") and not pure.name.startswith("~$"):
                workbooks.append((depth, name, ref))
        for stem, (_, name, ref) in csvs.items():
            self._csv[stem] = self._opener(stem, name, ref)
            self._where[stem] = name
            total += size_of(ref)
        if workbooks and len(csvs) < len(ALL_TABLE_NAMES):
            workbooks.sort(key=lambda w: (w[0], w[1]))
            _, name, ref = workbooks[0]
            total += size_of(ref)
            self._check_total(total)
            self._use_workbook(self._materialise(name, ref))
        self._check_total(total)

    def _check_total(self, total: int) -> None:
        if total > self.limits.total_bytes:
            raise ExportUnreadable(
                f"导出解压后超过 {self.limits.total_bytes} 字节的上限（REDGOV_MAX_TOTAL_BYTES）",
                f"the export exceeds {self.limits.total_bytes} bytes (REDGOV_MAX_TOTAL_BYTES)",
            )

    def _opener(self, table: str, name: str, ref: Any) -> Callable[[], IO[bytes]]:
        limits = self.limits
        if isinstance(ref, Path):
            problem = file_problem(ref)
            if problem:
                self._bad[table] = TableError(table, None, name, *problem)
            return lambda: open_limited(lambda: open(ref, "rb"), table, name, limits)
        zf = self._zip
        assert zf is not None
        info: zipfile.ZipInfo = ref
        bad = entry_problem(info, table, name, limits)
        if bad is not None:
            self._bad[table] = bad
        return lambda: open_limited(lambda: zf.open(info), table, name, limits,
                                    info.compress_size)

    def _materialise(self, name: str, ref: Any) -> Path:
        if isinstance(ref, Path):
            problem = file_problem(ref)
            if problem:
                raise ExportUnreadable(*problem)
            return ref
        assert self._zip is not None
        bad = entry_problem(ref, "", name, self.limits)
        if bad is not None:
            raise ExportUnreadable(bad.zh, f"{name}: {bad.en}")
        if self._workdir is not None:
            self._tmp = Path(tempfile.mkdtemp(prefix="xlsx-", dir=self._workdir))
        else:
            from .workdir import new_private_dir

            self._tmp = new_private_dir()
        target = self._tmp / "book.xlsx"
        try:
            with open_limited(lambda: self._zip.open(ref), "", name,  # type: ignore[union-attr]
                              self.limits, ref.compress_size) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
        except TableError as exc:
            raise ExportUnreadable(exc.zh, f"{name}: {exc.en}") from None
        return target

    def _use_workbook(self, path: Path) -> None:
        from openpyxl import load_workbook

        check_workbook(path, self.limits)
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
                    if name in self._sheets:
                        raise ExportUnreadable(
                            f"同一张表有两个工作表：{self._sheets[name]} 与 {title}",
                            f"two sheets for one table: {self._sheets[name]} and {title}",
                        )
                    self._sheets[name] = title
        finally:
            wb.close()
        self._workbook = path

    # -- reading ------------------------------------------------------------------------------
    def digest(self) -> str:
        """BLAKE2b over every table's bytes (name, then content): same bytes, same digest.

        A table that cannot be read adds its error's text instead: the scan reports it.
        """
        h = hashlib.blake2b(digest_size=16)
        for name in sorted(self._csv):
            h.update(f"csv:{name}\n".encode())
            try:
                if name in self._bad:
                    raise self._bad[name]
                lines = 0
                with self._csv[name]() as fh:
                    while chunk := fh.read(_CHUNK):
                        h.update(chunk)
                        lines += chunk.count(b"\n")
                self._lines[name] = lines
            except TableError as exc:
                h.update(f"\nunreadable:{exc.en}".encode())
        if self._workbook is not None:
            h.update(b"xlsx:" + ",".join(sorted(self._sheets)).encode() + b"\n")
            with open(self._workbook, "rb") as fh:
                while chunk := fh.read(_CHUNK):
                    h.update(chunk)
        return h.hexdigest()

    def expected_rows(self, table: str) -> int | None:
        """About how many records a CSV table holds (its lines less the header), known
        once :meth:`digest` has run; None for a sheet or before.  For progress only: a
        quoted line break or a blank line makes it an estimate."""
        lines = self._lines.get(table)
        return None if lines is None else max(lines - 1, 0)

    def has(self, table: str) -> bool:
        return table in self._csv or table in self._sheets

    def rows(self, table: str) -> TableRows:
        """Open ``table`` afresh; iterate ``.rows`` to the end (or close it) to release it.

        Raises :class:`TableError` (now or while iterating) when the table cannot be read.
        """
        if table in self._bad:
            raise self._bad[table]
        if table in self._csv:
            return _csv_rows(self._csv[table], table, self._where[table], self.limits)
        return self._sheet_rows(table)

    def _sheet_rows(self, table: str) -> TableRows:
        from openpyxl import load_workbook

        assert self._workbook is not None
        location = f"{self._sheets[table]} (sheet)"
        stack = contextlib.ExitStack()
        try:
            values = load_workbook(self._workbook, read_only=True, data_only=True)
            stack.callback(values.close)
            formulas = load_workbook(self._workbook, read_only=True, data_only=False)
            stack.callback(formulas.close)
            ws, wf = values[self._sheets[table]], formulas[self._sheets[table]]
            ws.reset_dimensions()  # some writers record a wrong dimension; read what is there
            wf.reset_dimensions()
        except Exception as exc:
            stack.close()
            raise damaged(table, location, exc) from None
        pairs = zip(ws.iter_rows(values_only=True), wf.iter_rows(values_only=True),
                    strict=False)
        numbered = _sheet_numbered(pairs, table, location, self.limits)
        return _table_rows(table, location, numbered, stack, self.limits, formulas=True)

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> Export:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _sheet_numbered(pairs: Iterator[tuple[Any, Any]], table: str, location: str,
                    limits: Limits) -> Iterator[tuple[int, list[Any]]]:
    """Rows of computed values; a formula cell Excel never computed becomes a Formula."""
    number = 0
    try:
        for values, formulas in pairs:
            number += 1
            row = list(values)
            for i, v in enumerate(row):
                if v is None and i < len(formulas) and isinstance(formulas[i], str) \
                        and formulas[i].startswith("="):
                    row[i] = Formula(f"{_column_letter(i + 1)}{number}")
                elif type(v) is str and len(v) > limits.cell_chars:
                    raise TableError(
                        table, number, location,
                        f"单元格超过 {limits.cell_chars} 个字符的上限（REDGOV_MAX_CELL_CHARS）",
                        f"a cell longer than {limits.cell_chars} characters "
                        "(REDGOV_MAX_CELL_CHARS)",
                    )
            yield number, row
    except TableError:
        raise
    except Exception as exc:  # the sheet's XML is damaged past its start
        raise damaged(table, location, exc) from None


def _column_letter(n: int) -> str:
    letters = ""
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


_member_name = member_name  # the tests' name for it


def open_export(path: Path | str, workdir: Path | None = None,
                limits: Limits | None = None) -> Export:
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        raise ExportUnreadable(f"路径不存在：{path}", f"no such path: {path}")
    return Export(path, workdir, limits)
