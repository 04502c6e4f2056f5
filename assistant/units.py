"""Responsible units: parse （责任单位：…） and normalise unit names.

Rule used by Chinese policy documents (stated in the seed's measure (一) as 逗号前为牵头单位，下同):
units before the first comma lead, units after it support. A list ending in 按照职责分工负责
(or 分别负责) has no lead: every unit shares responsibility (joint).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .load import fold

# Canonical names of common provincial units with the variants documents print and the short
# names users type. Data, not logic: extend it for other provinces.
UNIT_ALIASES: dict[str, tuple[str, ...]] = {
    "省发展改革委": ("发展改革委", "发改委", "省发改委", "省发展和改革委员会", "发展和改革委员会", "发展改革委员会", "发改"),
    "经济和信息化厅": ("经济信息化厅", "省经济和信息化厅", "省经济信息化厅", "经信厅", "省经信厅", "经信委"),
    "科技厅": ("省科技厅", "科学技术厅"),
    "财政厅": ("省财政厅",),
    "商务厅": ("省商务厅",),
    "教育厅": ("省教育厅",),
    "司法厅": ("省司法厅",),
    "自然资源厅": ("省自然资源厅",),
    "生态环境厅": ("省生态环境厅", "环保厅"),
    "住房城乡建设厅": ("住房和城乡建设厅", "住建厅", "省住建厅"),
    "交通运输厅": ("交通厅", "省交通运输厅"),
    "农业农村厅": ("省农业农村厅", "农业厅"),
    "文化和旅游厅": ("文化旅游厅", "文旅厅", "省文旅厅", "省文化和旅游厅"),
    "人力资源社会保障厅": ("人力资源和社会保障厅", "人社厅", "省人社厅"),
    "省卫生健康委": ("卫生健康委", "卫健委", "省卫健委"),
    "省市场监管局": ("市场监管局", "省市场监督管理局", "市场监督管理局", "市监局"),
    "省大数据中心": ("大数据中心",),
    "省知识产权中心": ("知识产权中心",),
    "省能源局": ("能源局",),
    "省地方金融监管局": ("地方金融监管局", "省金融局", "金融局", "金融监管局"),
    "省广电局": ("广电局",),
    "省通信管理局": ("通信管理局",),
    "省中医药局": ("中医药局",),
    "省政府口岸物流办": ("口岸物流办",),
    "省人才办": ("人才办",),
    "省统计局": ("统计局",),
    "国家统计局四川调查总队": ("四川调查总队",),
    "人行成都分行": ("人民银行成都分行",),
    "四川银保监局": ("银保监局",),
    "四川证监局": ("证监局",),
    "四川省税务局": ("税务局", "省税务局", "国家税务总局四川省税务局"),
}
_CANONICAL = {alias: canon for canon, aliases in UNIT_ALIASES.items() for alias in aliases}


def canonical_unit(name: str) -> str:
    """The one name a unit goes by: 经济信息化厅 → 经济和信息化厅, 发改委 → 省发展改革委."""
    name = re.sub(r"\s+", "", name)
    return _CANONICAL.get(name, name)


def unit_surface_forms(canonical: str) -> tuple[str, ...]:
    """Every way a user may name a unit: its canonical name and its aliases."""
    return (canonical,) + UNIT_ALIASES.get(canonical, ())


@dataclass(frozen=True)
class Responsibility:
    lead: tuple[str, ...] = ()  # canonical
    co: tuple[str, ...] = ()
    joint_units: tuple[str, ...] = ()
    joint: bool = False
    printed: tuple[str, ...] = ()  # every unit as printed
    start: int = -1  # offset of the parenthesis in the measure text, -1 when absent


_RESP_OPEN = re.compile(r"\((?:责任单位|牵头单位|责任部门|负责单位|实施单位)\s*:")
_JOINT = re.compile(r"(?:等(?:部门|单位))?(?:按照?职责分工负责|按照?职责负责|分别负责|共同负责)$")
_NOTE = re.compile(r"[。;]")


def _split_units(part: str) -> list[str]:
    units = []
    for u in re.split(r"[、]", part):
        u = re.sub(r"(等(部门|单位)?)$", "", u.strip())
        if u:
            units.append(u)
    return units


def parse_responsibility(measure_text: str) -> Responsibility:
    """Units of the last （责任单位：…） of a measure: lead before the comma, co after, or joint."""
    folded = fold(measure_text)
    opens = list(_RESP_OPEN.finditer(folded))
    if not opens:
        return Responsibility()
    m = opens[-1]
    depth, end = 1, len(folded)
    for i in range(m.end(), len(folded)):
        if folded[i] == "(":
            depth += 1
        elif folded[i] == ")":
            depth -= 1
            if depth == 0:
                end = i
                break
    inner = folded[m.end():end].strip()
    # The rule note (。逗号前为牵头单位,下同) follows the list after a full stop.
    inner = _NOTE.split(inner)[0].strip().rstrip(",")
    joint = bool(_JOINT.search(inner))
    if joint:
        inner = _JOINT.sub("", inner)
        printed = _split_units(inner.replace(",", "、"))
        canon = tuple(dict.fromkeys(canonical_unit(u) for u in printed))
        return Responsibility(joint_units=canon, joint=True, printed=tuple(printed), start=m.start())
    lead_part, _, co_part = inner.partition(",")
    lead = _split_units(lead_part)
    co = _split_units(co_part.replace(",", "、"))
    return Responsibility(
        lead=tuple(dict.fromkeys(canonical_unit(u) for u in lead)),
        co=tuple(dict.fromkeys(canonical_unit(u) for u in co)),
        printed=tuple(lead + co),
        start=m.start(),
    )
