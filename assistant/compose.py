"""Composers: one per kind of question, each from (question, evidence) to a draft answer.

A composer writes only the direct line (and, for lists, its rows) from what the evidence holds; it
never removes evidence (the answer shows the evidence's passages below the draft, answer.py).
Its draft says how sure it is:
- "direct": the line answers the question from the text it cites;
- "likely": the line names the measure that most likely answers and quotes its key sentence;
- "none": the documents do not state what is asked (a figure, a unit, a date, a procedure), said
  only when no on-topic passage holds anything of that kind about the subject.
Every figure, unit and measure in a line is copied from the record it cites.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .clauses import sentences
from .evidence import (ITEM_LABEL, SUBJECT_SLACK, Evidence, completing, Passage, Sentence, best_subject_share, names_subject, subject_of,
                       subject_share)
from .index import PolicyIndex
from .load import fold
from .query import META_LABELS, spelled_out
from .reading import PARTS_OF, stated_figures, with_years
from .records import Citation, Record
from .retrieve import hybrid, in_scope
from .topic import BENEFIT_WORDS, QUESTION_WORDS, TOPICAL_SHARE, Vocabulary, contains
from .tiers import asked_magnitudes, bounds
from .units import heading_duty, looks_like_unit, read_text_duty

# A document's own fields that its body states rather than its header.
BODY_META = ("effective", "period", "approval")
LIST_CAP = 10  # measures in a list answer
# What each aspect a question asks is answered by. A date (几月几号) is answered by a date; a period
# (保存多长时间) also by a length in words (留存五年); a procedure by what to submit or where to go.
_CN_N = "[一二三四五六七八九十两百]+"
ASPECT_EVIDENCE = {"time": rf"\d{{4}}年|\d+年|年底|年内|\d+月|\d+日|期限|截至|截止|起施行|之日起|起执行|\d+个月|{_CN_N}个月|"
                           r"[日天]内|小时内|工作日|[之以]前|后\d+",
                   # (a length: the words 期限, 有效期 alone name what is asked, they do not state it)
                   # (how often, 多久…一次, is stated as 每半年考评一次, 每年至少开展一次)
                   "period": rf"\d+个?(工作日|年|月|日|天|周|小时)|长期有效|{_CN_N}个?(工作日|年|月|日|天|周|小时)(?!度)|"
                             r"每(?:年|半年|季度|季|月|周|星期|天|日)[^。；;，,]{0,12}次",
                   "clock": r"\d{1,2}[:：]\d{2}|\d{1,2}(?:点|时)(?!代)|上午|下午|全天|24小时|工作时间",
                   "place": r"地点|网点|窗口|网站|平台|网上|线上|大厅|服务机构|常住地|户籍地|所在地|参保地|向.{1,12}(申请|申报|提出|提交)|"
                            r"(提交|报送|交给|报给|提供给)[\u4e00-\u9fff]{2,12}",
                   "procedure": r"申报|申请|材料|资料|证明|流程|程序|办理|手续|留存|提交|报送",
                   "criteria": r"标准|条件|资格|门槛|符合|须|应当|具备|满足|不低于|以上"}
# A grant's own condition says who qualifies for it (对首次获得备案的…企业，给予…): the criteria of a
# benefit the question names (想拿…后补助，要满足什么条件), not of a status (瞪羚企业的认定标准).
GRANT_CONDITION = r"^对.{2,40}?[，,]?(给予|奖励|补助|补贴|资助|一次性)"
BENEFIT_NAMED = r"补助|补贴|奖励|奖金|资助|资金|扶持|奖补|贴息|那笔|这笔"
ASPECT_NAMES = {"time": "具体时间或期限", "period": "具体期限", "procedure": "申报程序或材料", "criteria": "具体标准或条件",
                "place": "办理或申报的地点、渠道", "clock": "具体时段"}


@dataclass(frozen=True)
class Draft:
    kind: str
    line: str
    certainty: str  # direct | likely | none
    cites: tuple[Citation, ...] = ()
    lines: tuple[str, ...] = ()  # rows under the line (a list, one document each)
    extra: dict = field(default_factory=dict)
    show_evidence: bool = True  # the passages below; a measure or a list shown whole needs none


# --- how records are named -------------------------------------------------------------------------

def doc_name(r: Record) -> str:
    return r.doc_number or f"《{r.doc_title}》"


def ref(r: Record, title: bool = True) -> str:
    """川办发〔2021〕93号 （三十）「加大财税支持」; an item numbered 3. under （二） is （二）3."""
    t = f"「{r.title}」" if title and r.title and r.kind == "measure" else ""
    return f"{doc_name(r)} {label(r)}{t}"


def label(r: Record) -> str:
    """A measure as its document prints it ((三十), 第五条, 三、; 第…条 only where the document
    writes 条), an item numbered within a group after its group's label (（二）3.); a section by its
    heading, the preamble as 前言."""
    if r.measure_label:
        lab = r.measure_label
        if lab[0].isdigit():
            return "".join(r.section_path[-1:]) + lab
        return lab
    if r.section:
        return f"{r.section}、{r.section_title or ''}"
    return "前言"


def body(r: Record) -> str:
    """A measure's text without its own label, so the label and title are not said twice."""
    text = r.text
    if r.part == 0 and r.measure_label and text.startswith(r.measure_label):
        text = text[len(r.measure_label):].lstrip()
    return text


def cite(r: Record, quote: str) -> Citation:
    return Citation.from_record(r, quote)


def units_sentence(r: Record, intent: str = "lead_unit") -> str:
    """Who is responsible for a measure, by its document's rule; says so when a note is unclear."""
    p = r.printed
    if r.duty_status == "none":
        return "文件未列明责任单位"
    if r.duty_status == "unclear" and not r.all_units:
        return f"文件列有责任分工说明，但未能识别其中的单位：{'；'.join(r.duty_notes)}"
    if r.joint:
        return f"由{'、'.join(p(r.joint_units))}按照职责分工共同负责（无牵头单位）"
    if not r.lead_units and r.listed_units:
        return f"责任单位：{'、'.join(p(r.listed_units))}（文件未说明谁牵头，列第一位的是{p(r.listed_units)[0]}）"
    if intent == "co_units":
        co = p(r.co_units)
        return f"配合单位：{'、'.join(co)}" if co else f"该条只列了牵头单位{'、'.join(p(r.lead_units))}，没有列配合单位"
    s = f"牵头单位：{'、'.join(p(r.lead_units))}"
    if r.co_units:
        s += f"；配合单位：{'、'.join(p(r.co_units))}"
    if r.listed_units:
        s += f"；另有负责单位：{'、'.join(p(r.listed_units))}"
    return s


def duty_quote(r: Record) -> str:
    return "".join(r.duty_notes) or r.text


def key_sentence(p: Passage) -> str:
    """A passage's best sentence, less a bare heading or its own title restated."""
    title = fold(p.record.title or "").strip(" 。")
    ok = [s for s in p.best(len(p.sentences)) if not re.fullmatch(r"[一二三四五六七八九十]+、\s*\S{1,20}", s.text.strip(" 。"))
          and not (title and s.folded.strip(" 。") == title)]
    return ok[0].text if ok else (p.record.title or p.record.text[:80])


# --- routes that name their records -----------------------------------------------------------------

def measure_draft(ev: Evidence, index: PolicyIndex) -> Draft:
    """第（十三）条讲什么 / 由谁牵头: each named measure, one per document that has it."""
    query = ev.query
    labels = "、".join(f"第{n}条" for n in query.measures)
    if not ev.passages:
        docs = [index.documents.get(d, {}).get("title", d) for d in ev.scope]
        where = f"《{docs[0]}》中" if len(docs) == 1 else "已收录的文件中"
        return Draft("measure_ref", f"{where}没有编号为{labels}的措施或条款。", "none", show_evidence=False)
    groups: dict[tuple, list[Record]] = {}
    for p in ev.passages:
        groups.setdefault(p.record.measure_key, []).append(p.record)
    docs = list(dict.fromkeys(g[0].doc_id for g in groups.values()))
    head = f"{len(docs)}份文件都有{labels}，分别如下：" if len(docs) > 1 else ""
    rows, cites = [], []
    for g in groups.values():
        if query.intent in ("lead_unit", "co_units") or (query.intent == "unit_measures" and not query.units):
            r = g[-1]  # the last part of a split measure carries its units
            rows.append(f"{ref(g[0])}：{units_sentence(r, query.intent)}。")
            cites.append(cite(r, duty_quote(r)))
        else:
            rows.append(f"{ref(g[0])}：{''.join(body(x) for x in g)}")
            cites.append(cite(g[0], "".join(x.text for x in g)))
    kind = query.intent if query.intent in ("lead_unit", "co_units") else "measure_ref"
    if head:
        return Draft(kind, head, "direct", tuple(cites), tuple(rows), show_evidence=False)
    return Draft(kind, rows[0], "direct", tuple(cites), tuple(rows[1:]), show_evidence=False)


def section_draft(ev: Evidence) -> Draft:
    recs = [p.record for p in ev.passages]
    by_doc: dict[str, list[Record]] = {}
    for r in recs:
        by_doc.setdefault(r.doc_id, []).append(r)
    rows = []
    for rs in by_doc.values():
        r0 = rs[0]
        rows.append(f"{doc_name(r0)} {r0.section_path[-1] if r0.section_path else ''}{r0.section_title or ''}共{len(rs)}条：")
        rows += [f"- {label(r)}「{r.title}」" for r in rs]
    return Draft("section", rows[0], "direct", tuple(cite(r, r.title or r.text[:60]) for r in recs), tuple(rows[1:]),
                 show_evidence=False)


def unit_list_draft(ev: Evidence, index: PolicyIndex) -> Draft:
    """Which measures a unit leads, supports or shares, with its role in each."""
    query = ev.query
    if query.unit_role == "joint":
        return joint_list_draft(ev)
    units = set(query.units)
    role_word = {"lead": "牵头", "co": "配合"}.get(query.unit_role or "", "参与")
    records = [p.record for p in ev.passages]
    if not records:
        # A document that lists units without naming a lead: the unit is listed there, leading nothing.
        listed = [r for u in query.units for r in index.with_unit(u) if in_scope(r, ev.scope) and units & set(r.listed_units)]
        if query.unit_role == "lead" and listed:
            rows = [f"- {ref(r)}（列第{[index_key(u) for u in r.listed_units].index(index_key(next(iter(units & set(r.listed_units))))) + 1}位）"
                    for r in listed]
            name = "、".join(query.units)
            return Draft("unit_measures", f"文件没有写明哪个单位牵头；{name}列为责任单位的措施共{len(listed)}条：", "direct",
                         tuple(cite(r, duty_quote(r)) for r in listed), tuple(rows), show_evidence=False)
        return Draft("unit_measures", f"已收录的文件中没有{'、'.join(query.units)}{role_word}的措施。", "none", show_evidence=False)

    def role(r: Record) -> str:
        if units & set(r.lead_units):
            return "牵头"
        if units & set(r.joint_units):
            return "共同负责"
        if units & set(r.listed_units):
            place = next(i for i, u in enumerate(r.listed_units) if u in units) + 1
            return f"责任单位，列第{place}位，文件未说明谁牵头"
        return "配合"

    shared = []
    if query.unit_role == "lead":
        # A unit that leads also shares the jointly owned measures: said beside its own count.
        shared = [r for r in index.records if r.kind == "measure" and r.part == r.parts - 1 and r.joint
                  and units & set(r.joint_units) and in_scope(r, ev.scope)]
    by_doc: dict[str, list[Record]] = {}
    for r in records + shared:
        by_doc.setdefault(r.doc_id, []).append(r)
    first = records[0]
    name = "、".join(first.printed(tuple(u for u in query.units if u in first.all_units)) or query.units)
    head = f"{name}{role_word}的措施共{len(records)}条"
    if shared:
        head += f"，另与其他单位按职责分工共同负责{len(shared)}条"
    head += f"（{doc_name(first)}）：" if len(by_doc) == 1 else f"，分布在{len(by_doc)}份文件中："
    rows = []
    for rs in by_doc.values():
        if len(by_doc) > 1:
            rows.append(f"{doc_name(rs[0])}（{len(rs)}条）：")
        rows += [f"- {label(r)}「{r.title}」（{role(r)}）" for r in rs]
    return Draft("unit_measures", head, "direct", tuple(cite(r, duty_quote(r)) for r in records + shared), tuple(rows),
                 show_evidence=False)


def index_key(unit: str) -> str:
    from .units import unit_key

    return unit_key(unit)


def joint_list_draft(ev: Evidence) -> Draft:
    """The measures with no lead unit, whose units are 按照职责分工负责 together."""
    recs = [p.record for p in ev.passages]
    if not recs:
        return Draft("unit_measures", "已收录的文件中没有由多个单位按照职责分工负责、不设牵头单位的措施。", "none", show_evidence=False)
    rows = [f"- {ref(r)}：{'、'.join(r.printed(r.joint_units))}" for r in recs]
    return Draft("unit_measures", f"由多个单位按照职责分工负责、不设牵头单位的措施共{len(recs)}条：", "direct",
                 tuple(cite(r, duty_quote(r)) for r in recs), tuple(rows), show_evidence=False)


def metadata_draft(ev: Evidence, index: PolicyIndex, vocab: Vocabulary) -> Draft:
    """Each field asked for, from each document's own header, page table, signature or body."""
    query = ev.query
    if not ev.passages:
        return Draft("metadata", "没有找到文件信息。", "none", show_evidence=False)
    if cited := cited_elsewhere(query.text, index, vocab):
        title, r = cited
        labels = "、".join(META_LABELS[f] for f in query.meta_fields) or "文件信息"
        return Draft("metadata", f"已收录的文件中没有《{title}》，{ref(r)}只引用了它，没有写明它的{labels}。", "none",
                     extra={"mentions": [cite(r, f"《{title}》")]}, show_evidence=False)
    if len(ev.passages) > 8:
        names = "；".join(f"《{index.documents[p.record.doc_id]['title']}》" for p in ev.passages[:5])
        return Draft("metadata", f"已收录{len(ev.passages)}份文件，请说明问的是哪一份（例如写出标题中的词或文号），如：{names}等。",
                     "none", show_evidence=False)
    rows, cites, missing_all = [], [], []
    for p in ev.passages:
        r = p.record
        doc = index.documents.get(r.doc_id, {})
        meta_lines = doc.get("meta_lines") or {}
        title = doc.get("title") or r.doc_title
        answers, quotes, missing, body_cites = [], [], [], []
        fields = list(query.meta_fields or ("title",))
        if "published_date" in fields and not doc.get("published_date") and doc.get("written_date"):
            # No page gives a 发布日期: the signature's date is when the document was issued.
            fields = [f for f in fields if f != "published_date"] + (["written_date"] if "written_date" not in fields else [])
        for fld in fields:
            value = doc.get(fld) or meta_lines.get(fld)
            name = META_LABELS[fld]
            if not value and fld == "publisher" and meta_lines.get("source_bodies"):
                # No issuer named, but the page says where it came from (信息来源：…): said as that.
                answers.append(f"{name}：文件未标注；页面来源：{meta_lines['source_bodies']}")
                quotes.append(meta_lines.get("source") or meta_lines["source_bodies"])
                continue
            if not value:
                missing.append(name)
                continue
            quote = meta_lines.get(fld) or next((s for s in sentences(r.text) if value in s.replace("\n", "")), value)
            text = f"{name}：{value}"
            if fld in BODY_META:
                # Stated in the body (第三十二条 本办法自…起施行): cite the provision that says it.
                where = next((x for x in index.records_of(r.doc_id) if fold(value) in fold(x.text)), None)
                if where is not None and where.record_id != r.record_id:
                    answers.append(f"{name}：{value}（{ref(where, title=False)}）")
                    body_cites.append(cite(where, value))
                    continue
            if fld == "written_date" and meta_lines.get("signature_date"):
                text += f"；文末落款日期：{meta_lines['signature_date']}"  # as the signature prints it
                quote += f"\n{meta_lines['signature_date']}"
            answers.append(text)
            quotes.append(quote)
        if answers:
            rows.append(f"《{title}》：" + "；".join(answers) + (f"；文件没有标注{'、'.join(missing)}" if missing else ""))
            cites += body_cites
            if quotes:
                cites.append(cite(r, "\n".join(dict.fromkeys(quotes))))
        else:
            missing_all.append(f"《{title}》没有标注{'、'.join(missing)}")
    if not cites:
        return Draft("metadata", "；".join(missing_all) + "。", "none", show_evidence=False)
    if missing_all:
        rows.append("；".join(missing_all) + "。")
    return Draft("metadata", rows[0], "direct", tuple(cites), tuple(rows[1:]), show_evidence=False)


def cited_elsewhere(q: str, index: PolicyIndex, vocab: Vocabulary) -> tuple[str, Record] | None:
    """A title the question quotes (《…规划纲要》) that is no library document's but that a library
    document cites, with the record citing it."""
    quoted = re.findall(r"《([^《》]{4,80})》", fold(q))
    titles = [fold(d.get("title") or "") for d in index.documents.values()] if quoted else []
    for title in quoted:
        if any(title in t or t in title for t in titles if t):
            continue
        for r in vocab.records_with(title):
            if f"《{title}》" in fold(r.text):
                return title, r
    return None


# --- answers read from the evidence ------------------------------------------------------------------

def aspect_missing(query, text: str, q: str) -> str | None:
    """The first aspect the question asks (申报材料, 截止时间, 条件) that the text says nothing of."""
    t = fold(text)
    evidence = dict(ASPECT_EVIDENCE)
    if re.search(BENEFIT_NAMED, fold(q)):
        evidence["criteria"] += "|" + GRANT_CONDITION
    missing = next((a for a in query.aspects if not any(re.search(evidence[a], x) for x in re.split(r"(?<=[。；;])", t))), None)
    # 怎么报名 asks how to do that very thing: a text about 办赛程序 does not say how to 报名.
    how = re.search(r"(?:怎么|如何|怎样|咋)(报名|申请|申报|办理|领取|登记|参加|购买|预约|缴纳)", fold(q))
    if not missing and how and how.group(1) not in t:
        missing = "procedure"
    return missing


def best_sentences(ev: Evidence, p: Passage) -> str:
    """The passage's sentence that answers best, with the next one when the provision goes on after a
    semicolon, and a sentence stating each aspect asked (交给谁？…保存多长时间？)."""
    query = ev.query
    ss = [s for s in p.sentences if not re.match(r"^[（(](责任单位|牵头单位)", s.folded)]
    title = fold(p.record.title or "").strip(" 。")
    ss = [s for s in ss if not re.fullmatch(r"[一二三四五六七八九十]+、\s*\S{1,20}", s.text.strip(" 。\n"))
          and not (title and s.folded.strip(" 。\n") == title)] or ss
    if not ss:
        return p.record.text

    def score(s: Sentence) -> float:
        return (s.score + 2 * sum(contains(s.folded, n) for n in query.numbers)
                + sum(bool(re.search(ASPECT_EVIDENCE[a], s.folded)) for a in query.aspects))
    best = max(range(len(ss)), key=lambda i: (score(ss[i]), -i))
    keep = [best]
    if ss[best].text.endswith(("；", ";")) and best + 1 < len(ss):
        keep.append(best + 1)
    # Conditions or materials asked, where the text lists them under a lead (须同时符合下列条件：
    # （一）…（五）…): the lead and every item, not one item. Otherwise a lead says nothing without
    # its items, nor an item without its lead (有下列情形之一的，不予受理：…（三）…在实习期内的).
    under = listed_under(ss, best)
    if {"criteria", "procedure"} & set(query.aspects) or (under and under[0] == best):
        keep += under
    elif under:
        keep.append(under[0])
    # A figure with its limit, a limit with the figure it limits (evidence.completing).
    keep += [ss.index(p.sentences[k]) for k in completing(p, p.sentences.index(ss[best]))
             if p.sentences[k] in ss and ss.index(p.sentences[k]) not in keep]
    # The range the asker's number falls in (我20岁 in 16—24岁失业青年) is shown with the answer.
    asked = asked_magnitudes(query.text)
    if asked:
        keep += [i for i, s in enumerate(ss) if i not in keep and any(b.unit == m.unit and b.holds(m.value)
                                                                     for b in bounds(s.text) for m in asked)][:1]
    for a in query.aspects:
        stating = [i for i in range(len(ss)) if re.search(ASPECT_EVIDENCE[a], ss[i].folded)]
        if stating and not any(i in stating for i in keep):
            keep.append(max(stating, key=lambda i: (score(ss[i]), -i)))
    return "".join(ss[i].text for i in sorted(set(keep)))


def listed_under(ss: list[Sentence], i: int, most: int = 10) -> list[int]:
    """The lead of the list sentence i is in or leads (the nearest sentence at or before it ending
    with a colon, followed by labelled items) and its items; [] when it is in no list."""
    lead = next((j for j in range(i, -1, -1) if ss[j].text.rstrip().endswith(("：", ":"))), None)
    if lead is None or not all(ITEM_LABEL.match(ss[k].text) for k in range(lead + 1, i + 1)):
        return []
    items = []
    for k in range(lead + 1, len(ss)):
        if not ITEM_LABEL.match(ss[k].text) or len(items) >= most:
            break
        items.append(k)
    return [lead] + items if items else []


def topic_draft(ev: Evidence, q: str, vocab: Vocabulary, index: PolicyIndex) -> Draft:
    """A question about a topic (what, who, when, how): the best on-topic passage, its key sentences."""
    query = ev.query
    top = ev.on_topic[0]
    r = top.record
    # 在哪个App上填报？ asks which of a kind of thing: documents that never name such a thing do not say.
    asked = vocab.asked_for(q) if query.intent not in ("lead_unit", "co_units") else []  # 哪个厅局: a unit
    if vocab.names_none_of(asked):
        return Draft(query.intent, f"{ref(r)}涉及这一内容，但文件没有提到{'、'.join(asked)}。", "none",
                     extra={"mentions": [cite(r, key_sentence(top))]})
    # The aspect asked (材料, 截止时间, 条件) must be stated where the subject is: in a sentence of an
    # on-topic passage that names the subject's rarest word (or the one after it); the best such answers.
    stating = [p for p in ev.on_topic if not aspect_missing(query, about_subject(p, ev, vocab), q)] if query.aspects else list(ev.on_topic)
    if not stating:
        missing = aspect_missing(query, about_subject(top, ev, vocab), q) or query.aspects[0]
        return Draft(query.intent, f"{ref(r)}涉及这一内容，但文件没有写明{ASPECT_NAMES[missing]}。", "none",
                     extra={"mentions": [cite(r, key_sentence(top))]})
    # (a section with no numbered items under it, 五、部门职责, is a measure of its own)
    if query.intent in ("lead_unit", "co_units") and r.kind in ("measure", "section"):
        last = (index.parts_of(r) or [r])[-1]
        if last.duty_status == "none":
            # No responsibility note, but the text may say who acts (…由临港地区管委会承担; 市财政局
            # 会同市发展改革委负责…): of the best passages without notes, the first whose sentences
            # state a duty answers, quoted with the sentence that states it.
            for p in [top] + [x for x in ev.on_topic[1:3] if x.record.kind in ("measure", "section") and x.record.duty_status == "none"]:
                # (the sentence holding most of the question's own words states the duty asked: an
                # article gives each unit its sentence, 生态环境部门负责…统一监督管理。综合行政执法部门负责…)
                order = sorted(p.sentences, key=lambda x: (-vocab.coverage(list(ev.terms), x.text), -x.score))
                stated = next(((x, roles) for x in order if (roles := read_text_duty(paragraph_head(p.record.text, x.start) + x.text))), None)
                if not stated and order and (roles := heading_duty(p.record.section_title, p.record.title, p.record.text)):
                    stated = (order[0], roles)  # (三)区财政局 / 负责…: the heading is the unit
                if stated:
                    sentence, roles = stated
                    quote = best_sentences(ev, p)
                    quote = quote if sentence.text in quote else sentence.text
                    c = replace(cite(p.record, quote), lead_units=roles["lead"], co_units=roles["co"], listed_units=roles["listed"])
                    other = "参与" if roles["lead"] else "负责"
                    said = "；".join(f"{'、'.join(roles[k])}{verb}" for k, verb in
                                    (("lead", "牵头"), ("co", "配合"), ("listed", other)) if roles[k])
                    return Draft(query.intent, f"{ref(p.record)}：文件未列明责任单位；按条文，{said}。条文写明：{quote}", "direct", (c,))
            quote = best_sentences(ev, top)
            return Draft(query.intent, f"{ref(r)}：文件未列明责任单位；条文写明：{quote}", "direct", (cite(r, quote),))
        return Draft(query.intent, f"{ref(r)}：{units_sentence(last, query.intent)}。", "direct", (cite(last, duty_quote(last)),))
    p = stating[0]
    quote = best_sentences(ev, p)
    sure = p is top and p.coverage >= 0.75
    line = f"{ref(p.record)}：{quote}" if sure else f"最相关的是{ref(p.record)}：“{quote}”"
    return Draft(query.intent, line, "direct" if sure else "likely", (cite(p.record, quote),))


def paragraph_head(text: str, start: int) -> str:
    """The unit heading the paragraph a sentence starting at `start` goes on in, when the paragraph
    opens with one before a colon (区应急管理局：参与制定…；负责…启用), else "": each of its sentences
    is that unit's duty, as a 职责分工 section writes them."""
    begin = text.rfind("\n", 0, start) + 1
    if begin == start:
        return ""  # the sentence opens its paragraph: its own words say who acts
    head = re.match(r"\s*([^，,。；;：:\n]{2,20})[：:]", text[begin:start])
    return head.group(0).strip() if head and looks_like_unit(head.group(1).strip()) else ""


def about_subject(p: Passage, ev: Evidence, vocab: Vocabulary) -> str:
    """The sentences of a passage about the question's subject — holding about as much of it as any
    sentence of the on-topic passages does (evidence.SUBJECT_SLACK) — each with the sentence after
    it, which often goes on about it; the whole passage when the question names no subject the
    library has a word for, or when the measure's title names it (a measure on the subject is
    about it throughout)."""
    subject = subject_of(ev.query, list(ev.terms), vocab)
    title = (p.record.title or "") + (p.record.section_title or "") + vocab.title_topic(p.record.doc_id)
    # (a question asking two things, 交给谁？保管多长时间？, is answered by different sentences of one measure)
    if not subject.rare or not p.sentences or names_subject(title, subject, vocab) or len(ev.query.aspects) > 1:
        return record_text(p.record)
    floor = max(best_subject_share(ev, subject, vocab) - SUBJECT_SLACK, 1e-9)
    keep = []
    for i, s in enumerate(p.sentences):
        if subject_share(s.text + title, subject, vocab) >= floor:
            keep += [s.text] + ([p.sentences[i + 1].text] if i + 1 < len(p.sentences) else [])
    return "".join(dict.fromkeys(keep))


def record_text(r: Record) -> str:
    return r.text + (r.section_title or "") + (r.title or "")


def mention_draft(ev: Evidence, vocab: Vocabulary) -> Draft:
    """文件里有没有提到X？ Where the documents mention the subject, or that they do not."""
    subject = [t for t in ev.terms if t not in BENEFIT_WORDS]
    known = [t for t in subject if vocab.used(t)]
    found = list(ev.on_topic[:3])
    if not found:
        return Draft("mention", "已收录的文件没有提到与此相关的内容。", "none")
    shown = [t for t in known if any(contains(fold(p.record.text), t) for p in found)]
    about = "、".join(sorted(shown, key=vocab.idf, reverse=True)[:2]) or "这一内容"
    head = f"文件在{len(found)}处提到了“{about}”：" if len(found) > 1 else f"文件提到了“{about}”："
    rows = [f"- {ref(p.record)}：{key_sentence(p)}" for p in found]
    return Draft("mention", head + (rows[0][2:] if len(rows) == 1 else ""), "direct",
                 tuple(cite(p.record, key_sentence(p)) for p in found), tuple(rows if len(rows) > 1 else ()))


def list_draft(ev: Evidence, q: str, vocab: Vocabulary, index: PolicyIndex) -> Draft:
    """A ranked list of the measures about the question's topic, across documents."""
    query = ev.query
    if re.search(PARTS_OF, q) and (outline := outline_draft(ev)):
        return outline
    topic = [t for t in ev.terms if t not in BENEFIT_WORDS and not any(t in w for w in query.doc_words)
             and not any(t in vocab.title_topic(d) for d in query.doc_ids)] \
        or [t for t in ev.terms if t not in BENEFIT_WORDS]
    # Which items state a figure or date the question writes (标准是每月1000元的有哪几项): those stating it.
    if (stated := stated_figures(q)) and re.search(r"哪(?:几|些|一)?(?:项|条|款|处|政策|措施|规定|内容)", q):
        if figures := figure_list_draft(ev, stated, topic, vocab):
            return figures
    candidates = hybrid(index, query.expanded, ev.scope, 40)
    known = [t for t in topic if vocab.used(t)]
    scored = []
    for h in candidates:
        r = h.record
        if r.kind != "measure":
            continue
        cov = vocab.coverage(known, spelled_out(record_text(r))) if known else 0.0
        scored.append((cov, h.score, r))
    # Relevant: names one of the question's topical words (a word few records use: 融资, 氢能 — a list
    # question's words are alternatives, 融资、贷款方面), or, when it has none, a good share of its words.
    limit = max(2, TOPICAL_SHARE * vocab.n)
    topical = [t for t in known if vocab.df(t) <= limit]
    topical = [t for t in topical if not vocab.is_place(t)] or topical  # 北京冬奥会: where, not what
    if topical:
        scored = [x for x in scored if any(names_topic(fold(spelled_out(record_text(x[2]))), t, limit, vocab) for t in topical)]
    else:
        top = max((c for c, _, _ in scored), default=0.0)
        scored = [x for x in scored if x[0] >= max(1 / 3, top - 0.34)]
    seen, rows = set(), []
    for cov, score, r in sorted(scored, key=lambda x: (-x[0], -x[1])):
        if r.measure_key not in seen:
            seen.add(r.measure_key)
            rows.append(r)
    rows = rows[:LIST_CAP]
    if not rows:
        return None
    named = [t for t in sorted(known, key=vocab.idf, reverse=True) if any(contains(fold(r.text), t) for r in rows)]
    about = "、".join(named[:2]) or "该问题"
    docs = list(dict.fromkeys(r.doc_id for r in rows))
    head = f"关于“{about}”，找到{len(rows)}条相关措施" + (f"（{len(docs)}份文件）" if len(docs) > 1 else "") + "："
    key_terms = topic + [p for t in topical for p in vocab.word_parts(t) if p not in topic]
    out, cites = [], []
    for r in rows:
        key = sentence_with(key_terms, r, vocab)
        out.append(f"- {ref(r)}：{key}")
        cites.append(cite(r, key))
    return Draft("list", head, "direct", tuple(cites), tuple(out), show_evidence=False)


def sentence_with(terms: list[str], r: Record, vocab: Vocabulary) -> str:
    """The sentence of a measure that says most about the terms (with its list, when it leads one)."""
    ss = [s for s in sentences(body(r)) if not re.match(r"^[（(](责任单位|牵头单位)", fold(s))]
    if not ss:
        return r.title or r.text[:80]
    score = [sum(vocab.idf(t) for t in terms if contains(fold(spelled_out(s)), t)) for s in ss]
    best = max(range(len(ss)), key=lambda i: (score[i], -i))
    return with_items(ss[best], ss[best + 1:])


# A sentence that leads a list (有下列情形之一的，不得发行预付卡：, 可以通过下列途径解决：) says nothing
# without the items after it: it is quoted with them, up to this many characters of items.
LIST_ITEMS_CHARS = 300


def with_items(sentence: str, after: list[str]) -> str:
    """`sentence` followed by the listed items (（一）…；（二）…) of `after` when it ends with a colon."""
    if not re.search(r"[：:]\s*$", sentence):
        return sentence
    items = []
    for s in after:
        if not ITEM_LABEL.match(s):
            break
        items.append(s.strip())
    joined = "".join(items)
    return sentence + (joined if len(joined) <= LIST_ITEMS_CHARS else joined[:LIST_ITEMS_CHARS] + "……")


def names_topic(text: str, term: str, limit: float, vocab: Vocabulary) -> bool:
    """The text is about the topic word: it uses it, or all of its parts in one sentence (新能源与智能汽车
    for 新能源汽车), or its leading part when that is a topic word itself (北斗 of 北斗导航)."""
    if contains(text, term):
        return True
    parts = vocab.word_parts(term)
    if not parts:
        return False
    if any(all(contains(s, p) for p in parts) for s in sentences(text)):
        return True
    lead = max((p for p in parts if term.startswith(p)), key=len, default="")
    return bool(lead) and vocab.df(lead) <= limit and contains(text, lead)


def figure_list_draft(ev: Evidence, stated: list[str], topic: list[str], vocab: Vocabulary) -> Draft | None:
    """Which measures state a figure or date the question writes (标准是每月1000元的有哪几项): every
    measure in scope stating all of them, among the documents the topic words are about."""
    pieces = [re.sub(r"^\d{4}年", "", w) for w in stated]
    candidates = vocab.records_containing(min(pieces, key=vocab.df))
    rows = [r for r in candidates if r.kind == "measure" and in_scope(r, ev.scope)
            and all(w in with_years(fold(r.text)) for w in stated)]
    known = [t for t in topic if vocab.used(t)]
    if known and len({r.doc_id for r in rows}) > 1:
        cov = {r.doc_id: vocab.coverage(known, r.text + (r.title or "") + vocab.title_topic(r.doc_id)) for r in rows}
        best = max(cov.values())
        rows = [r for r in rows if cov[r.doc_id] >= best - 1e-9]
    if not rows:
        return None
    seen, out = set(), []
    for r in rows:
        if r.measure_key not in seen:
            seen.add(r.measure_key)
            out.append(r)
    lines, cites = [], []
    for r in out:
        key = next((x for x in sentences(body(r)) if all(w in with_years(fold(x)) for w in stated)), r.text[:80])
        lines.append(f"- {ref(r)}：{key}")
        cites.append(cite(r, key))
    # 涉及, not 写明: a range may state the date without its year (2019年1月1日至12月31日).
    return Draft("list", f"涉及“{'、'.join(stated)}”的有{len(out)}处：", "direct", tuple(cites), tuple(lines), show_evidence=False)


def outline_draft(ev: Evidence) -> Draft | None:
    """Which aspects a section sets out (发展目标从哪几个方面展开): the lead clause of each paragraph."""
    top = ev.passages[0].record if ev.passages else None
    if top is None or top.kind != "section":
        return None
    paragraphs = [p.strip() for p in top.text.split("\n")[1:] if p.strip()]
    leads = [re.split(r"[，,。；;]", p, maxsplit=1)[0] for p in paragraphs]
    leads = [x for x in leads if not re.fullmatch(r"(到|至)?\s*\d{4}\s*年(底|末)?", x.strip())]
    quoted = [fold(x) for x in ev.query.quoted]
    leads = ([x for x in leads if any(w in fold(x) for w in quoted)] or leads) if quoted else leads
    if len(leads) < 2:
        return None
    return Draft("list", f"{ref(top)}分{len(leads)}个方面：", "direct", (cite(top, "……".join(leads)),),
                 tuple(f"- {x}" for x in leads), show_evidence=False)


def is_question_word(w: str) -> bool:
    return w in QUESTION_WORDS
