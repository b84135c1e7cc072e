"""Phase targets (R21) as data: the shipped defaults, validation, the projection arithmetic
and the ``redgov targets show|edit`` commands — no graph needed (the progress against a
synced history is in tests/test_funding_targets.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from redgov.graph.evaluation_rules import THREE_YEAR_TARGET_DATE, THREE_YEAR_TARGETS

from redgov.cli import main
from redgov.targets import (
    DEFAULT_FILE,
    Target,
    TargetError,
    least_squares,
    load_targets,
    parse_targets,
    project,
    status_of,
)

ONE = """version = 1
[[target]]
id = "t1"
name = "新增单建"
metric = "new_party_orgs"
formation = "standalone"
start = 2021-06-01
due = 2021-12-31
target = 200
"""


def problems(text: str) -> list[str]:
    with pytest.raises(TargetError) as caught:
        parse_targets(text, "city.toml")
    return [zh for zh, _ in caught.value.problems]


def test_the_defaults_are_the_seed_targets_of_domain_r21() -> None:
    targets, path = load_targets(DEFAULT_FILE)
    got = {t.id: (t.metric, t.formation or t.category, t.start, t.due, t.target)
           for t in targets}
    d = date
    assert got == {
        "new_standalone_orgs": ("new_party_orgs", "standalone", d(2021, 6, 1), d(2021, 12, 31),
                                200),
        "new_joint_orgs": ("new_party_orgs", "joint", d(2021, 6, 1), d(2021, 12, 31), 100),
        "managed_coverage": ("managed_coverage", None, None, d(2023, 12, 31), 1.0),
        "funding_rate": ("funding_rate", None, None, d(2023, 12, 31), 1.0),
        "named_projects": ("named", "project", d(2021, 6, 1), d(2023, 9, 30), 100),
        "named_companies": ("named", "company", d(2021, 6, 1), d(2023, 9, 30), 30),
        "named_committees": ("named", "committee", d(2021, 6, 1), d(2023, 9, 30), 30),
        "named_people": ("named", "person", d(2021, 6, 1), d(2023, 9, 30), 150),
    }, got
    assert path == DEFAULT_FILE
    # the three-year totals are the ones the evaluation declares (graph/evaluation_rules.py)
    named = {t.category: (t.target, t.due.isoformat()) for t in targets if t.metric == "named"}
    assert named == {c: (n, THREE_YEAR_TARGET_DATE) for c, n in THREE_YEAR_TARGETS.items()}
    assert all(t.source.startswith("004 内容五") for t in targets), [t.source for t in targets]


def test_a_valid_city_file_parses() -> None:
    (t,) = parse_targets(ONE, "city.toml")
    assert (t.id, t.target, t.start, t.is_rate) == ("t1", 200, date(2021, 6, 1), False), t


@pytest.mark.parametrize(("change", "expected"), [
    (("target = 200", "target = 0"), "第1项目标（t1）：target 的值 0 应为1至1000000的整数"),
    (("target = 200", "target = 2.5"), "第1项目标（t1）：target 的值 2.5 应为1至1000000的整数"),
    (("metric = \"new_party_orgs\"", "metric = \"newparty\""),
     "第1项目标（t1）：metric 的值 'newparty' 不是已知指标"),
    (("formation = \"standalone\"", "formation = \"alone\""),
     "第1项目标（t1）：formation 的值 'alone' 应为 standalone、joint 之一"),
    (("formation = \"standalone\"\n", ""), "第1项目标（t1）：缺少 formation"),
    (("start = 2021-06-01", "start = 2022-06-01"),
     "第1项目标（t1）：start 的值 datetime.date(2022, 6, 1) 晚于截止日期 2021-12-31"),
    (("due = 2021-12-31", "due = \"年底\""),
     "第1项目标（t1）：due 的值 '年底' 不是日期（YYYY-MM-DD）"),
    (("id = \"t1\"", "id = \"T 1\""), "第1项目标（T 1）：id 的值 'T 1' 应为小写字母"),
    (("target = 200", "target = 200\ntarge = 3"), "第1项目标（t1）：未知的键 targe"),
    (("version = 1", "version = 2"), "version 的值 2 不受支持（应为 1）"),
    (("[[target]]", "[[targets]]"), "未知的顶层键：targets"),
    (("due = 2021-12-31", "due = 2021-13-31"), "不是有效的 TOML"),
])
def test_each_problem_is_named_with_target_key_and_value(change: tuple[str, str],
                                                         expected: str) -> None:
    old, new = change
    assert old in ONE
    found = problems(ONE.replace(old, new, 1))
    assert any(p.startswith(expected) for p in found), found


def test_every_problem_is_reported_at_once_and_rates_are_shares() -> None:
    text = ONE + ONE.split("version = 1\n", 1)[1].replace("metric = \"new_party_orgs\"",
                                                            "metric = \"funding_rate\"")
    text = text.replace("target = 200", "target = 100")  # 100 is not a share
    found = problems(text)
    assert found == [
        "第2项目标（t1）：id 的值 't1' 与前面的目标重复",
        "第2项目标（t1）：formation 的值 'standalone' 对指标 funding_rate 没有意义",
        "第2项目标（t1）：start 的值 datetime.date(2021, 6, 1) 对指标 funding_rate 没有意义",
        "第2项目标（t1）：target 的值 100 应为大于0、不超过1的比例（1 即 100%）",
    ], found


def test_the_error_names_the_file_in_both_languages(tmp_path: Path) -> None:
    bad = tmp_path / "city.toml"
    bad.write_text(ONE.replace("target = 200", "target = -1"), encoding="utf-8")
    with pytest.raises(TargetError) as caught:
        load_targets(bad)
    assert caught.value.text("zh").startswith(f"目标文件 {bad} 有误：\n  第1项目标（t1）"), \
        caught.value.text("zh")
    assert "target 1 (t1): target -1 must be a whole number" in caught.value.text("en")
    huge = tmp_path / "huge.toml"
    huge.write_bytes(b"#" * (64 * 1024 + 1))
    with pytest.raises(TargetError, match="文件过大"):
        load_targets(huge)
    with pytest.raises(TargetError, match="无法读取"):
        load_targets(tmp_path / "missing.toml")


# --- projection -------------------------------------------------------------------------
def test_least_squares_by_hand() -> None:
    # x = 0, 1, 2; y = 1, 2, 4: mean x 1, mean y 7/3; sxy = (-1)(-4/3) + 0 + (1)(5/3) = 3;
    # sxx = 2; slope 1.5, intercept 7/3 - 1.5 = 5/6.
    a, b = least_squares([(0, 1), (1, 2), (2, 4)])  # type: ignore[misc]
    assert (round(a, 6), b) == (round(5 / 6, 6), 1.5), (a, b)
    assert least_squares([(3, 1), (3, 5)]) is None
    assert least_squares([]) is None


def _t(metric: str, target: float, due: date, start: date | None = None) -> Target:
    return Target("x", "甲", metric, due, target, start, "standalone" if metric ==
                  "new_party_orgs" else None)


def test_projection_by_hand() -> None:
    count = _t("new_party_orgs", 200, date(2021, 12, 31), date(2021, 6, 1))
    # three snapshots 92 days apart: 10, 40, 100 → the line through day 0, 92, 184:
    # mean x 92, mean y 50, sxy = (-92)(-40) + 0 + 92·50 = 8280, sxx = 2·92² = 16928,
    # slope 0.48913…; 2021-12-31 is day 184 + 91 = 275, 183 days past the mean:
    # 50 + 0.48913·183 = 139.5
    trend = [(date(2021, 3, 31), 10), (date(2021, 7, 1), 40), (date(2021, 10, 1), 100)]
    assert (date(2021, 10, 1) - date(2021, 3, 31)).days == 184
    assert project(count, trend) == 139.5 == round(50 + 8280 / 16928 * 183, 1)
    # a snapshot after the due date is left out of the fit
    assert project(count, [*trend, (date(2022, 6, 30), 0)]) == project(count, trend)
    # a falling count never projects below what it reached
    assert project(count, [(date(2021, 7, 1), 50), (date(2021, 10, 1), 40)]) == 50
    rate = _t("funding_rate", 1.0, date(2023, 12, 31))
    assert project(rate, [(date(2022, 1, 1), 0.5), (date(2023, 1, 1), 0.9)]) == 1.0
    assert project(rate, [(date(2022, 1, 1), 0.5), (date(2023, 1, 1), 0.2)]) == 0.0
    assert project(rate, [(date(2022, 1, 1), 0.5)]) is None


def test_status_by_hand() -> None:
    rate = _t("funding_rate", 1.0, date(2023, 12, 31))
    before, after = date(2023, 1, 1), date(2024, 1, 1)
    assert status_of(rate, 1.0, None, after) == "achieved"
    assert status_of(rate, 0.9, 1.0, before) == "on_track"
    assert status_of(rate, 0.9, 0.95, before) == "behind"
    assert status_of(rate, 0.9, 1.0, after) == "missed"
    assert status_of(rate, None, None, before) == "no_trend"


# --- the commands -----------------------------------------------------------------------
def test_targets_show_and_edit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("REDGOV_HOME", str(home))
    runner = CliRunner()
    shown = runner.invoke(main, ["targets", "show"])
    assert shown.exit_code == 0, shown.output
    assert "默认目标" in shown.output and "新增住宅小区和商圈楼宇单建党组织" in shown.output
    assert "100%" in shown.output and "2023-09-30" in shown.output, shown.output
    bad = tmp_path / "bad.toml"
    bad.write_text(ONE.replace("target = 200", "target = \"两百\""), encoding="utf-8")
    refused = runner.invoke(main, ["targets", "edit", "--from", str(bad)])
    assert refused.exit_code == 1, refused.output
    assert "第1项目标（t1）：target 的值 '两百' 应为1至1000000的整数" in refused.output
    assert "本市目标文件未改动" in refused.output and not (home / "targets.toml").exists()
    good = tmp_path / "good.toml"
    good.write_text(ONE, encoding="utf-8")
    saved = runner.invoke(main, ["targets", "edit", "--from", str(good)])
    assert saved.exit_code == 0, saved.output
    assert (home / "targets.toml").read_text("utf-8") == ONE
    assert oct((home / "targets.toml").stat().st_mode & 0o777) == "0o600"
    shown = runner.invoke(main, ["targets", "show", "--format", "json"])
    assert '"id": "t1"' in shown.output and str(home / "targets.toml") in shown.output
    # --file wins over the city's own; a bad one is refused with its name
    used = runner.invoke(main, ["targets", "show", "--file", str(bad), "--lang", "en"])
    assert used.exit_code == 1 and f"targets file {bad} is not valid" in used.output, used.output
