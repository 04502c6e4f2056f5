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
    assert sheet[0] == ITEM_COLUMNS and sheet[1][5] == 1_000_000
