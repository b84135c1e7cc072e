"""Plausible Chinese names for people, compounds, companies, communities and streets.

Surnames follow their frequency in southern Fujian (陈 and 林 lead there, ahead of the
national 王/李/张); given names are one or two characters drawn from the stock that
people actually carry, split by sex.  Place names are built from two-character stems
and the suffixes real compounds use (…苑, …花园, …小区, …大厦).  Every draw goes through
the caller's ``random.Random`` so a seed fixes every name.
"""

from __future__ import annotations

import bisect
import itertools
import random
from typing import Final

__all__ = ["NameMaker"]

# (surname, weight per mille, roughly) — Xiamen/Quanzhou ordering.
_SURNAMES: Final = (
    ("陈", 110), ("林", 85), ("黄", 60), ("张", 45), ("李", 42), ("王", 38), ("吴", 36),
    ("刘", 28), ("蔡", 25), ("杨", 24), ("许", 22), ("郑", 22), ("谢", 18), ("洪", 16),
    ("郭", 16), ("曾", 14), ("邱", 12), ("苏", 12), ("叶", 12), ("庄", 11), ("周", 11),
    ("徐", 10), ("赖", 9), ("江", 9), ("柯", 8), ("吕", 8), ("何", 8), ("卢", 8),
    ("游", 7), ("颜", 7), ("施", 7), ("肖", 7), ("傅", 6), ("朱", 6), ("胡", 6),
    ("高", 6), ("方", 6), ("詹", 5), ("戴", 5), ("罗", 5), ("孙", 5), ("邓", 5),
    ("魏", 5), ("余", 5), ("潘", 5), ("杜", 4), ("姚", 4), ("沈", 4), ("廖", 4),
    ("龚", 4), ("卓", 4), ("章", 4), ("汪", 3), ("范", 3), ("田", 3), ("钟", 3),
    ("董", 3), ("彭", 3), ("马", 3), ("宋", 3), ("丁", 3), ("薛", 3), ("阮", 3),
    ("欧阳", 1), ("司马", 1),
)
_MALE: Final = (
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "辉", "华", "平", "刚", "建",
    "国", "志", "文", "海", "峰", "鹏", "俊", "晨", "宇", "浩", "凯", "健", "荣", "新", "春",
    "德", "永", "清", "福", "坤", "泉", "榕", "水", "金", "宏", "振", "毅", "锋", "忠", "庆",
    "成", "东", "兴", "良", "祥", "立", "彬", "晖", "阳", "智", "昌", "炳", "添", "宗", "鸿",
)
_FEMALE: Final = (
    "芳", "娜", "敏", "静", "丽", "艳", "燕", "玲", "霞", "红", "婷", "雪", "琳", "洁", "慧",
    "萍", "莉", "梅", "兰", "英", "华", "秀", "珍", "凤", "琴", "云", "莹", "颖", "倩", "佳",
    "丹", "瑜", "虹", "蓉", "月", "欣", "璐", "晶", "宁", "菁", "蓓", "碧", "淑", "惠", "美",
    "雅", "素", "翠", "玉", "春", "秋", "冬", "巧", "银", "宝", "珊", "茹", "瑶", "舒", "怡",
)
# Stems for places: compounds, communities, streets, company brands.
_STEMS: Final = (
    "湖光", "金山", "禾山", "江头", "殿前", "海天", "翔鹭", "东渡", "仙岳", "华荣", "枋湖",
    "五缘", "薛岭", "高林", "蔡塘", "钟宅", "围里", "后坑", "县后", "岭下", "乌石", "兴隆",
    "长乐", "嘉园", "康乐", "祥店", "马垅", "园山", "湖边", "寨上", "坂美", "西潘", "金尚",
    "万达", "联发", "国贸", "建发", "特房", "阳光", "滨海", "凤凰", "紫荆", "海峡", "鹭江",
    "南山", "北苑", "东方", "莲花", "玉兰", "桂园", "松柏", "榕树", "鼓浪", "筼筜", "白鹭",
    "锦绣", "明珠", "新景", "世纪", "天湖", "云顶", "金湖", "龙山", "蓝湾", "海韵", "和悦",
    "怡景", "翠湖", "丽景", "泰和", "安兜", "吕岭", "槟榔", "前埔", "瑞景", "万寿", "文屏",
    "龙舌", "洪文", "石鼓", "盈翠", "宝龙", "融侨", "禹洲", "中骏", "泰禾", "嘉禾", "同益",
    "建业", "金鼎", "瑞兴", "福满", "鑫源", "恒辉", "华庭", "信和", "长庚", "海湾", "观音山",
    "湖明", "兴华", "乐安", "景湖", "湖畔", "天安", "信达", "名都", "尚城", "悦海",
)
_BRANDS: Final = (
    "嘉和", "鹭安", "海悦", "恒泰", "永升", "万佳", "宏达", "鑫诚", "瑞景", "安居", "华鹭",
    "益嘉", "联发", "建发", "国贸", "特房", "禾信", "闽辉", "金鹭", "顺泰", "广厦", "绿城",
    "碧桂", "中海", "保利", "融创", "世茂", "宝龙", "正荣", "阳光", "泰禾", "禹洲", "中骏",
    "恒兴", "佳和", "友谊", "美好", "诚信", "华兴", "盛世", "海沧", "鹭岛", "鼎盛", "启航",
    "同心", "和睦", "居安", "乐居", "安泰", "银鹭", "厦禾", "思源", "汇景", "聚福", "民生",
)
_HOME_SUFFIXES: Final = ("苑", "花园", "小区", "雅苑", "家园", "新村", "公寓", "名城", "山庄",
                         "里", "大厦", "嘉园", "广场")
_SUFFIX_BY_TYPE: Final[dict[str, tuple[str, ...]]] = {
    "商圈楼宇": ("大厦", "中心", "广场", "商务楼"),
    "产业园区": ("产业园", "科技园", "创业园", "软件园"),
    "安置小区": ("安置房", "新村", "安置小区"),
    "老旧小区": ("小区", "新村", "里", "宿舍区"),
    "单位家属区": ("宿舍", "家属区", "职工宿舍"),
}
_INSTITUTIONS: Final = ("纺织厂", "电厂", "港务局", "铁路", "卷烟厂", "自来水公司", "电子厂",
                        "粮食局", "机械厂", "邮电局", "公交公司", "海关")
_COMMUNITY_STEMS: Final = (
    *_STEMS,
    "禾盛", "和通", "湖里", "兴湖", "东荣", "海景", "南湖", "华美", "怡和", "建南", "金安",
    "湖莲", "兴旺", "乐海", "江村", "岭兜", "塘边", "浦园", "仙洞", "古地石", "围里", "吕厝",
)


class NameMaker:
    """All name draws for one export, from the caller's random source."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._surnames = [s for s, _ in _SURNAMES]
        self._cum = list(itertools.accumulate(w for _, w in _SURNAMES))

    def person(self, male: bool) -> str:
        """A 2–3 character name (3–4 for the rare two-character surnames)."""
        r = self.rng
        surname = self._surnames[bisect.bisect_right(self._cum, r.random() * self._cum[-1])]
        stock = _MALE if male else _FEMALE
        given = r.choice(stock)
        if r.random() < 0.82:
            given += r.choice(stock)
        return surname + given

    def compound(self, compound_type: str, taken: set[str]) -> str:
        """A compound name unique within ``taken`` (which it extends)."""
        r = self.rng
        for attempt in range(50):
            if compound_type == "单位家属区":
                stem = r.choice(_STEMS)[:1] + r.choice(_INSTITUTIONS)
            else:
                stem = r.choice(_STEMS)
            suffixes = _SUFFIX_BY_TYPE.get(compound_type, _HOME_SUFFIXES)
            name = stem + r.choice(suffixes)
            if attempt > 20:
                name = stem + r.choice(("一期", "二期", "三期", "四期", "北区", "南区")) + name[
                    len(stem):]
            if name not in taken:
                taken.add(name)
                return name
        name = f"{stem}{len(taken)}号{r.choice(_HOME_SUFFIXES)}"
        taken.add(name)
        return name

    def community(self, taken: set[str]) -> str:
        return self._unique(_COMMUNITY_STEMS, "社区", taken)

    def street(self, taken: set[str], town: bool = False) -> str:
        return self._unique(_STEMS, "镇" if town else "街道", taken)

    def company(self, city_prefix: str, taken: set[str]) -> str:
        r = self.rng
        kind = "物业服务有限公司" if r.random() < 0.6 else "物业管理有限公司"
        for _ in range(60):
            name = f"{city_prefix}{r.choice(_BRANDS)}{kind}"
            if name not in taken:
                taken.add(name)
                return name
        for n in itertools.count(2):
            name = f"{city_prefix}{r.choice(_BRANDS)}{r.choice(_STEMS)}{kind}"
            if name not in taken or n > 99:
                taken.add(name)
                return name
        raise AssertionError("unreachable")

    def _unique(self, stems: tuple[str, ...], suffix: str, taken: set[str]) -> str:
        r = self.rng
        for _ in range(60):
            name = r.choice(stems) + suffix
            if name not in taken:
                taken.add(name)
                return name
        for n in itertools.count(2):
            name = f"{r.choice(stems)}{'东西南北中新'[n % 6]}{suffix}"
            if name not in taken:
                taken.add(name)
                return name
        raise AssertionError("unreachable")
