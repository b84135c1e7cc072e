"""Cell normalisation: what clerks type (and what spreadsheets store) → one canonical value.

Every function is pure and total on strings: it returns the normalised value, or raises
:class:`BadValue` whose two messages (Chinese, English) become the validation error.
Spreadsheets hand over numbers and datetimes as well as text; :func:`cell_text` turns
those into the text a person sees, so a code typed as ``350206`` in Excel and the same
code in a CSV are one code.

>>> parse_date("2024年3月1日"), parse_date(" 2024/3/1 "), parse_date("45352")
('2024-03-01', '2024-03-01', '2024-03-01')
>>> clean_text("　湖里  街道 "), clean_code(" ＨＬ-001 ")
('湖里街道', 'HL-001')
>>> mask_id("350203199001011234"), mask_phone("13812345678")
('3502**********1234', '138****5678')
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import Any

__all__ = [
    "BadValue",
    "cell_text",
    "clean_code",
    "clean_text",
    "day_number",
    "mask_id",
    "mask_phone",
    "normalise_header",
    "parse_bool",
    "parse_date",
    "parse_int",
    "split_codes",
]


class BadValue(ValueError):
    """A cell that cannot be normalised; carries the reason in Chinese and English."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en


# Any Unicode space (half-width, full-width U+3000, no-break U+00A0, zero-width ones).
_SPACE_RUN = re.compile(r"[\s\u3000\u00a0\u200b\u200c\u200d\ufeff]+")
_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
# A space next to a CJK character is never meaningful ("湖里 街道", "张 三").
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}]) | (?=[{_CJK}])")
_EPOCH = date(1970, 1, 1)
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01 with Excel's 1900 leap-year bug


def cell_text(value: Any) -> str:
    """The text a cell shows: numbers without a spurious ``.0``, datetimes as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def clean_text(value: Any) -> str:
    """Trim, collapse runs of any width of space to one, drop spaces beside CJK characters."""
    if type(value) is str and not _SPACE_RUN.search(value):
        return value  # the common case, kept fast: a million rows pass through here
    text = _SPACE_RUN.sub(" ", cell_text(value)).strip()
    return _SPACE_NEAR_CJK.sub("", text) if " " in text else text


def clean_code(value: Any) -> str:
    """Codes: full-width letters and digits folded to ASCII (NFKC), every space removed."""
    if type(value) is str and value.isascii():
        return "".join(value.split()) if " " in value or not value.isprintable() else value
    return _SPACE_RUN.sub("", unicodedata.normalize("NFKC", cell_text(value)))


def normalise_header(value: Any) -> str:
    """Headers compare on their NFKC, space-free form (``' 单位 编码'`` is ``单位编码``)."""
    return clean_code(value)


def split_codes(value: Any) -> list[str]:
    """``依托主体编码``: several codes separated by ``;`` (any width, also ``,`` ``、``)."""
    text = unicodedata.normalize("NFKC", cell_text(value))
    parts = re.split(r"[;,、，；]", text)
    seen: list[str] = []
    for part in parts:
        code = _SPACE_RUN.sub("", part)
        if code and code not in seen:
            seen.append(code)
    return seen


_ISO = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_CN = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^\d{1,5}(?:\.\d+)?$")


def parse_date(value: Any) -> str | None:
    """ISO ``YYYY-MM-DD`` from the registry's spellings; None for an empty cell.

    Accepted: ``2024-03-01``, ``2024/3/1``, ``2024.3.1``, ``2024年3月1日``, ``20240301``,
    an optional time part, a spreadsheet datetime, and Excel serial numbers (days since
    1899-12-30, the 1900 date system) up to 99999.
    """
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial(float(value), value)
    if type(value) is str and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            pass  # fall through to the general parser and its message
    text = clean_code(value)
    if not text:
        return None
    spaced = _SPACE_RUN.sub(" ", unicodedata.normalize("NFKC", cell_text(value))).strip()
    for pattern, candidate in ((_ISO, spaced), (_ISO, text), (_CN, text), (_COMPACT, text)):
        m = pattern.match(candidate)
        if m:
            y, mo, d = (int(g) for g in m.groups())
            try:
                return date(y, mo, d).isoformat()
            except ValueError:
                raise BadValue(f"日期不存在：{text}", f"no such date: {text}") from None
    if _SERIAL.match(text):
        return _serial(float(text), text)
    raise BadValue(
        "日期格式无法识别（应为 2024-03-01、2024/3/1、2024年3月1日 或 Excel 日期序号）",
        "unrecognised date (expected 2024-03-01, 2024/3/1, 2024年3月1日 or an Excel serial)",
    )


def _serial(number: float, shown: Any) -> str:
    if not 1 <= number < 100000:
        raise BadValue(
            f"Excel 日期序号超出范围：{shown}", f"Excel date serial out of range: {shown}"
        )
    return (_EXCEL_EPOCH + timedelta(days=int(number))).isoformat()


def day_number(iso: str | None) -> int | None:
    """Days since 1970-01-01 for the ``*_day`` companions of ISO dates."""
    if not iso:
        return None
    return (date.fromisoformat(iso) - _EPOCH).days


def parse_int(value: Any) -> int | None:
    """Integers as typed: ``1,200``, ``１２００``, ``1200.0`` from a spreadsheet, ``1200户``."""
    if isinstance(value, bool):
        raise BadValue("应为整数", "expected an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise BadValue("应为整数", "expected an integer")
    text = clean_code(value).replace(",", "")
    if not text:
        return None
    text = re.sub(r"(户|年|年度)$", "", text)
    if re.fullmatch(r"[+-]?\d+(\.0+)?", text):
        return int(float(text)) if "." in text else int(text)
    raise BadValue("应为整数", "expected an integer")


_TRUE = {"是", "Y", "YES", "TRUE", "1", "√", "有"}
_FALSE = {"否", "N", "NO", "FALSE", "0", "×", "无"}


def parse_bool(value: Any) -> bool | None:
    """``是``/``否`` (and the usual spreadsheet spellings) → True/False; empty → None."""
    text = clean_code(value).upper()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadValue("应为“是”或“否”", "expected 是 (yes) or 否 (no)")


def _mask(digits: str, head: int, tail: int) -> str:
    if len(digits) <= head + tail:
        return "*" * len(digits)
    return digits[:head] + "*" * (len(digits) - head - tail) + digits[-tail:]


def mask_id(value: str) -> str:
    """``3502**********1234``: the region prefix and the last four kept, nothing else."""
    return _mask(value, 4, 4)


def mask_phone(value: str) -> str:
    """``138****5678``."""
    return _mask(value, 3, 4)
