"""Duties read from an article's own sentences (rules written after reading fresh batch fg's misses;
the next unread batch is their check), on a small city regulation written for the test:

- of an article giving each unit its sentence, the one holding the question's own words answers
  (its opening sentence included: regulations have no titles, the first sentence stands for one);
- a unit opening a sentence of what it 应当 do bears that duty;
- a 会同 clause later in a sentence: the sentence's unit leads, the partner supports;
- the levels a unit acts at (市、县（市、区）) are no units of their own.
"""
import pytest

REGULATION = """WW市河道采砂管理条例
第一条 为加强河道采砂管理，制定本条例。
第二条 本条例适用于本市行政区域内河道采砂及其监督管理活动。
第三条 市、县（市、区）水行政主管部门负责本行政区域内河道采砂的统一监督管理。
公安机关负责采砂船舶停靠秩序的治安管理。
交通运输主管部门负责采砂运输船舶的航行安全管理。
第四条 水行政主管部门负责编制河道采砂规划，依法查处非法采砂行为，会同自然资源主管部门划定禁采区域。
第五条 市场监督管理部门在办理采砂企业登记时，应当将禁采区域告知申请人。
第六条 违反本条例规定在禁采区域采砂的，由水行政主管部门责令停止违法行为，处一万元以上十万元以下罚款。
第七条 采砂企业购置环保设备可以申请贴息贷款，贷款利率上限不超过LPR+50BP，按贷款实际利率的50%给予财政贴息。
"""


@pytest.fixture(scope="module")
def lib(tmp_path_factory, embedder):
    from .indexkit import answerer_over

    return answerer_over(tmp_path_factory.mktemp("duties"), {"ww_caisha_2024.txt": REGULATION}, embedder)


def roles_of(a):
    c = a.citations[0]
    return set(c.lead_units), set(c.co_units), set(c.listed_units)


def test_the_sentence_holding_the_asked_duty_answers_the_opening_one_too(lib):
    a = lib.ask("WW市河道采砂的统一监督管理由哪个部门负责？")
    assert a.found and "水行政主管部门" in a.answer.splitlines()[0]
    lead, co, listed = roles_of(a)
    assert (lead | listed) == {"水行政主管部门"} and not co  # the levels 市、县（市、区） are no units
    a = lib.ask("WW市采砂船停靠的治安秩序归哪个部门管？")
    assert a.found and "公安机关" in a.answer.splitlines()[0] and "交通运输" not in a.answer.splitlines()[0]


def test_a_unit_that_shall_act_bears_the_duty(lib):
    a = lib.ask("WW市办理采砂企业登记时，由哪个部门告知禁采区域？")
    assert a.found and "市场监督管理部门" in a.answer.splitlines()[0]


def test_a_partner_named_with_hui_tong_later_in_the_sentence_supports(lib):
    a = lib.ask("WW市禁采区域由谁来划定？")
    assert a.found
    lead, co, _ = roles_of(a)
    assert lead == {"水行政主管部门"} and co == {"自然资源主管部门"}


def test_a_place_with_its_level_is_a_place(lib):
    """A place with its administrative level after it (沙县+区, 东营+市) is a place, which says where
    the asker is, not what they ask about."""
    v = lib.vocab
    assert v.is_place("沙县区") and v.is_place("东营市") and v.is_place("WW市") is False
    assert not v.is_place("社区") and not v.is_place("园区")


def test_a_cap_written_otherwise_than_as_a_figure_is_never_said_missing(lib):
    """A "no cap stated" answer must be true of the text it quotes: 利率上限不超过LPR+50BP states one."""
    a = lib.ask("环保设备贷款的利率上限是多少？")
    assert a.found and "LPR+50BP" in a.answer.splitlines()[0] and "没有写明上限" not in a.answer, a.answer
