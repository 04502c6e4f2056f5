"""Follow-up questions that name only what changes: "那省级的呢？", "那第（十七）条呢？", "那成都呢？".

A chat user asks one thing, then the same thing of another tier, unit, place or measure, writing
only the new value. The follow-up is read as the previous question with that one attribute
replaced, in the previous answer's document when it came from one (a tier, unit or measure is
asked of the same policy; a place may be another policy's). The answer says which question it
answered, so a wrong reading is seen at once.

Follow-ups about the previous measure itself ("那它的配合单位呢？") are read by query.py
(Query.followup) and answered from that measure.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .load import fold
from .query import MEASURE_REFS, find_units

# "那X呢？" / "X呢？" / "那X的呢": the whole question is the new value and a closing 呢.
_ELLIPTICAL = re.compile(r"^(?:那么?|那|还有|如果是|换成|要是)?\s*(.{1,20}?)\s*(的)?(?:呢|又如何|又怎样|怎么样)\s*[？?。!！]*$")
# Words that make the short question a question of its own (那省级的奖励是多少呢？).
_ASKS = re.compile(r"多少|哪些|哪个|哪几|几|谁|什么|怎么|如何|是否|能否|可以|有没有|吗")
_YEAR = re.compile(r"(?:19|20)\d{2}年")


@dataclass(frozen=True)
class Restated:
    question: str  # the previous question with the one attribute replaced
    confine: bool  # asked in the previous answer's document


def restate(question: str, previous: str, units: set[str] | list[str], is_place, tokens, subject) -> Restated | None:
    """The follow-up `question` as a whole question, from the `previous` one; None when it is no
    elliptical follow-up or names nothing the previous question has a counterpart of.

    `is_place(word)` says whether a word names a place; `tokens(text)` segments text into words,
    each once (precise segmentation: 国家级, not 国家 + 国家级); `subject(text)` is the word a
    question is about (its rarest), or None.
    """
    m = _ELLIPTICAL.match(fold(question).strip())
    if not m or not previous:
        return None
    new = m.group(1).strip("，,、 ")
    if not new or _ASKS.search(new) or new in fold(previous):
        return None
    prev = fold(previous)
    # A measure: the same question of another measure of the same document.
    if any(p.fullmatch(new) for p in MEASURE_REFS):
        for p in MEASURE_REFS:
            if (old := p.search(prev)):
                return Restated(prev[:old.start()] + new + prev[old.end():], True)
        return Restated(f"{new}的内容是什么？", True)
    # A unit for a unit (县财政局 for 县科技局), within the same document.
    if find_units(new, units) and (old := next((o for o in find_units(prev, units) if o in prev), None)):
        return Restated(prev.replace(old, new, 1), True)
    # A year for a year (2030年 for 2025年).
    if _YEAR.fullmatch(new) and (old := _YEAR.search(prev)):
        return Restated(prev[:old.start()] + new + prev[old.end():], True)
    # A place for a place, or a place added: another place may have its own policy.
    if is_place(new):
        words = [w for w in tokens(prev) if len(w) >= 2 and is_place(w)]
        return Restated(prev.replace(words[0], new, 1) if words else new + prev, False)
    # Otherwise a word of the same kind: one whose head (its last word, or the last character of a
    # word of one piece: 级 of 省级 and 国家级) is the new value's head (企业 of 独角兽企业 and 瞪羚企业).
    head = _head(new, tokens)
    for w in sorted({w for w in tokens(prev) if len(w) >= 2}, key=len, reverse=True):
        if w != new and _head(w, tokens) == head:
            return Restated(prev.replace(w, new, 1), True)
    # Nothing of its kind asked before: "那国家级的呢？" says which of the previous subject (国家级
    # 雏鹰企业), "那雏鹰企业呢？" asks the same of another subject.
    about = subject(prev)
    if about and about in prev:
        at = prev.index(about)
        return Restated(prev[:at] + new + prev[at:] if m.group(2) else prev.replace(about, new, 1), True)
    return None


def _head(word: str, tokens) -> str:
    parts = [t for t in tokens(word) if t.strip()]
    return parts[-1] if len(parts) > 1 else word[-1:]


__all__ = ["Restated", "restate"]
