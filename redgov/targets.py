"""Phase targets (分步部署推进, seed 004 内容五; DOMAIN rule R21) declared once as data.

The seed's dated targets ship as ``targets_default.toml`` beside this module; a city whose
targets differ keeps its own ``targets.toml`` in the data directory (``redgov targets edit``)
or names one with ``--file``.  Whatever the source, the file is read through
:func:`parse_targets`, which refuses anything it does not understand with one message per
problem naming the file, the target and the key (a typo must not silently drop a target).

The arithmetic of progress is here too, apart from the graph reads (:mod:`redgov.target_progress`):
a target's trend is the values it had at the published snapshots, and the projection is the
least-squares line through those points evaluated at the due date.

>>> targets = parse_targets(DEFAULT_FILE.read_text(encoding="utf-8"), "默认")
>>> [t.id for t in targets][:3], targets[0].target, targets[2].is_rate
(['new_standalone_orgs', 'new_joint_orgs', 'managed_coverage'], 200, True)
>>> least_squares([(0, 1.0), (10, 3.0)])
(1.0, 0.2)
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

from .graph.evaluation_rules import CATEGORY_ZH
from .graph.home import data_dir

__all__ = [
    "CATEGORIES",
    "DEFAULT_FILE",
    "FORMATIONS",
    "METRICS",
    "STATUS",
    "Target",
    "TargetError",
    "city_file",
    "least_squares",
    "load_targets",
    "metric_text",
    "parse_targets",
    "project",
    "status_of",
]

DEFAULT_FILE: Final = Path(__file__).with_name("targets_default.toml")
CITY_FILE_NAME: Final = "targets.toml"
MAX_BYTES: Final = 64 * 1024
MAX_TARGETS: Final = 50
MAX_COUNT: Final = 1_000_000

#: metric code → (Chinese, English, is a rate).
METRICS: Final[dict[str, tuple[str, str, bool]]] = {
    "new_party_orgs": ("新增党组织数", "new party organisations", False),
    "managed_coverage": ("物业管理小区覆盖率", "coverage of managed compounds", True),
    "funding_rate": ("经费保障率", "funding guarantee rate", True),
    "named": ("累计命名数", "named in total", False),
}
FORMATIONS: Final = ("standalone", "joint")
CATEGORIES: Final = tuple(CATEGORY_ZH)  # 示范项目, 示范企业, 最美业委会, 最美物业人
#: progress status code → (Chinese, English).
STATUS: Final[dict[str, tuple[str, str]]] = {
    "achieved": ("已达成", "achieved"),
    "on_track": ("按期可达", "on track"),
    "behind": ("滞后", "behind"),
    "missed": ("逾期未达成", "missed"),
    "no_trend": ("数据不足", "too few snapshots"),
}
_KEYS: Final = {"id", "name", "metric", "formation", "category", "start", "due", "target",
                "source"}
_NEEDS: Final[dict[str, tuple[str, ...]]] = {
    "new_party_orgs": ("formation", "start"),
    "managed_coverage": (),
    "funding_rate": (),
    "named": ("category", "start"),
}


class TargetError(ValueError):
    """A targets file that cannot be used; ``problems`` are (Chinese, English) lines."""

    def __init__(self, where: str, problems: Sequence[tuple[str, str]]) -> None:
        self.where = where
        self.problems = list(problems)
        super().__init__(self.text("zh"))

    def text(self, lang: str = "zh") -> str:
        head = (f"targets file {self.where} is not valid:" if lang == "en"
                else f"目标文件 {self.where} 有误：")
        return "\n".join([head, *("  " + (en if lang == "en" else zh)
                                   for zh, en in self.problems)])


@dataclass(frozen=True)
class Target:
    id: str
    name: str
    metric: str
    due: date
    target: float | int
    start: date | None = None
    formation: str | None = None
    category: str | None = None
    source: str = ""

    @property
    def is_rate(self) -> bool:
        return METRICS[self.metric][2]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "metric": self.metric,
                "formation": self.formation, "category": self.category,
                "start": self.start.isoformat() if self.start else None,
                "due": self.due.isoformat(), "target": self.target, "source": self.source}


def city_file() -> Path:
    """Where a city keeps its own targets (the data directory's ``targets.toml``)."""
    return data_dir() / CITY_FILE_NAME


def load_targets(path: Path | None = None) -> tuple[list[Target], Path]:
    """The targets in effect and the file they came from.

    ``path`` given: that file (it must exist); else the city's file when there is one,
    else the shipped defaults.
    """
    if path is None:
        own = city_file()
        path = own if own.is_file() else DEFAULT_FILE
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise TargetError(str(path), [(f"文件过大（{size} 字节，上限 {MAX_BYTES}）",
                                           f"file too large ({size} bytes, limit {MAX_BYTES})")])
        raw = path.read_bytes()
    except OSError as exc:
        why = ("文件不存在" if isinstance(exc, FileNotFoundError) else
               "没有读取权限" if isinstance(exc, PermissionError) else
               "是目录" if isinstance(exc, IsADirectoryError) else "读取出错")
        raise TargetError(str(path), [(f"无法读取：{why}",
                                       f"cannot read: {exc.strerror or exc}")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TargetError(str(path), [("不是 UTF-8 编码的文本", "not UTF-8 text")]) from None
    return parse_targets(text, str(path)), path


def _date(value: Any) -> date | None:
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def parse_targets(text: str, where: str) -> list[Target]:
    """The targets a TOML text declares, or :class:`TargetError` listing every problem.

    >>> parse_targets('version = 1\\n[[target]]\\nid = "x"\\nname = "甲"\\nmetric = "nope"\\n'
    ...               'due = 2023-12-31\\ntarget = 1', "f.toml")
    Traceback (most recent call last):
    ...
    redgov.targets.TargetError: 目标文件 f.toml 有误：
      第1项目标（x）：metric 的值 'nope' 不是已知指标（new_party_orgs、managed_coverage、...）
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TargetError(where, [(f"不是有效的 TOML：{exc}", f"not valid TOML: {exc}")]) from None
    problems: list[tuple[str, str]] = []
    stray = sorted(set(data) - {"version", "target"})
    if stray:
        problems.append((f"未知的顶层键：{'、'.join(stray)}（只允许 version 和 [[target]]）",
                         f"unknown top-level keys: {', '.join(stray)} (only version and "
                         "[[target]])"))
    if data.get("version", 1) != 1:
        problems.append((f"version 的值 {data.get('version')!r} 不受支持（应为 1）",
                         f"version {data.get('version')!r} is not supported (use 1)"))
    items = data.get("target", [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        problems.append(("target 必须写成 [[target]] 表", "target must be [[target]] tables"))
        items = []
    if not items and not problems:
        problems.append(("没有任何 [[target]] 目标", "no [[target]] at all"))
    if len(items) > MAX_TARGETS:
        problems.append((f"目标过多（{len(items)} 项，上限 {MAX_TARGETS}）",
                         f"too many targets ({len(items)}, limit {MAX_TARGETS})"))
        items = items[:MAX_TARGETS]
    targets: list[Target] = []
    seen: set[str] = set()
    for i, item in enumerate(items, 1):
        target, found = _one(i, item, seen)
        problems += found
        if target is not None:
            targets.append(target)
            seen.add(target.id)
    if problems:
        raise TargetError(where, problems)
    return targets


def _one(i: int, item: Mapping[str, Any], seen: set[str]) -> tuple[Target | None,
                                                                   list[tuple[str, str]]]:
    ident = item.get("id")
    label_zh = f"第{i}项目标" + (f"（{ident}）" if isinstance(ident, str) else "")
    label_en = f"target {i}" + (f" ({ident})" if isinstance(ident, str) else "")
    out: list[tuple[str, str]] = []

    def bad(key: str, zh: str, en: str) -> None:
        value = item.get(key)
        shown = repr(value)[:60]
        out.append((f"{label_zh}：{key} 的值 {shown} {zh}", f"{label_en}: {key} {shown} {en}"))

    def missing(key: str) -> None:
        out.append((f"{label_zh}：缺少 {key}", f"{label_en}: {key} is missing"))

    for key in sorted(set(item) - _KEYS):
        out.append((f"{label_zh}：未知的键 {key}（可用：{'、'.join(sorted(_KEYS))}）",
                    f"{label_en}: unknown key {key} (known: {', '.join(sorted(_KEYS))})"))
    for key in ("id", "name", "metric", "due", "target"):
        if key not in item:
            missing(key)
    if isinstance(ident, str):
        if not ident or len(ident) > 40 or not all(c.isascii() and (c.isalnum() or c == "_")
                                                    for c in ident) or ident.lower() != ident:
            bad("id", "应为小写字母、数字或下划线（至多40个）",
                "must be lower-case letters, digits or _ (at most 40)")
        elif ident in seen:
            bad("id", "与前面的目标重复", "repeats an earlier target's id")
    elif "id" in item:
        bad("id", "应为文字", "must be text")
    name = item.get("name")
    if "name" in item and (not isinstance(name, str) or not name.strip() or len(name) > 60):
        bad("name", "应为1至60个字的名称", "must be a name of 1 to 60 characters")
    source = item.get("source", "")
    if not isinstance(source, str) or len(source) > 200:
        bad("source", "应为不超过200个字的文字", "must be text of at most 200 characters")
    metric = item.get("metric")
    if "metric" in item and metric not in METRICS:
        bad("metric", f"不是已知指标（{'、'.join(METRICS)}）",
            f"is not a known metric ({', '.join(METRICS)})")
        metric = None
    due, start = _date(item.get("due")), _date(item.get("start"))
    if "due" in item and due is None:
        bad("due", "不是日期（YYYY-MM-DD）", "is not a date (YYYY-MM-DD)")
    if "start" in item and start is None:
        bad("start", "不是日期（YYYY-MM-DD）", "is not a date (YYYY-MM-DD)")
    if start and due and start > due:
        bad("start", f"晚于截止日期 {due.isoformat()}", f"is after the due date {due.isoformat()}")
    formation, category = item.get("formation"), item.get("category")
    if metric is not None:
        for key in _NEEDS[metric]:
            if key not in item:
                missing(key)
        for key in ("formation", "category", "start"):
            if key in item and key not in _NEEDS[metric]:
                bad(key, f"对指标 {metric} 没有意义", f"means nothing for metric {metric}")
        if "formation" in item and formation not in FORMATIONS and "formation" in _NEEDS[metric]:
            bad("formation", f"应为 {'、'.join(FORMATIONS)} 之一",
                f"must be one of {', '.join(FORMATIONS)}")
        if "category" in item and category not in CATEGORIES and "category" in _NEEDS[metric]:
            bad("category", f"应为 {'、'.join(CATEGORIES)} 之一",
                f"must be one of {', '.join(CATEGORIES)}")
    value = item.get("target")
    if metric is not None and "target" in item:
        if METRICS[metric][2]:
            if isinstance(value, bool) or not isinstance(value, int | float) \
                    or not 0 < value <= 1:
                bad("target", "应为大于0、不超过1的比例（1 即 100%）",
                    "must be a share above 0 and at most 1 (1 = 100%)")
        elif isinstance(value, bool) or not isinstance(value, int) \
                or not 0 < value <= MAX_COUNT:
            bad("target", f"应为1至{MAX_COUNT}的整数", f"must be a whole number 1–{MAX_COUNT}")
    if out or metric is None or due is None:
        return None, out
    return Target(id=str(ident), name=str(name).strip(), metric=metric, due=due,
                  target=float(value) if METRICS[metric][2] else int(value), start=start,
                  formation=formation, category=category, source=str(source)), out


# --- progress arithmetic ----------------------------------------------------------------
def least_squares(points: Sequence[tuple[float, float]]) -> tuple[float, float] | None:
    """Intercept and slope of the least-squares line through ``points``; None when the
    points have fewer than two distinct x values (no line is determined)."""
    if len({x for x, _ in points}) < 2:
        return None
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    sxy = sum((x - mx) * (y - my) for x, y in points)
    slope = sxy / sxx
    return my - slope * mx, slope


def _day(d: date) -> int:
    return d.toordinal()


def project(target: Target, trend: Sequence[tuple[date, float]]) -> float | None:
    """The value the trend line reaches on the due date.

    The line is fitted over the snapshots dated on or before the due date (later ones
    describe the time after it); a rate is kept within 0…1 and a count never falls
    below the latest value it reached (organisations founded and names given stay).

    >>> t = Target("x", "甲", "new_party_orgs", date(2021, 12, 31), 200, date(2021, 6, 1),
    ...            "standalone")
    >>> project(t, [(date(2021, 6, 30), 20), (date(2021, 9, 30), 80)])
    140.0
    """
    points = [(float(_day(d)), float(v)) for d, v in trend if d <= target.due]
    line = least_squares(points)
    if line is None:
        return None
    value = line[0] + line[1] * _day(target.due)
    reached = max(v for _, v in points)
    value = min(1.0, max(0.0, value)) if target.is_rate else max(value, reached)
    return round(value, 4) if target.is_rate else round(value, 1)


def status_of(target: Target, current: float | None, projected: float | None,
              as_of: date) -> str:
    """已达成 when the latest value meets the target; past the due date without it, 逾期未达成;
    else 按期可达 / 滞后 by the projection, 数据不足 without one.

    >>> t = Target("x", "甲", "funding_rate", date(2023, 12, 31), 1.0)
    >>> [status_of(t, 1.0, None, date(2022, 1, 1)), status_of(t, 0.5, 0.9, date(2022, 1, 1)),
    ...  status_of(t, 0.5, None, date(2024, 1, 1)), status_of(t, 0.5, None, date(2022, 1, 1))]
    ['achieved', 'behind', 'missed', 'no_trend']
    """
    if current is not None and current >= target.target:
        return "achieved"
    if as_of > target.due:
        return "missed"
    if projected is None:
        return "no_trend"
    return "on_track" if projected >= target.target else "behind"


_FORMATION_ZH: Final = {"standalone": "单独建", "joint": "联合建"}


def metric_text(target: Target, lang: str = "zh") -> str:
    """The metric in words, with its formation or category.

    >>> metric_text(parse_targets(DEFAULT_FILE.read_text("utf-8"), "默认")[0])
    '新增党组织数（单独建）'
    """
    zh, en, _ = METRICS[target.metric]
    detail = target.formation or target.category
    if lang == "en":
        return f"{en} ({detail})" if detail else en
    if detail:
        return f"{zh}（{_FORMATION_ZH.get(detail) or CATEGORY_ZH.get(detail, detail)}）"
    return zh
