"""Responsible units: find the responsibility notes of a measure, read them by the document's rule,
and name each unit the way its document does.

Chinese policies write their notes in several conventions; each is a row of a pattern table:
  （责任单位：A，B、C）            the seed; with "逗号前为牵头单位" A leads and B, C support
  （牵头单位：A；配合单位：B）      labelled roles
  （责任单位：A（牵头）、B）        the lead marked in the list
  （牵头单位：A，B。配合单位：C）   labelled roles over two sentences
  （A牵头，B、C配合）  （A牵头负责）  roles by verb; each clause ends with its verb, clauses joined
  （A牵头负责、B组织落实）          by ，or 、; beside a lead, units that 负责/落实/组织落实 or
  （A牵头，B按职责分工负责）        按职责分工负责 support
  （A会同B负责）                    A leads "together with" B
  （A、B负责）  （A、B组织落实）    who leads depends on the document's rule: "列第一位者为牵头单位，
                                    下同" makes A the lead; with no rule stated, A and B are listed as
                                    responsible and nobody is made the lead
  （A、B按照职责分工负责）          shared, nobody leads
  （A、B、C）                       a bare list of units closing a sentence: listed as responsible
  （责任部门：各有关部门）          a generic word is the party when the note names nobody else
An item may hold several notes; each covers the text before it. A note that looks like one but
cannot be read is reported as unclear, never as "no units".

Unit names: a document's own printed forms are its canonical names (the most frequent variant of
each unit in that document), so a county's 税务局 stays the county's. Variants and the short names
users type are matched by general rules of official naming (an optional 省/市/县 prefix, an optional
和 between the two halves of a department's name, 委员会 ↔ 委, and the common abbreviations 发改委,
经信厅, 人社厅 …), not by a list of one province's units.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .load import fold

# --- unit names -------------------------------------------------------------------------------

# A unit name ends with the word for an organisation: 部, 委, 厅, 局, 办, 中心, 银行, 政府, 街道 …
ORG_SUFFIX = re.compile(
    r"(部|委|厅|局|办|署|院|会|中心|行|政府|队|处|室|组|所|社|团|公司|集团|总局|总署|分行|支行|办公室|委员会|"
    r"工作组|小组|管委会|机关|机构|各地区|各地|各地方|部门|单位|各级政府|"
    # the local governments of a district as a class (各街道, 各街镇, 各乡镇) and its zones (开发区)
    r"街道|街镇|乡镇|开发区|园区)$")
# Generic words that stand where a list names no unit in particular.
GENERIC_UNITS = ("有关部门", "相关部门", "有关单位", "相关单位", "各有关部门", "各相关部门")
# Parts of official names that have a standard short form (发展改革委 → 发改委, 经济和信息化 → 经信).
ABBREVIATIONS = (
    ("发展改革", "发改"), ("经济信息化", "经信"), ("人力资源社会保障", "人社"), ("住房城乡建设", "住建"),
    ("卫生健康", "卫健"), ("文化旅游", "文旅"), ("市场监督管理", "市场监管"), ("生态环境", "生态环境"),
    ("农业农村", "农业农村"), ("交通运输", "交通"), ("自然资源", "自然资源"), ("科学技术", "科技"),
)
_ADMIN_PREFIX = re.compile(r"^(省|市|县|区|州|自治区|自治州|自治县)(?=.{2,})")


def unit_key(name: str) -> str:
    """The comparison form of a unit name: 省经济和信息化厅, 经济信息化厅, 经信厅 → 经信厅.

    Drops an administrative prefix (省/市/县…), the optional 和 inside a department's name, and
    writes the long halves of names in their standard short form.
    """
    k = re.sub(r"\s+", "", fold(name))
    k = _ADMIN_PREFIX.sub("", k)
    k = k.replace("委员会", "委").replace("和", "")
    for long, short in ABBREVIATIONS:
        k = k.replace(long, short)
    return k


def canonical_names(printed: list[str]) -> dict[str, str]:
    """Each printed unit name → the most frequent variant of that unit in the same document."""
    by_key: dict[str, Counter] = {}
    for p in printed:
        by_key.setdefault(unit_key(p), Counter())[p] += 1
    # The most frequent variant; on a tie the fuller name (文化和旅游厅 over 文化旅游厅).
    best = {k: max(c, key=lambda p: (c[p], len(p))) for k, c in by_key.items()}
    return {p: best[unit_key(p)] for p in printed}


def unit_surface_forms(name: str) -> tuple[str, ...]:
    """Ways a reader may write a unit: as printed, without its 省/市 prefix, and its short form."""
    n = re.sub(r"\s+", "", name)
    forms = (n, _ADMIN_PREFIX.sub("", n), unit_key(n), n.replace("和", ""))
    # Forms shorter than three characters (发改, 人社) occur inside ordinary words (开发改造).
    return tuple(f for f in dict.fromkeys(forms) if len(f) >= 3)


def looks_like_unit(name: str) -> bool:
    return 2 <= len(name) <= 30 and bool(ORG_SUFFIX.search(name)) and not re.search(r"[。；;：:“”]", name)


# --- notes ------------------------------------------------------------------------------------

# The document's rule for who leads, stated once ("列第一位者为牵头单位，下同") or per note.
LEAD_RULES = (
    ("first", r"(列|排|排在|位列)(第一位|首位|第一)(的|者)?(单位|部门)?(为|是)牵头(单位|部门)"),
    ("comma", r"逗号前(的|面的)?(单位|部门)?为牵头(单位|部门)"),
)
_ROLE_LABELS = (
    # (牵头考核单位, 牵头责任单位: a word between 牵头 and 单位 says what it leads in)
    ("lead", r"牵头(?:[\u4e00-\u9fff]{1,2})?单位|牵头(?:[\u4e00-\u9fff]{1,2})?部门|主责单位|主责部门"),
    ("co", r"配合(?:[\u4e00-\u9fff]{1,2})?单位|配合(?:[\u4e00-\u9fff]{1,2})?部门|协办单位|参与单位|协同单位|协助单位"),
    ("any", r"主要责任单位|责任单位|责任部门|负责单位|负责部门|实施单位|承办单位"),
)
_LABEL = re.compile("(" + "|".join(p for _, p in _ROLE_LABELS) + r")\s*:")
# A role label after a full stop goes on with the note (牵头单位：A。配合单位：B).
_STOP_BEFORE_LABEL = re.compile(r"。(?=\s*" + _LABEL.pattern + ")")
# Shared duty, nobody leading: 按(照)(各自)职责(分工), 分别, 共同 before 负责/落实.
_BY_DUTY = r"按照?(?:各自)?职(?:责|能)(?:分工)?"
_JOINT = re.compile(rf"(?:{_BY_DUTY}(?:负责|落实)|分别负责|共同负责)$")


@dataclass(frozen=True)
class Note:
    """One responsibility note and what it says; offsets are into the text it was found in."""

    printed: str  # with its brackets, as printed
    start: int
    end: int
    lead: tuple[str, ...] = ()
    co: tuple[str, ...] = ()
    joint: tuple[str, ...] = ()
    listed: tuple[str, ...] = ()  # responsible, no lead stated
    understood: bool = True

    @property
    def units(self) -> tuple[str, ...]:
        return self.lead + self.co + self.joint + self.listed


def lead_rule(text: str) -> str:
    """The lead rule a document states anywhere ("first", "comma") or "" when it states none."""
    f = fold(text)
    for name, pattern in LEAD_RULES:
        if re.search(pattern, f):
            return name
    return ""


# Where a list of actors joins its last with 和: after a unit or an area (奉贤区和临港地区管委会), not
# inside a name (经济和信息化厅).
_AND_AFTER_UNIT = re.compile(r"(?<=[部委厅局办署院会中心行府区县市])和")


def _split_units(part: str, keep_generic: bool = True) -> list[str]:
    """The units a list names, as printed: A、B，C / A及B. A generic word (有关部门) stands for the
    units only when the list names none (（责任部门：各有关部门）); beside named units, or after 等
    (A、B等有关部门), the named units are the list."""
    out = []
    # 及/以及 joins two names (A及B局), 和 after a unit's name (A局和B局); 和 at a name's start is
    # part of it (和平区, 和田地区).
    part = _AND_AFTER_UNIT.sub("、", part)
    # (a list inside brackets is part of one name: 开发区（集聚区、园区）管理机构)
    part = re.sub(r"[(（][^()（）]*[)）]", lambda m: m.group(0).replace("、", "\0"), part)
    for u in re.split(r"[、，,/]|以?及(?=[\u4e00-\u9fff]{2,}(?:部|委|厅|局|办|署|行|会)(?:[、，,]|$))", part):
        u = re.sub(r"^(由|请|以及)", "", u.strip()).replace("\0", "、")
        # "A、B等有关部门和单位": the list's named units are A and B.
        u = re.sub(r"等[\u4e00-\u9fff]{0,8}?(部门|单位|机构)$|等$", "", u).strip()
        if not u:
            continue
        if len(u) == 1 and out and re.search(r"[委办局厅部]$", out[-1]) and u in "委办局厅部":
            out[-1] += "、" + u  # 相关委、办、局: one collective name, not three units
            continue
        out.append(u)
    named = [u for u in out if u not in GENERIC_UNITS]
    return named if named or not keep_generic else out


# A duty the text itself states, where a document has no notes: "由A会同B、C制定" (A leads, B and C
# support, as in a note "A会同B负责"), "由A统筹/负责/承担" (A is responsible). 由 is the agent marker
# here, not part of 由于, 自由, 理由, 经由.
_IN_TEXT_DUTY = re.compile(
    r"(?<![自理经缘])由(?!于)([^，,。；;：:“”由]{2,40}?)(?:会同([^，,。；;：:“”]{2,60}?))?"
    r"(?:统一|共同|具体|负责|另行|分别|依法|自行)?"  # adverbs before the verb are no part of the actor
    r"(统筹|负责|牵头|召集|制定|承担|组织|实施|管理|审核|认定|出台|核定|协调|受理|审批|批准|办理|审查|发放|监督)"
    r"(?!人|部门|机构|机关|局|委|办|处|厅)")
# (负责人 is a person, 管理部门 a unit's name: no verb)


# An article's label (第六条) opens its first sentence and names no one: the actor opening a sentence
# comes after it.
_ARTICLE_LABEL = r"第[一二三四五六七八九十百零\d]+条"
_OPENER = rf"^(?:{_ARTICLE_LABEL})?\s*([^，,。；;：:“”由]{{2,40}}?)"
# The same duty with the actor opening the sentence, or heading it before a colon as a 职责分工 section
# writes it (第六条 市财政局会同市发展改革委负责…; 区教育局：负责推进…; 市发展改革委
# 负责市级储备粮的行政管理).
_OPENING_DUTY = re.compile(
    _OPENER + r"[：:]?\s*(?:作为[^，,。；;]{2,20}?[，,])?(?:会同([^，,。；;：:“”]{2,60}?))?"
    r"(?:要|应当)?(?:统一|共同|具体|分别|依法)?(负责|牵头|统筹|召集)(?!人|部门|机构|机关)")
# A unit opening a sentence that it (要/应当) 配合, 协助 or 参与 (市气象局要配合做好…技术支持; in a
# 职责分工 paragraph, 区应急管理局：参与制定…) supports the measure: the lead is whoever the measure
# names elsewhere.
_OPENING_SUPPORT = re.compile(_OPENER + r"[：:]?\s*(?:要|应当|负责)?(?:积极)?(配合|协助|参与)(?!单位|部门)")
_HOSTED = re.compile(r"设在([^，,。；;：:“”()]{2,30}?)(?=[，,。；;(]|$)")
_CONVENER = re.compile(r"召集人由([^，,。；;：:“”]{2,30}?)(?:主要负责同志|负责同志|分管负责同志|分管领导|主要领导)?担任"
                       r"|由([^，,。；;：:“”]{2,30}?)(?:主要负责同志|负责同志|分管负责同志|分管领导|主要领导)?担任(?:召集人|组长)")
_COMPOSED = re.compile(r"由([^，,。；;：:“”]{2,80}?)(?:等)?(?:部门|单位|[一二三四五六七八九十两\d]+家(?:副主任|成员)?单位)?(?:组成|协同)")
# Members named beside a convener (联席会议由A召集，B、C为成员): they take part, listed.
_MEMBERS = re.compile(r"[，,]([^，,。；;：:“”]{2,80}?)为(?:成员|成员单位)")


# The levels a unit acts at (市、县（市、区）特种设备安全监督管理部门) are no units of their own.
_LEVELS = re.compile(r"^(?:[省市县区乡镇](?:\([^)]*\))?、)+[省市县区乡镇](?:\([^)]*\))?(?=[\u4e00-\u9fff]{4,})")
# A unit named as a field's 主管部门 (公安机关是养犬管理工作的主管部门; 市卫生健康主管部门为本市献血工作的
# 主管部门; 市林业主管部门主管本市古树名木保护工作): it is responsible for that field.
_DESIGNATED = re.compile(_OPENER + r"(?:(?:是|为)[^，,。；;]{0,30}?主管(?:部门|机关)"
                         r"|主管(?=本市|本县|本区|本省|全市|全县|全区|全省|本行政区域))")
# A unit opening a sentence that it 应当 do something (市场监督管理部门在核准登记…时，应当…标注) is
# the one the duty falls on, as a regulation assigns duties; an 意见 or 方案 says 要 (市交通委、市公安局
# 要在…设置称重检测设备).
_OPENING_SHALL = re.compile(_OPENER + r"(?:在[^，,。；;]{1,40}?时[，,])?(?:应当|要(?!求|点|素|件))")


# A 会同 clause anywhere in a sentence (…，会同自然资源和规划部门绘制…示意图; 协商不成的，A、B应当会同C指导):
# the clause's actor — named before 会同, else the unit opening the sentence, whose clauses it goes
# on with — leads, the partner (named up to its unit word) supports.
_WITH = re.compile(r"(?:^|[，,；;])([^，,。；;：:“”]{2,80}?)?(?:应当|应|须|可以|并|负责|要)?会同"
                   r"([^，,。；;：:“”]{2,40}(?:部门|机关|机构|局|委员会|委会|委|办公室|办|厅|中心|政府))")


def read_text_duty(sentence: str) -> dict[str, list[str]] | None:
    """The roles a sentence of a measure states in its text: {"lead", "co", "listed"}, or None.
    A 会同 partner supports; whoever 牵头 or 召集 (convenes) leads, with the members as listed
    units; an actor alone that 负责/承担… or opens a sentence it 应当 do is responsible (listed); a
    会同 clause later in a sentence makes its actor lead and its partner support."""
    def actors(part: str) -> list[str]:
        # (neither the levels a unit acts at nor the label opening the sentence, 第四条 or （二）, name a unit)
        part = _LEVELS.sub("", re.sub(rf"^(?:{_ARTICLE_LABEL}|\([一二三四五六七八九十\d]+\))\s*", "", part))
        # (电梯所在地的乡（镇）人民政府: where it acts is said before 的, the unit after it)
        part = re.sub(r"^[^、，,()]{1,12}的(?=[^、，,]{2,})", "", part)
        # (公安、城市管理等主管部门: the names share the unit word after 等 and are units by it)
        shared = re.fullmatch(r"(.+?)等([\u4e00-\u9fff]{0,4}(?:部门|机关|机构))", part)
        if shared and "、" in shared.group(1):
            names = [u for u in _split_units(shared.group(1)) if 2 <= len(u) <= 15]
            return names if all(not re.search(r"[的地得了]", u) for u in names) else []
        names = [u for u in _split_units(part) if 2 <= len(re.sub(r"\(.*?\)", "", u)) <= 15]
        # (a unit written with its other name in brackets is judged by its own name)
        # (各区公安机关, 各级财政部门: every unit of that kind, judged by the kind)
        plain = [re.sub(r"^各(?:级|区|县|市|地)?", "", re.sub(r"\(.*?\)", "", u)) for u in names]
        printed = [u.replace("(", "（").replace(")", "）") for u in names]
        return printed if names and all(looks_like_unit(u) or re.search(r"[区县市]$", u) for u in plain) else []

    folded = fold(sentence).strip()
    # A working body's make-up: its office is hosted by a unit (办公室设在区发展改革委), its convener
    # is a unit (召集人由A担任), its members are listed (由A、B、C等部门组成).
    for pattern, role in ((_HOSTED, "lead"), (_CONVENER, "lead"), (_COMPOSED, "listed")):
        for m in pattern.finditer(folded):
            if names := actors(next(g for g in m.groups() if g)):
                return {"lead": names if role == "lead" else [], "co": [], "listed": names if role == "listed" else []}
    stated = _stated_duty(folded, actors)
    if stated and stated["co"]:
        return stated
    if (m := _OPENING_SUPPORT.match(folded)) and (names := actors(m.group(1))):
        return {"lead": [], "co": names, "listed": []}
    opening = _OPENING_DUTY.match(folded) or _OPENING_SHALL.match(folded)
    for m in _WITH.finditer(folded):
        actor = actors((m.group(1) or "").split("由")[-1]) or (actors(opening.group(1)) if opening else [])
        if actor and (co := actors(m.group(2))):
            return {"lead": actor, "co": co, "listed": []}
    return stated


def heading_duty(section_title: str | None, title: str | None, text: str) -> dict[str, list[str]] | None:
    """The roles of an item of a 职责分工 section headed by a unit alone ((三)区财政局 / 负责在政府
    投资项目中安排…; (一)区发展改革委：负责…): the unit is responsible for what its text says,
    leading when the text opens with 牵头, supporting when with 配合 or 协助. Only under a section
    that assigns duties (职责分工, 工作职责, 部门职责): elsewhere a unit heading names a body the
    measure sets up (（一）街道消防安全委员会。年底前，各街道设立…)."""
    if not re.search(r"职责|分工|职能", section_title or ""):
        return None
    name = re.split(r"[：:。]", fold(title or "").strip())[0].strip()
    if not looks_like_unit(name) or len(name) > 15 or re.search(r"[，,、和及与的]", name):
        return None
    body = fold(text).strip()
    body = body[body.find(name) + len(name):] if name in body[:len(name) + 8] else body
    body = body.lstrip(" ：:。\n")
    if re.match(r"(?:要|应当)?牵头", body):
        return {"lead": [name], "co": [], "listed": []}
    if re.match(r"(?:要|应当)?(?:配合|协助)", body):
        return {"lead": [], "co": [name], "listed": []}
    return {"lead": [], "co": [], "listed": [name]}


def _stated_duty(folded: str, actors) -> dict[str, list[str]] | None:
    """Roles of a sentence whose actor and verb are written together (由A会同B负责, A负责…, A应当…)."""
    for m in [*_IN_TEXT_DUTY.finditer(folded), *_OPENING_DUTY.finditer(folded)]:
        lead, co = actors(m.group(1)), actors(m.group(2) or "")
        if not lead or (m.group(2) and not co):
            continue
        members = [u for x in _MEMBERS.finditer(folded[m.end():]) for u in actors(x.group(1))]
        if co or m.group(3) in ("牵头", "召集"):
            return {"lead": lead, "co": co, "listed": members}
        return {"lead": [], "co": [], "listed": lead}
    for pattern in (_DESIGNATED, _OPENING_SHALL):
        m = pattern.match(folded)
        if m and (names := actors(m.group(1))):
            return {"lead": [], "co": [], "listed": names}
    return None


def _brackets(folded: str) -> list[tuple[int, int]]:
    """Spans (start of "(", end after ")") of the outermost bracket pairs of folded text."""
    spans, depth, start = [], 0, 0
    for i, ch in enumerate(folded):
        if ch == "(":
            if depth == 0:
                start = i
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
            if depth == 0:
                spans.append((start, i + 1))
    return spans


def _by_rule(units: list[str], rule: str, comma_split: tuple[list[str], list[str]] | None) -> dict:
    """Roles of a plain list of responsible units under the document's rule."""
    if rule == "comma" and comma_split and comma_split[1]:
        return {"lead": comma_split[0], "co": comma_split[1]}
    if rule in ("first", "comma") and units:
        # Under the comma rule a list without a comma is all leads (the seed's (六) has three).
        return {"lead": units[:1], "co": units[1:]} if rule == "first" else {"lead": units}
    return {"listed": units}


def _marked_lead(units: list[str]) -> dict | None:
    """责任单位：A（牵头）、B: the lead is marked inside the list."""
    if not any(re.search(r"\(牵头\)$", u) for u in units):
        return None
    lead = [re.sub(r"\(牵头\)$", "", u) for u in units if re.search(r"\(牵头\)$", u)]
    return {"lead": lead, "co": [u for u in units if not re.search(r"\(牵头\)$", u)]}


# The verbs that end a clause of a note, with what they make its units: 牵头(负责) leads; 配合,
# 参与, 协助, 协同, 组织配合 support; 按职责分工负责 shares without a lead (beside a lead: supports);
# 负责, 落实, 组织落实 are responsible (beside a lead: support; alone: by the document's rule).
# A clause ends with its verb: （A牵头负责、B组织落实）, （A、B按职责分工负责落实、C组织落实）.
_NOTE_VERB = re.compile(
    rf"((?:{_BY_DUTY}|分别|共同|具体|组织)*)"
    r"(牵头负责|牵头落实|牵头|配合负责|配合落实|配合|参与|协助|协同|负责落实|负责|落实)"
    r"(?=$|[,，、;；])")
_SHARED = re.compile(rf"^(?:{_BY_DUTY}|分别|共同)$")


def _verb_role(prefix: str, verb: str) -> str:
    if verb.startswith("牵头"):
        return "lead"
    if verb.startswith(("配合", "参与", "协助", "协同")):
        return "co"
    if _SHARED.match(prefix):
        return "shared"
    return "responsible"


def read_note(inner: str, rule: str = "", closes_sentence: bool = False) -> dict | None:
    """Roles named by the inside of one bracketed note (folded text), or None when it is no note.

    Returns {"lead": [...], "co": [...], "joint": [...], "listed": [...], "understood": bool}.
    A bracket holding only unit names is a note when it closes a sentence (`closes_sentence`):
    （各街镇、区规划资源局、区土储中心）; after a name (我委（省能源局）) it is another name.
    """
    # A role label after a full stop goes on with the note (牵头单位：A。配合单位：B); any other
    # sentence after it states a rule ("。逗号前为牵头单位，下同") or a remark, not units.
    inner = _STOP_BEFORE_LABEL.sub("；", inner)
    body, _, tail = inner.partition("。")
    rule = lead_rule(tail) or lead_rule(body) or rule
    body = re.sub(r"[,，]?(" + "|".join(p for _, p in LEAD_RULES) + r")[,，]?(下同)?", "", body).strip().rstrip(",，")
    roles: dict[str, list[str]] = {"lead": [], "co": [], "joint": [], "listed": []}
    labels = list(_LABEL.finditer(body))
    if labels and labels[0].start() > 0:
        # A remark before the label (持续推进，牵头考核单位：A; 6月底完成，牵头单位：A) says when or
        # how, and names no unit: the note starts at the label.
        lead_in = body[:labels[0].start()]
        if re.search(r"[,，;；]\s*$", lead_in) and not any(looks_like_unit(u) for u in _split_units(lead_in)):
            body = body[labels[0].start():]
            labels = list(_LABEL.finditer(body))
    if labels and labels[0].start() == 0:
        for i, m in enumerate(labels):
            seg = body[m.end():labels[i + 1].start() if i + 1 < len(labels) else len(body)].strip(" ;；,，")
            role = next(r for r, p in _ROLE_LABELS if re.fullmatch(p, m.group(1)))
            if role != "any":
                roles[role] += _split_units(seg)
            elif _JOINT.search(seg):
                roles["joint"] += _split_units(_JOINT.sub("", seg))
            else:
                units = _split_units(seg)
                lead, _, co = seg.partition(",")
                split = (_split_units(lead), _split_units(co)) if co else None
                got = _marked_lead([u for u in re.split(r"[、，,]", seg) if u]) or _by_rule(units, rule, split)
                for k, v in got.items():
                    roles[k] += v
        return _finish(roles)
    verbs = list(_NOTE_VERB.finditer(body))
    if not verbs:
        names = _split_units(body)
        if closes_sentence and names and all(looks_like_unit(u) for u in names) and any(len(u) >= 3 for u in names):
            for k, v in _by_rule(names, rule, None).items():
                roles[k] += v
            return _finish(roles, strict=True)
        return None
    clauses: list[tuple[list[str], str, list[str] | None]] = []  # (units, role, units acting with them: 会同)
    pos = 0
    for m in verbs:
        part = body[pos:m.start()].strip(" ,，、;；")
        pos = m.end()
        with_ = None
        if "会同" in part:
            part, _, other = part.partition("会同")
            with_ = _split_units(other, keep_generic=False)
        clauses.append((_split_units(part), _verb_role(m.group(1), m.group(2)), with_))
    rest = body[pos:].strip(" ,，、;；")
    has_lead = any(r == "lead" or w is not None for _, r, w in clauses)
    for units, role, with_ in clauses:
        if with_ is not None:  # A会同B负责: A leads, B (named) supports
            roles["lead"] += units
            roles["co"] += with_
        elif role in ("lead", "co"):
            roles[role] += units
        elif has_lead:
            roles["co"] += units  # A牵头，B、C按职责分工负责 / 组织落实
        elif role == "shared":
            if rule == "first":
                roles["lead"] += units[:1]  # the document's rule names the first unit of every note
                roles["co"] += units[1:]
            else:
                roles["joint"] += units
        else:
            for k, v in _by_rule(units, rule, None).items():
                roles[k] += v
    return _finish(roles, strict=True, unclear=bool(rest) or any(not u for u, _, _ in clauses))


def _finish(roles: dict[str, list[str]], strict: bool = False, unclear: bool = False) -> dict | None:
    names = [u for v in roles.values() for u in v]
    if strict and not any(looks_like_unit(u) for u in names):
        return None  # "(以下简称…负责)" or prose in brackets: not a note at all
    understood = bool(names) and not unclear and all(looks_like_unit(u) or not strict for u in names)
    out = {k: list(dict.fromkeys(v)) for k, v in roles.items()}
    out["co"] = [u for u in out["co"] if u not in out["lead"]]
    out["understood"] = understood
    return out


def find_notes(text: str, rule: str = "") -> list[Note]:
    """Every responsibility note in `text` (a measure), in order, with the roles it names."""
    folded = fold(text)
    notes = []
    for s, e in _brackets(folded):
        j = s  # the last mark before the bracket, looked up without copying the text before it
        while j and folded[j - 1] in " \t":
            j -= 1
        closes = not j or folded[j - 1] in "。;；!！?？\n"
        got = read_note(folded[s + 1:e - 1].strip(), rule, closes)
        if got is None:
            continue
        notes.append(Note(text[s:e], s, e, tuple(got["lead"]), tuple(got["co"]), tuple(got["joint"]),
                          tuple(got["listed"]), got["understood"]))
    return notes


@dataclass(frozen=True)
class Responsibility:
    """What a measure's notes say together (printed names; canonical names are applied by the caller)."""

    lead: tuple[str, ...] = ()
    co: tuple[str, ...] = ()
    joint_units: tuple[str, ...] = ()
    listed: tuple[str, ...] = ()
    joint: bool = False
    printed: tuple[str, ...] = ()  # every unit as printed, in order
    notes: tuple[str, ...] = ()  # the notes as printed
    status: str = "none"  # "stated" | "none" | "unclear"


def parse_responsibility(measure_text: str, rule: str = "") -> Responsibility:
    """The units of every note of a measure, combined: a unit that leads anywhere leads."""
    notes = find_notes(measure_text, rule)
    if not notes:
        return Responsibility()

    def union(attr: str, exclude: set[str] = frozenset()) -> tuple[str, ...]:
        return tuple(dict.fromkeys(u for n in notes for u in getattr(n, attr) if u not in exclude))

    lead = union("lead")
    co = union("co", set(lead))
    joint_units = union("joint", set(lead) | set(co))
    listed = union("listed", set(lead) | set(co) | set(joint_units))
    status = "stated" if all(n.understood for n in notes) else "unclear"
    return Responsibility(lead, co, joint_units, listed, bool(joint_units) and not lead,
                          tuple(dict.fromkeys(u for n in notes for u in n.units)),
                          tuple(n.printed for n in notes), status)


def apply_names(resp: Responsibility, names: dict[str, str]) -> Responsibility:
    """The same responsibility with each unit under its document's canonical name."""
    def canon(units: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(names.get(u, u) for u in units))

    return Responsibility(canon(resp.lead), canon(resp.co), canon(resp.joint_units), canon(resp.listed), resp.joint,
                          resp.printed, resp.notes, resp.status)
