"""A chat, as an office user holds one (issue 20): a word typed wrong, a follow-up that names only
what changes, a unit asked to lead where the document names no lead.

Two small policies written for the test, in other words and of other places than the shipped
documents and the evaluation sets: a county's science measures whose notes list units with no lead
rule, and a city's service-industry measures with 牵头/配合 notes; both have a （三）.
"""
import pytest

COUNTY = """云溪县人民政府关于支持科技型企业加快发展的若干措施
云政发〔2025〕3号
各乡镇人民政府，县政府各部门：
为支持科技型企业加快发展，制定以下措施。
（一）雏鹰企业培育。对新认定的国家级、省级、市级雏鹰企业，分别给予一次性奖励50万元、20万元、10万元。（责任单位：县科技局、县财政局）
（二）孵化载体建设。对新认定的国家级科技企业孵化器，给予一次性奖励100万元；对新认定的省级科技企业孵化器，给予一次性奖励30万元。（责任单位：县科技局、县财政局）
（三）研发投入补助。企业年度研发费用超过500万元的，按超出部分的5%给予补助，最高不超过50万元。（责任单位：县税务局、县科技局）
（四）人才公寓保障。对企业引进的博士研究生，提供人才公寓，免租金3年。（责任单位：县人社局、县住建局）
（五）知识产权激励。对获得发明专利授权的企业，每件给予奖励5000元。（责任单位：县市场监管局、县科技局）
（六）绿色发展目标。到2027年，全县新增分布式光伏装机5000千瓦，完成既有建筑节能改造不少于20万平方米，落实单位建筑面积能耗下降10%以上的既有建筑节能改造任务。
云溪县人民政府
2025年2月10日
"""

CITY = """竹城市人民政府关于促进现代服务业高质量发展的若干政策
竹政规〔2024〕11号
（一）总部企业落户。对新落户的服务业总部企业，按其实缴注册资本的1%给予落户奖励，最高不超过500万元。（市发展改革委牵头，市财政局配合）
（二）会展活动补助。在本市举办展览面积1万平方米以上的专业展会，给予主办单位补助20万元。（市商务局牵头，市会展办配合）
（三）物流企业升级。对年营业收入首次超过1亿元的物流企业，给予一次性奖励30万元。（市交通运输局牵头，市财政局配合）
竹城市人民政府
2024年9月1日
"""


@pytest.fixture(scope="module")
def chat(tmp_path_factory, embedder):
    from .indexkit import answerer_over

    return answerer_over(tmp_path_factory.mktemp("conversation"),
                         {"yy_keji_2025.txt": COUNTY, "zz_fuwuye_2024.txt": CITY}, embedder)


def measures(a):
    return [(c.doc_number, c.measure) for c in a.citations]


# --- a word typed wrong ------------------------------------------------------------------------

@pytest.mark.parametrize("question,asked,meant,figure", [
    ("刚评上省级雏婴企业，能拿多少奖励？", "雏婴", "雏鹰", "20万元"),   # 婴 for 鹰: one reading, ying (雏莺 is a word of its own)
    ("省级科技企业浮化器奖励多少？", "浮化器", "孵化器", "30万元"),            # 浮 for 孵: fu
])
def test_a_mistyped_word_is_asked_back_and_answered_for_the_word_meant(chat, question, asked, meant, figure):
    a = chat.ask(question)
    first = a.answer.splitlines()[0]
    assert meant in first and asked in first and "吗" in first, a.answer
    assert a.extra["clarification"] == {"asked": asked, "meant": meant}
    assert a.found and figure in a.answer and measures(a)[0][0] == "云政发〔2025〕3号", a.answer


@pytest.mark.parametrize("question", ["省级科技企业孵化器奖励多少？", "发明专利每件奖励多少钱？", "会展活动补助多少？"])
def test_a_word_typed_right_is_not_asked_back(chat, question):
    a = chat.ask(question)
    assert "clarification" not in a.extra and not a.answer.startswith("您问的是"), a.answer


# --- follow-ups --------------------------------------------------------------------------------

def test_a_follow_up_replaces_the_tier_and_keeps_the_document(chat):
    first = chat.ask("云溪县对新认定的国家级科技企业孵化器奖励多少？")
    assert first.found and "100万元" in first.answer
    a = chat.ask("那省级的呢？", previous=first)
    assert a.found and "30万元" in a.answer and "100万元" not in a.answer.splitlines()[1], a.answer
    assert a.answer.splitlines()[0].startswith("（按上一问的文件《云溪县"), a.answer
    assert "省级科技企业孵化器" in a.extra["restated"]
    assert {d for d, _ in measures(a)} == {"云政发〔2025〕3号"}


def test_a_follow_up_naming_a_measure_stays_in_the_previous_document(chat):
    first = chat.ask("竹政规〔2024〕11号第（二）条由哪个单位牵头？")
    assert "市商务局" in first.answer
    a = chat.ask("那第（三）条呢？", previous=first)
    assert "市交通运输局" in a.answer and "县税务局" not in a.answer, a.answer
    assert measures(a)[0] == ("竹政规〔2024〕11号", 3)


def test_a_follow_up_replaces_a_unit(chat):
    first = chat.ask("竹政规〔2024〕11号里市商务局牵头哪些措施？")
    a = chat.ask("那市交通运输局呢？", previous=first)
    assert "物流企业升级" in a.answer and "会展活动补助" not in a.answer, a.answer


def test_a_whole_question_is_no_follow_up(chat):
    first = chat.ask("云溪县对新认定的国家级科技企业孵化器奖励多少？")
    a = chat.ask("发明专利每件奖励多少钱呢？", previous=first)
    assert "restated" not in a.extra and "5000元" in a.answer, a.answer


# --- a unit asked to lead where the document names no lead -------------------------------------

def test_listed_units_without_a_lead_are_said_so_with_each_place(chat):
    a = chat.ask("云溪县的措施中哪些由县科技局牵头？")
    first = a.answer.splitlines()[0]
    assert "没有写明" in first and "牵头" in first and "4条" in first, a.answer
    # Its place in each list: first in （一）（二）, second in （三）（五）.
    assert "列第1位" in a.answer and "列第2位" in a.answer and a.answer.count("列第") == 4, a.answer
    assert sorted(m for _, m in measures(a)) == [1, 2, 3, 5]


def test_a_follow_up_naming_a_tier_the_question_did_not_name_picks_that_tier(chat):
    first = chat.ask("雏鹰企业奖励多少？")
    a = chat.ask("那国家级的呢？", previous=first)
    assert "国家级雏鹰企业" in a.extra["restated"]
    assert "50万元" in a.answer.splitlines()[1] and "20万元" not in a.answer.splitlines()[1], a.answer


def test_a_follow_up_naming_another_subject_asks_the_same_of_it(chat):
    first = chat.ask("孵化器有什么奖励？")
    a = chat.ask("那雏鹰企业呢？", previous=first)
    assert a.extra["restated"].startswith("雏鹰企业") and "50万元" in a.answer, a.answer


# --- what a measure grants, not the threshold it starts from ----------------------------------

def test_a_grant_after_a_threshold_is_stated_with_its_rate_and_cap(chat):
    a = chat.ask("研发补助有多少？")
    first = a.answer.splitlines()[0]
    assert "5%" in first and "50万元" in first, a.answer


def test_a_follow_up_of_a_follow_up_restates_the_question_as_read(chat):
    first = chat.ask("国家级雏鹰企业奖励多少？")
    second = chat.ask("那省级的呢？", previous=first)
    a = chat.ask("那市级的呢？", previous=second)
    assert "市级雏鹰企业" in a.extra["restated"], a.answer
    assert "10万元" in a.answer.splitlines()[1] and "20万元" not in a.answer.splitlines()[1], a.answer


# --- a figure asked with 多少 alone is whatever the text measures it in -------------------------

def test_a_target_in_its_own_unit_answers_how_much(chat):
    a = chat.ask("到2027年全县新增分布式光伏装机的目标是多少？")
    assert a.found and "5000千瓦" in a.answer.splitlines()[0], a.answer


def test_an_area_asked_is_answered_by_the_area_not_a_share_beside_it(chat):
    a = chat.ask("到2027年全县既有建筑节能改造的目标面积是多少？")
    # (the clause with the share beside it, 能耗下降10%以上, is no answer without the area)
    assert a.found and "20万平方米" in a.answer.splitlines()[0], a.answer


# --- a library of many documents and a question that names none of them ------------------------

TOWNS = ["青石", "白沙", "红岭", "金川", "绿溪", "银滩", "紫竹", "黄梅", "蓝田", "碧水", "丹霞", "翠屏"]


@pytest.fixture(scope="module")
def towns(tmp_path_factory, embedder):
    from .indexkit import answerer_over

    docs = {f"town_{i:02d}.txt": f"{t}镇关于扶持农家乐发展的若干措施\n{t}政发〔2024〕{i + 1}号\n"
                                  f"（一）民宿改造补助。对改造民宿的农户，给予补助{i + 1}万元。（{t}镇经发办牵头，{t}镇财政所配合）\n"
                                  f"（二）品牌培育。对获评星级农家乐的经营户，给予奖励{i + 2}千元。（{t}镇文旅站牵头）\n"
                                  f"{t}镇人民政府\n2024年5月{i + 1}日\n"
            for i, t in enumerate(TOWNS)}
    return answerer_over(tmp_path_factory.mktemp("towns"), docs, embedder)


def test_a_measure_number_in_twelve_documents_is_answered_for_ten_and_the_rest_counted(towns):
    a = towns.ask("第（一）条由哪个单位牵头？")
    docs = {c.doc_id for c in a.citations}
    assert a.found and 1 <= len(docs) <= 10, a.answer
    assert "另有2份文件" in a.answer and "提问范围" in a.answer, a.answer


def test_a_measure_number_with_a_towns_name_is_answered_for_that_town(towns):
    # A township's documents are named by the town as a county's by the county (镇, 乡, 街道 are places).
    a = towns.ask("红岭镇的第（一）条由哪个单位牵头？")
    assert a.citations[0].doc_number == "红岭政发〔2024〕3号" and "红岭镇经发办" in a.answer, a.answer
    assert "另有" not in a.answer, a.answer


def test_the_header_of_twelve_documents_is_listed_for_ten(towns):
    a = towns.ask("文号是什么？")
    assert "另有2份文件" in a.answer, a.answer
