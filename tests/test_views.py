"""The app's tables and settings: responsibilities by role, filter notes, document choices,
logins and admin rights, Gradio's texts in Chinese."""
from types import SimpleNamespace

import pytest

from assistant.config import Settings
from assistant.errors import PolicyQAError
from assistant.records import Record
from assistant.views import (DOC_COLUMNS, DUTY_COLUMNS, NO_UNITS, doc_choices, doc_label, documents_table, filter_note,
                             resolve_doc, responsibility_table, top_units, unit_counts)

from .conftest import SEED


def test_table_has_every_role_and_the_joint_measures(seed_index):
    rows = responsibility_table(seed_index)
    assert len(rows) == 31 and set(DUTY_COLUMNS) <= set(rows[0])
    joint = [r for r in rows if r["共同负责"]]
    assert [r["措施"] for r in joint] == ["(二十六)", "(二十九)"]
    assert all(not r["牵头单位"] for r in joint)  # nobody leads them: no "未列明" either


def test_listed_units_and_measures_without_units(seed_index):
    def rec(n, **kw):
        return Record(doc_id="tiyu", doc_title="体育意见", doc_number="国办发〔2018〕121号", kind="measure", section="二",
                      section_title="任务", measure=n, measure_label=f"（{n}）", title=f"措施{n}", text="…", start=n, end=n + 1, **kw)

    index = SimpleNamespace(records=[rec(1, listed_units=("体育总局", "民政部")), rec(2)],
                            units={"体育总局", "民政部"}, documents={"tiyu": {"doc_id": "tiyu", "title": "体育意见"}})
    rows = responsibility_table(index)
    assert rows[0]["负责单位（未定牵头）"] == "体育总局、民政部" and rows[0]["牵头单位"] == ""
    assert rows[1]["牵头单位"] == NO_UNITS
    counts = {(c["单位"], c["角色"]): c["措施数"] for c in unit_counts(index)}
    assert counts == {("体育总局", "负责（未定牵头）"): 1, ("民政部", "负责（未定牵头）"): 1}


def test_filter_by_alias_and_the_note_says_it_was_applied(seed_index):
    rows = responsibility_table(seed_index, "大数据中心")
    assert [r["measure"] for r in rows] == [10, 14, 22]
    note = filter_note(seed_index, "大数据中心", None, len(rows))
    assert "已按单位筛选" in note and "省大数据中心" in note and "3 条" in note
    # 发改委 takes part in every measure of the seed: the table is unchanged, the note says so.
    every = responsibility_table(seed_index, "发改委")
    assert len(every) == 31
    note = filter_note(seed_index, "发改委", SEED.stem, len(every))
    assert "已按单位筛选" in note and "省发展改革委" in note and "每一条措施" in note and "川办发〔2021〕93号" in note
    assert "没有找到单位「火星局」" in filter_note(seed_index, "火星局", None, 0)
    assert "未按单位筛选" in filter_note(seed_index, "  ", None, 31)


def test_chart_counts_follow_the_filter(seed_index):
    everything = {(c["单位"], c["角色"]): c["措施数"] for c in unit_counts(seed_index)}
    assert everything[("财政厅", "牵头")] == 1 and everything[("司法厅", "共同负责")] == 1
    filtered = {(c["单位"], c["角色"]): c["措施数"] for c in unit_counts(seed_index, None, "大数据中心")}
    assert filtered[("省大数据中心", "配合")] == 3
    assert ("财政厅", "牵头") not in filtered and sum(filtered.values()) < sum(everything.values())
    top = top_units(unit_counts(seed_index), 5)
    assert len({c["单位"] for c in top}) == 5 and any(c["单位"] == "省发展改革委" for c in top)


def test_documents_by_title_and_number_never_by_id(seed_index):
    (label, doc_id), = doc_choices(seed_index)
    assert doc_id == SEED.stem and label.startswith("川办发〔2021〕93号《四川省人民政府办公厅")
    assert doc_id not in label
    assert doc_label({"doc_id": "x", "title": "某意见", "doc_number": None}) == "《某意见》"
    for name in (SEED.stem, "川办发〔2021〕93号", "四川省人民政府办公厅关于加快发展新经济培育壮大新动能的实施意见", label):
        assert resolve_doc(seed_index, name) == SEED.stem
    assert resolve_doc(seed_index, "") is None and resolve_doc(seed_index, "全部文件") is None
    with pytest.raises(KeyError):
        resolve_doc(seed_index, "../../etc/passwd")
    row, = documents_table(seed_index)
    assert "doc_id" not in DOC_COLUMNS and row["措施数"] == 31 and row["文件名"] == SEED.name


def test_logins_and_upload_settings_from_the_environment():
    s = Settings.from_env({})
    assert s.host == "127.0.0.1" and s.logins == [] and s.uploads and not s.allow_no_login
    assert (s.max_pages, s.max_image_megapixels, s.ocr_seconds, s.upload_queue) == (100, 40, 180, 5)
    assert (s.login_failures, s.login_failures_per_address, s.login_lock_minutes) == (10, 30, 15)
    s = Settings.from_env({"POLICYQA_USERS": "reader:pw1, guest:a:b", "POLICYQA_ADMINS": "chief:pw2"})
    assert s.logins == [("chief", "pw2"), ("reader", "pw1"), ("guest", "a:b")]  # a password may hold ':'
    assert "pw1" not in repr(s) and "pw2" not in repr(s)
    assert not Settings.from_env({"POLICYQA_UPLOADS": "off"}).uploads
    assert not Settings.from_env({"POLICYQA_ADMIN_ONLY_UPLOADS": "1"}).uploads  # the older "nobody" still means nobody
    assert Settings.from_env({"POLICYQA_MAX_PAGES": "7", "POLICYQA_OCR_SECONDS": "9"}).max_pages == 7
    for env, words in (({"POLICYQA_USERS": "s3cr3t-typo"}, "entry 1"), ({"POLICYQA_USERS": "a:1", "POLICYQA_ADMINS": "a:2"}, "both"),
                       ({"POLICYQA_ADMIN_ONLY_UPLOADS": "maybe"}, "1 or 0"), ({"POLICYQA_UPLOADS": "maybe"}, "on or off"),
                       ({"POLICYQA_MAX_PAGES": "0"}, "1 or more"), ({"POLICYQA_UPLOAD_QUEUE": "x"}, "whole number"),
                       # It used to open uploads to every logged-in user: refused with the rule that replaces it.
                       ({"POLICYQA_ADMINS": "chief:pw2", "POLICYQA_ADMIN_ONLY_UPLOADS": "0"}, "POLICYQA_ADMINS")):
        with pytest.raises(PolicyQAError, match=words) as e:
            Settings.from_env(env)
        assert "s3cr3t" not in str(e.value) + e.value.zh  # a malformed entry may be a password: never echoed
        assert e.value.zh != str(e.value)  # a Chinese message for the app


def test_gradio_texts_are_chinese_for_every_locale():
    from assistant.ui_zh import GRADIO_ZH, OTHER_LOCALES, gradio_i18n

    for key in ("upload_text.drop_file", "upload_text.click_to_upload", "common.or", "chatbot.copy_message",
                "login.login", "login.username", "login.password", "dataframe.sort_ascending"):
        assert any("\u4e00" <= ch <= "\u9fff" for ch in GRADIO_ZH[key]), key
    i18n = gradio_i18n()
    assert set(i18n.translations) == {"zh-CN", *OTHER_LOCALES} and "zh-TW" not in i18n.translations
    assert i18n.translations["en"]["upload_text.drop_file"] == "将文件拖放到此处"


def test_support_table_sorted_filtered_and_exported(seed_index, tmp_path):
    from assistant.views import ITEM_COLUMNS, support_table, write_xlsx

    rows = support_table(seed_index)
    assert [r["适用对象"] for r in rows] == ["新认定的省级新经济示范企业", "首次获得备案的四川省瞪羚企业"]  # 100万 before 80万
    assert rows[0]["金额（元）"] == 1_000_000 and rows[0]["限定"] == "不超过" and rows[1]["支持类型"] == "后补助"
    assert [r["条款"] for r in support_table(seed_index, keyword="瞪羚")] == ["(三十)"]
    assert support_table(seed_index, kind="贴息") == []
    assert support_table(seed_index, doc_id="another") == []
    write_xlsx(rows, ITEM_COLUMNS, tmp_path / "x.xlsx")
    from openpyxl import load_workbook
    sheet = list(load_workbook(tmp_path / "x.xlsx").active.iter_rows(values_only=True))
    assert sheet[0] == ITEM_COLUMNS and dict(zip(sheet[0], sheet[1]))["金额（元）"] == 1_000_000  # a number, for sorting
    assert dict(zip(sheet[0], sheet[1]))["金额或比例"] == "100万元"  # as the document writes it


# --- 惠企政策: whole conditions, who receives the support, the table's HTML -------------------


def _items(*paths):
    from assistant.corpus import parse_documents
    from assistant.items import extract_items, is_support
    from assistant.load import load_document

    docs = [load_document(p) for p in paths]
    records = parse_documents(docs, 480)[1]
    return records, [it for it in extract_items(records) if is_support(it)]


def test_conditions_are_whole_clauses_not_fragments():
    from assistant.beneficiary import whole_conditions

    from .conftest import GESHUI, JIUYE, SHANGHAI

    _, items = _items(GESHUI, JIUYE, SHANGHAI)
    whole = {(it.measure_label, tuple(f.text for f in it.figures), it.quote[:12]): w for it, w in zip(items, whole_conditions(items))}

    def of(label, figure=None, start=""):
        hits = [w for (m, figs, q), w in whole.items() if m == label and (figure is None or figure in figs) and q.startswith(start)]
        assert len(hits) == 1, (label, figure, start, hits)
        return hits[0]

    # Options of one grant in a sentence about the parents: its subject, not "父母可以选择由其中一方".
    assert of("第六条", "100%") == of("第六条", "50%") == "父母"
    # A cap or a term of the grant before it keeps that grant's condition.
    assert of("第二十二条", "1000元") == of("第二十二条", "2000元", "纳税人为非") == "纳税人为非独生子女的"
    assert of("第十四条", "240个月") == of("第十四条", "1000元")
    assert of("第十一条", "80000元") == "在一个纳税年度内，纳税人发生的与基本医保相关的医药费用支出"  # not 由纳税人在办理…时
    assert of("第八条", "3600元") == "纳税人接受技能人员职业资格继续教育、专业技术人员职业资格继续教育的支出，在取得相关证书的当年"
    # 对X，… : X, however the grant is written after it.
    assert of("（一）", "50%", "对面临") == "面临暂时性生产经营困难且恢复有望、坚持不裁员或少裁员的参保企业"
    assert of("（十）") == "特别重大的项目"
    assert of("（七）", None, "对其中") == "其中就业困难人员和零就业家庭成员在培训期间"
    # The recipient written after the verb: 奖励…机构等单位.
    assert of("（三）", None, "推动") == "创业担保贷款基金运营管理机构等单位"
    assert of("（八）") == "参保职工取得职业资格证书或职业技能等级证书的"


def test_enumerated_conditions_keep_their_tiers():
    from assistant.beneficiary import whole_conditions
    from assistant.items import record_items

    r = Record(doc_id="x", doc_title="某措施", doc_number=None, kind="measure", section="一", section_title="支持",
               measure=1, measure_label="（一）", title="奖励", text="（一）对新认定的国家级、省级示范园区分别给予100万元、50万元奖励。",
               start=0, end=40)
    items = record_items(r)
    assert whole_conditions(items) == ["新认定的国家级示范园区", "新认定的省级示范园区"]


def test_support_goes_to_organisations_or_persons():
    from assistant.beneficiary import ORGANISATION, PERSON, beneficiary

    assert beneficiary("小微企业当年新招用符合创业担保贷款申请条件的人员数量达到…的") == ORGANISATION  # the first named
    assert beneficiary("符合创业担保贷款申请条件的人员自主创业的") == PERSON
    assert beneficiary("增值税小规模纳税人") == ORGANISATION and beneficiary("纳税人为独生子女的") == PERSON
    assert beneficiary("个人独资企业") == ORGANISATION
    assert beneficiary("组织失业青年参加就业见习") == PERSON  # 组织 as a verb
    assert beneficiary("直辖市、省会城市", "扣除标准为每月1500元", "纳税人在主要工作城市没有自有住房…") == PERSON  # from the measure
    assert beneficiary("特别重大的项目") == ORGANISATION and beneficiary("到2025年") == ""


def test_support_table_for_enterprises_by_default():
    from assistant.views import for_whom, support_table

    from .conftest import GESHUI, JIUYE

    records, items = _items(GESHUI, JIUYE)
    index = SimpleNamespace(records=records, documents={})
    default = support_table(index, items=items)
    everything = support_table(index, items=items, who="全部")
    personal = support_table(index, items=items, who="个人")
    assert len(default) + len(personal) == len(everything) and default and personal
    assert {r["受益方"] for r in default} <= {"企业和组织", "未写明"} and {r["受益方"] for r in personal} == {"个人"}
    assert not any("纳税人" in r["适用对象"] for r in default)
    top = default[0]
    assert top["金额或比例"] == "300万元" and top["金额（元）"] == 3_000_000 and top["适用对象"].startswith("小微企业")
    assert for_whom(everything, "全部") == everything
    assert [r["适用对象"] for r in support_table(index, items=items, keyword="父母", who="个人")] == ["父母", "父母"]


def test_tables_are_escaped_sortable_and_keep_figures_whole():
    from assistant.tables import ITEM_TABLE, Column, bars_html, table_html

    rows = [{"适用对象": "对<b>企业</b>给予300万元", "金额或比例": "300万元", "金额（元）": 3_000_000.0, "条款": "（三十）"},
            {"适用对象": "人员", "金额或比例": "50%", "金额（元）": None, "条款": "（一）"}]
    html = table_html(rows, ITEM_TABLE, "惠企政策", sorted_by="金额或比例")
    assert "<b>" not in html and "&lt;b&gt;" in html
    assert '<span class="pqa-nobr">300万元</span>' in html  # a figure in running text stays whole
    assert 'data-sort="3000000.0"' in html and 'data-sort=""' in html  # sorted by the number behind 300万元
    assert html.count('aria-sort="descending"') == 1 and '<td class="pqa-label" data-sort="3000000.0">300万元</td>' in html
    limited = table_html(rows * 3, [Column("条款")], "表", limit=2)
    assert "共 6 行，这里显示前 2 行" in limited and limited.count("<tr>") == 3  # the header and two rows
    assert "没有符合条件的记录" in table_html([], [Column("条款")], "表")
    units = table_html([{"牵头单位": "省发展改革委、经济和信息化厅"}], [Column("牵头单位", "list")], "表")
    assert '<span class="pqa-nobr">省发展改革委</span>、<span class="pqa-nobr">经济和信息化厅</span>' in units

    chart = bars_html([{"单位": "财政厅", "角色": "牵头", "措施数": 1}, {"单位": "科技厅", "角色": "配合", "措施数": 3},
                       {"单位": "科技厅", "角色": "牵头", "措施数": 2}], "各单位的措施数")
    assert chart.index("科技厅") < chart.index("财政厅") and chart.count("<tr") == 2
    assert 'title="科技厅：牵头 2，配合 3"' in chart and ">5</td>" in chart
