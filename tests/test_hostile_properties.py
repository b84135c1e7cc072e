"""Property-based: arbitrary cells, headers, bytes and table shapes never crash a sync.

Hypothesis feeds the row normaliser (``to_record``), the readers and the validator
(``scan``) with whatever it likes — control characters, huge numbers, formulas, wrong
types, random bytes in any encoding, repeated or blank headers, ragged rows — and the
only outcomes allowed are a record or listed issues; no issue may carry a raw ID number
or phone.  Example counts are modest to keep the suite fast.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from corpus.hostile import BASIC
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redgov.loaders.pii import Hasher, find_pii
from redgov.loaders.read import Formula, open_export
from redgov.loaders.records import to_record
from redgov.loaders.report import Issue
from redgov.loaders.state import GraphState
from redgov.loaders.tables import TABLE_ORDER, TABLES
from redgov.loaders.validate import scan

HASHER = Hasher(b"k" * 32)
FAST = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SLOW = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

_PII = st.sampled_from(["350206198001011234", "13812345678", "35020619850208567X",
                        "138 1234 5678", "３５０２０６１９８００１０１１２３４"])
_TEXT = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
    st.from_regex(r"[0-9Xx \-/.年月日]{0,20}", fullmatch=True),
    _PII, st.builds(lambda a, b: a + b, st.text(max_size=5), _PII),
)
CELL = st.one_of(
    st.none(), _TEXT, st.integers(), st.floats(allow_nan=True), st.booleans(),
    st.datetimes(min_value=datetime(1, 1, 2)), st.builds(Formula, st.just("B2")),
)
_NON_CODE = ("name", "title", "project", "gender", "standing_text", "grade", "households",
             "year", "status", "kind", "level", "id_masked", "phone_masked")
HEADERS = st.sampled_from(sorted({h for t in TABLE_ORDER for h in t.headers} | {"操作", ""}))


def _clean(issues: list[Issue]) -> None:
    for i in issues:
        assert isinstance(i.reason_zh, str) and isinstance(i.reason_en, str)
        for text in (i.value, i.column):
            assert text is None or find_pii(text) is None, i


@FAST
@given(table=st.sampled_from(TABLE_ORDER), row=st.dictionaries(HEADERS, CELL, max_size=12),
       incremental=st.booleans())
def test_to_record_never_raises(table: Any, row: dict[str, Any], incremental: bool) -> None:
    record, errors, warnings = to_record(table, 2, row, incremental, HASHER)
    assert (record is None) == bool(errors)
    _clean(errors + warnings)
    if record is not None:  # no personal data under another name (code columns exempt)
        assert all(find_pii(str(v)) is None for k, v in record.values.items()
                   if k in _NON_CODE), record


def _export_with(table: str, data: bytes) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="hyp-"))
    shutil.copytree(BASIC, folder, dirs_exist_ok=True)
    (folder / f"{table}.csv").write_bytes(data)
    return folder


def _scan(folder: Path) -> list[Issue]:
    try:
        with open_export(folder) as export:
            found = scan(export, GraphState(), HASHER)
            found.spool.close()
            return found.errors + found.warnings
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@SLOW
@given(table=st.sampled_from([*TABLES, "清单"]), data=st.binary(max_size=400))
def test_arbitrary_bytes_are_listed_errors(table: str, data: bytes) -> None:
    _clean(_scan(_export_with(table, data)))


@SLOW
@given(
    table=st.sampled_from(list(TABLES)),
    header=st.lists(st.one_of(HEADERS, st.text(max_size=6)), min_size=0, max_size=10),
    rows=st.lists(st.lists(_TEXT, max_size=12), max_size=6),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
    delimiter=st.sampled_from([",", "\t"]),
)
def test_arbitrary_table_shapes_are_listed_errors(
    table: str, header: list[str], rows: list[list[str]], encoding: str, delimiter: str,
) -> None:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter).writerows([header, *rows])
    data = buf.getvalue().encode(encoding, errors="replace")
    _clean(_scan(_export_with(table, data)))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header=st.lists(HEADERS, max_size=8),
       rows=st.lists(st.lists(st.one_of(st.none(), _TEXT, st.integers(-10**6, 10**12),
                                        st.floats(allow_nan=False, allow_infinity=False)),
                              max_size=8), max_size=4))
def test_arbitrary_workbook_sheets_are_listed_errors(header: list[str], rows: list[list[Any]]
                                                      ) -> None:
    from openpyxl import Workbook
    from openpyxl.utils.exceptions import IllegalCharacterError

    wb = Workbook()
    wb.active.title = "人员"
    folder = Path(tempfile.mkdtemp(prefix="hyp-"))
    shutil.copytree(BASIC, folder, dirs_exist_ok=True)
    (folder / "人员.csv").unlink()
    try:
        for r in [header, *rows]:
            wb.active.append(r)
    except IllegalCharacterError:
        shutil.rmtree(folder)
        return  # openpyxl cannot write control characters: not a workbook Excel would make
    wb.save(folder / "book.xlsx")
    _clean(_scan(folder))
