"""The per-row shortcuts of the record path (issue 18) give exactly the general answers.

``to_record`` signs with a per-table sorted name order and hashes with precomputed HMAC
pad states; both must equal the plain definitions (``signature(signature_values(...))``,
``hmac.new(key, value, sha256)``) on every row of the hand-written fixture exports and on
keys of every length class, or a re-sync would see every record as changed.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest
from redgov.loaders.normalise import clean_code
from redgov.loaders.pii import Hasher
from redgov.loaders.read import open_export
from redgov.loaders.records import _signature, signature, to_record
from redgov.loaders.schema import build, signature_values
from redgov.loaders.tables import TABLE_ORDER

EXPORTS = Path(__file__).parent / "fixtures" / "exports"


@pytest.mark.parametrize("key", [b"", b"k", b"k" * 32, b"x" * 64, b"y" * 65, bytes(range(200))])
def test_hasher_is_hmac_sha256(key: bytes) -> None:
    hasher = Hasher(key)
    for value in ("350203199001011234", " 35020319900101123x ", "13812345678", "１３８"):
        want_id = hmac.new(key, clean_code(value).upper().encode(), hashlib.sha256).hexdigest()
        want_phone = hmac.new(key, ("phone:" + clean_code(value)).encode(),
                              hashlib.sha256).hexdigest()
        assert (hasher.id_hash(value), hasher.phone_hash(value)) == (want_id, want_phone), \
            (key, value)


@pytest.mark.parametrize("name", ["sync_basic", "audit_base", "audit_main"])
def test_fixture_signatures_are_the_general_ones(name: str) -> None:
    export = open_export(EXPORTS / name)
    hasher = Hasher(b"k" * 32)
    checked = 0
    for table in TABLE_ORDER:
        if not export.has(table.name):
            continue
        rows = export.rows(table.name)
        for number, raw in rows.rows:
            record, _, _ = to_record(table, number, raw, None, hasher)
            if record is None:
                continue
            _, values, extra = build(table, _cells(table, record.values, raw), hasher)
            want = signature(signature_values(table.name, values, extra))
            assert record.sig == want, (name, table.name, number, record.values)
            checked += 1
        rows.close()
    assert checked > 20, checked  # every fixture holds records of several tables


def _cells(table, values, raw):  # type: ignore[no-untyped-def]
    """The parsed cells again, from a fresh to_record of the row (identity, no hasher)."""
    from redgov.loaders.records import _columns

    cells = {}
    for _column, header, _key, parse, _required, many in _columns(table):
        cell = raw.get(header)
        cells[header] = ([] if many else None) if cell in (None, "") else parse(cell)
    return cells


def test_unusual_value_names_take_the_general_path() -> None:
    table = TABLE_ORDER[0]
    values = {"code": "U1", "surprise": None, "name": "甲"}
    assert _signature(table, values, {}) == signature(signature_values(table.name, values, {}))
