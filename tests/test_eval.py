"""The evaluation runner on a handful of questions, and the question-file parser."""
import json
import shutil
import subprocess
import sys
import warnings

import pytest

from eval.score import QuestionFileError, parse_questions, score_answer

from .conftest import ROOT, SEED


def test_parser_accepts_numeral_styles_and_warns_on_unknown_fields():
    text = '{"question": "q1", "measures_any": ["三十", 30, "第30条"], "extra": 1}\n\n{"question": "q2", "answerable": false}'
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        qs = parse_questions(text, "f.jsonl")
    assert [r.number for r in qs[0].cites_any] == [30, 30, 30] and not qs[1].answerable and qs[0].kind == "unspecified"
    assert any("extra" in str(x.message) for x in w)


@pytest.mark.parametrize("line, words", [("{bad json", "line 2: not valid JSON"), ('{"id": "x"}', "line 2: needs"),
                                         ('{"question": "q", "measures_any": ["abc"]}', "line 2: not a measure")])
def test_malformed_line_names_the_line(line, words):
    with pytest.raises(QuestionFileError, match=words):
        parse_questions('{"question": "ok"}\n' + line, "f.jsonl")


def test_scoring_facts_citations_and_refusals():
    q = parse_questions('{"question": "q", "measures_any": ["三十"], "facts": ["100万元"]}')[0]
    good = {"answer": "给予一次性不超过 100万元 资金奖励", "found": True, "citations": [{"measure": 30, "section": "九"}]}
    s = score_answer(q, good)
    assert s.fact_ok and s.citation_ok and s.rank == 1
    s = score_answer(q, {"answer": "80万元", "found": True, "citations": [{"measure": 28}, {"measure": 30}]})
    assert not s.fact_ok and s.citation_ok and s.rank == 2
    u = parse_questions('{"question": "q", "answerable": false}')[0]
    assert score_answer(u, {"answer": "", "found": False, "citations": []}).correct_refusal


def test_scorer_is_honest():
    # A fact inside a label is not stated: 有效性 does not say 有效.
    q = parse_questions('{"question": "还有效吗？", "facts": ["有效"], "kind": "metadata"}')[0]
    assert not score_answer(q, {"answer": "有效性：失效", "found": True, "citations": [{"measure": None}]}).fact_ok
    # Roles are checked: a swapped lead and supporting unit fails.
    q = parse_questions('{"question": "q", "cites_any": ["d#十三"], "lead": ["省发展改革委"], "co": ["科技厅"]}')[0]
    cite = {"doc_id": "d", "measure": 13, "lead_units": ["科技厅"], "co_units": ["省发展改革委"]}
    s = score_answer(q, {"answer": "省发展改革委、科技厅", "found": True, "citations": [cite]})
    assert s.citation_ok and not s.role_ok and not s.correct
    cite = {"doc_id": "d", "measure": 13, "lead_units": ["发展改革委"], "co_units": ["省科技厅"]}
    assert score_answer(q, {"answer": "…", "found": True, "citations": [cite]}).correct
    # Another document's measure 13 is not the one asked for.
    assert not score_answer(q, {"answer": "", "found": True, "citations": [cite | {"doc_id": "e"}]}).citation_ok
    # An amount the gold answer does not hold is a wrong figure; a near miss must state none.
    q = parse_questions('{"question": "q", "kind": "amount", "cites_any": ["三十"], "facts": ["100万元"]}')[0]
    s = score_answer(q, {"answer": "给予100万元奖励，另给予80万元", "found": True, "citations": [{"measure": 30}]})
    assert s.wrong_figures == ["80万元"]
    n = parse_questions('{"question": "q", "kind": "near_miss", "answerable": false}')[0]
    assert not score_answer(n, {"answer": "给予100万元", "found": False, "citations": []}).correct_refusal
    # … but a not-given answer may quote the closest measure (evidence) and repeat the asker's figure.
    n = parse_questions('{"question": "纳税200万元能拿多少？", "kind": "near_miss", "answerable": false}')[0]
    quoted = "第四条：“纳税总额达到1000万元的，奖励200万元。”——您所说的200万元不在所列的档次内，文件没有写明。"
    assert score_answer(n, {"answer": quoted, "found": False, "certainty": "none", "citations": []}).correct_refusal
    assert not score_answer(n, {"answer": "奖励80万元。", "found": False, "certainty": "none", "citations": []}).correct_refusal
    # Without facts a question is not counted as a correct fact.
    from eval.score import metrics
    q = parse_questions('{"question": "q", "cites_any": ["三十"]}')[0]
    m = metrics([q], [score_answer(q, {"answer": "x", "found": True, "citations": [{"measure": 30}]})], [1.0])
    assert m["fact_accuracy"] is None and m["answered_without_facts"] == 1.0


def test_runner_end_to_end(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    qs = tmp_path / "q.jsonl"
    qs.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in [
        {"id": "1", "question": "新认定的省级新经济示范企业能获得多少资金奖励？", "answerable": True, "measures_any": ["三十"], "facts": ["100万元"], "kind": "amount"},
        {"id": "2", "question": "第（十三）条由哪个单位牵头？", "answerable": True, "measures_any": ["13"], "facts": ["省发展改革委"], "kind": "lead_unit"},
        {"id": "3", "question": "今天天气怎么样？", "answerable": False, "kind": "unanswerable"},
        {"id": "4", "question": "省大数据中心参与了哪些措施？", "answerable": True, "measures_all": ["十", "十四", "二十二"]},
    ]), encoding="utf-8")
    out = tmp_path / "out"
    p = subprocess.run([sys.executable, "-m", "eval", "--questions", str(qs), "--corpus", str(corpus),
                        "--index", str(tmp_path / "index"), "--out", str(out), "--quiet"],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    m = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert m["n"] == 4 and m["fact_accuracy"] == 1.0 and m["citation_accuracy"] == 1.0 and m["refusal_accuracy"] == 1.0
    assert m["hit_at_1"] == 1.0 and m["false_refusals"] == 0
    assert (out / "report.md").read_text(encoding="utf-8").startswith("# Evaluation report")
    assert (out / "accuracy_by_kind.png").stat().st_size > 1000
    assert len((out / "answers.jsonl").read_text(encoding="utf-8").splitlines()) == 4


def test_a_section_is_cited_by_its_text_or_a_measure_under_it():
    # (一)… restart under each section: the gold names the section as well as the measure.
    q = parse_questions('{"question": "q", "doc": "d", "cites_any": ["d#1"], "sections_any": ["d#一"]}')[0]
    under_one = {"doc_id": "d", "measure": 1, "section": "一"}
    assert score_answer(q, {"answer": "", "found": True, "citations": [under_one]}).citation_ok
    assert not score_answer(q, {"answer": "", "found": True, "citations": [under_one | {"section": "二"}]}).citation_ok
    own_text = {"doc_id": "d", "measure": None, "section": "一"}
    s = parse_questions('{"question": "q", "doc": "d", "sections_any": ["d#一"]}')[0]
    assert score_answer(s, {"answer": "", "found": True, "citations": [own_text]}).citation_ok


def test_an_item_cites_the_measure_heading_it_is_printed_under():
    """四、（三）1、 is in measure (三) of section 四; a section printed with no items (六、…) is cited by
    its own number; a heading of the same number in another section is not the gold one."""
    q = parse_questions('{"question": "q", "doc": "d", "cites_any": ["d#3"], "sections_any": ["d#四"]}')[0]
    item = {"doc_id": "d", "measure": 1, "section": "三", "section_path": ["四、", "（三）"]}
    assert score_answer(q, {"answer": "", "found": True, "citations": [item]}).citation_ok
    elsewhere = item | {"section_path": ["二、", "（三）"]}
    assert not score_answer(q, {"answer": "", "found": True, "citations": [elsewhere]}).citation_ok
    six = parse_questions('{"question": "q", "doc": "d", "cites_any": ["d#6"]}')[0]
    section = {"doc_id": "d", "measure": None, "section": "六", "section_path": ["六、"]}
    assert score_answer(six, {"answer": "", "found": True, "citations": [section]}).citation_ok
    assert not score_answer(six, {"answer": "", "found": True, "citations": [section | {"section": "五"}]}).citation_ok


def test_a_unit_solely_responsible_meets_a_gold_lead_or_listed():
    """Rule: a measure naming one unit responsible and no other (第四条 X负责…) has no one for it to
    lead or be listed beside: either role meets the other; beside a second unit the roles count."""
    lead = parse_questions('{"question": "q", "doc": "d", "cites_any": ["d#4"], "lead": ["市财政局"]}')[0]
    listed = parse_questions('{"question": "q", "doc": "d", "cites_any": ["d#4"], "listed": ["市财政局"]}')[0]
    alone = {"doc_id": "d", "measure": 4, "listed_units": ["市财政局"]}
    led = {"doc_id": "d", "measure": 4, "lead_units": ["市财政局"]}
    assert score_answer(lead, {"answer": "市财政局", "found": True, "citations": [alone]}).role_ok
    assert score_answer(listed, {"answer": "市财政局", "found": True, "citations": [led]}).role_ok
    shared = {"doc_id": "d", "measure": 4, "listed_units": ["市财政局", "市税务局"]}
    assert not score_answer(lead, {"answer": "市财政局", "found": True, "citations": [shared]}).role_ok
    supported = {"doc_id": "d", "measure": 4, "lead_units": ["市税务局"], "co_units": ["市财政局"]}
    assert not score_answer(lead, {"answer": "市财政局", "found": True, "citations": [supported]}).role_ok
