"""Each composer on a small policy written for the test (tiers, a cap, two grants in one measure, a
subject mentioned without a figure, a deadline, duty notes in two conventions, a body date).

The policy and the questions are in other words than the shipped documents and the evaluation sets.
Each test asks what the direct line (the answer's first line) states, and, for a refusal or a
"not stated", that nothing of the asked kind is asserted.
"""
import shutil

import pytest

POLICY = """XX市人民政府办公室关于印发XX市促进先进制造业发展若干措施的通知
XX府办发〔2024〕7号
各区县人民政府，市政府各部门：
现将《XX市促进先进制造业发展若干措施》印发给你们，请认真贯彻执行。
一、支持企业做大做强
（一）规模奖励。工业企业年营业收入首次突破5000万元、1亿元、5亿元的，分别给予一次性奖励20万元、50万元、100万元。（责任单位：市工信局，市财政局）
（二）技术改造。对设备投资500万元以上的技术改造项目，按设备投资额的15%给予补助，单个项目最高不超过200万元。（责任单位：市工信局，市发改委）
（三）厂房租金。对新引进企业租用标准厂房的，给予租金补贴，每平方米每月10元，补贴期限3年；购置生产设备的，按设备款的10%补助，最高30万元。（市商务局牵头，市财政局配合）
二、优化服务
（四）专精特新培育。支持企业争创国家级、省级专精特新企业，建立梯度培育库。（责任单位：市工信局）
（五）申报程序。企业应于每年3月31日前向所在区县工信部门提交申报材料，经审核后报市工信局。（责任单位：市工信局）
本措施自2024年5月1日起施行，有效期至2026年12月31日。
XX市人民政府办公室
2024年4月20日
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory, embedder):
    from .indexkit import answerer_over

    return answerer_over(tmp_path_factory.mktemp("compose"), {"xx_zhizao_2024.txt": POLICY}, embedder)


def first(a):
    return a.answer.splitlines()[0]


def test_the_askers_revenue_is_placed_in_its_tier(small):
    a = small.ask("我们厂去年营收8000万，规模奖励能拿多少？")
    assert a.found and "20万元" in first(a) and "50万元" not in first(a), a.answer
    assert a.extra["certainty"] == "direct" and a.citations[0].measure == 1


def test_a_rate_is_stated_with_its_cap(small):
    a = small.ask("技术改造的补助比例是多少？最多给多少？")
    assert a.found and "15%" in first(a) and "200万元" in first(a), a.answer


def test_the_clause_about_the_subject_among_two_grants(small):
    a = small.ask("租厂房每平方米每月补多少钱？")
    assert a.found and "10元" in first(a) and "30万元" not in first(a), a.answer


def test_a_subject_mentioned_without_a_figure_is_not_stated(small):
    a = small.ask("评上省级专精特新企业能奖励多少钱？")
    assert not a.found and a.citations == [] and "万元" not in first(a), a.answer
    assert a.extra["certainty"] == "none" and a.extra["mentions"][0]["measure"] == 4  # where it is mentioned


def test_a_question_on_no_topic_is_refused(small):
    a = small.ask("地铁末班车几点停运？")
    assert not a.found and a.citations == [] and "已收录的文件" in a.answer


def test_a_deadline_asked_is_answered_by_the_sentence_stating_it(small):
    a = small.ask("申报材料最晚什么时候交？")
    assert a.found and "3月31日" in first(a) and a.citations[0].measure == 5, a.answer


def test_a_procedure_asked_names_where_to_submit(small):
    a = small.ask("申报材料交给哪个部门？")
    assert a.found and "区县工信部门" in a.answer, a.answer


def test_units_by_the_documents_rules(small):
    a = small.ask("第（三）条由谁牵头？")
    assert a.found and a.citations[0].lead_units == ["市商务局"] and a.citations[0].co_units == ["市财政局"]
    a = small.ask("第（二）条的牵头单位是谁？")  # 责任单位：A，B — who leads depends on no stated rule here
    assert a.found and a.citations[0].measure == 2 and "市工信局" in first(a)


def test_a_date_stated_in_the_body_answers_a_metadata_question(small):
    a = small.ask("这个措施什么时候开始施行？")
    assert a.found and "2024年5月1日" in a.answer, a.answer


def test_a_list_names_every_measure_on_the_topic(small):
    a = small.ask("哪些措施提到了设备？")
    assert a.found and {c.measure for c in a.citations} >= {2, 3}, a.answer


def test_every_answer_shows_its_evidence_and_cites_it(small):
    a = small.ask("技术改造项目能拿多少补助？")
    assert a.found and "依据（检索到的条款）" in a.answer
    shown = a.extra["evidence"]
    assert shown and all(e["sentences"] in small.index.by_id[e["record_id"]].text or e["sentences"] for e in shown)
    assert {c.record_id for c in a.citations} >= {e["record_id"] for e in shown}


def test_the_asker_outside_every_tier_gets_no_figure(small):
    a = small.ask("我们营收只有3000万元，规模奖励能拿多少？")
    assert not a.found and "20万元" not in first(a).split("“")[0], a.answer


def test_a_compound_is_held_by_pieces_that_spell_it():
    from assistant.topic import _tiling

    # 资格证书 is held by 职业资格…证书; 失业保险金 is not held by 失业保险费 (its 保险金 is missing).
    assert _tiling("资格证书", ["资格", "证书", "资格证"]) == ["资格", "证书"]
    assert _tiling("失业保险金", ["失业", "保险", "保险金", "失业保险"]) == ["失业", "保险金"]
    assert _tiling("北斗导航", ["北斗"]) == []
