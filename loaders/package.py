"""The files of an export package — folder, zip or workbook — and whether they are safe.

An unsafe package is refused as a whole (:class:`ExportUnreadable`): zip entries named
twice, with ``..``, an absolute path or a drive letter, or stored as links; folder entries
linking outside the folder.  What an entry's header already tells about one table —
encrypted, an unsupported method, too big, a bomb — is that table's :class:`TableError`.
A workbook is a zip too: its parts are checked the same way before openpyxl opens it.
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
from pathlib import Path
from typing import Any

from .guard import TableError, ratio_error
from .limits import RATIO_FLOOR, Limits

__all__ = [
    "ExportUnreadable", "check_workbook", "entry_problem", "file_problem", "folder_entries",
    "member_name", "size_of", "zip_entries",
]

_SUPPORTED = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)
_DRIVE = re.compile(r"^[A-Za-z]:")


class ExportUnreadable(ValueError):
    """The path is not an export at all (not a folder, zip or workbook, corrupt or unsafe)."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en


def folder_entries(root: Path) -> list[tuple[str, Path]]:
    """Every file under ``root``; a link is followed only when it stays inside the folder."""
    base = root.resolve()
    found: list[tuple[str, Path]] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in [*dirnames, *filenames]:
            p = Path(dirpath) / name
            if not p.is_symlink():
                continue
            target = p.resolve()
            if target != base and base not in target.parents:
                raise ExportUnreadable(
                    f"导出中的链接指向导出之外：{p.relative_to(root).as_posix()}",
                    f"a link points outside the export: {p.relative_to(root).as_posix()}",
                )
        for name in filenames:
            p = Path(dirpath) / name
            found.append((p.relative_to(root).as_posix(), p.resolve()))
    return sorted(found)


def file_problem(path: Path) -> tuple[str, str] | None:
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return ("无法读取该文件", f"cannot read the file ({type(exc).__name__})")
    if not stat.S_ISREG(mode):
        return ("不是普通文件（管道、设备等），不予读取",
                "not a regular file (a pipe or device): not read")
    if not os.access(path, os.R_OK):
        return ("没有读取该文件的权限", "permission denied reading the file")
    return None


def size_of(ref: Any) -> int:
    if isinstance(ref, Path):
        try:
            return ref.stat().st_size
        except OSError:
            return 0
    return int(ref.file_size)


def zip_entries(infos: list[zipfile.ZipInfo]) -> list[tuple[str, zipfile.ZipInfo]]:
    """The zip's files; unsafe or repeated names refuse the whole export."""
    seen: set[str] = set()
    entries: list[tuple[str, zipfile.ZipInfo]] = []
    for info in infos:
        name = member_name(info)
        shown = name.replace("\\", "/")
        parts = shown.split("/")
        is_link = info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)
        if shown.startswith("/") or ".." in parts or _DRIVE.match(shown) or is_link:
            what = "链接" if is_link else "不安全的路径"
            raise ExportUnreadable(
                f"压缩包含有{what}的条目：{name}",
                f"the zip holds an unsafe entry ({'a link' if is_link else 'unsafe path'}): "
                f"{name}",
            )
        if shown in seen:
            raise ExportUnreadable(f"压缩包中条目重名：{name}",
                                   f"the zip holds two entries named {name}")
        seen.add(shown)
        if not info.is_dir():
            entries.append((shown, info))
    return entries


def entry_problem(info: zipfile.ZipInfo, table: str, name: str, limits: Limits
                   ) -> TableError | None:
    """What the entry's header already tells: encrypted, unsupported, too big, a bomb."""
    if info.flag_bits & 0x1:
        return TableError(table, None, name, "文件已加密，无法读取",
                          "the entry is encrypted (password-protected)")
    if info.compress_type not in _SUPPORTED:
        return TableError(table, None, name, "不支持的压缩方式",
                          f"unsupported compression method ({info.compress_type})")
    if info.file_size > limits.entry_bytes:
        return TableError(
            table, None, name,
            f"文件解压后超过 {limits.entry_bytes} 字节的上限（REDGOV_MAX_ENTRY_BYTES）",
            f"the file exceeds {limits.entry_bytes} bytes (REDGOV_MAX_ENTRY_BYTES)",
        )
    if info.file_size > RATIO_FLOOR and info.file_size > limits.ratio * max(
            info.compress_size, 1):
        return ratio_error(table, name, limits)
    return None


def check_workbook(path: Path, limits: Limits) -> None:
    """A workbook is a zip too: its parts' sizes and ratios are checked before openpyxl."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ExportUnreadable("工作簿已损坏或无法打开",
                               "not a readable workbook (not a zip)") from None
    total = 0
    for info in infos:
        bad = entry_problem(info, "", info.filename, limits)
        if bad is not None:
            raise ExportUnreadable(f"工作簿的 {info.filename}：{bad.zh}",
                                   f"workbook part {info.filename}: {bad.en}")
        total += info.file_size
    if total > limits.total_bytes:
        raise ExportUnreadable(
            f"工作簿解压后超过 {limits.total_bytes} 字节的上限（REDGOV_MAX_TOTAL_BYTES）",
            f"the workbook exceeds {limits.total_bytes} bytes (REDGOV_MAX_TOTAL_BYTES)",
        )


def member_name(info: zipfile.ZipInfo) -> str:
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
