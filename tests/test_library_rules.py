"""Reading rules over a library (issue 10): an amount answer states the figure given for the subject
and the quantity asked, or says the documents give none (no silent nearest figure); lists find a
topic by its parts; a question names a document only by a word of its own.

Questions are written in other words than the evaluation sets' to test the rules, not the sets.
"""
from assistant.query import parse_query


def direct(a):
    """The line an answer asserts; the evidence below it quotes the cited measures."""
    return a.answer.splitlines()[0] if a.answer else ""


def test_the_measure_word_decides_the_figure_asked():
    # 贴息 names a benefit paid in money, but 比例 says the question wants a share.
    assert parse_query("创业担保贷款的贴息比例有多高？").figure_kind == "percent"
    assert parse_query("这项补贴的期限多长时间？").figure_kind == "duration"
    assert parse_query("贴息能拿多少？").figure_kind == "money"


def test_a_yardstick_of_a_figure_is_not_its_subject(library_answerer):
    # (一) refunds 50% of contributions, its standard measured "按…月人均失业保险金…确定": the
    # document states no amount of 失业保险金 itself.
    a = library_answerer.ask("失业保险金一个月发多少钱？")
    assert not a.found and "50%" not in direct(a), a.answer


def test_a_share_not_stated_is_not_answered_by_money(library_answerer):
    a = library_answerer.ask("创业担保贷款的贴息比例有多高？")
    assert not a.found and "万元" not in direct(a), a.answer


def test_a_threshold_in_the_condition_answers_a_share_question(library_answerer):
    a = library_answerer.ask("超过100人的小微企业新招用人员要达到职工人数的多少比例？")
    assert a.found and "15%" in a.answer, a.answer
    assert [c.measure for c in a.citations] == [3]


def test_a_bracketed_threshold_for_a_group_is_that_groups_tier(library_answerer):
    # (三): 达到…职工人数25%（超过100人的企业达到15%）. The group's tier for an asker in it, the other
    # for an asker outside it (名 counts people as 人 does), both when the asker says neither.
    inside = library_answerer.ask("我们厂有120名职工，算小微企业，当年新招的人得占到多少比例？")
    assert inside.found and "15%" in inside.answer and "25%" not in direct(inside), inside.answer
    outside = library_answerer.ask("小微企业只有30人，新招用的人员要占在职职工的多少比例？")
    assert outside.found and "25%" in outside.answer and "15%" not in direct(outside), outside.answer
    both = library_answerer.ask("小微企业新招用的人员要占在职职工的多少比例？")
    assert "25%" in both.answer and "15%" in both.answer, both.answer


def test_a_glossed_name_the_documents_never_use_is_not_covered(library_answerer):
    # 基本减除费用 is in no document; 基本 (医保) and 费用 are, in another deduction's clause.
    a = library_answerer.ask("个税免征额（基本减除费用）是多少？")
    assert not a.found and "15000" not in direct(a), a.answer


def test_the_quantity_named_picks_among_a_subjects_figures(library_answerer):
    a = library_answerer.ask("新经济增加值占GDP比重要到多少？")
    assert a.found and "20%" in a.answer and "10%" not in direct(a), a.answer
    a = library_answerer.ask("新经济增加值的年均增速要达到多少？")
    assert a.found and "10%" in a.answer and "20%" not in direct(a), a.answer


def test_a_target_share_is_not_money_granted(answerer):
    # (二) sets 服务型制造企业比例达45%左右 as a goal; no clause grants such enterprises money.
    a = answerer.ask("服务型制造示范企业有多少资金奖励？")
    assert not a.found and "45%" not in direct(a), a.answer


def test_two_subjects_joined_by_ji_you_are_answered_each(answerer):
    a = answerer.ask("今年我们既首次获得四川省瞪羚企业备案，又被新认定为省级新经济示范企业，两项各能拿多少？")
    assert a.found and "80万元" in a.answer and "100万元" in a.answer, a.answer


def test_a_document_named_by_its_region_leaves_the_subject_to_match(library_answerer):
    # 四川 and 新经济 name the document; 示范企业 is what the question asks about.
    a = library_answerer.ask("四川新经济政策给示范企业多少奖励？")
    assert a.found and "100万元" in a.answer and "80万元" not in direct(a), a.answer


def test_a_list_finds_a_compound_topic_by_its_parts(library_answerer):
    a = library_answerer.ask("北斗导航产业有哪些支持措施？")
    assert a.found and 22 in [c.measure for c in a.citations], a.answer  # 北斗应用基础设施
    assert "北斗" in next(c.quote for c in a.citations if c.measure == 22)
    a = library_answerer.ask("做新能源汽车的企业有哪些政策可以用？")
    assert {7, 23} <= {c.measure for c in a.citations if c.doc_id == "sichuan_new_economy_2021_93"}, a.answer


def test_a_term_covers_the_members_its_document_lists(library_answerer):
    # 第五条 grants 子女 in 学历教育 1000元 a month; 学历教育包括义务教育（小学、初中教育）… is its next sentence.
    a = library_answerer.ask("子女读初中，每月个税能扣多少？")
    assert a.found and "1000元" in a.answer, a.answer
    assert "第五条" in [c.measure_label for c in a.citations]


def test_a_description_is_not_a_kind_of_the_term(library_answerer):
    # 首套住房贷款 "是指购买住房享受首套住房贷款利率的住房贷款": 利率 describes it; no rate is granted.
    a = library_answerer.ask("住房公积金贷款利率是多少？")
    assert not a.found and "1000元" not in direct(a), a.answer


def test_the_askers_official_name_is_the_subject(library_answerer):
    # 研究生 is listed under 子女's 学历教育 (第五条, 1000元); the asker names 学历继续教育 (第八条, 400元).
    a = library_answerer.ask("在职读研（学历继续教育）每月扣多少？")
    assert a.found and "400元" in a.answer and "1000元" not in direct(a), a.answer


def test_the_clause_stating_the_figure_names_its_subject(library_answerer):
    # …将技术技能提升补贴申领条件由…参加失业保险3年以上放宽至参保1年以上
    a = library_answerer.ask("申领技术技能提升补贴要参保多少年？")
    assert a.found and "1年以上" in a.answer, a.answer


def test_a_question_for_the_cap_gets_the_cap(library_answerer):
    # 第十一条: 累计超过15000元的部分，…在80000元限额内据实扣除
    a = library_answerer.ask("大病医疗每年最多可以扣除多少？")
    assert a.found and "80000元" in a.answer, a.answer


def test_a_word_in_one_record_finds_it_when_the_top_hits_miss(library_answerer):
    # 一址多照 is in one measure of the Shanghai document, which rank fusion put eighth.
    a = library_answerer.ask("一址多照改革是哪条提出的？")
    assert a.found and [(c.doc_id, c.measure) for c in a.citations] == [("shanghai_lingang_shuangte", 4)], a.answer


def test_a_title_word_inside_a_longer_word_names_no_document():
    from assistant.query import DocName, named_documents

    names = [DocName("jiuye", (), "国务院", ("就业",)), DocName("lingang", (), "上海", ("临港",))]
    assert named_documents("外国专家证、就业证、居留证一口受理是哪条规定的？", names) == ()
    assert named_documents("促进就业的意见里有哪些规定？", names) == ("jiuye",)


def test_dates_a_document_states_in_its_body():
    from assistant.load import stated_in_body

    text = "第一条　为了…，制定本办法。\n……依照《某某法》自2008年1月1日起施行的规定。\n第三十二条　本办法自2019年1月1日起施行。"
    assert stated_in_body(text)["effective"] == "本办法自2019年1月1日起施行。"  # its own, the last one
    assert stated_in_body("特制定本意见，政策期限为2016年至2018年。\n一、…")["period"] == "政策期限为2016年至2018年。"
    assert stated_in_body("对新认定的企业给予奖励。") == {}
    # The approval a preamble states; not a clause about licences (经营…须经有关部门批准后).
    assert stated_in_body("为加快发展新经济，经省政府同意，特制定本实施意见。")["approval"] == "经省政府同意"
    assert "approval" not in stated_in_body("经营性活动须经有关部门批准后开展。")


def test_whether_a_document_was_approved_is_metadata(answerer):
    a = answerer.ask("这份意见是以省政府办公厅名义发的吗？有没有经过省政府同意？")
    assert a.found and "经省政府同意" in a.answer and "四川省人民政府办公厅" in a.answer, a.answer


def test_when_a_document_takes_effect_cites_the_provision_saying_it(library_answerer):
    a = library_answerer.ask("个税专项附加扣除暂行办法哪天开始施行？")
    assert a.found and "2019年1月1日" in a.answer, a.answer
    assert [c.measure_label for c in a.citations] == ["第三十二条"]
    a = library_answerer.ask("临港“双特”政策的有效期是哪几年？")
    assert a.found and "2016年至2018年" in a.answer, a.answer


def test_questions_asking_a_figure_per_conjunct_are_split():
    from assistant.reading import split_question

    assert split_question("对示范园区和孵化器的补助各是多少？") == ["对示范园区是多少？", "对孵化器的补助是多少？"]
    # The comma clause after the second conjunct is said of both; 在 inside 在职 opens nothing.
    assert split_question("读在职研究生和考证书，继续教育扣除分别是多少？") == [
        "读在职研究生，继续教育扣除是多少？", "考证书，继续教育扣除是多少？"]
    assert split_question("要培育多少家企业、建成多少座加氢站？")[1].endswith("建成多少座加氢站")
    assert split_question("外国专家证、就业证、居留证一口受理是哪条规定的？") == ["外国专家证、就业证、居留证一口受理是哪条规定的？"]


def test_an_individual_is_not_answered_with_an_enterprises_figure(library_answerer):
    # (三) 人员自主创业 最高不超过15万元; 小微企业…达到职工人数25%… 最高不超过300万元.
    a = library_answerer.ask("我失业了想自己开个店，创业担保贷款个人最多贷多少？")
    assert a.found and "15万元" in a.answer and "300万元" not in direct(a), a.answer
    a = library_answerer.ask("我们小微企业新招了一批符合条件的人员，创业担保贷款最多批多少？")
    assert a.found and "300万元" in a.answer and "15万元" not in direct(a), a.answer


def test_a_title_word_names_the_document_only_before_a_word_for_one():
    from assistant.query import DocName, naming_words

    names = [DocName("sc", (), "四川", ("新经济",))]
    assert set(naming_words("四川新经济政策对示范企业奖励多少？", names, ("sc",))) == {"四川", "新经济"}
    assert naming_words("四川到2025年新经济增加值每年增长多少？", names, ("sc",)) == ()


def test_everyday_kinship_words_are_read_as_the_formal_ones(library_answerer):
    a = library_answerer.ask("我闺女上初中了，个税每个月能扣多少？")
    assert a.found and "1000元" in a.answer, a.answer  # 子女 (第五条)
    a = library_answerer.ask("我和媳妇婚前各买了一套首套房，婚后房贷利息怎么扣？")
    assert a.found and "第十五条" in [c.measure_label for c in a.citations], a.answer  # 夫妻双方婚前…


def test_an_enterprise_telling_its_trade_is_asked_about_its_status(library_answerer):
    # 做智能网联汽车零部件 is what it makes; 省级新经济示范企业 is what (三十) grants money for.
    a = library_answerer.ask("我们公司做智能网联汽车零部件，刚被认定为省级新经济示范企业，能拿多少奖励？")
    assert a.found and "100万元" in a.answer and "80万元" not in direct(a), a.answer


def test_a_count_of_people_is_not_answered_with_a_count_of_events(library_answerer):
    # (三) sets 100项 赛事 and 100个 品牌 for 2025, no number of people.
    a = library_answerer.ask("到2025年体育竞赛表演产业要带动多少人就业？")
    assert not a.found and "100项" not in direct(a), a.answer


def test_a_number_places_the_asker_in_a_tier():
    from assistant.reading import bounds_agree

    assert not bounds_agree("市区户籍人口不到100万的小城市", "市辖区户籍人口超过100万的城市")
    assert bounds_agree("市区户籍人口不到100万的小城市", "市辖区户籍人口不超过100万的城市")
    assert not bounds_agree("户籍人口只有60万的地级市", "市辖区户籍人口超过100万的城市")
    assert not bounds_agree("户籍人口有一百多万", "市辖区户籍人口不超过100万的城市")
    assert bounds_agree("员工超过100人的企业", "新招用人员数量达到25%")  # bare numbers are not compared


def test_a_tier_by_population_and_what_the_asker_is_not(library_answerer):
    a = library_answerer.ask("我在市辖区户籍人口40万左右的城市租房，个税每个月能扣多少？")
    assert a.found and "800元" in a.answer and "1100元" not in direct(a) and "1500元" not in direct(a), a.answer
    # 不是省会 denies the 1500元 tier; the rest of this question names no tier the text gives.
    a = library_answerer.ask("我们那儿不是省会也不是计划单列市，租房个税能扣多少？")
    assert "1500元" not in direct(a), a.answer


def test_questions_for_several_measures_are_lists(library_answerer):
    a = library_answerer.ask("体育竞赛表演产业指导意见里涉及北京冬奥会的有哪几条？")
    assert a.kind == "list" and {c.measure for c in a.citations} == {5, 7}, a.answer  # not 指导, not 北京 alone


def test_which_measure_a_unit_leads(library_answerer):
    a = library_answerer.ask("川办发〔2021〕93号里住房城乡建设厅牵头的是哪一条？")
    assert a.kind == "unit_measures" and [c.measure for c in a.citations] == [24], a.answer


def test_a_tier_word_does_not_stand_for_the_subject(answerer):
    # 认定 is shared with 新认定的省级新经济示范企业; 高新技术企业 is given no figure (二十八).
    a = answerer.ask("新认定的高新技术企业按这份实施意见能奖励多少钱？")
    assert not a.found and "100万元" not in direct(a), a.answer


def test_a_target_is_stated_with_its_year(library_answerer):
    a = library_answerer.ask("体育竞赛表演产业总规模的目标是多少？")
    assert a.found and "2万亿元" in a.answer and "2025年" in a.answer, a.answer


def test_a_count_written_with_a_plus_is_a_figure():
    from assistant.items import parse_figures

    figs = parse_figures("培育“100+”特色鲜明的新经济示范企业、“100+”专业化功能平台")
    assert [(f.text, f.unit) for f in figs] == [("100+", "个"), ("100+", "个")]


def test_amounts_of_a_measure_named_by_its_quoted_title(answerer):
    a = answerer.ask("“加大财税支持”这一条里有几个金额？各给哪类企业？")
    assert a.found and "100万元" in a.answer and "80万元" in a.answer, a.answer


def test_a_heading_is_not_the_sentence_quoted(answerer):
    a = answerer.ask("这份意见的发展目标定到哪一年？")
    assert a.found and "2025年" in a.answer, a.answer


def test_which_of_several_is_a_list_not_a_count():
    from assistant.query import parse_query

    assert parse_query("个税专项附加扣除一共有哪几项？").intent == "list"
    assert parse_query("要培育几家领先企业？").intent == "amount"


def test_a_count_of_events_to_launch_is_a_target(library_answerer):
    a = library_answerer.ask("体育赛事方面，国办发〔2018〕121号要推出多少项精品赛事？")
    assert a.found and "100项" in a.answer, a.answer


def test_an_age_is_placed_in_the_range_a_measure_covers(library_answerer):
    # (五): 扩展至16—24岁失业青年；组织失业青年参加3—12个月的就业见习
    a = library_answerer.ask("我20岁，一直失业，能不能参加就业见习？见习多久？")
    assert a.found and "16—24岁" in a.answer, a.answer
    from assistant.reading import bounds_agree

    assert not bounds_agree("我30岁了", "16—24岁失业青年")


def test_a_story_before_the_question_does_not_make_it_unknown(library_answerer):
    a = library_answerer.ask("上个月做了手术，医保报完后自己掏了不少。大病医疗扣除最多能扣多少？")
    assert a.found and "80000元" in a.answer, a.answer


def test_a_sentence_before_the_conjuncts_is_another_question():
    from assistant.reading import split_question

    assert split_question("这份意见的总体目标是什么？新经济增加值增速和比重分别要到多少？") == [
        "新经济增加值增速要到多少？", "新经济增加值比重要到多少？"]  # a bare quantity borrows the first's subject
    # Both conjuncts only name quantities: the sentence before says whose.
    assert split_question("四川发展新经济要达到什么目标？增速和比重各是多少？") == [
        "四川发展新经济要达到什么目标？增速是多少？", "四川发展新经济要达到什么目标？比重是多少？"]


def test_a_word_inside_a_longer_word_of_another_meaning_is_not_the_subject(library_answerer):
    # 商业 of 商业银行 (第十四条, 住房贷款利息 1000元) is not the 商业 of 商业健康保险.
    a = library_answerer.ask("个人买了商业健康保险，个税每年能扣多少？")
    assert "1000元" not in direct(a), a.answer
    # 保险 of 保险费 adds no word of its own: still the premium the asker paid.
    a = library_answerer.ask("我们厂去年一个人都没裁，交的失业保险能返还多少？")
    assert a.found and "50%" in a.answer, a.answer


def test_a_rate_is_given_only_by_a_clause_naming_it(library_answerer):
    # 第十五条 splits the deduction 100% / 50%; no clause states a 利率 for 首套住房贷款.
    a = library_answerer.ask("首套住房贷款的利率要低于多少才算首套？")
    assert "100%" not in direct(a) and "50%" not in direct(a), a.answer


def test_which_without_a_unit_asks_for_a_list_unless_it_asks_a_procedure():
    from assistant.query import parse_query

    assert parse_query("临港的意见里奉贤区要参与哪些事情？").intent == "list"
    assert parse_query("申请瞪羚企业备案需要提交哪些材料？").intent != "list"


def test_either_formal_word_of_an_everyday_word_names_the_subject(library_answerer):
    # 爱人 → 配偶、夫妻: 第十四条 says 配偶 (1000元 a month, up to 240个月), 第十五条 夫妻.
    a = library_answerer.ask("我爱人用公积金贷款买的首套房，房贷利息每月能扣多少？")
    assert a.found and "1000元" in a.answer, a.answer


def test_a_headcount_is_placed_in_the_tier_the_condition_bounds():
    from assistant.reading import bounds_agree, compared

    assert compared("在职员工大概200人", "在职职工人数25%（超过100人的企业达到15%）")
    assert not bounds_agree("员工只有80人", "超过100人的企业达到15%")


def test_a_count_answers_only_for_the_thing_it_counts(library_answerer):
    # (三) builds 若干 体育赛事城市 (no number) and 打造100个…品牌.
    a = library_answerer.ask("到2025年要建成多少个有影响力的体育赛事城市？")
    assert not a.found and "100个" not in direct(a), a.answer
    a = library_answerer.ask("到2025年要打造多少个体育竞赛表演品牌？")
    assert a.found and "100个" in a.answer, a.answer


def test_a_list_is_about_its_topic_not_the_words_naming_its_document(library_answerer):
    a = library_answerer.ask("临港“双特”意见里，跟奉贤区有关的规定有哪几条？")
    assert a.kind == "list" and {c.measure for c in a.citations} >= {10, 11, 12}, a.answer


def test_where_to_register_is_answered_with_the_place_the_text_names(library_answerer):
    a = library_answerer.ask("我户口不在本地，失业了能在哪儿办失业登记？")
    assert a.found and "常住地公共就业服务机构" in a.answer, a.answer  # not the title sentence alone


def test_who_acts_in_a_document_without_responsibility_notes(library_answerer):
    # 临港 (十二) has no note; its text says …财政支付责任…由临港地区管委会承担.
    a = library_answerer.ask("临港的PPP项目，财政支付责任由谁承担？")
    assert a.found and "未列明责任单位" in a.answer and "临港地区管委会" in a.answer, a.answer


def test_what_a_document_is_about_and_when_it_was_issued():
    from assistant.query import parse_query

    q = parse_query("这个文件讲的是什么事？哪天发的？")
    assert q.intent == "metadata" and {"title", "published_date"} <= set(q.meta_fields)


def test_how_to_do_a_thing_needs_a_text_about_that_thing(library_answerer):
    # (十五) makes 办赛指南 for 城市马拉松 and names 程序, but says nothing about how to 报名.
    a = library_answerer.ask("想参加城市马拉松，怎么报名？")
    assert not a.found, a.answer
    a = library_answerer.ask("孩子在海外上学，子女教育扣除要留存什么资料？")
    assert a.found and "录取通知书" in a.answer, a.answer  # 第七条 境外


def test_a_units_short_name_is_a_known_word(answerer):
    a = answerer.ask("充换电和加氢站建设这条，是经信厅一家牵头吗？")
    assert a.found and "省能源局" in a.answer, a.answer  # (二十三) is led by 省能源局、经济信息化厅


def test_the_condition_for_a_benefit_is_the_grants_condition(answerer):
    a = answerer.ask("想拿瞪羚企业的后补助，要满足什么条件？")
    assert a.found and "首次获得备案" in a.answer, a.answer
    a = answerer.ask("瞪羚企业的认定标准是什么？")  # how one is recognised: not given
    assert not a.found, a.answer


def test_an_idiom_is_not_read_as_a_kinship_word(library_answerer):
    # 老大难 (a long-standing problem) is no 老大 (eldest child): nothing about 子女 is answered.
    a = library_answerer.ask("解决企业融资老大难问题有哪些措施？")
    assert all(c.doc_id != "gov_geshui_zxkc_2018_41" for c in a.citations), a.answer


def test_a_status_shared_only_up_to_its_head_noun_is_another_subject(library_answerer):
    # (三十) grants 省级新经济示范企业; a 示范园区 shares 省级新经济示范 but is no 企业.
    a = library_answerer.ask("省级新经济示范园区能拿多少奖励？")
    assert "100万元" not in direct(a), a.answer


def test_a_city_is_in_the_tier_naming_its_category(library_answerer):
    # 第十七条 sets three tiers of rent deduction by kind of city; 深圳 is a 计划单列市 (a national
    # fact the text does not state), so only the first tier applies, and the answer says why.
    a = library_answerer.ask("我在深圳上班，房租每个月可以扣除多少？")
    assert a.found and "1500元" in a.answer and "1100" not in direct(a) and "800" not in direct(a), a.answer
    assert "深圳属计划单列市" in a.answer
    # A city in no category list is left to the text: every tier it may be in.
    b = library_answerer.ask("我在绵阳租房，房租每月能扣多少？")
    assert "1100元" in b.answer and "800元" in b.answer, b.answer


def test_an_everyday_word_inside_the_formal_word_is_not_glossed():
    from assistant.query import expand

    assert expand("住房租金能扣多少") == "住房租金能扣多少"
    assert expand("房租能扣多少") == "房租（住房租金）能扣多少"


def test_a_kind_of_the_subject_no_document_writes_is_not_answered(library_answerer):
    # (三) grants 15万元 to a person starting a business on their own (自主创业); a partnership (合伙)
    # is a kind no document names, so its loan figure is not given — while the kind the text writes,
    # or a longer form of the asker's qualifier (市辖区 for 市区), is answered.
    a = library_answerer.ask("合伙创业可以申请多少创业担保贷款？")
    assert not a.found and "万元" not in direct(a) and "合伙创业" in a.answer, a.answer
    # A count in the case the asker supposes (几个朋友…的话) is not the figure asked.
    story = library_answerer.ask("几个朋友合伙创业的话，创业担保贷款额度是多少？")
    assert not story.found and "万元" not in direct(story), story.answer
    b = library_answerer.ask("个人自主创业，创业担保贷款额度是多少？")
    assert b.found and "15万元" in b.answer, b.answer
    c = library_answerer.ask("在市区户籍人口不到100万的城市租房，每月能扣多少？")
    assert c.found and "800元" in c.answer and "1500" not in direct(c), c.answer


def test_who_acts_in_a_document_without_notes_is_read_from_its_text(library_answerer):
    # The 临港 document has no responsibility notes; (十) says 由市财政局会同浦东新区、奉贤区和临港地区
    # 管委会制定, read as a note "A会同B负责" is read: A leads, B supports.
    a = library_answerer.ask("临港的专项发展资金管理办法由哪个部门牵头制定？")
    assert a.found and a.citations[0].measure == 10, a.answer
    assert a.citations[0].lead_units == ["市财政局"] and "临港地区管委会" in a.citations[0].co_units
    assert "未列明责任单位" in a.answer  # the document itself names no responsible unit
    b = library_answerer.ask("PPP项目的财政支付责任归谁承担？")
    assert b.found and b.citations[0].listed_units == ["临港地区管委会"], b.answer


def test_what_belongs_to_whom_is_not_a_duty_question():
    # 归谁 asks who owns something (转播收入归谁), not which unit is responsible; 谁来统筹 does.
    assert parse_query("体育赛事的转播收入归谁？").intent != "lead_unit"
    assert parse_query("减量化工作由谁统筹？").intent == "lead_unit"
    assert parse_query("财政支付责任谁来承担？").intent == "lead_unit"


def test_metadata_of_a_document_the_library_only_cites_is_not_the_citing_ones(library_answerer):
    # (二十九) of the seed cites 《成渝地区双城经济圈建设规划纲要》; its 文号 is not the seed's.
    a = library_answerer.ask("新经济实施意见引用的《成渝地区双城经济圈建设规划纲要》，文号是多少？")
    assert not a.found and "文号：" not in direct(a), a.answer
    assert "成渝地区双城经济圈建设规划纲要" in a.answer
    # A library document's own title still answers.
    b = library_answerer.ask("《国务院关于做好当前和今后一个时期促进就业工作的若干意见》的文号是什么？")
    assert b.found and "国发〔2018〕39号" in b.answer, b.answer


def test_whether_two_benefits_combine_is_not_an_amount_question(library_answerer):
    assert parse_query("培训期间的生活费补贴能和失业保险金一起领吗？").intent == "general"
    assert parse_query("生活费补贴每月能领多少？").intent == "amount"
    a = library_answerer.ask("失业保险金和培训期间的生活费补贴能同时领取吗？")
    assert a.found and "不可同时领取失业保险金" in a.answer, a.answer


def test_a_threshold_for_something_needs_a_clause_about_that_thing(library_answerer):
    # (十三) of 临港 gives 专项加分 (每满1年积2分, 最高20分), not the score 落户 needs: not given.
    a = library_answerer.ask("在临港居住证积分满多少分可以落户？")
    assert not a.found and "20分" not in direct(a), a.answer
    # The threshold of the thing the clause is about is answered (超过15000元的部分…扣除).
    b = library_answerer.ask("看病自付的钱超过多少才可以扣除大病医疗？")
    assert b.found and "15000元" in b.answer, b.answer
    # Applying for the subject itself (就可以申领) is no other thing: its condition answers.
    c = library_answerer.ask("职工参加失业保险满几年就可以申领技术技能提升补贴？")
    assert c.found and "1年" in c.answer, c.answer


def test_siblings_and_only_children_are_read_as_the_deduction_writes_them(library_answerer):
    # 第二十二条: (一) 独生子女 2000元; (二) 非独生子女 share 2000元 with 兄弟姐妹, each at most 1000元.
    # A sibling named in everyday words (我姐) is 兄弟姐妹; 不是独生子女 is 非独生子女, not 独生子女.
    a = library_answerer.ask("我跟我姐一起照顾父母，赡养老人我一个月最多扣多少？")
    assert a.found and "1000元" in a.answer and "按照每月2000元" not in direct(a), a.answer
    b = library_answerer.ask("我不是独生子女，赡养老人的扣除标准是多少？")
    assert b.found and "非独生子女" in b.answer and "纳税人为独生子女的" not in direct(b), b.answer
    c = library_answerer.ask("作为独生子女，赡养老人的扣除标准是多少？")
    assert c.found and "2000元" in c.answer and "非独生子女" not in direct(c), c.answer


def test_a_word_read_across_a_cut_of_the_question_is_no_term(library_answerer):
    # 赡养父母 is 赡养|父母; 养父 and 养父母 (adoptive parents) cross the cut and are not asked about.
    terms = library_answerer.vocab.terms("赡养父母每月能扣多少？")
    assert "养父" not in terms and "养父母" not in terms and "父母" in terms, terms


def test_a_cap_asked_of_several_tiers_is_each_tiers_cap(library_answerer):
    a = library_answerer.ask("赡养老人，独生子女和非独生子女一个月最多分别能扣多少？")
    assert "按照每月2000元" in a.answer and "不能超过每月1000元" in a.answer, a.answer


def test_a_word_no_cover_divides_keeps_its_words():
    from assistant.reading import uncrossed

    assert uncrossed("赡养父母", ["赡养", "养父", "父母", "养父母"]) == ["赡养", "父母"]
    assert uncrossed("中小学", ["中小", "小学"]) == ["中小", "小学"]  # 中小|学 and 中|小学 both leave one out


def test_quoting_the_documents_words_is_about_them(answerer):
    # 硬性表述 is no word of the seed's, but the question quotes its own wording “不低于”.
    a = answerer.ask("发展目标中，哪个指标是用“不低于”来写的？")
    assert a.found and "不低于10%" in a.answer, a.answer


def test_a_story_clause_one_figure_answers_is_not_asked_of_the_other(library_answerer):
    # The 奖励 is the status's (seed (三十)); the loan is the small enterprise's that hires (39号 (三)):
    # the status clause is no part of the loan's subject.
    a = library_answerer.ask("我们是一家小微企业，刚被认定为省级新经济示范企业，今年还新招了不少符合条件的人员，"
                             "资金奖励和创业担保贷款分别有多少？")
    assert a.found and "100万元" in a.answer and "300万元" in a.answer, a.answer


def test_which_supports_and_how_much_each_lists_a_documents_items(library_answerer):
    # No subject, a named document: every support item with a figure, as the 惠企政策 table lists them.
    a = library_answerer.ask("川办发〔2021〕93号里有金额的扶持有哪几项，各是多少？")
    assert a.found and "100万元" in a.answer and "80万元" in a.answer, a.answer
    # A document with none says so instead of naming the nearest clause.
    b = library_answerer.ask("临港“双特”政策里有哪些资金支持，分别是多少？")
    assert not b.found and "没有写明" in direct(b), b.answer


def test_options_offered_in_a_choice_are_not_the_subject_nor_the_figure_asked(answerer):
    from assistant.query import parse_query, without_options

    q = "瞪羚企业的后补助是按研发投入比例给，还是有封顶？封顶是多少？"
    assert without_options(q) == "瞪羚企业的后补助？封顶是多少？"
    assert parse_query(q).figure_kind != "percent"
    a = answerer.ask(q)
    assert a.found and "80万元" in a.answer, a.answer


def test_the_aspects_a_section_sets_out_are_its_paragraphs_leads(answerer):
    # The seed's 二、发展目标: after the overall target, one paragraph per aspect, each led by its name.
    a = answerer.ask("发展目标具体分为哪几个方面？")
    assert a.found and all(x in a.answer for x in ("新技术加速突破", "新制造加速培育", "新场景加速构建")), a.answer
    assert "到2025年" not in direct(a).split("：", 1)[1]  # a date names no aspect


def test_a_short_name_names_every_documents_unit_of_that_name(library_answerer):
    # 发改委 is the State Council's 发展改革委 in 国发 documents and 省发展改革委 in the seed: both are
    # looked up, each answered in its own document (no silent choice of one).
    from assistant.query import find_units

    assert set(find_units("发改委牵头的措施有哪些", library_answerer.index.units)) >= {"发展改革委", "省发展改革委"}
    a = library_answerer.ask("发改委牵头的措施有哪些？")
    assert a.found and "(十三)" in a.answer, a.answer


def test_a_story_before_the_asking_sentence_does_not_pick_the_subject(library_answerer):
    # 裁员 is the asker's story (and a word of (一)'s 稳岗返还); the asking sentence asks about 自主创业.
    a = library_answerer.ask("我去年被公司裁员了，现在想自己开个奶茶店。像我这种个人自主创业，创业担保贷款最多能贷多少？")
    assert a.found and "15万元" in a.answer, a.answer


def test_a_discount_asked_is_a_share(library_answerer):
    from assistant.query import parse_query

    assert parse_query("土地出让价能打几折？").figure_kind == "percent"
    a = library_answerer.ask("新经济重点领域的重大项目拿地，土地出让价能打几折？")
    assert not a.found, a.answer


def test_a_target_is_stated_with_the_year_its_section_sets(answerer):
    a = answerer.ask("全社会研发投入强度要达到多少？")
    assert a.found and "2.4%左右" in a.answer and "2025年" in a.answer, a.answer


def test_an_approximate_magnitude_is_placed_in_its_tier(library_answerer):
    # 七十来万 (about 700,000) is in the tier of 市辖区户籍人口不超过100万的城市.
    a = library_answerer.ask("我工作的城市市辖区户籍人口七十来万，不是省会，租房每月能扣多少？")
    assert a.found and "800元" in a.answer and "1100元" not in direct(a), a.answer


def test_how_a_deduction_is_counted_gives_its_whole_provision(library_answerer):
    # 怎么扣 asks how it is counted: the threshold (超过15000元的部分) and the cap (80000元) of one sentence.
    a = library_answerer.ask("大病医疗专项附加扣除怎么扣？最多能扣多少？")
    assert a.found and "15000元" in a.answer and "80000元" in a.answer, a.answer


def test_a_place_no_document_names_is_spoken_for_by_the_state_councils_documents(library_answerer):
    # 国发〔2018〕39号 (九) lets the unemployed register where they live, in any city; a province's
    # document does not speak for 重庆; 杭州市…政策 asks for that city's own policies.
    a = library_answerer.ask("我老家在安徽，在杭州上班被辞退了。能在杭州办失业登记吗？到哪里办？")
    assert a.found and a.citations[0].doc_id == "gov_jiuye_2018_39" and "常住地" in a.answer, a.answer
    b = library_answerer.ask("重庆市对新认定的省级新经济示范企业奖励多少？")
    assert not b.found and "100万元" not in direct(b), b.answer
    c = library_answerer.ask("杭州市有哪些人才政策？")
    assert not c.found, c.answer



def test_a_list_finds_a_measure_through_the_shorthand_it_writes(library_answerer):
    # Seed (十六) writes 智能 only inside “数智化” (数字化、智能化) beside its 制造 words.
    a = library_answerer.ask("智能制造方面，文件有哪些部署？")
    assert 16 in {c.measure for c in a.citations if c.doc_id.startswith("sichuan")}, a.answer


def test_a_word_its_known_parts_do_not_spell_is_another_thing(library_answerer):
    # 养老金 is no 养老 (41号 第四条 lists 养老 among 民生支出), 宅基地 no 基地 (创业孵化基地),
    # 女职工 no plain 职工: each is a thing the library never names, so nothing is answered for it.
    for q in ("企业退休人员养老金每月能领多少？", "我家的宅基地能不能盖三层楼？", "女职工产检能请几天假？"):
        a = library_answerer.ask(q)
        assert not a.found and "元" not in direct(a).split("相关度最高")[0], (q, a.answer)
    # Parts that spell the whole word still stand for it: 锂电池 is 锂电 + 电池, 夫妻俩 is 夫妻.
    assert "锂电" in library_answerer.vocab.terms("锂电池企业有什么补贴？")
    assert "夫妻" in library_answerer.vocab.terms("夫妻俩谁来扣房贷利息？")
    assert "融资" in library_answerer.vocab.terms("小微企业融资难有什么政策？")


def test_the_asking_sentence_decides_what_is_asked_even_when_the_story_is_known(library_answerer):
    # The story names the seed's status; the asking sentence names only a thing no document writes.
    for q in ("我们刚被认定为省级新经济示范企业。宅基地能抵押吗？", "我们是临港地区的集成电路企业。员工的医保卡怎么办理？"):
        a = library_answerer.ask(q)
        assert not a.found and "100万元" not in direct(a), (q, a.answer)


def test_which_thing_the_documents_never_name_is_not_answered(library_answerer):
    # 39号 (一) is about 稳岗返还 but names no 公众号: the answer says so and where the topic is.
    a = library_answerer.ask("稳岗返还在哪个公众号上申请？")
    assert not a.found and "公众号" in a.answer and "（一）" in a.answer, a.answer
    # The thing a which-word asks for, as written; kinds every policy answers are not such things.
    assert library_answerer.vocab.asked_for("个税在哪个手机App上申报？") == ["手机App"]
    # A what-question asks what the text says (对困难群众有什么兜底帮扶？): it presumes no such thing.
    assert library_answerer.vocab.asked_for("对困难群众有什么兜底帮扶？") == []
    assert library_answerer.vocab.asked_for("由哪个部门牵头？") == [] and library_answerer.vocab.asked_for("是哪个文号？") == []
    assert not library_answerer.vocab.names_none_of(["类型的企业"])  # 企业 is a word of theirs


def test_a_period_is_answered_by_a_length_in_words_a_date_is_not(library_answerer):
    # 41号 第二十五条: 相关资料应当留存五年 — a period, stated in words; it names no date.
    a = library_answerer.ask("首次享受专项附加扣除，信息交给谁？备查资料要保管多长时间？")
    assert a.found and "扣缴义务人" in a.answer and "五年" in a.answer, a.answer
    b = library_answerer.ask("首次享受专项附加扣除，相关信息最晚要在几号之前报给扣缴义务人？")
    assert not b.found, b.answer


def test_can_and_a_verb_is_no_thing_asked_about(library_answerer):
    # The tagger guesses 能扣/能领 are names; they say what is done, and count neither way.
    assert not {"能扣", "能领"} & set(library_answerer.vocab.terms("继续教育每月能扣多少？失业保险金能领多久？"))
    assert "能源" in library_answerer.vocab.terms("能源企业有什么政策？")  # a word of theirs is kept


def test_a_clause_found_through_the_story_alone_answers_another_question(library_answerer):
    # 裁员 of the story is in 39号 (一) (返还 for 不裁员或少裁员的企业, 失业保险金 only its yardstick);
    # the asking sentence asks what the laid-off worker gets, which no clause states.
    a = library_answerer.ask("上个月公司裁员把我裁了，交过两年失业保险。失业保险金一个月能拿多少钱？")
    assert not a.found and "50%" not in direct(a), a.answer
    # The asking clause naming the clause's subject is still answered after a story.
    b = library_answerer.ask("我们厂今年没裁员，还新招了不少人。小微企业的创业担保贷款最高能贷多少？")
    assert b.found and "300万元" in b.answer, b.answer


def test_the_asking_clauses_leave_out_the_story_of_their_sentence():
    from assistant.reading import asking_clauses

    assert asking_clauses("我在地级市上班。我名下没房，一直租房住，住房租金每个月能扣多少？") == "住房租金每个月能扣多少?"
    assert asking_clauses("这个政策适用于个体户吗？") == "这个政策适用于个体户吗?"  # no figure asked: the sentence


def test_a_name_contracted_by_one_character_is_the_documents_name(library_answerer):
    # 41号 第十七条 writes 市辖区户籍人口; people say 市区.
    assert library_answerer.vocab.contracted("市区") == ["市辖区"]
    assert library_answerer.vocab.contracted("企业") == []  # a word of theirs is no contraction
    a = library_answerer.ask("我工作的城市不是省会，市区户籍人口只有80万，租房每月能扣多少个税？")
    assert a.found and "800元" in a.answer and "1100元" not in direct(a), a.answer


def test_the_asking_clause_names_the_benefit_the_story_does_not(library_answerer):
    # The story's rarest words (资格证书 of 39号 (八), 研究生 listed under 学历教育 for 子女) are not
    # what is asked: the asking clause names the deduction, 41号 第八条 继续教育.
    a = library_answerer.ask("我刚考取专业技术人员职业资格证书，这笔继续教育支出个税能抵扣多少？")
    assert a.found and "3600元" in a.answer, a.answer
    b = library_answerer.ask("我读在职研究生，学历继续教育个税每月可以扣多少？")
    assert b.found and "400元" in b.answer and "1000元" not in direct(b), b.answer


def test_a_clause_about_a_family_members_situation_is_not_the_askers_own(library_answerer):
    # 第五条: 纳税人的子女接受全日制学历教育 (博士 among its members): the child's schooling.
    a = library_answerer.ask("我在职读博士，个税里继续教育每月能扣多少？")
    assert "1000元" not in direct(a), a.answer


def test_what_the_asker_opens_is_no_kind_of_the_subject(library_answerer):
    # 开一家网店创业: the 网店 is what they open, not a kind of 创业 (as 合伙创业 is).
    a = library_answerer.ask("我想开一家网店创业，个人创业担保贷款最多能贷多少？")
    assert a.found and "15万元" in a.answer, a.answer
    assert library_answerer.vocab.unknown_kinds("我们三个人合伙创业，创业担保贷款能贷多少？", ["创业"]) == [("合伙", "创业")]


def test_which_items_state_a_figure_or_date_the_question_writes(library_answerer):
    a = library_answerer.ask("专项附加扣除里哪几项的标准是每月2000元？")
    assert a.found and {c.measure for c in a.citations} == {22}, a.answer
    # 39号 (一) and (六) write 2019年1月1日至12月31日; (七)(八) run to 2020年12月31日.
    b = library_answerer.ask("有哪些措施只执行到2019年12月31日？")
    assert b.found and {c.measure for c in b.citations} == {1, 6}, b.answer
    # A range's end date takes the year of its start.
    from assistant.reading import stated_figures, with_years

    assert stated_figures("2019年1月1日到12月31日执行的有哪几项？") == ["2019年1月1日", "2019年12月31日"]
    assert with_years("2019年1月1日至12月31日") == "2019年1月1日至2019年12月31日"


def test_the_longest_asked_is_of_the_subject_not_of_another_deduction(library_answerer):
    # 最长 asks for a cap; only 住房贷款利息 (第十四条, 240个月) and 继续教育 (第八条, 48个月) have a
    # period, 住房租金 none; 有没有期限 asks, it names no subject.
    for q in ("住房租金扣个税，最长能扣几年？", "租房扣个税有没有期限？最多扣几个月？"):
        a = library_answerer.ask(q)
        assert not a.found and "240个月" not in direct(a).split("相关度最高")[0], (q, a.answer)
    b = library_answerer.ask("房贷利息个税最长能扣多少个月？")
    assert b.found and "240个月" in b.answer, b.answer
    c = library_answerer.ask("我读在职研究生，学历继续教育最长能扣多久？")
    assert c.found and "48个月" in c.answer, c.answer
