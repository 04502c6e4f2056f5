"""Uploads from an office, end to end in headless Chromium: an old Word .doc and a WPS .wps file
(made at test time by LibreOffice from a .docx) are read through LibreOffice and become askable;
a file type the library does not read and a file over the size limit are refused in Chinese by
the app itself, never with Gradio's English "Invalid file type …" or "File(s) exceed …".
"""
import shutil
from pathlib import Path

import pytest

from .conftest import SEED
from .test_app_e2e import BROWSER_ARGS, CHROMIUM, NEW_POLICY, NEW_TITLE, _need_browser, answer, running_app
from .test_formats import _need


@pytest.fixture(scope="module")
def office_page(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    _need_browser()
    root = tmp_path_factory.mktemp("office-app")
    with running_app(root, docs=(SEED,), POLICYQA_MAX_UPLOAD_MB="1") as url, sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)
        page = b.new_context(viewport={"width": 1366, "height": 768}, locale="en-US").new_page()
        page.goto(url)
        page.get_by_role("tab", name="文件").click()
        yield page, root
        b.close()


def upload(page, path):
    """Choose `path` in the upload box; returns the status line (each test waits for its own words)."""
    page.locator("#upload input[type=file]").set_input_files(str(path))
    return page.locator("#upload-status")


def english_leaks(page) -> list[str]:
    return [t for t in page.locator("body").all_inner_texts() if "Invalid file type" in t or "exceed" in t]


def test_unsupported_type_is_refused_in_chinese(office_page):
    from playwright.sync_api import expect

    page, root = office_page
    sheet = root / "预算表.xls"
    sheet.write_bytes(b"\xd0\xcf\x11\xe0 not a policy")
    status = upload(page, sheet)
    expect(status).to_contain_text("不支持.xls文件", timeout=30_000)
    expect(status).to_contain_text("另存为 .docx 或 .pdf")
    expect(status).to_contain_text(".doc、.wps")  # the accepted types, old Word and WPS among them
    assert english_leaks(page) == []
    assert sorted(p.name for p in (root / "corpus").iterdir()) == [SEED.name]


def test_oversize_file_is_refused_in_chinese_before_it_is_sent(office_page):
    from playwright.sync_api import expect

    page, root = office_page
    big = root / "scan.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (1_100_000))  # over POLICYQA_MAX_UPLOAD_MB=1
    status = upload(page, big)
    expect(status).to_contain_text("文件过大", timeout=30_000)
    expect(status).to_contain_text("上限为 1 MB")
    assert english_leaks(page) == []
    assert not list((root / "gradio-tmp").rglob("scan.pdf"))  # refused in the browser: never uploaded


@pytest.mark.parametrize("ext", [".doc", ".wps"])
def test_old_word_and_wps_uploads_become_askable(office_page, ext):
    from playwright.sync_api import expect

    from assistant.extract import soffice
    from eval.formats import to_docx, to_legacy_word

    from .test_app_e2e import choose

    _need(Path(soffice() or "/usr/bin/soffice"), "LibreOffice (libreoffice-writer-nogui)")
    page, root = office_page
    made = to_legacy_word(to_docx(NEW_POLICY.splitlines(), root / f"ai{ext}.docx"), root / f"old{ext}.doc")
    path = root / f"ai_measures{ext}"
    shutil.move(made, path)
    status = upload(page, path)
    expect(status).to_contain_text("已加入", timeout=180_000)
    expect(status).to_contain_text(NEW_TITLE)
    expect(status).to_contain_text("2 条措施")
    assert (root / "corpus" / path.name).exists()
    page.get_by_role("tab", name="问答").click()
    expect(answer(page, "租用公共算力平台的企业能获得多少算力补贴？")).to_contain_text("50万元")
    page.get_by_role("tab", name="文件").click()
    # The .wps holds the same document: remove this one through the page first.
    choose(page, "victim", NEW_TITLE)
    page.locator("#remove").click()
    page.locator("#confirm-remove").click()
    expect(status).to_contain_text("已删除", timeout=120_000)
