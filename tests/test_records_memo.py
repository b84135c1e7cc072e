"""The scan's per-column memo of parsed texts and its ID-number shortcuts (issue 18) give
exactly the general answers: the same record for a row seen twice, the same error for a
bad value every time (errors are never memoised), and the GB 11643 checks of pii.py."""

from __future__ import annotations

from redgov.loaders.pii import Hasher, id_check_digit, id_shape_ok
from redgov.loaders.records import _check_digit, _id_shape_ok, to_record
from redgov.loaders.tables import TABLE_ORDER

POSTS = next(t for t in TABLE_ORDER if t.english == "posts")
PEOPLE = next(t for t in TABLE_ORDER if t.english == "people")


def _post(start: str) -> dict[str, str]:
    return {"人员编码": "RY1", "组织编码": "ZZ1", "职务": "书记", "任职类型": "本职",
            "开始日期": start, "结束日期": ""}


def test_a_remembered_text_gives_the_same_record_and_a_bad_one_the_same_error() -> None:
    first, _, _ = to_record(POSTS, 2, _post("2024/3/1"), None, None)
    again, _, _ = to_record(POSTS, 3, _post("2024/3/1"), None, None)
    assert first is not None and again is not None, (first, again)
    assert (first.values, first.sig) == (again.values, again.sig), (first, again)
    assert first.values["start"] == "2024-03-01", first.values
    seen = []
    for row in (4, 5):
        record, errors, _ = to_record(POSTS, row, _post("2024-02-30"), None, None)
        seen.append((record, [(e.row, e.column, e.value) for e in errors]))
    assert seen == [(None, [(4, "开始日期", "2024-02-30")]),
                    (None, [(5, "开始日期", "2024-02-30")])], seen


def test_id_number_shortcuts_equal_the_general_checks() -> None:
    values = ["350206199204044137", "35020619920230413X", "35020618990101413X",
              "350206199204044137".replace("4137", "413x"), "35020620991231413X",
              "３５０２０６１９９２０４０４４１３７", "35020619920404413a", "٣50206199204044137",
              "3502061992040441 7", "35020619920404413", "350206190001014139"]
    values += [f"3502{n:02d}19{n:02d}0{1 + n % 9}1{n % 3}{n:03d}{n % 10}" for n in range(100)]
    shaped = 0
    for v in values:
        assert _id_shape_ok(v) == id_shape_ok(v), v
        if id_shape_ok(v):  # the check digit is asked only of a well-shaped number
            shaped += 1
            assert _check_digit(v[:17]) == id_check_digit(v[:17]), v
    assert shaped > 20, shaped


def test_a_person_with_a_wrong_check_digit_is_warned_as_before() -> None:
    raw = {"人员编码": "RY1", "姓名": "张三", "性别": "男", "政治面貌": "群众", "党组织编码": "",
           "居住单位编码": "", "身份证号": "350206199204044138", "手机号": ""}
    record, errors, warnings = to_record(PEOPLE, 2, raw, None, Hasher(b"k" * 32))
    assert record is not None and not errors, errors
    assert [(w.column, w.value) for w in warnings] == [("身份证号", "3502**********4138")], \
        warnings
