"""Guards on the bytes of one table: limits while streaming, damage, and the text encoding.

:class:`LimitedReader` wraps the raw stream of a table file or zip entry: it counts the
decompressed bytes (the per-entry size limit and, for a zip entry, the compression ratio
are judged as the bytes arrive, so a bomb is refused after a few megabytes, not after a
gigabyte) and turns whatever a damaged entry raises — a bad CRC, an unsupported method,
an encrypted entry, a truncated stream, an OS error — into a :class:`TableError`.

:func:`detect_encoding` decides a file's encoding without ever decoding lossily: a BOM
means UTF-8; else the whole file must be strict UTF-8, else strict GB18030 (a superset
of GBK) *with no line that is clean UTF-8 Chinese* — such a line means the file mixes
two encodings (a GBK file with rows pasted from a UTF-8 one), and one of the two halves
would be read as mojibake.  Anything else is an encoding error of that file ("mixed" when
some of its lines are clean UTF-8 Chinese, else "neither").
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
import zlib
from collections.abc import Callable
from typing import IO

from .limits import RATIO_FLOOR, Limits
from .report import Issue

__all__ = ["LimitedReader", "TableError", "detect_encoding"]

_CHUNK = 1 << 20
_CJK_LINE = re.compile(r"^[\x00-\x7f\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]*$")
_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")


class TableError(Exception):
    """One table cannot be read (or read further): becomes one listed error."""

    def __init__(self, table: str, row: int | None, location: str, zh: str, en: str,
                 column: str | None = None) -> None:
        super().__init__(en)
        self.table, self.row, self.column = table, row, column
        self.location, self.zh, self.en = location, zh, en

    def issue(self) -> Issue:
        return Issue(self.table, self.row, self.column, self.location, self.zh, self.en)


def damaged(table: str, location: str, exc: BaseException) -> TableError:
    """The listed error for what reading an entry raised; the reason names the damage."""
    text = str(exc)
    if isinstance(exc, RuntimeError) and "encrypted" in text:
        return TableError(table, None, location, "文件已加密，无法读取",
                          "the entry is encrypted (password-protected)")
    if isinstance(exc, NotImplementedError):
        return TableError(table, None, location, "不支持的压缩方式",
                          f"unsupported compression method ({text})")
    if isinstance(exc, zipfile.BadZipFile) and "CRC" in text:
        return TableError(table, None, location, "文件校验失败（CRC 错误，压缩包已损坏）",
                          "bad CRC: the zip entry is damaged")
    if isinstance(exc, PermissionError):
        return TableError(table, None, location, "没有读取该文件的权限",
                          "permission denied reading the file")
    return TableError(table, None, location, "文件已损坏或无法读取",
                      f"the file is damaged or unreadable ({type(exc).__name__})")


_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
           RuntimeError, ValueError)


class LimitedReader(io.RawIOBase):
    """A raw stream that enforces the entry size and ratio limits and names any damage."""

    def __init__(self, raw: IO[bytes], table: str, location: str, limits: Limits,
                 compressed: int | None = None) -> None:
        super().__init__()
        self._raw, self._table, self._location = raw, table, location
        self._limits, self._compressed = limits, compressed
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        try:
            data = self._raw.read(len(buffer))
        except _DAMAGE as exc:
            raise damaged(self._table, self._location, exc) from None
        n = len(data)
        buffer[:n] = data
        self.count += n
        self._check()
        return n

    def _check(self) -> None:
        lim = self._limits
        if self.count > lim.entry_bytes:
            raise TableError(
                self._table, None, self._location,
                f"文件解压后超过 {lim.entry_bytes} 字节的上限（REDGOV_MAX_ENTRY_BYTES）",
                f"the file exceeds {lim.entry_bytes} bytes (REDGOV_MAX_ENTRY_BYTES)",
            )
        if (self._compressed is not None and self.count > RATIO_FLOOR
                and self.count > lim.ratio * max(self._compressed, 1)):
            raise ratio_error(self._table, self._location, lim)

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


def ratio_error(table: str, location: str, lim: Limits) -> TableError:
    return TableError(
        table, None, location,
        f"压缩比超过 {lim.ratio} 倍的上限（疑似压缩炸弹，REDGOV_MAX_RATIO）",
        f"compression ratio above {lim.ratio} (a zip bomb?; REDGOV_MAX_RATIO)",
    )


def open_limited(opener: Callable[[], IO[bytes]], table: str, location: str, limits: Limits,
                 compressed: int | None = None) -> io.BufferedReader:
    """Open and wrap one entry; opening errors (encrypted, unsupported, denied) are listed."""
    try:
        raw = opener()
    except _DAMAGE as exc:
        raise damaged(table, location, exc) from None
    return io.BufferedReader(LimitedReader(raw, table, location, limits, compressed), _CHUNK)


def encoding_error(table: str, location: str, mixed: bool = False) -> TableError:
    if mixed:
        return TableError(
            table, None, location,
            "文件混用了多种编码（部分行是 UTF-8，部分不是，或有损坏的 UTF-8 字符），"
            "请统一为 UTF-8 或 GBK 后重新导出",
            "the file mixes encodings (some lines UTF-8, others not, or broken UTF-8); "
            "re-export it in one encoding",
        )
    return TableError(
        table, None, location,
        "文件编码无法识别：既不是 UTF-8 也不是 GB18030/GBK",
        "text encoding not recognised: the file is neither UTF-8 nor GB18030/GBK",
    )


def _decodes(open_binary: Callable[[], IO[bytes]], encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        with open_binary() as fh:
            while chunk := fh.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _utf8_chinese_line(open_binary: Callable[[], IO[bytes]], line_bytes: int) -> bool:
    """Some line is valid UTF-8 holding Chinese (and nothing a GBK pair would make)."""
    with open_binary() as fh:
        while line := fh.readline(line_bytes):
            if line.isascii():
                continue
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError:
                continue
            if len(_CJK_CHAR.findall(text)) >= 2 and _CJK_LINE.match(text):
                return True
    return False


def detect_encoding(open_binary: Callable[[], IO[bytes]], table: str = "",
                    location: str = "", line_bytes: int = 4 << 20) -> str:
    """``utf-8-sig`` or ``gb18030``; anything else raises the file's encoding error."""
    with open_binary() as fh:
        head = fh.read(4)
    if head.startswith(codecs.BOM_UTF8):
        if _decodes(open_binary, "utf-8-sig"):
            return "utf-8-sig"
        raise encoding_error(table, location, mixed=True)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise encoding_error(table, location)
    if _decodes(open_binary, "utf-8"):
        return "utf-8-sig"
    if _decodes(open_binary, "gb18030"):
        if _utf8_chinese_line(open_binary, line_bytes):
            raise encoding_error(table, location, mixed=True)
        return "gb18030"
    raise encoding_error(table, location, mixed=_utf8_chinese_line(open_binary, line_bytes))
