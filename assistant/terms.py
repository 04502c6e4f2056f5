"""Chinese terms for BM25 and for evidence checks: jieba with the corpus's own vocabulary.

Unit names and measure titles go into jieba's dictionary so 省发展改革委 or
国家统计局四川调查总队 stay one token; search mode also yields their parts.
"""
from __future__ import annotations

import logging
import re
from typing import Iterable

from .load import fold

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
}
_ABBR = re.compile("|".join(sorted(map(re.escape, ABBREVIATIONS), key=len, reverse=True)), re.I)


def expand(question: str) -> str:
    """The question with the full form after each abbreviation: 做VR的 → 做VR（虚拟现实）的."""
    lookup = {k.lower(): v for k, v in ABBREVIATIONS.items()}
    return _ABBR.sub(lambda m: f"{m.group(0)}（{lookup[m.group(0).lower()]}）", question)


class Terms:
    """A jieba tokenizer that knows the corpus's unit names and measure titles."""

    def __init__(self, vocabulary: Iterable[str] = ()) -> None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        for word in vocabulary:
            word = word.strip()
            if 2 <= len(word) <= 20:
                self._jieba.add_word(word, freq=2000)

    def is_word(self, token: str) -> bool:
        """A dictionary word (general or corpus vocabulary), not a cut between two words (冲科, 中是)."""
        return self._jieba.FREQ.get(token, 0) > 0

    def tokens(self, text: str) -> list[str]:
        """Search-mode tokens of `text`, lower-cased, without punctuation and stopwords."""
        out = []
        for t in self._jieba.cut_for_search(fold(text).lower()):
            t = t.strip()
            if t and not _PUNCT.match(t) and t not in STOPWORDS:
                out.append(t)
        return out
