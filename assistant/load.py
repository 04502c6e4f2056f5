"""Load policy documents from a corpus folder and clean them.

Reads a file through assistant/extract.py (text, HTML, DOCX, old Word .doc and WPS .wps through
LibreOffice, text PDFs reflowed by layout, OCR of scans and images), then cleans the text: web-page boilerplate, the second copy of a page that
holds the document twice, spaces that PDF extraction and OCR leave inside Chinese text and
numbers. Reads the document's own metadata (title, 文号, 发布机构, dates, 有效性, 索引号: from its
header, page metadata table or signature, never from a document it cites). Hands on `Document`
records (with the OCR warnings and a Word file's 任务分工表 rows); the cleaning functions are pure
and take text. `fold()` is the project's matching normaliser.
"""
from __future__ import annotations

import difflib
import hashlib
import importlib.util
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BadDocumentError
from .extract import (IMAGE_EXTS, LEGACY_WORD_EXTS, NO_LIMITS, Extracted, Limits, PageCallback, read_docx, read_html,
                      read_image, read_legacy_word, read_pdf)
from .numerals import to_int
from .records import Document

SUPPORTED = (".txt", ".md", ".html", ".htm", ".docx") + LEGACY_WORD_EXTS + (".pdf",) + IMAGE_EXTS


def _traditional_table() -> dict[int, int]:
    """Traditional → simplified characters from OpenCC's TSCharacters table (shipped in the
    opencc-python-reimplemented wheel): only entries with a single simplified form, and never a
    character that is itself a simplified form (乾/干, 於/于 have two readings and stay)."""
    spec = importlib.util.find_spec("opencc")
    if spec is None or not spec.origin:
        return {}
    folder = Path(spec.origin).parent / "dictionary"
    pairs = [x.split("\t") for x in (folder / "TSCharacters.txt").read_text(encoding="utf-8").splitlines() if "\t" in x]
    simplified = {x.split("\t", 1)[0] for x in (folder / "STCharacters.txt").read_text(encoding="utf-8").splitlines()}
    simplified.update(c for _, v in pairs for c in v.split())
    return {ord(k): ord(v) for k, v in pairs if len(k) == 1 and len(v) == 1 and k != v and k not in simplified}


# Full-width ASCII (（），：０-９ …) and the ideographic space fold one-to-one onto ASCII, and
# traditional characters onto simplified ones, so offsets found on the folded text are valid on
# the original, which keeps its punctuation and characters for quoting.
_FOLD = _traditional_table()
_FOLD.update({cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)})
_FOLD[0x3000] = 0x20


def fold(text: str) -> str:
    """Full-width to half-width, traditional to simplified, character for character (same length)."""
    return text.translate(_FOLD)


CJK = r"\u3400-\u9fff\uf900-\ufaff"
CJK_PUNCT = r"\u3000-\u303f\uff00-\uffef“”‘’"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{CJK}{CJK_PUNCT}])[ \t\u00a0]+(?=[{CJK}{CJK_PUNCT}\d])|(?<=[\d])[ \t\u00a0]+(?=[{CJK}{CJK_PUNCT}])")
# A number broken by spaces (PDF extraction, OCR) between Chinese text or a line start and a unit:
# 1 0 0万元, 10 0万元, 2 . 4%. Spaces between numbers in Latin text stay.
_SPACED_NUMBER = re.compile(rf"(?:(?<=[{CJK}{CJK_PUNCT}])|^)(\d[\d.]*(?:[ \t]+[\d.]+)+)(?=[ \t]*[{CJK}{CJK_PUNCT}%‰])")
_SPACE_BEFORE_PERCENT = re.compile(r"(?<=\d)[ \t]+(?=[%‰])")


def remove_cjk_spaces(line: str) -> str:
    """Spaces that PDF extraction and OCR leave inside Chinese text and numbers:
    `第 1 0 条` → 第10条, `战略新 兴` → 战略新兴, `1 0 0万元` → 100万元."""
    line = _SPACE_NEAR_CJK.sub("", line)
    line = _SPACED_NUMBER.sub(lambda m: re.sub(r"[ \t]", "", m.group(1)), line)
    return _SPACE_BEFORE_PERCENT.sub("", line)


# Page chrome of Chinese government web pages: a line that matches is not part of the document.
_CHROME_WORD = (r"(?:打印(?:本页|此页|文章|正文)?|关闭(?:窗口|本页)?|收藏(?:本页)?|加入收藏|设为首页|我要纠错|纠错|"
                r"分享(?:到)?|返回顶部|返回首页|返回|字体|字号|大|中|小|默认|超大|保存|上一篇|下一篇|"
                r"微信|微博|QQ空间|QQ|复制链接|链接|责任编辑[:：]\s*[\u4e00-\u9fff]{1,4})")
BOILERPLATE = [re.compile(p) for p in (
    r"^(当前位置|您的位置|您现在的位置|所在位置)",
    r"^首页\s*[>＞»›]",  # a breadcrumb: 首页 > 政策 > 国务院文件
    r"^[^。，,；;]{1,12}(\s*[>＞»›]\s*[^。，,；;>＞»›]{1,12}){2,}$",
    r"^扫一扫",
    r"^(图片|文字|视频|动漫|访谈|政策|图文|专家|媒体)解读[:：]?$",
    r"^(新闻发布会|部门发文|市州发文|相关文件|地方发文|相关链接|相关阅读|相关稿件|相关报道|相关政策|相关解读|"
    r"延伸阅读|推荐阅读|热点推荐|附件下载)[:：]?$",
    r"^(主办单位|承办单位|运行维护单位|网站标识码|技术支持|主办|承办|协办)[:：]",
    r"^(微信|微博|客户端|头条号|手机版|电脑版|手机版 ?电脑版|分享到|打印本页|关闭窗口|返回顶部|网站地图|联系我们|Baidu|map)$",
    rf"^(?:[【\[(（]?\s*{_CHROME_WORD}\s*[:：]?\s*[】\])）]?\s*[|｜/·]?\s*)+$",  # 【打印】【关闭】 【字体：大 中 小】
    r"ICP备|公网安备|版权所有|Copyright|©",
    r"^【?字体[:：]",
    r"^来源[:：]",
    r"^\d{4}年\d{2}月\d{2}日 ?\d{2}时\d{2}分$",
    r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$",
    r"^(浏览次数|访问量|阅读次数|点击数|责任编辑|编辑)[:：]",
)]

# `key: value` fields of the metadata table that government pages print above the text, also as
# a crawler's front matter (发布单位: …), in brackets ([发文字号] with the value on the next lines)
# and several on one line (来源：… 发布日期：…).
META_KEYS = {
    "索引号": "index_number",
    "发布机构": "publisher",
    "发文机关": "publisher",
    "发文机构": "publisher",
    "发文单位": "publisher",
    "发布单位": "publisher",
    "成文日期": "written_date",
    "发布日期": "published_date",
    "发布时间": "published_date",
    "发表时间": "published_date",
    "发表日期": "published_date",
    # A page's 来源 names the body that put the page out (信息来源：市人力资源社会保障局) or the site it
    # came from: not the document's issuer, shown as the page's source when no issuer is known.
    "信息来源": "source",
    "文章来源": "source",
    "来源": "source",
    "文号": "doc_number",
    "发文字号": "doc_number",
    "有效性": "validity",
    "标题": "title",
    "名称": "title",
}
META_IGNORED = ("公文种类", "主题分类", "废止日期", "主题词", "体裁分类", "组配分类", "实施日期", "信息分类", "服务对象",
                "层级", "类型", "分类", "状态", "官方链接", "原文链接", "主题", "发文日期", "截止时间", "抓取时间")
# The key is read by its Chinese characters: pages space them out (索 引 号) and OCR may read a
# stray mark between them (索引1号).
_META_LINE = re.compile(r"^([\u4e00-\u9fff\s\d]{2,14}?)\s*[:：]\s*(.*)$")
_ANY_KEY = "|".join(r"\s*".join(k) for k in sorted(list(META_KEYS) + list(META_IGNORED), key=len, reverse=True))
# A field opens the line (key：, [key] or 【key】); further fields of the same line follow a space.
_FIELD_START = re.compile(rf"^(?:[\[【]\s*({_ANY_KEY})\s*[\]】]\s*[:：]?|({_ANY_KEY})\s*[:：])\s*")
_LONG_KEY = "|".join(r"\s*".join(k) for k in sorted(list(META_KEYS) + list(META_IGNORED), key=len, reverse=True) if len(k) >= 4)
# Cleaning removes the space between two fields of Chinese text (来源：南沙区发改局发布日期：…): a
# field of four characters or more is read without it.
_FIELD_NEXT = re.compile(rf"\s+({_ANY_KEY})\s*[:：]\s*|({_LONG_KEY})\s*[:：]\s*")
DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,10}[〔\[［(（【]\s*\d{4}\s*[〕\]］)）】]\s*\d+\s*号")
# A document's own 文号 stands on a line of its own near the top (possibly bracketed, possibly
# beside 签发人 on a 上行文). One inside a sentence, or in brackets after a 《title》, is cited.
# A 令 (order) is numbered by its issuer and a sequence: 国家医疗保障局令第5号.
ORDER_NUMBER = re.compile(r"([\u4e00-\u9fff]{2,30}?)令\s*第\s*\d+\s*号")
_OWN_NUMBER = re.compile(rf"^[(（]?\s*({DOC_NUMBER.pattern}|{ORDER_NUMBER.pattern})\s*[)）]?(?:\s*签发人[:：]?.*)?$")
# The headnote under a law's, regulation's or rule's title says by which 令 it was promulgated
# (2007年4月9日中华人民共和国国务院令第493号公布; （2021年11月30日生态环境部、公安部、交通运输部令第23号公布
# 自2022年1月1日起施行）): that order is the document's own number.
_JOINT_ORDER = re.compile(rf"(?:[\u4e00-\u9fff]{{2,30}}、)*{ORDER_NUMBER.pattern}")
_PROMULGATED = re.compile(rf"^[(（]?\s*(?:\d{{4}}\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日)?\s*({_JOINT_ORDER.pattern})\s*(?:公布|发布)")
_CN_DIGIT = {"〇": 0, "○": 0, "◯": 0, "零": 0, "O": 0, "Ｏ": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}
_DATE_CN = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
# 二〇二一年十二月三十一日, 二○一八年十一月十六日: the way a signature block often prints the date.
_DATE_HANZI = re.compile(r"^([〇○◯零OＯ一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日$")
_DATE_ANY = re.compile(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?")
_BULLET = re.compile(r"^[•·▪●◆■\-–]\s*")
_PAGE_TITLE = re.compile(r"^【?(.{6,}?)】?\s*[-–—_|｜]\s*([\u4e00-\u9fff]{3,30})$")
# The letterhead of a 红头文件: the issuing body followed by 文件 on a line of its own.
_LETTERHEAD = re.compile(r"^([\u4e00-\u9fff（）()]{2,40}?)\s*文\s*件$")


@dataclass(frozen=True)
class CleanText:
    """The result of cleaning: body text (one paragraph a line) and the metadata found."""

    text: str
    metadata: dict = field(default_factory=dict)
    meta_lines: dict = field(default_factory=dict)  # field → the metadata line as printed


def _key(line: str) -> str:
    # Compared without white space, bullets and punctuation: two OCR readings of one line differ
    # in （ vs ( or ” vs " more often than in the words.
    return _NOT_WORD.sub("", _BULLET.sub("", line.strip()))


_NOT_WORD = re.compile(r"[\W_]+")


def _same_line(a: str, b: str) -> bool:
    """Two readings of one printed line: equal, or (for lines of 10+ characters) 90% alike, as
    when OCR misreads a character or two in one of the copies."""
    if a == b:
        return True
    if min(len(a), len(b)) < 10 or abs(len(a) - len(b)) > 0.1 * max(len(a), len(b)):
        return False
    m = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return m.quick_ratio() >= 0.9 and m.ratio() >= 0.9


def drop_repeated_copy(lines: list[str], min_chars: int = 200, window: int = 2) -> list[str]:
    """Remove later copies of a run of lines (web pages often print the document twice).

    Lines are compared without white space, bullets and punctuation (and a long line that is 90%
    alike counts as the same line misread by OCR). A later run of lines equal to an earlier one
    is a copy when it covers at least `min_chars` characters of *different* lines:
    a page printed twice repeats many distinct lines, while a table with identical rows or a
    repeated short line repeats few, and those stay. Runs are found through `window`-line
    tuples hashed in one pass (each run is extended once and skipped), so the time grows about
    linearly with the number of lines.
    """
    keys = [_key(x) for x in lines]
    ids: dict[str, int] = {}
    seq = [ids.setdefault(k, len(ids)) for k in keys]
    n = len(seq)
    first: dict[tuple, int] = {}
    drop = bytearray(n)
    j = 0
    while j + window <= n:
        w = tuple(seq[j:j + window])
        i = first.get(w)
        if i is not None and i + window <= j and keys[j]:
            m = 0
            while j + m < n and i + m < j and (seq[i + m] == seq[j + m] or _same_line(keys[i + m], keys[j + m])):
                m += 1
            distinct = {keys[j + t] for t in range(m)}
            if sum(len(k) for k in distinct) >= min_chars:
                drop[j:j + m] = b"\x01" * m
            for t in range(j, j + m):  # later copies may still match these windows
                first.setdefault(tuple(seq[t:t + window]), t)
            j += m
            continue
        first.setdefault(w, j)
        j += 1
    return [x for x, d in zip(lines, drop) if not d]


def parse_date(value: str) -> str | None:
    """A date as ISO (2021-12-31) from 2021年12月31日, 二〇二一年十二月三十一日, 2021-12-31, 2021.12.31."""
    v = re.sub(r"\s+", "", value)
    m = _DATE_HANZI.match(v)
    if m:
        y = "".join(str(_CN_DIGIT[c]) for c in m.group(1))
        mo, d = to_int(m.group(2)), to_int(m.group(3))
        if mo and d and 1 <= mo <= 12 and 1 <= d <= 31:
            return f"{y}-{mo:02d}-{d:02d}"
        return None
    m = _DATE_ANY.search(v)
    if m:
        y, mo, d = (int(x) for x in m.groups())
        if 1 <= mo <= 12 and 1 <= d <= 31:
            return f"{y}-{mo:02d}-{d:02d}"
    return None


def _iso_date(value: str) -> str:
    return parse_date(value) or value.strip()


def is_date_line(line: str) -> bool:
    """A line that is only a date (a signature date): 2021年12月31日 or 二〇二一年十二月三十一日."""
    v = re.sub(r"\s+", "", fold(line))
    return bool(_DATE_CN.match(v) or _DATE_HANZI.match(v))


# Markdown that a crawler wraps around page text: headings (# 标题), quotes (> 来源: …), bold
# (**一、报名时间**) and rules (---). The marks are no part of the document's words.
_MD_LEAD = re.compile(r"^(?:#{1,6}\s+|>\s*)")
_MD_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_MD_RULE = re.compile(r"^(?:-{3,}|\*{3,}|_{3,})$")


def strip_markdown(line: str) -> str:
    """A line of crawler Markdown as the words it marks up: `**一、报名时间**` → 一、报名时间."""
    if _MD_RULE.match(line):
        return ""
    line = _MD_LEAD.sub("", line)
    return _MD_BOLD.sub(lambda m: m.group(1) or m.group(2), line).strip()


# Web pages that wrap each inline element (a figure, a bracket, a quote) in a tag of its own come
# out one piece a line: 确保 / 2025 / 年底前实现…, （ / 十一 / ）加强…. A reader reads through them:
# a line starting with closing punctuation continues the line before (no line starts with ，。）),
# a line ending with opening punctuation goes on in the next, and a bare number continues the
# sentence it stands in when the text after it goes on with its unit (2025 / 年, 40 / %). A bare
# number before ．/、 starts an item (1 / ．天津市…), and a date in pieces (2024 / 年 / 11 / 月 /
# 11 / 日) is the signature date on a line of its own.
_OPENING = "（(〔[［【《“‘"
_CLOSING_START = "，。、；：:;,.．）)〕]］】》”’%％‰"
_BARE_NUMBER = re.compile(r"^\d+(?:[.．]\d+)?$")
_AFTER_NUMBER = re.compile(r"^[年月日号时分秒元万亿千百个家人户项次倍条类名座台辆套件吨米亩度瓦小周天批%％‰\d]")
_ENDS_CLAUSE = "。；;！!？?：:"
_ITEM_LINE = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）]|\d{1,3}[.．、](?!\d)|第[一二三四五六七八九十百\d]+[条章])")
_LABEL_PIECE = re.compile(r"^[一二三四五六七八九十百\d]+(?:[)）]|$)")  # 十一 of （ / 十一 / ）


def _open_bracket(line: str) -> bool:
    """The line opens a bracket it does not close: （含绿 / 电交易）."""
    return line.count("（") + line.count("(") > line.count("）") + line.count(")")


def _fragment_date(lines: list[str], i: int) -> tuple[str, int] | None:
    """A date printed one piece a line from lines[i] (2024 / 年 / 11 / 月 / 11 / 日): (date, next index)."""
    acc, j = "", i
    while j < len(lines) and j < i + 8 and (_BARE_NUMBER.match(lines[j]) or lines[j] in ("年", "月", "日")):
        acc += lines[j]
        j += 1
        if acc.endswith("日"):
            break
    return (acc, j) if j - i >= 3 and _DATE_CN.match(acc) else None


def join_fragments(lines: list[str]) -> list[str]:
    """Lines of a page that prints inline pieces one a line, read as the sentences they are."""
    out: list[str] = []
    glue = False  # the last line ends with opening punctuation: the next goes on from it
    number = False  # the last line ends with a bare number joined into it
    i = 0
    while i < len(lines):
        line = lines[i]
        date = _fragment_date(lines, i) if _BARE_NUMBER.match(line) else None
        if date:
            out.append(date[0])
            glue, i = False, date[1]
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        prev = out[-1] if out else ""
        if prev and not glue and is_date_line(prev):
            joins = False
        elif glue or (prev and line[0] in _CLOSING_START):
            joins = bool(prev)
        elif _BARE_NUMBER.match(line):
            # Mid-sentence when the line before does not end a clause and the text after goes on
            # with the number's unit; before ．/、 it is an item's label.
            joins = (bool(prev) and prev[-1] not in _ENDS_CLAUSE and not nxt[:1] in (".", "．", "、")
                     and bool(_AFTER_NUMBER.match(nxt) or nxt[:1] in _CLOSING_START))
        elif number and _AFTER_NUMBER.match(line):
            joins = True  # 天津地区2025 / 年电力…
        elif len(line) == 1 and line in _OPENING:
            # …345亿千瓦时 / （ / 含绿, but not the bracket of a label: （ / 十一 / ）加强…
            joins = bool(prev) and prev[-1] not in _ENDS_CLAUSE and not _LABEL_PIECE.match(nxt)
        else:
            joins = False
        if joins:
            out[-1] = prev + line
        else:
            out.append(line)
        number = bool(_BARE_NUMBER.match(line)) and (joins or not nxt[:1] in (".", "．", "、"))
        # What a piece opened goes on in the next line: an opening mark, a bracket a joined piece
        # left open (（含绿 / 电交易）), the unit a joined piece put after a number (天津市2025年 / 电力…).
        piece = joins and (len(line) <= 3 or bool(_BARE_NUMBER.match(line)))
        unit_after_number = not line[-1].isdigit() and bool(_AFTER_NUMBER.match(line[-1]))
        glue = ((out[-1][-1] in _OPENING or (piece and (_open_bracket(out[-1]) or unit_after_number)))
                and not _ITEM_LINE.match(nxt) and not is_date_line(out[-1]))
        i += 1
    return out


def _fields(line: str) -> list[tuple[str, str]] | None:
    """The page fields a line holds ([(key, value)], keys without spaces), or None when it holds none."""
    m = _FIELD_START.match(line)
    if not m:
        return None
    out, key, pos = [], m.group(1) or m.group(2), m.end()
    for n in _FIELD_NEXT.finditer(line, pos):
        out.append((key, line[pos:n.start()].strip()))
        key, pos = n.group(1) or n.group(2), n.end()
    out.append((key, line[pos:].strip()))
    return [(re.sub(r"\s+", "", k), v) for k, v in out]


def _field_value(key: str, lines: list[str], i: int) -> tuple[str, int]:
    """The value a field whose line gives none prints on the lines after it: (value, lines used).

    A 文号 may come in pieces (京发改 / 〔2026〕 / 341号); a date is a date; any other value is one
    short line. The next field ends it.
    """
    field_name = META_KEYS.get(key, "")
    acc, used = "", 0
    while i + used < len(lines) and used < 4:
        nxt = lines[i + used]
        if _fields(nxt) is not None or not nxt:
            break
        if field_name == "doc_number":
            acc += nxt
            used += 1
            if DOC_NUMBER.search(acc):
                return acc, used
            continue
        if "date" in field_name or key.endswith("日期") or key.endswith("时间"):
            return (nxt, 1) if parse_date(nxt) else ("", 0)
        if len(nxt) <= 40 and not re.search(r"[。；;]", nxt):
            return nxt, 1
        break
    return ("", 0) if field_name == "doc_number" else (acc, used)


# What a page prints in a field that has no value: 文号: -, 索引号：无, 发文字号：/.
_PLACEHOLDER = re.compile(r"\s*(?:[-—–－/／\\*]+|无|暂无|空|null|none|N/?A)?\s*", re.I)


def clean_text(raw: str) -> CleanText:
    """Clean page or document text: metadata table, boilerplate, repeated copy, PDF spacing."""
    raw = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    meta: dict = {}
    meta_lines: dict = {}
    kept: list[str] = []
    lines = [strip_markdown(remove_cjk_spaces(x.strip())) for x in raw.split("\n")]
    lines = join_fragments([x for x in lines if x])
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        bare = _BULLET.sub("", line).strip()
        fields = _fields(bare)
        if fields is not None:
            if not fields[-1][1]:
                value, used = _field_value(fields[-1][0], lines, i)
                fields[-1] = (fields[-1][0], value)
                i += used
            for key, value in fields:
                if _PLACEHOLDER.fullmatch(value):
                    continue  # 文号: - (a page's field with nothing in it)
                if key in META_KEYS and value and META_KEYS[key] not in meta:
                    meta[META_KEYS[key]] = value
                    meta_lines[META_KEYS[key]] = f"{key}：{value}" if len(fields) > 1 or value not in bare else bare
            continue
        if any(p.search(bare) for p in BOILERPLATE):
            continue
        m = _META_LINE.match(bare)
        if m:
            key = re.sub(r"[\s\d]+", "", m.group(1))
            if key in META_KEYS:
                value = m.group(2).strip()
                if value and not _PLACEHOLDER.fullmatch(value) and META_KEYS[key] not in meta:
                    meta[META_KEYS[key]] = value
                    meta_lines[META_KEYS[key]] = bare
                continue
            if key in META_IGNORED:
                continue
        kept.append(line)
    kept = drop_repeated_copy(kept)
    kept = _drop_trailing_chrome(kept)
    return CleanText("\n".join(_BULLET.sub("", x) for x in kept), meta, meta_lines)


def _drop_trailing_chrome(lines: list[str]) -> list[str]:
    """Bullet lines after the signature date are page links, not document text."""
    last_date = max((i for i, x in enumerate(lines) if is_date_line(x)), default=None)
    if last_date is None:
        return lines
    tail = [x for x in lines[last_date + 1:] if not _BULLET.match(x)]
    return lines[:last_date + 1] + tail


def own_doc_number(lines: list[str], top: int = 30) -> str | None:
    """The document's own 文号: a line of its own among the first `top` lines.

    A 文号 inside a sentence or in brackets after a 《title》 (…《…指导意见》（国办发〔2018〕15号）)
    names a document the text cites, not this one.
    """
    previous = ""
    for x in lines[:top]:
        # A 公告 or 令 is numbered in its series on the line under its name (…常务委员会公告 / （第38号）).
        if re.search(r"(公告|令)$", previous) and (n := re.fullmatch(r"[(（]?\s*(第\s*\d+\s*号)\s*[)）]?", fold(x).strip())):
            return previous + re.sub(r"\s+", "", n.group(1))
        if x.strip():
            previous = x.strip()
        # A stray mark before the number (an OCR misreading of its bracket: J川发改…) is no part of it.
        x = re.sub(r"^[A-Za-z|]\s*(?=[\u4e00-\u9fff])", "", x.strip())
        if p := _PROMULGATED.match(fold(x).strip()):
            return re.sub(r"\s+", "", p.group(1))
        m = _OWN_NUMBER.match(fold(x).strip())
        if m:
            start = m.start(1)
            number = re.sub(r"\s+", "", x.strip()[start:start + len(m.group(1))])
            # The year is bracketed by 〔〕 (GB/T 9704); a mismatched pair (〔2018】, [2018〕) is a misread.
            b = re.search(r"([〔\[［(（【])\d{4}([〕\]］)）】])", number)
            if b and _PAIRS.get(b.group(1)) != b.group(2):
                number = number[:b.start(1)] + "〔" + number[b.start(1) + 1:b.start(2)] + "〕" + number[b.end(2):]
            return number
    return None


_PAIRS = {"〔": "〕", "[": "]", "［": "］", "(": ")", "（": "）", "【": "】"}


def _signature(lines: list[str]) -> tuple[int, str] | None:
    """The signature date: a date on its own line right after the issuer's name (a short line
    without sentence punctuation); the first such (a 通知 that issues an 办法 signs before it),
    else the last date on its own line."""
    dates = [i for i, x in enumerate(lines) if is_date_line(x)]
    for i in dates:
        if i > 0 and len(lines[i - 1].strip()) <= 30 and not re.search(r"[。，,;；:：]", lines[i - 1]):
            return i, lines[i].strip()
    return (dates[-1], lines[dates[-1]].strip()) if dates else None


# The issuing bodies of a signature block, a page field or a title: an issuing body's name ends
# with the word for an organisation (委员会, 办公厅, 局, 部, 委 …). A signature prints several bodies
# a line each, two a line (黄浦区发展和改革委员会黄浦区建设和管理委员会) or one broken over two
# lines (国家发 / 展改革委); a page field may print them side by side. A name does not end before
# an office of the body it names (国家发展改革委办公厅, 国家能源局综合司, 发展和改革委员会), before the
# local office of a national administration (国家金融监督管理总局重庆监管局) or before an organ of a
# party committee (中共重庆市委金融委员会办公室).
_BODY_END = ("委员会", "办公厅", "办公室", "人民政府", "政府", "管委会", "委", "部", "厅", "局", "办", "署", "院",
             "司", "处", "银行", "分行", "支行", "中心", "集团", "公司", "总队", "支队", "协会", "商会", "学会",
             "联合会", "工会", "大学", "学校")
_BODY_GOES_ON = ("办公", "综合", "员会", "机关", "党组")
_NO_CUT_AFTER = re.compile(r"(总局|总署|总行|[省市区县州]委)$")


def split_bodies(text: str) -> list[str] | None:
    """The issuing bodies a run of names holds, in order, or None when it is not a run of names."""
    s = re.sub(r"\s+", "", text)
    n = len(s)
    best: list[list[str] | None] = [None] * (n + 1)  # best[i]: most names covering s[:i]
    best[0] = []
    for i in range(n):
        if best[i] is None or s.startswith(_BODY_GOES_ON, i) or (i and _NO_CUT_AFTER.search(s[:i])):
            continue
        for j in range(i + 3, n + 1):
            if s[i:j].endswith(_BODY_END) and not re.search(r"[，。,;；:：、“”《》]", s[i:j]):
                cand = best[i] + [s[i:j]]
                if best[j] is None or len(cand) > len(best[j]):
                    best[j] = cand
    return best[n] or None


def signature_bodies(lines: list[str], date_line: int) -> list[str]:
    """The bodies named in the signature block above a signature date: the short lines without
    punctuation right above it, read as names (国家发 / 展改革委 joined); [] when they are no names
    (局长：胡静林 signs for a body, an annex title is no body)."""
    block: list[str] = []
    j = date_line - 1
    while j >= 0 and date_line - j <= 16:
        x = lines[j].strip()
        if not x or len(x) > 40 or re.search(r"[。，,;；:：、．.]", fold(x)) or is_date_line(x) or x.startswith(("特此", "此复", "此令")):
            break
        block.insert(0, x)
        j -= 1
    names: list[str] = []
    acc = ""
    for x in block:
        acc += x
        if not acc.endswith(_BODY_END):
            if len(acc) > 8:  # not the head of a broken name
                return []
            continue
        got = split_bodies(acc)
        if got is None:
            return []
        names += got
        acc = ""
    return names if not acc else []


def _bodies(value: str) -> str:
    """A publisher field's bodies joined as the benchmark and the app print them: A、B."""
    got = split_bodies(value)
    return "、".join(got) if got else value.strip()


# Dates a document states in its own text: when it takes effect (本办法自2019年1月1日起施行) and how
# long its policy runs (政策期限为2016年至2018年, 有效期至2025年12月31日). The sentence is kept as printed.
_EFFECTIVE = re.compile(r"[^。；;\n]*自\s*(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|印发之日|发布之日|公布之日)\s*起\s*"
                        r"(?:施行|实施|执行|生效)[^。；;\n]*[。；;]?")
# The approval an 办公厅 or a department issues under (经省政府同意, 经国务院同意, 经市委、市政府批准).
_APPROVAL = re.compile(r"(?<=[，,。；;\n\s])经\s*[\u4e00-\u9fff、]{2,16}?\s*(?:同意|批准)(?=[，,。；;])")
_PERIOD = re.compile(r"[^。；;，,\n]*(?:政策期限|有效期|执行期限|实施期限|试行期)\s*(?:为|是|至|:|：)?\s*"
                     r"(?:\d{4}\s*年|\d+\s*年)[^。；;\n]*[。；;]?")


def stated_in_body(text: str) -> dict:
    """施行 and 政策期限 sentences of a document's own text (the last 施行 sentence: a document's own
    comes at its end, after any it cites), and the approval its preamble states (经省政府同意: the
    first, before any measure cites another's)."""
    out = {}
    approval = _APPROVAL.search(text)
    if approval:
        out["approval"] = approval.group(0).strip()
    effective = _EFFECTIVE.findall(text)
    if effective:
        out["effective"] = re.sub(r"^第[一二三四五六七八九十百零〇\d]+条\s*", "", effective[-1].strip())
    period = _PERIOD.search(text)
    if period:
        out["period"] = period.group(0).strip().lstrip("，,")
    return out


def read_metadata(text: str, found: dict) -> dict:
    """Fill title, 文号, 发布机构 and 成文日期 from the document's own header and signature where the
    page table did not give them (never from a document the text cites)."""
    meta = dict(found)
    lines = text.split("\n")
    # A page's own title names the site after a dash (【…的通知】-国家发展和改革委员会, …的公告 - 重庆市
    # 商务委员会): the title is what comes before it, the site a last source of the issuer.
    page = _PAGE_TITLE.match(lines[0].strip()) if lines else None
    if page and split_bodies(page.group(2)):
        lines[0] = page.group(1)
        meta["site"] = page.group(2)
    folded = [fold(x) for x in lines]
    letterhead = next((m.group(1) for m in (_LETTERHEAD.match(x.strip()) for x in lines[:3]) if m), None)
    if "doc_number" not in meta:
        number = own_doc_number(lines)
        if number:
            meta["doc_number"] = number
    if "title" not in meta:
        title = []
        for x, f in zip(lines[:8], folded[:8]):
            x = x.strip()
            if (_LETTERHEAD.match(x) or _OWN_NUMBER.match(f.strip())) and not title:
                continue  # the letterhead and the 文号 above the title (公文 layout) are not the title
            if _OWN_NUMBER.match(f.strip()) or f.rstrip().endswith(":") or len(x) > 60 or _starts_numbered(f):
                break
            if title and x == title[-1]:
                continue  # the page's title over the document's own, the same words twice
            if title and x.endswith("。"):
                break  # a sentence: the body has begun
            title.append(x)
            if re.search(r"(意见|通知|办法|规定|决定|方案|细则|措施|条例|规划|纲要|政策|若干意见|通告|公告|批复|函|指南)"
                         r"(?:[(（][^()（）]{1,10}[)）])?$", x):
                break
        if title:
            meta["title"] = "".join(title[:3])
    # The addressees: the salutation line before the body (各市(州)人民政府,省政府各部门…:).
    for f, x in zip(folded[:10], lines[:10]):
        if f.rstrip().endswith(":") and len(f) <= 80 and ("各" in f or "有关" in f):
            meta.setdefault("addressee", x.strip().rstrip(":："))
            break
    # The issuer: the bodies that sign the document, else the page's field, the letterhead, the
    # body a 令 is numbered by, the bodies a title names before 关于 (上海市人民政府关于…的若干意见),
    # the site a page's title names (…的公告 - 重庆市商务委员会).
    sig = _signature(lines)
    signed: list[str] = []
    if sig:
        i, printed = sig
        date = parse_date(printed)
        if date:
            meta.setdefault("written_date", date)
        meta["signature_date"] = printed  # as printed, e.g. 2021年12月31日
        signed = signature_bodies(lines, i)
    if signed:
        meta["publisher"] = "、".join(signed)
    elif meta.get("publisher"):
        meta["publisher"] = _bodies(meta["publisher"])
    else:
        order = next((m for m in (ORDER_NUMBER.search(fold(x)) for x in lines[:30]
                                  if _OWN_NUMBER.match(fold(x).strip())) if m), None)
        # (a headnote's order names every issuer of a joint rule: 生态环境部、公安部、交通运输部令第23号)
        promulgated = next((m for m in (_PROMULGATED.match(fold(x).strip()) for x in lines[:30]) if m), None)
        issuers = re.sub(r"令\s*第\s*\d+\s*号$", "", promulgated.group(1)) if promulgated else None
        if issuers and "、" in issuers:
            parts = [split_bodies(x) for x in issuers.split("、")]
            issuers = "".join(b for p in parts for b in p) if all(parts) else None
        head = re.match(r"^(.{3,60}?)关于", meta.get("title", ""))
        for cand in (letterhead, order.group(1) if order else None, issuers, head.group(1) if head else None, meta.get("site")):
            if cand and split_bodies(cand):
                meta["publisher"] = "、".join(split_bodies(cand))
                break
    meta.pop("site", None)
    if meta.get("source"):
        # Where the page says it came from is not who issued the document (a department's site
        # reposts a government's 办法): kept apart, shown as the page's source when no issuer is known.
        named = split_bodies(re.sub(r"(?:官方)?(?:门户)?(?:网站|官网|网)$", "", meta["source"]))
        meta["source"] = "、".join(named) if named else meta["source"]
    if meta.get("doc_number"):
        # The 文号 a field holds, with its brackets as GB/T 9704 prints them: (川发改价格〔2025〕480号)
        # and an OCR misreading of the field (J川发改…, 〔2024】) give the same number.
        held = DOC_NUMBER.search(meta["doc_number"]) or _JOINT_ORDER.search(meta["doc_number"])
        meta["doc_number"] = (own_doc_number([held.group(0)]) if held else None) or re.sub(
            r"^[(（]\s*(.*?)\s*[)）]$", r"\1", meta["doc_number"].strip())
    for k in ("written_date", "published_date"):
        if k in meta:
            meta[k] = _iso_date(meta[k])
    return meta


def _starts_numbered(folded_line: str) -> bool:
    return bool(re.match(r"^([一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|第[一二三四五六七八九十百\d]+[条章]|\d{1,2}[、.](?!\d))", folded_line))


def doc_id_for(name: str) -> str:
    """A stable id from the file name: ASCII stems stay readable, others get a short hash."""
    stem = Path(name).stem
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-").lower()
    if slug and slug.isascii() and len(slug) >= 3:
        return slug[:60]
    return "doc-" + hashlib.sha1(stem.encode("utf-8")).hexdigest()[:10]


# --- reading files -----------------------------------------------------------------------


def _empty(name: str) -> BadDocumentError:
    return BadDocumentError(f"{name}: the file is empty: add the policy text or remove the file",
                            zh=f"{name}：文件是空的，请放入政策正文或删除该文件")


def decode(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, then GB18030; refuse binary data."""
    if not data.strip():
        raise _empty(name)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as e:  # an odd byte count or a lone surrogate: a damaged file
            raise BadDocumentError(f"{name}: starts as UTF-16 text but is damaged ({e.reason} at byte {e.start}): "
                                   "save it again as UTF-8",
                                   zh=f"{name}：UTF-16 文本已损坏（第 {e.start} 字节），请重新另存为 UTF-8 文本") from e
    if b"\x00" in data[:4096]:
        raise BadDocumentError(f"{name}: binary data in a text file: save it as UTF-8 text, or use .docx/.pdf",
                               zh=f"{name}：文本文件中含有二进制数据，请另存为 UTF-8 文本，或使用 .docx/.pdf 格式")
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        # GB18030 decodes nearly any bytes; many control characters mean it was not text.
        controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f")
        if controls > max(3, len(text) // 100):
            break
        return text
    raise BadDocumentError(f"{name}: not readable as UTF-8 or GB18030 text: save it as UTF-8",
                           zh=f"{name}：无法按 UTF-8 或 GB18030 编码读取，请另存为 UTF-8 文本")


def extract(path: Path, progress: bool | None = None, limits: Limits = NO_LIMITS,
            on_page: PageCallback | None = None) -> Extracted:
    """The raw text of a file by its extension (with OCR warnings and a Word file's duty table).

    `limits` bounds what a PDF or an image may cost (pages, pixels, seconds of OCR); `on_page` is
    told each page read by OCR."""
    ext = path.suffix.lower()
    if ext not in SUPPORTED:
        raise BadDocumentError(f"{path.name}: unsupported file type {ext or '(none)'}: use one of {', '.join(SUPPORTED)}",
                               zh=f"{path.name}：不支持的文件类型 {ext or '（无扩展名）'}，请使用 {'、'.join(SUPPORTED)} 文件")
    data = path.read_bytes()
    if ext in (".txt", ".md"):
        return Extracted(decode(data, path.name))
    if not data.strip():
        raise _empty(path.name)
    try:
        if ext in (".html", ".htm"):
            return Extracted(read_html(decode(data, path.name)))
        if ext == ".docx":
            return read_docx(path)
        if ext in LEGACY_WORD_EXTS:
            return read_legacy_word(path)
        if ext in IMAGE_EXTS:
            return read_image(path, progress, limits, on_page)
        return read_pdf(path, progress, limits, on_page)
    except BadDocumentError:
        raise
    except Exception as e:  # the parsers raise many types for damaged files
        raise BadDocumentError(
            f"{path.name}: cannot read this {ext} file ({type(e).__name__}: {e}): re-save it or convert it to .txt",
            zh=f"{path.name}：无法读取该 {ext} 文件（{type(e).__name__}），文件可能已损坏，请重新保存或转换为 .txt 后上传",
        ) from e


def extract_text(path: Path) -> str:
    """The plain text of a file, by its extension."""
    return extract(path).text


def load_document(path: Path, progress: bool | None = None, limits: Limits = NO_LIMITS,
                  on_page: PageCallback | None = None) -> Document:
    """Read and clean one file; raises BadDocumentError with a message naming the file."""
    data = path.read_bytes()
    raw = extract(path, progress, limits, on_page)
    cleaned = clean_text(raw.text)
    if len(re.findall(rf"[{CJK}A-Za-z]", cleaned.text)) < 10:
        hint = "a scan or photo too faint or small to read" if raw.ocr_pages else "check it holds the policy text"
        zh = "扫描件或照片过于模糊、无法识别" if raw.ocr_pages else "请确认文件中含有政策正文"
        raise BadDocumentError(f"{path.name}: no text found in the file: {hint}", zh=f"{path.name}：文件中没有识别到文字，{zh}")
    meta = read_metadata(cleaned.text, cleaned.metadata)
    return Document(
        doc_id=doc_id_for(path.name),
        path=path.name,
        sha256=hashlib.sha256(data).hexdigest(),
        title=meta.get("title") or path.stem,
        text=cleaned.text,
        doc_number=meta.get("doc_number"),
        publisher=meta.get("publisher"),
        written_date=meta.get("written_date"),
        published_date=meta.get("published_date"),
        validity=meta.get("validity"),
        index_number=meta.get("index_number"),
        warnings=raw.warnings,
        meta_lines=cleaned.meta_lines | {k: meta[k] for k in ("signature_date", "addressee") if k in meta}
        | ({"source_bodies": meta["source"]} if meta.get("source") else {})
        | stated_in_body(cleaned.text),
        duty_table=raw.duty_table,
    )


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Every regular file in the corpus folder (not hidden), sorted by name."""
    if not corpus_dir.is_dir():
        raise BadDocumentError(f"corpus folder {corpus_dir} does not exist: create it and put policy files in it",
                               zh=f"文件夹 {corpus_dir} 不存在，请先创建并放入政策文件")
    # scandir knows each entry's type without a stat; names sort as the paths did.
    with os.scandir(corpus_dir) as entries:
        names = sorted(e.name for e in entries if e.is_file() and not e.name.startswith("."))
    return [corpus_dir / n for n in names]


def load_corpus(corpus_dir: Path) -> tuple[list[Document], list[str]]:
    """All readable documents of a folder and one message per file that could not be used (and
    per page that gave no text)."""
    docs, problems = [], []
    seen: dict[str, str] = {}
    for path in corpus_files(corpus_dir):
        try:
            doc = load_document(path)
        except BadDocumentError as e:
            problems.append(str(e))
            continue
        except OSError as e:
            problems.append(f"{path.name}: cannot read the file ({e.strerror}): check its permissions")
            continue
        if doc.doc_id in seen:
            problems.append(f"{path.name}: same document id as {seen[doc.doc_id]}: rename one of the files")
            continue
        seen[doc.doc_id] = path.name
        docs.append(doc)
        problems.extend(doc.warnings)
    return docs, problems
