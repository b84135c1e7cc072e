"""The hostile-export corpus: each case builds one export and states its exact outcome.

Every case starts from the hand-made ``sync_basic`` fixture (or from nothing) and changes
one thing an attacker or a careless clerk would: a repeated header, a shifted row, an ID
number in a name, a file in Latin-1, a zip entry named ``../x``, a zip bomb, … .  Binary
and zip cases are generated here rather than committed, and size limits are lowered by
``env`` so that a "bomb" is a few megabytes, not a gigabyte (``benchmarks`` measures the
real sizes).  ``tests/test_hostile_corpus.py`` runs every case through the real sync on
every engine and compares the errors (table, row, column, value, English reason) exactly.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

FIXTURES = Path(__file__).parent.parent / "fixtures" / "exports"
BASIC = FIXTURES / "sync_basic"

Expected = tuple[str, int | None, str | None, str | None, str]


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Path], Path]
    errors: list[Expected]
    warnings: list[Expected] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    #: Sync the unmodified fixture first (for cases about what a graph already holds).
    base: bool = False


# -- helpers ----------------------------------------------------------------------------------
def copy(tmp: Path, name: str = "export") -> Path:
    target = tmp / name
    shutil.copytree(BASIC, target)
    return target


def rows_of(folder: Path, table: str) -> list[list[str]]:
    with open(folder / f"{table}.csv", encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def write(folder: Path, table: str, rows: list[list[str]], encoding: str = "utf-8") -> None:
    with open(folder / f"{table}.csv", "w", encoding=encoding, newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(rows)


def set_cell(folder: Path, table: str, row: int, column: str, value: str) -> None:
    rows = rows_of(folder, table)
    rows[row - 1][rows[0].index(column)] = value
    write(folder, table, rows)


def edited(table: str, row: int, column: str, value: str) -> Callable[[Path], Path]:
    def build(tmp: Path) -> Path:
        folder = copy(tmp)
        set_cell(folder, table, row, column, value)
        return folder
    return build


def zipped(folder: Path, target: Path, extra: list[tuple[zipfile.ZipInfo | str, bytes]]
           = (), skip: tuple[str, ...] = (), method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(target, "w", method) as zf:
        for p in sorted(folder.iterdir()):
            if p.name not in skip:
                zf.write(p, p.name)
        for info, data in extra:
            zf.writestr(info, data)
    return target


def zip_of_basic(tmp: Path, extra: list[tuple[zipfile.ZipInfo | str, bytes]] = (),
                 skip: tuple[str, ...] = (), method: int = zipfile.ZIP_DEFLATED) -> Path:
    return zipped(copy(tmp, "src"), tmp / "export.zip", extra, skip, method)


def patch_zip(path: Path, name: str, change: Callable[[bytearray, int, int], None]) -> None:
    """Edit the raw bytes of one entry: ``change(data, local_header_offset, central_offset)``."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(name)
    central = data.rfind(b"PK\x01\x02" + data[info.header_offset + 4:info.header_offset + 6])
    while True:  # find this entry's central record by its name
        n = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46:central + 46 + n]) == info.filename.encode():
            break
        central = data.rfind(b"PK\x01\x02", 0, central)
    change(data, info.header_offset, central)
    path.write_bytes(bytes(data))


# -- builders -----------------------------------------------------------------------------------
def duplicate_name_column(tmp: Path) -> Path:
    folder = copy(tmp)
    rows = rows_of(folder, "人员")
    for i, r in enumerate(rows):
        r.append("姓名" if i == 0 else f"冒名{i}")
    write(folder, "人员", rows)
    return folder


def blank_header_with_data(tmp: Path) -> Path:
    folder = copy(tmp)
    rows = rows_of(folder, "单位")
    rows[0].append("")
    for r in rows[1:]:
        r.append("遗落")
    write(folder, "单位", rows)
    return folder


def renamed_header(table: str, old: str, new: str) -> Callable[[Path], Path]:
    def build(tmp: Path) -> Path:
        folder = copy(tmp)
        rows = rows_of(folder, table)
        rows[0][rows[0].index(old)] = new
        write(folder, table, rows)
        return folder
    return build


def shifted_row(tmp: Path) -> Path:
    """P2's 政治面貌 left out: her ID number lands in 居住单位编码 and her phone in 身份证号."""
    folder = copy(tmp)
    rows = rows_of(folder, "人员")
    del rows[2][3]
    write(folder, "人员", rows)
    return folder


def raw_bytes(table: str, data: bytes) -> Callable[[Path], Path]:
    def build(tmp: Path) -> Path:
        folder = copy(tmp)
        (folder / f"{table}.csv").write_bytes(data)
        return folder
    return build


def text_in(table: str, encoding: str) -> Callable[[Path], Path]:
    def build(tmp: Path) -> Path:
        folder = copy(tmp)
        text = (BASIC / f"{table}.csv").read_text(encoding="utf-8-sig")
        (folder / f"{table}.csv").write_bytes(text.encode(encoding))
        return folder
    return build


def mixed_encodings(tmp: Path) -> Path:
    """A GBK 人员.csv with one row pasted from a UTF-8 file."""
    folder = copy(tmp)
    text = (BASIC / "人员.csv").read_text(encoding="utf-8-sig").splitlines()
    data = ("\r\n".join(text[:-1]) + "\r\n").encode("gbk") + (text[-1] + "\r\n").encode()
    (folder / "人员.csv").write_bytes(data)
    return folder


def mixed_decodable_as_gbk(tmp: Path) -> Path:
    """GBK with a UTF-8 row whose bytes happen to be valid GB18030 too (mojibake if read)."""
    folder = copy(tmp)
    text = (BASIC / "人员.csv").read_text(encoding="utf-8-sig")
    data = text.encode("gbk") + "P5,张三,,群众,,K1,,\r\n".encode()
    data.decode("gb18030")  # the trap: it decodes, as 寮犱笁 and the like
    (folder / "人员.csv").write_bytes(data)
    return folder


def truncated_utf8(tmp: Path) -> Path:
    """A UTF-8 file with one character cut short (a broken copy)."""
    folder = copy(tmp)
    data = (BASIC / "单位.csv").read_bytes()
    cut = data.index("湖里区".encode()) + 2
    (folder / "单位.csv").write_bytes(data[:cut] + data[cut + 1:])
    return folder


def zip_with_entry(name: str, link: bool = False) -> Callable[[Path], Path]:
    def build(tmp: Path) -> Path:
        info = zipfile.ZipInfo(name)
        if link:
            info.create_system = 3
            info.external_attr = (0o120777 << 16)
        return zip_of_basic(tmp, [(info, b"/etc/passwd" if link else b"x,y\n")])
    return build


def zip_duplicate(tmp: Path) -> Path:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns "Duplicate name": that is the point
        return zip_of_basic(tmp, [("单位.csv", "单位编码,名称,层级\nX,冒名市,市\n".encode())])


def zip_encrypted(tmp: Path) -> Path:
    path = zip_of_basic(tmp)

    def flag(data: bytearray, local: int, central: int) -> None:
        data[local + 6] |= 0x1
        data[central + 8] |= 0x1
    patch_zip(path, "任职.csv", flag)
    return path


def zip_unsupported(tmp: Path) -> Path:
    path = zip_of_basic(tmp)

    def method(data: bytearray, local: int, central: int) -> None:
        struct.pack_into("<H", data, local + 8, 97)
        struct.pack_into("<H", data, central + 10, 97)
    patch_zip(path, "走访.csv", method)
    return path


def zip_bad_crc(tmp: Path) -> Path:
    path = zip_of_basic(tmp, method=zipfile.ZIP_STORED)
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("评价.csv")

    def flip(data: bytearray, local: int, central: int) -> None:
        start = local + 30 + struct.unpack_from("<H", data, local + 26)[0] \
            + struct.unpack_from("<H", data, local + 28)[0]
        data[start + info.file_size - 3] ^= 0x01  # the last digit of 2023 → 2022
    patch_zip(path, "评价.csv", flip)
    return path


def zip_truncated(tmp: Path) -> Path:
    path = zip_of_basic(tmp)
    path.write_bytes(path.read_bytes()[:200])
    return path


def two_files_one_table(tmp: Path) -> Path:
    folder = copy(tmp)
    shutil.copy(folder / "走访.csv", folder / "走访.txt")
    return folder


def link_outside(tmp: Path) -> Path:
    folder = copy(tmp)
    outside = tmp / "secret.csv"
    outside.write_text("人员编码,组织编码,日期\nP4,O_CO1,2024-02-06\n", encoding="utf-8")
    (folder / "走访.csv").unlink()
    (folder / "走访.csv").symlink_to(outside)
    return folder


def dir_link_outside(tmp: Path) -> Path:
    folder = copy(tmp)
    (folder / "more").symlink_to("/etc")
    return folder


def link_inside(tmp: Path) -> Path:
    folder = copy(tmp)
    (folder / "data").mkdir()
    shutil.move(folder / "走访.csv", folder / "data" / "visits.csv")
    (folder / "走访.csv").symlink_to(Path("data") / "visits.csv")
    return folder


def fifo_table(tmp: Path) -> Path:
    folder = copy(tmp)
    (folder / "走访.csv").unlink()
    os.mkfifo(folder / "走访.csv")
    return folder


def not_a_zip(tmp: Path) -> Path:
    path = tmp / "export.zip"
    path.write_bytes(b"PK\x03\x04 this is no zip at all")
    return path


def not_a_workbook(tmp: Path) -> Path:
    path = tmp / "export.xlsx"
    path.write_bytes(os.urandom(2048))
    return path


def workbook(tmp: Path, change: Callable[[object], None] | None = None) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for p in sorted(BASIC.glob("*.csv")):
        ws = wb.create_sheet(p.stem)
        for r in rows_of(BASIC, p.stem):
            ws.append(r)
    if change:
        change(wb)
    path = tmp / "export.xlsx"
    wb.save(path)
    return path


def formula_without_value(tmp: Path) -> Path:
    def change(wb: object) -> None:
        wb["单位"]["F3"] = "=1+1"  # type: ignore[index]  # 户数 of D1; openpyxl stores no value
    return workbook(tmp, change)


def formula_in_manifest(tmp: Path) -> Path:
    def change(wb: object) -> None:
        wb["清单"]["B4"] = "=TODAY()"  # type: ignore[index]  # 快照日期, never computed
    return workbook(tmp, change)


def formula_with_value(tmp: Path) -> Path:
    """A formula Excel computed: the sheet XML carries ``<f>`` and the cached ``<v>``."""
    path = formula_without_value(tmp)
    buf = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if b"<f>1+1</f>" in data:
                data = data.replace(b"<f>1+1</f><v></v>", b"<f>1+1</f><v>2</v>").replace(
                    b"<f>1+1</f><v />", b"<f>1+1</f><v>2</v>")
                assert b"<v>2</v>" in data, data[:2000]
            dst.writestr(info, data)
    path.write_bytes(buf.getvalue())
    return path


def bomb_zip(name: str, data_size: int, line: bool) -> Callable[[Path], Path]:
    """``name`` holding ``data_size`` bytes of one long line (or of empty lines), deflated."""
    def build(tmp: Path) -> Path:
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        path = zip_of_basic(tmp, skip=(name,))
        with zipfile.ZipFile(path, "a") as zf, zf.open(info, "w", force_zip64=True) as fh:
            head = "人员编码,组织编码,日期\n".encode()
            fh.write(head)
            chunk = (b"a" if line else b"\n") * (1 << 20)
            for _ in range(data_size >> 20):
                fh.write(chunk)
        return path
    return build


def stored_big_entry(tmp: Path) -> Path:
    """An honest, incompressible-looking entry over the per-entry limit (stored)."""
    rows = [["人员编码", "组织编码", "日期"]] + [
        [f"P{i}", "O_CO1", "2024-02-05"] for i in range(300_000)]
    folder = copy(tmp, "src")
    write(folder, "走访", rows)
    return zipped(folder, tmp / "export.zip", method=zipfile.ZIP_STORED)


def folder_big_file(tmp: Path) -> Path:
    """A plain file over the per-entry limit: refused by the streaming count, not a header."""
    folder = copy(tmp)
    rows = [["人员编码", "组织编码", "日期"]] + [
        [f"P{i}", "O_CO1", "2024-02-05"] for i in range(100_000)]
    write(folder, "走访", rows)
    return folder


def long_cell(tmp: Path) -> Path:
    folder = copy(tmp)
    set_cell(folder, "单位", 2, "名称", "厦" * 40_000)
    return folder


def many_rows(tmp: Path) -> Path:
    folder = copy(tmp)
    (folder / "走访.csv").write_bytes("人员编码,组织编码,日期\n".encode() + b"\n" * 5000)
    return folder


def many_columns(tmp: Path) -> Path:
    folder = copy(tmp)
    rows = rows_of(folder, "评价")
    for i, r in enumerate(rows):
        r.extend([f"列{j}" if i == 0 else "" for j in range(300)])
    write(folder, "评价", rows)
    return folder


def increment_retiring_city(tmp: Path) -> Path:
    folder = tmp / "increment"
    folder.mkdir()
    write(folder, "清单", [["项目", "值"], ["快照日期", "2024-04-01"], ["类型", "增量"]])
    write(folder, "单位", [["单位编码", "名称", "层级", "上级单位编码", "操作"],
                         ["C1", "厦门市", "市", "", "删除"]])
    return folder


def unterminated_quote(tmp: Path) -> Path:
    folder = copy(tmp)
    with open(folder / "走访.csv", "a", encoding="utf-8", newline="") as fh:
        fh.write('P4,"O_CO1,2024-02-21\r\nP4,O_CO1,2024-02-22\r\n')
    return folder


# -- the corpus ------------------------------------------------------------------------------
_MISSING = "a required column is missing"
_APPEARS_TWICE = "the column appears twice (one would overwrite the other)"
_NEITHER = "text encoding not recognised: the file is neither UTF-8 nor GB18030/GBK"
_MIXED = ("the file mixes encodings (some lines UTF-8, others not, or broken UTF-8); "
          "re-export it in one encoding")
_ID_ELSEWHERE = ("a value shaped like an ID number in column {} (a shifted row?); personal "
                 "data belongs in its own column only")
_PHONE_ELSEWHERE = ("a value shaped like a phone in column {} (a shifted row?); personal "
                    "data belongs in its own column only")
_SMALL = {"REDGOV_MAX_ENTRY_BYTES": str(4 << 20), "REDGOV_MAX_TOTAL_BYTES": str(64 << 20)}

CASES: list[Case] = [
    # headers
    Case("duplicate_name_column", duplicate_name_column,
         [("人员", 1, "姓名", None, _APPEARS_TWICE)]),
    Case("blank_header_with_data", blank_header_with_data, [],
         [("单位", 2, None, None, "values in a column without a header are ignored")]),
    Case("similar_required_header", renamed_header("人员", "人员编码", "人员代码"),
         [("人员", 1, "人员编码", "人员代码",
           "a required column is missing (is “人员代码” meant to be “人员编码”?)")]),
    Case("similar_optional_header", renamed_header("人员", "身份证号", "身份证号码"), [],
         [("人员", 1, "身份证号码", None, "unknown column “身份证号码” looks like “身份证号”; "
           "it is not read")]),
    # misaligned rows and personal data out of place
    Case("shifted_row", shifted_row,
         [("人员", 3, None, None, "the row has 7 fields, the header 8 (a shifted row?)")]),
    Case("id_number_in_name", edited("人员", 2, "姓名", "350206198001011234"),
         [("人员", 2, "姓名", "3502**********1234", _ID_ELSEWHERE.format("姓名"))]),
    Case("phone_in_role", edited("任职", 3, "职务", "委员13812345678"),
         [("任职", 3, "职务", "委员138****5678", _PHONE_ELSEWHERE.format("职务"))]),
    Case("phone_in_household_count", edited("单位", 6, "户数", "13900001111"),
         [("单位", 6, "户数", "139****1111", _PHONE_ELSEWHERE.format("户数"))]),
    Case("id_in_enum", edited("组织", 2, "状态", "35020619850208567X"),
         [("组织", 2, "状态", "3502**********567X", _ID_ELSEWHERE.format("状态"))]),
    Case("id_wrong_check_digit", edited("人员", 2, "身份证号", "350206198001011235"), [],
         [("人员", 2, "身份证号", "3502**********1235",
           "the ID number's check digit is wrong (GB 11643)")]),
    Case("id_wrong_shape", edited("人员", 2, "身份证号", "35020619801301123X"),
         [("人员", 2, "身份证号", "3502**********123X",
           "an ID number has 18 characters: 17 digits with a valid birth date, then a digit "
           "or X")]),
    Case("phone_wrong_shape", edited("人员", 2, "手机号", "0592-5551234"), [],
         [("人员", 2, "手机号", "059*****1234", "not an 11-digit mobile number")]),
    Case("gender_not_accepted", edited("人员", 2, "性别", "M"),
         [("人员", 2, "性别", "M", "性别 must be 男, 女 or empty")]),
    Case("standing_not_accepted", edited("人员", 2, "政治面貌", "张三"),
         [("人员", 2, "政治面貌", "张三",
           "not a recognised 政治面貌 (e.g. 中共党员, 群众, 民盟盟员)")]),
    Case("standing_other_party_accepted", edited("人员", 3, "政治面貌", "九三学社社员"), []),
    Case("grade_not_accepted", edited("评价", 2, "信用等级", "优秀"),
         [("评价", 2, "信用等级", "优秀", "信用等级 must be a letter grade (A, B, C, AA, …)")]),
    Case("rating_year_implausible", edited("评价", 2, "年度", "3023"),
         [("评价", 2, "年度", "3023", "implausible year")]),
    Case("nul_byte", edited("单位", 3, "名称", "湖里\x00区"),
         [("单位", 3, "名称", "湖里?区", "contains a NUL or control character")]),
    Case("control_character", edited("组织", 3, "名称", "湖里\x1b[31m街道"),
         [("组织", 3, "名称", "湖里?[31m街道", "contains a NUL or control character")]),
    # plausibility
    Case("snapshot_in_future", edited("清单", 4, "值", "9999-12-31"),
         [("清单", 4, "值", "9999-12-31", "the snapshot date is in the future")]),
    Case("negative_households", edited("单位", 6, "户数", "-5"),
         [("单位", 6, "户数", "-5", "the household count cannot be negative")]),
    Case("far_future_end", edited("物业服务", 2, "结束日期", "9999-12-31"), [],
         [("物业服务", 2, "结束日期", "9999-12-31", "an end date past 2076: please check")]),
    Case("increment_retires_city", increment_retiring_city,
         [("单位", 2, "单位编码", "C1",
           "an incremental export cannot retire or demote the city root")], base=True),
    Case("manifest_item_twice", lambda t: _append(copy(t), "清单", ["快照日期", "2025-01-01"]),
         [("清单", 7, "项目", "快照日期", "the manifest item repeats row 4")]),
    # encodings
    Case("latin1_file", raw_bytes("单位", "单位编码,名称,层级\n".encode("gbk")
                                      + "C1,Café,".encode("latin-1") + "市\n".encode("gbk")),
         [("单位", None, None, "单位.csv", _NEITHER)]),
    Case("utf16_file", text_in("组织", "utf-16"), [("组织", None, None, "组织.csv", _NEITHER)]),
    Case("mixed_utf8_gbk", mixed_encodings, [("人员", None, None, "人员.csv", _MIXED)]),
    Case("mixed_decodable_as_gbk", mixed_decodable_as_gbk,
         [("人员", None, None, "人员.csv", _MIXED)]),
    Case("truncated_utf8", truncated_utf8, [("单位", None, None, "单位.csv", _MIXED)]),
    Case("gbk_file_accepted", text_in("人员", "gbk"), []),
    Case("gb18030_file_accepted", text_in("组织", "gb18030"), []),
    Case("unterminated_quote", unterminated_quote,
         [("走访", 4, None, None, "the row has 2 fields, the header 3 (a shifted row?)")]),
    # zip packages
    Case("zip_dotdot_entry", zip_with_entry("../evil.csv"),
         [("", None, None, "export.zip",
           "the zip holds an unsafe entry (unsafe path): ../evil.csv")]),
    Case("zip_absolute_entry", zip_with_entry("/tmp/evil.csv"),
         [("", None, None, "export.zip",
           "the zip holds an unsafe entry (unsafe path): /tmp/evil.csv")]),
    Case("zip_drive_letter_entry", zip_with_entry("C:/evil.csv"),
         [("", None, None, "export.zip",
           "the zip holds an unsafe entry (unsafe path): C:/evil.csv")]),
    Case("zip_backslash_dotdot", zip_with_entry("..\\evil.csv"),
         [("", None, None, "export.zip",
           "the zip holds an unsafe entry (unsafe path): ..\\evil.csv")]),
    Case("zip_symlink_entry", zip_with_entry("link.csv", link=True),
         [("", None, None, "export.zip",
           "the zip holds an unsafe entry (a link): link.csv")]),
    Case("zip_duplicate_entry", zip_duplicate,
         [("", None, None, "export.zip", "the zip holds two entries named 单位.csv")]),
    Case("zip_encrypted_entry", zip_encrypted,
         [("任职", None, None, "任职.csv", "the entry is encrypted (password-protected)")]),
    Case("zip_unsupported_method", zip_unsupported,
         [("走访", None, None, "走访.csv", "unsupported compression method (97)")]),
    Case("zip_bad_crc", zip_bad_crc,
         [("评价", None, None, "评价.csv", "bad CRC: the zip entry is damaged")]),
    Case("zip_truncated", zip_truncated,
         [("", None, None, "export.zip", "not a readable zip: File is not a zip file")]),
    Case("not_a_zip", not_a_zip,
         [("", None, None, "export.zip", "not a readable zip: File is not a zip file")]),
    Case("not_a_workbook", not_a_workbook,
         [("", None, None, "export.xlsx", "not a readable workbook (not a zip)")]),
    # folders
    Case("two_files_one_table", two_files_one_table,
         [("", None, None, "export", "two files for one table: 走访.csv and 走访.txt")]),
    Case("link_to_outside", link_outside,
         [("", None, None, "export", "a link points outside the export: 走访.csv")]),
    Case("dir_link_to_outside", dir_link_outside,
         [("", None, None, "export", "a link points outside the export: more")]),
    Case("link_inside_accepted", link_inside, []),
    Case("fifo_table", fifo_table,
         [("走访", None, None, "走访.csv", "not a regular file (a pipe or device): not read")]),
    # workbooks
    Case("xlsx_formula_without_value", formula_without_value,
         [("单位", 3, "户数", "F3", "formula cell F3 has no value computed by Excel (open and "
           "save the workbook in Excel, then export again)")]),
    Case("xlsx_formula_in_manifest", formula_in_manifest,
         [("清单", 4, "值", "B4", "formula cell B4 has no value computed by Excel (open and "
           "save the workbook in Excel, then export again)")]),
    Case("xlsx_formula_with_value", formula_with_value, []),
    # limits (lowered by env so that the bombs stay small)
    Case("bomb_single_line", bomb_zip("走访.csv", 16 << 20, line=True),
         [("走访", None, None, "走访.csv",
           "the file exceeds 4194304 bytes (REDGOV_MAX_ENTRY_BYTES)")], env=_SMALL),
    Case("bomb_ratio", bomb_zip("走访.csv", 3 << 20, line=True),
         [("走访", None, None, "走访.csv", "compression ratio above 100 (a zip bomb?; "
           "REDGOV_MAX_RATIO)")], env=_SMALL),
    Case("bomb_empty_lines", bomb_zip("走访.csv", 3 << 20, line=False),
         [("走访", None, None, "走访.csv", "compression ratio above 100 (a zip bomb?; "
           "REDGOV_MAX_RATIO)")], env=_SMALL),
    Case("entry_over_limit_stored", stored_big_entry,
         [("走访", None, None, "走访.csv",
           "the file exceeds 4194304 bytes (REDGOV_MAX_ENTRY_BYTES)")], env=_SMALL),
    Case("folder_file_over_limit", folder_big_file,
         [("走访", None, None, "走访.csv",
           "the file exceeds 1048576 bytes (REDGOV_MAX_ENTRY_BYTES)")],
         env={"REDGOV_MAX_ENTRY_BYTES": str(1 << 20)}),
    Case("export_over_total", lambda t: zip_of_basic(t),
         [("", None, None, "export.zip", "the export exceeds 1000 bytes "
           "(REDGOV_MAX_TOTAL_BYTES)")], env={"REDGOV_MAX_TOTAL_BYTES": "1000"}),
    Case("cell_over_limit", long_cell,
         [("单位", 2, None, "单位.csv",
           "a cell longer than 32767 characters (REDGOV_MAX_CELL_CHARS)")]),
    Case("line_over_limit", long_cell,
         [("单位", 2, None, "单位.csv",
           "a line longer than 1000 characters (REDGOV_MAX_LINE_CHARS)")],
         env={"REDGOV_MAX_LINE_CHARS": "1000"}),
    Case("rows_over_limit", many_rows,
         [("走访", 1001, None, "走访.csv", "more than 1000 rows (REDGOV_MAX_ROWS)")],
         env={"REDGOV_MAX_ROWS": "1000"}),
    Case("columns_over_limit", many_columns,
         [("评价", 1, None, "评价.csv", "more than 256 columns (REDGOV_MAX_COLUMNS)")]),
    Case("bad_limit_setting", lambda t: copy(t),
         [("", None, None, None, "REDGOV_MAX_ROWS must be a positive integer, not 'many'")],
         env={"REDGOV_MAX_ROWS": "many"}),
]


def _append(folder: Path, table: str, row: list[str]) -> Path:
    rows = rows_of(folder, table)
    rows.append(row)
    write(folder, table, rows)
    return folder
