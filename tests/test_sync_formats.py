"""Reading and normalisation: every cell spelling, CSV encodings, XLSX workbooks, zips.

The strongest check is cross-format identity: the basic export synced once, then the
same data as GBK with re-spelt dates, moved spaces, reordered columns and an edited
unknown column, as an XLSX workbook, or as a zip with a subfolder — each must come back
``unchanged`` with nothing written.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from redgov.graph.conditions import expand
from redgov.loaders import sync_export
from redgov.loaders.normalise import (
    BadValue,
    clean_code,
    clean_text,
    mask_id,
    mask_phone,
    parse_bool,
    parse_date,
    parse_int,
    split_codes,
)
from redgov.loaders.read import _member_name, detect_encoding, open_export
from test_sync_support import BASIC, copy_export, dump, read_rows, status_counts, write_rows


@pytest.fixture(autouse=True)
def _home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.getbasetemp() / "sync-home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("REDGOV_HOME", str(home))


# --- cell normalisation (pure) -------------------------------------------------------------------
@pytest.mark.parametrize("raw", [
    "2024-03-01", "2024/3/1", "2024年3月1日", "45352", 45352, 45352.0, " 2024-3-1 ",
    "２０２４/03/01",
    "2024.3.1", "20240301", "2024-03-01 00:00:00", datetime(2024, 3, 1), date(2024, 3, 1),
    "2024年03月01日",
])
def test_date_spellings(raw: object) -> None:
    assert parse_date(raw) == "2024-03-01"


@pytest.mark.parametrize("raw", ["2024-02-30", "上周", "3/1/2024", "2024年13月1日", "0"])
def test_bad_dates(raw: str) -> None:
    with pytest.raises(BadValue):
        parse_date(raw)


def test_empty_cells() -> None:
    assert (parse_date(" 　"), parse_int(""), clean_code(None), parse_bool("")) == (
        None, None, "", None)


def test_spaces() -> None:
    assert clean_text("　湖里  街道 ") == "湖里街道"
    assert clean_text(" 张\u3000三 ") == "张三"
    assert clean_text("Vanke  Property   Co ") == "Vanke Property Co"
    assert clean_code(" Ｋ１ ") == "K1"
    assert split_codes("K1；K2, K3、 K1") == ["K1", "K2", "K3"]


def test_integers_and_booleans() -> None:
    assert [parse_int(v) for v in ("1,200", "１２００", 1200.0, "1200户", " 88 ", "2023年")] == [
        1200, 1200, 1200, 1200, 88, 2023]
    assert [parse_bool(v) for v in ("是", " 否 ", "Y", "n")] == [True, False, True, False]
    with pytest.raises(BadValue):
        parse_int("很多")
    with pytest.raises(BadValue):
        parse_bool("也许")


def test_masks() -> None:
    assert mask_id("350206198001011234") == "3502**********1234"
    assert mask_phone("13812345678") == "138****5678"


def test_encoding_detection(tmp_path: Path) -> None:
    text = "项目,值\n类型,全量\n"
    cases = {"utf-8-sig": "utf-8-sig", "utf-8": "utf-8-sig", "gbk": "gb18030",
             "gb18030": "gb18030"}
    for encoding, want in cases.items():
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes(text.encode(encoding))
        assert detect_encoding(lambda p=path: p.open("rb")) == want, encoding


def test_gbk_zip_member_names() -> None:
    info = zipfile.ZipInfo("导出/单位.csv".encode("gbk").decode("cp437"))
    info.flag_bits = 0
    assert _member_name(info) == "导出/单位.csv"


def test_row_numbers_count_blank_lines(tmp_path: Path) -> None:
    folder = copy_export(tmp_path)
    (folder / "走访.csv").write_text("人员编码,组织编码,日期\n\nP4,O_CO1,2024-02-05\n",
                                    encoding="utf-8")
    with open_export(folder) as export:
        table = export.rows("走访")
        assert [n for n, _ in table.rows] == [3]


# --- whole exports ------------------------------------------------------------
def _messy(tmp_path: Path) -> Path:
    """The basic export re-spelt every harmless way, written as GBK."""
    folder = copy_export(tmp_path, to="messy")
    serial = (date(2021, 6, 1) - date(1899, 12, 30)).days
    respell = {"2021-01-01": "2021/1/1", "2021-06-01": f"{serial}",
               "2019-03-01": "2019年3月1日",
               "2024-03-01": "2024年03月01日", "2024-06-01": "2024.6.1"}
    for path in sorted(folder.glob("*.csv")):
        rows = read_rows(folder, path.stem)
        header = rows[0]
        order = list(reversed(range(len(header))))  # reversed column order
        out = []
        for i, row in enumerate(rows):
            cells = []
            for j in order:
                value = row[j] if j < len(row) else ""
                if i and value in respell:
                    value = respell[value]
                elif i and value and header[j] not in ("身份证号", "手机号", "值"):
                    value = f" {value}\u3000"  # stray half- and full-width spaces
                if header[j] == "备注" and i:
                    value = "改过的备注"
                cells.append(value)
            out.append(cells)
        out[0] = [f" {h} " for h in out[0]]
        write_rows(folder, path.stem, out, encoding="gbk")
    return folder


def test_respelt_gbk_export_is_unchanged(store, tmp_path: Path) -> None:
    assert sync_export(store, BASIC).status == "applied"
    before = dump(store)
    messy = _messy(tmp_path)
    assert (messy / "单位.csv").read_bytes().decode("gbk").startswith(" 备注 ")
    report = sync_export(store, messy)
    assert report.status == "unchanged", (report.errors, report.changes)
    assert report.writes == 0
    assert dump(store) == before


def test_gbk_export_on_an_empty_graph(store, tmp_path: Path) -> None:
    report = sync_export(store, _messy(tmp_path))
    assert report.status == "applied", report.errors
    assert status_counts(report)["人员"] == {"added": 4}
    rows = store.read(expand(
        "MATCH (u:Unit {code: 'K1'}) WHERE @live(u) RETURN u.name AS name, u.households AS h"))
    assert rows == [{"name": "大洋雅苑", "h": 320}]


def _workbook(folder: Path, target: Path) -> Path:
    """One sheet per table; dates as real dates, counts as numbers, like a clerk's Excel."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for path in sorted(folder.glob("*.csv")):
        ws = wb.create_sheet(path.stem)
        rows = read_rows(folder, path.stem)
        ws.append(rows[0])
        for row in rows[1:]:
            cells: list[object] = []
            for header, value in zip(rows[0], row, strict=False):
                if header.endswith("日期") and value[:1].isdigit() and path.stem != "清单":
                    cells.append(datetime.fromisoformat(value))
                elif header in ("户数", "年度") and value:
                    cells.append(int(value))
                else:
                    cells.append(value or None)
            ws.append(cells)
    wb.save(target)
    return target


def test_xlsx_workbook(store, tmp_path: Path) -> None:
    book = _workbook(BASIC, tmp_path / "台账.xlsx")
    report = sync_export(store, book)
    assert report.status == "applied", report.errors
    assert status_counts(report)["任职"] == {"added": 5}
    assert sync_export(store, BASIC).status == "unchanged"  # same data as CSV


def test_xlsx_errors_use_sheet_rows(store, tmp_path: Path) -> None:
    folder = copy_export(tmp_path)
    rows = read_rows(folder, "任职")
    rows[3][rows[0].index("开始日期")] = "不详"
    write_rows(folder, "任职", rows)
    report = sync_export(store, _workbook(folder, tmp_path / "bad.xlsx"))
    assert [(e.table, e.row, e.column, e.value) for e in report.errors] == [
        ("任职", 4, "开始日期", "不详")]


@pytest.mark.parametrize("prefix", ["", "湖里区台账2024/"])
def test_zip(store, tmp_path: Path, prefix: str) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(BASIC.glob("*.csv")):
            zf.write(path, prefix + path.name)
        zf.writestr("__MACOSX/._单位.csv", b"\x00junk")
    report = sync_export(store, archive)
    assert report.status == "applied", report.errors
    assert status_counts(report)["单位"] == {"added": 6}
    assert sync_export(store, BASIC).status == "unchanged"


def test_zip_of_a_workbook(store, tmp_path: Path) -> None:
    book = _workbook(BASIC, tmp_path / "台账.xlsx")
    archive = tmp_path / "book.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(book, "导出/台账.xlsx")
    assert sync_export(store, archive).status == "applied"


def test_csv_written_by_excel_with_crlf_and_quotes(store, tmp_path: Path) -> None:
    folder = copy_export(tmp_path)
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerows(read_rows(folder, "评价"))
    (folder / "评价.csv").write_bytes(buf.getvalue().encode("utf-8-sig"))
    assert sync_export(store, folder).status == "applied"
    assert sync_export(store, BASIC).status == "unchanged"
