"""Who a support item is for, as the 惠企政策 tab shows it: the item's whole condition, and whether
the support goes to an enterprise or organisation or to a person.

Pure functions over support items (assistant/items.py) and the text of their measure. Display
only: amount answers keep matching questions against items.py's own condition. items.py cuts a
condition where its figure clause starts, which leaves fragments when a sentence is not written
对X，给予Y (父母可以选择由其中一方…, 由纳税人在办理年度汇算清缴时…); here the condition is read in
whole clauses, the way a reader of the policy would point at it.
"""
from __future__ import annotations

import re

from .items import LABEL_PREFIX  # a measure's label before its text (第三条, （一）, 3.)
from .load import fold

ORGANISATION = "企业和组织"
PERSON = "个人"

# Who receives support, as policies name them. Organisations: the recipients a 惠企 policy names
# (enterprises and their kinds, units, institutions, carriers such as parks, bases and platforms,
# projects and teams; 组织 only as 社会组织, since 组织失业青年参加见习 uses it as a verb).
# 一般纳税人 and 小规模纳税人 are VAT categories of businesses, and 个人独资企业 a business, although
# 纳税人 alone, in 个人所得税 rules, and 个人 are persons. Persons: the people a benefit names
# (纳税人, 人员, 职工, 人才, 毕业生, family members …). Checked on the five documents of corpus/:
# every item of 国发〔2018〕41号 (个人所得税专项附加扣除) is a person's; 国发〔2018〕39号 gives to both
# (参保企业, 小微企业 / 失业人员, 青年); the first recipient named decides (小微企业当年新招用…人员
# is the 企业's).
ORGANISATION_WORDS = (
    "企业", "公司", "单位", "机构", "社会组织", "团体", "协会", "商会", "学会", "园区", "基地", "平台", "项目", "团队",
    "载体", "孵化器", "众创空间", "集群", "高校", "院校", "学校", "医院", "银行", "合作社", "个体工商户", "市场主体",
    "经营主体", "实验室", "研究院", "研发中心", "总部", "工厂", "一般纳税人", "小规模纳税人", "个人独资企业",
)
PERSON_WORDS = (
    "纳税人", "个人", "本人", "人员", "职工", "员工", "劳动者", "人才", "青年", "毕业生", "学生", "父母", "夫妻", "配偶",
    "子女", "老人", "居民", "家庭", "农民工", "退役军人", "残疾人", "创业者", "专家", "院士", "博士", "妇女", "儿童",
)
_WHO = re.compile("|".join(sorted(ORGANISATION_WORDS + PERSON_WORDS, key=len, reverse=True)))
_ENDS_WITH_WHO = re.compile(rf"(?:{_WHO.pattern})(?:等(?:单位|机构|企业))?$")


def beneficiary(*texts: str) -> str:
    """ORGANISATION or PERSON by the first recipient named in the first text that names one
    (the condition, then the clause, the sentence, the measure); "" when none does."""
    for text in texts:
        m = _WHO.search(fold(text or ""))
        if m:
            return ORGANISATION if m.group(0) in ORGANISATION_WORDS else PERSON
    return ""


_CLAUSE = re.compile(r"[^，,：:；;。]+")
# 对X给予…: 对 as a preposition, not as part of a verb (对接, 对标, 对照, 对比, 对口, 对外, 对话).
_TO = re.compile(r"^(?:对于|对(?![接标照比口外话])|凡)")
# Where the grant starts after 对X: the verbs items.py reads (给予, 奖励, 一次性, 按 …), with the
# adverbs that may come before them (再给予, 可返还, 分别给予).
_GRANT = re.compile(r"(?:再|另|均|分别|可以|可)?(?:给予|奖励|补助|补贴|资助|一次性|按|返还)")
# A benefit whose recipient follows the verb at the end of its clause: 奖励…运营管理机构等单位.
_OBJECT = re.compile(rf"^(?:奖励|奖补|补贴|补助|资助)(.{{2,30}}?(?:{_WHO.pattern})(?:等(?:单位|机构|企业))?)$")
# The subject of a sentence that says what someone may do (父母可以选择…): the words before the modal.
_SUBJECT = re.compile(r"^(.{1,12}?)(?:可以|可|应当|应)")
# A clause that names the date or the period only (2019年1月1日至12月31日): the 期限 column holds it.
_PERIOD_ONLY = re.compile(r"^\d{4}年[\d年月日至到—\-－~]*$")


def _clauses(text: str) -> list[str]:
    return [c for c in (LABEL_PREFIX.sub("", m.group(0)).strip() for m in _CLAUSE.finditer(text)) if c]


def _is_condition(clause: str) -> bool:
    return clause.endswith("的") or bool(_ENDS_WITH_WHO.search(clause))


def whole_conditions(items: list) -> list[str]:
    """The whole condition of each item (a list of SupportItem of one or more documents, in text
    order), read in whole clauses of its sentence:
      1. 对X，给予… / 对X给予…: X, from the last 对-clause before the grant;
      2. 奖励X等单位 at the end of a clause: X (the recipient follows the verb);
      3. the clauses before the grant clause (纳税人为独生子女的，按照…; 纳税人接受…的支出，在取得相关证书
         的当年，按照…), without a clause saying who carries it out (由纳税人…时) or only a date,
         and with the grant clause's own head when it names a recipient (符合条件的企业可申请…);
      4. the subject of a sentence saying what someone may do (父母可以选择…);
      5. the condition of the item before it in the same measure: a clause with no condition of
         its own is a term of that grant (its cap, its period, its other option);
    else items.py's condition. An item built from an enumeration (国家级、省级…分别给予) keeps its own.
    """
    out: list[str] = []
    seen: dict[str, tuple[list, list[str]]] = {}  # record_id → its items so far and their conditions
    for it in items:
        prev, prev_whole = seen.setdefault(it.record_id, ([], []))
        whole = _whole(it, prev, prev_whole)
        prev.append(it)
        prev_whole.append(whole)
        out.append(whole)
    return out


def _whole(it, prev: list, prev_whole: list[str]) -> str:
    sentence, quote = it.context or "", it.quote or ""
    q0 = sentence.find(quote) if quote else -1
    if q0 < 0 or it.condition not in sentence and fold(it.condition) not in fold(sentence):
        return it.condition  # an aligned enumeration's part, or a quote outside its sentence
    for p, w in zip(reversed(prev), reversed(prev_whole)):
        if p.context == it.context and p.quote == it.quote:
            return w  # another figure of the same clause: the same condition
    qend = q0 + len(quote)
    lo = 0
    for p in prev:  # the clauses of grants before this one in the sentence are theirs
        if p.context == it.context and p.quote:
            at = sentence.find(p.quote)
            if 0 <= at and at + len(p.quote) <= q0:
                lo = max(lo, at + len(p.quote))
    clauses = _clauses(sentence[lo:qend])
    if not clauses:
        return it.condition
    for c in reversed(clauses):  # 1. 对X
        m = _TO.match(c)
        if m:
            rest = c[m.end():]
            g = _GRANT.search(rest)
            x = rest[:g.start()] if g and g.start() >= 2 else rest
            if len(x) >= 2:
                return x
    for c in _clauses(sentence[q0:]):  # 2. 奖励X等单位
        m = _OBJECT.match(c)
        if m:
            return m.group(1)
    *before, grant = clauses  # 3. the clauses before the grant
    kept = [c for c in before if not c.startswith("由") and not _PERIOD_ONLY.match(c)]
    g = _GRANT.search(grant)
    head = grant[:g.start()] if g else ""
    if head and _is_condition(head):
        kept.append(head)
    if kept:
        return "，".join(kept)
    first = _clauses(sentence)  # 4. 父母可以选择…
    m = _SUBJECT.match(first[0]) if first else None
    if m and _ENDS_WITH_WHO.search(m.group(1)):
        return m.group(1)
    if prev_whole:  # 5. a term of the grant before it
        return prev_whole[-1]
    return it.condition
