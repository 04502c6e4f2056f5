"""Chinese terms for BM25 and for evidence checks: jieba with each document's own vocabulary.

A document's terms depend only on its own text and fixed data (jieba's general dictionary), so
they can be cached with the document: its unit names, measure titles and enumerated items are
added to jieba for that document alone, each at the lowest frequency that keeps the word whole
against its own pieces (jieba's `suggest_freq`), never high enough to override the general
dictionary. A question is cut with the union of the vocabularies of the indexed documents.
Search mode also yields the parts of a long word (省发展改革委 → 发展, 改革, 发展改革委 …).
"""
from __future__ import annotations

import logging
import os
import re
import threading
from pathlib import Path
from typing import Iterable, Mapping

from .load import fold
from .records import Record
from .units import unit_surface_forms

# Words that carry no topic in a question; kept small and generic on purpose.
STOPWORDS = frozenset("""
的 了 是 在 和 与 及 或 等 对 把 被 就 也 都 还 又 这 那 其 之 为 以 于 从 向 由 将 要 会 能 可 可以 能够
吗 呢 吧 啊 呀 么 嘛 哪 哪些 哪个 哪里 哪儿 什么 怎么 怎样 怎么样 如何 多少 几 几个 是否 有没有 有 没有 请问 请 问
我 我们 你 你们 他 他们 它 咱 咱们 公司 单位 一下 一些 这个 那个 这些 那些 里 中 上 下 方面 关于 相关 具体
还是 或者 以及 而且 但是 如果 因为 所以 已经 并且 还有 以外 除了 之外 算不算 是不是 能不能 有没有 沾边
谁 给 拿 得到 啥 咋 咋办 怎么办 说法 有啥 想 准备 打算 出去 一点 东西 事 事情 那笔 这笔 获得 享受 需要 应该 现在 目前 今年 主要 内容 情况 问题 规定 提到 说 讲 写 条 第 项 个 措施 文件 政策 意见
""".split())
_PUNCT = re.compile(r"^[\W_]+$")


# Abbreviations people type for what policy texts spell out. Data, not logic: extend it freely.
ABBREVIATIONS = {
    "5G": "第五代移动通信技术", "6G": "第六代移动通信", "VR": "虚拟现实", "AR": "增强现实", "AI": "人工智能",
    "IoT": "物联网", "新能源车": "新能源汽车", "电动车": "电动汽车", "无人驾驶": "智能网联汽车", "大模型": "人工智能",
    "GDP": "生产总值",  # 地区生产总值 in a province's text, 国内生产总值 in the State Council's
}
_ABBR = re.compile("|".join(sorted(map(re.escape, ABBREVIATIONS), key=len, reverse=True)), re.I)


def expand(question: str) -> str:
    """The question with the full form after each abbreviation: 做VR的 → 做VR（虚拟现实）的."""
    lookup = {k.lower(): v for k, v in ABBREVIATIONS.items()}
    return _ABBR.sub(lambda m: f"{m.group(0)}（{lookup[m.group(0).lower()]}）", question)


_BASE = None
_BASE_LOCK = threading.Lock()
_DICTIONARY_CACHE: Path | None = None


def use_dictionary_cache(folder: Path) -> None:
    """Keep a copy of jieba's general dictionary in `folder` (the index folder) that loads fast.

    jieba's own cache is a marshal dump that takes most of a cold start to load (about 0.85 s of
    1.8 s here); the same table as a word list and a numpy array of frequencies loads in a third
    of that. Neither can run code when read (unlike a pickle).
    """
    global _DICTIONARY_CACHE
    _DICTIONARY_CACHE = Path(folder)


def dictionary_files(folder: Path) -> tuple[Path, Path]:
    import jieba

    st = os.stat(os.path.join(os.path.dirname(jieba.__file__), jieba.DEFAULT_DICT_NAME))
    key = f"{jieba.__version__}-{st.st_size}-{st.st_mtime_ns}"
    return folder / f"jieba-{key}.words", folder / f"jieba-{key}.freq.npy"


def _load_dictionary(folder: Path) -> tuple[dict[str, int], int] | None:
    import numpy as np

    words, freqs = dictionary_files(folder)
    if not (words.exists() and freqs.exists()):
        return None
    try:
        w = words.read_text(encoding="utf-8").split("\n")
        f = np.load(freqs, allow_pickle=False).tolist()
    except (OSError, ValueError):
        return None  # damaged copy: jieba's own dictionary is loaded instead, and the copy written again
    # The last number is jieba's total (its sum of frequencies counts repeated dictionary lines).
    return (dict(zip(w, f)), f[-1]) if len(w) + 1 == len(f) else None


def _save_dictionary(folder: Path, freq: dict[str, int], total: int) -> None:
    import numpy as np

    words, freqs = dictionary_files(folder)
    tag = f".{os.getpid()}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(freqs.with_name(freqs.name + tag), "wb") as fh:
            np.save(fh, np.array([*freq.values(), total], dtype=np.int64))
        words.with_name(words.name + tag).write_text("\n".join(freq), encoding="utf-8")
        os.replace(freqs.with_name(freqs.name + tag), freqs)
        os.replace(words.with_name(words.name + tag), words)
    except OSError:
        # Only a speed-up: without it jieba loads its own cache. Leave no half-written file behind.
        for p in (words.with_name(words.name + tag), freqs.with_name(freqs.name + tag)):
            p.unlink(missing_ok=True)


def _base():
    """jieba's general dictionary, loaded once per process and never modified."""
    global _BASE
    with _BASE_LOCK:
        if _BASE is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tk = jieba.Tokenizer()
            copy = _load_dictionary(_DICTIONARY_CACHE) if _DICTIONARY_CACHE else None
            if copy is not None:
                (tk.FREQ, tk.total), tk.initialized = copy, True
            else:
                tk.initialize()
                if _DICTIONARY_CACHE:
                    _save_dictionary(_DICTIONARY_CACHE, tk.FREQ, tk.total)
            _BASE = tk
        return _BASE


def _copy_of_base():
    """A tokenizer with its own copy of the general dictionary (a dict copy, not a reload).

    jieba has no copy API: a Tokenizer is its FREQ table and total, so those are what we copy.
    """
    import jieba

    base = _base()
    tk = jieba.Tokenizer()
    tk.FREQ = dict(base.FREQ)
    tk.total = base.total
    tk.initialized = True
    return tk


def word_frequencies(words: Iterable[str]) -> dict[str, int]:
    """The words jieba's general dictionary does not know, each with the frequency it gets.

    The frequency is jieba's `suggest_freq`: just enough for the word to beat its own pieces when
    it stands alone, computed against the general dictionary only, so a word gets the same
    frequency in every document and the result never depends on the rest of the corpus.
    """
    base = _base()
    out = {}
    for w in words:
        w = w.strip()
        if 2 <= len(w) <= 20 and not base.FREQ.get(w):
            out[w] = base.suggest_freq(w)
    return out


def _add_words(tk, words: Mapping[str, int]) -> None:
    for word, freq in words.items():
        for i in range(1, len(word)):
            tk.FREQ.setdefault(word[:i], 0)  # prefixes let jieba's DAG walk on to the whole word
        tk.total += freq - tk.FREQ.get(word, 0)
        tk.FREQ[word] = freq


def _tokens(tk, text: str) -> list[str]:
    out = []
    for t in tk.cut_for_search(fold(text).lower()):
        t = t.strip()
        if t and not _PUNCT.match(t) and t not in STOPWORDS:
            out.append(t)
    return out


class Terms:
    """A jieba tokenizer that knows the indexed documents' unit names, titles and listed items.

    `vocabulary` is a list of words (frequencies are computed) or a word → frequency mapping
    (the union the index stores). Read-only after construction, so threads may share it.
    """

    def __init__(self, vocabulary: Iterable[str] | Mapping[str, int] = ()) -> None:
        words = vocabulary if isinstance(vocabulary, Mapping) else word_frequencies(vocabulary)
        self._jieba = _copy_of_base()
        _add_words(self._jieba, words)

    def is_word(self, token: str) -> bool:
        """A dictionary word (general or corpus vocabulary), not a cut between two words (冲科, 中是)."""
        return self._jieba.FREQ.get(token, 0) > 0

    def tokens(self, text: str) -> list[str]:
        """Search-mode tokens of `text`, lower-cased, without punctuation and stopwords."""
        return _tokens(self._jieba, text)


_SCRATCH = None
_SCRATCH_LOCK = threading.Lock()
_MISSING = object()


def document_tokens(texts: list[str], words: Mapping[str, int]) -> list[list[str]]:
    """The terms of one document's texts, cut with the general dictionary plus `words` only.

    The words are added to a scratch tokenizer for the duration of the call and then removed
    exactly (values and total restored), so no document's vocabulary leaks into another's.
    """
    global _SCRATCH
    with _SCRATCH_LOCK:
        if _SCRATCH is None:
            _SCRATCH = _copy_of_base()
        tk = _SCRATCH
        touched = {w[:i] for w in words for i in range(1, len(w) + 1)}
        saved = {k: tk.FREQ.get(k, _MISSING) for k in touched}
        total = tk.total
        try:
            _add_words(tk, words)
            return [_tokens(tk, t) for t in texts]
        finally:
            for k, v in saved.items():
                if v is _MISSING:
                    del tk.FREQ[k]
                else:
                    tk.FREQ[k] = v
            tk.total = total


# An enumeration inside one clause: 瞪羚企业、独角兽企业、“专精特新”企业等.
_CLAUSE = re.compile(r"[，,；;。：:（）()！？!?\s]")
_ITEM = re.compile(r"[\u4e00-\u9fff]{2,6}")
_QUOTED = re.compile(r"[“\"]([\u4e00-\u9fff]{2,8})[”\"]")


def document_vocabulary(records: list[Record]) -> list[str]:
    """The words one document adds to jieba: its unit names (with aliases), short measure titles,
    quoted terms and the items of its enumerations.

    Enumerations (A、B、C等) name the subjects of a policy (瞪羚企业、独角兽企业); as words they survive
    colloquial questions that jieba would otherwise cut badly. Only the items after a 、 are taken:
    the first item of a clause usually has the clause's verb in front of it (支持瞪羚企业、…).
    """
    words: set[str] = set()
    for r in records:
        text = fold(r.text)
        for clause in _CLAUSE.split(text):
            pieces = clause.split("、")
            for piece in pieces[1:]:
                piece = re.sub(r"(等等|等)$", "", piece)
                if _ITEM.fullmatch(piece):
                    words.add(piece)
        words.update(m.group(1) for m in _QUOTED.finditer(r.text))
        for u in r.all_units:
            words.update(unit_surface_forms(u))
        words.update(r.units_printed)
        if r.title and len(r.title) <= 12:
            words.add(r.title)
    return sorted(words)
