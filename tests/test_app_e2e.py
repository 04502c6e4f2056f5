"""End to end: the real app in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

What a Chinese user meets at 1366 px: an example that asks when clicked, the send button, an
empty question, highlights that are HTML (no `**` in any rendered text), folded citations, the
source panel after a refusal, the responsibility table with its 共同负责 column on screen, a
filter that says it was applied and a chart that follows it, Gradio's own texts in Chinese in an
English browser, an upload that becomes askable and selectable in the chat, a removal that asks
for confirmation, and, with logins configured, upload and removal refused to a non-admin by the
server, not only hidden. Under CI=true a missing browser is a failure, not a skip: `make test`
installs it (scripts/test-deps.sh). The apps run over copies of tests/data, never corpus/.
"""
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from .conftest import ROOT, SEED

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
WIDTH = 1366  # the narrowest common office screen
NEW_POLICY = """某某市关于支持人工智能企业发展的若干措施
一、支持措施
（一）设立算力补贴。对租用公共算力平台的企业，按实际费用给予最高50万元算力补贴。（责任单位：市科技局，市财政局）
（二）支持人才引进。对引进的人工智能领军人才给予安家支持。（责任单位：市人社局，市科技局）
"""
NEW_TITLE = "某某市关于支持人工智能企业发展的若干措施"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_app(root: Path, docs=(SEED,), **env_extra: str):
    """`python app.py` on a free port over a copy of `docs` (the seed) in `root`; yields its URL.

    POLICYQA_HOST is left unset: the app must bind to 127.0.0.1 by itself (test_binds_to_loopback).
    """
    (root / "corpus").mkdir()
    for doc in docs:
        shutil.copy(doc, root / "corpus" / doc.name)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYQA_")}
    env.update(POLICYQA_CORPUS=str(root / "corpus"), POLICYQA_INDEX=str(root / "index"), POLICYQA_PORT=str(port),
               GRADIO_TEMP_DIR=str(root / "gradio-tmp"), **env_extra)
    log = open(root / "app.log", "w")
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.time() + 240
        while time.time() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"app exited: {(root / 'app.log').read_text()[-2000:]}")
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("app did not start within 240 s")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def _need_browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed: `make test` installs it via scripts/test-deps.sh")
        pytest.skip("chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    _need_browser()
    root = tmp_path_factory.mktemp("app")
    with running_app(root) as url:
        yield url, root


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    _need_browser()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def page(app_url, browser):
    # An English browser: Gradio's own texts must still be Chinese (assistant/ui_zh.py).
    ctx = browser.new_context(viewport={"width": WIDTH, "height": 900}, locale="en-US")
    pg = ctx.new_page()
    pg.goto(app_url[0])
    yield pg
    ctx.close()


def ask(page, question: str, enter: bool = True) -> None:
    box = page.locator("#question textarea, #question input").first
    box.fill(question)
    if enter:
        box.press("Enter")
    else:
        page.locator("#send").click()


def bubbles(page) -> int:
    return page.locator("#chat .message-row").count()


def answer(page, question: str, enter: bool = True):
    """Ask, wait for the finished answer (two more bubbles, no 正在检索), return its bubble."""
    from playwright.sync_api import expect

    before = bubbles(page)
    ask(page, question, enter)
    expect(page.locator("#chat .message-row")).to_have_count(before + 2, timeout=60_000)
    last = page.locator("#chat .bot-row").last
    expect(last).not_to_contain_text("正在检索", timeout=60_000)
    return last


def markdown_leaks(page) -> list[str]:
    """Rendered text nodes that show Markdown emphasis markers instead of emphasis."""
    return page.evaluate("""() => {
        const out = [], w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        while (w.nextNode()) { const t = w.currentNode.textContent; if (t.includes('**')) out.push(t.slice(0, 80)); }
        return out; }""")


def choose(page, elem_id: str, label_part: str) -> None:
    """Pick the option of a Gradio dropdown whose label contains `label_part`."""
    page.locator(f"#{elem_id} input").click()
    page.get_by_role("option").filter(has_text=label_part).first.click()


def shots_dir(app_url) -> Path:
    d = Path(os.environ.get("POLICYQA_SCREENSHOT_DIR") or app_url[1])
    d.mkdir(parents=True, exist_ok=True)
    return d


def test_binds_to_loopback(app_url):
    # POLICYQA_HOST unset: the listening socket is 127.0.0.1 only (hex 0100007F in /proc/net/tcp).
    port = int(app_url[0].rsplit(":", 1)[1].strip("/"))
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError):
            for line in Path(table).read_text().splitlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                addr, p = local.split(":")
                if int(p, 16) == port and state == "0A":  # 0A: LISTEN
                    listening.append(addr)
    assert listening == ["0100007F"], listening


def test_example_click_asks_and_cites(page, app_url):
    from playwright.sync_api import expect

    chat = page.locator("#chat")
    page.locator("#examples").get_by_text("新认定的省级新经济示范企业能获得多少资金奖励？").click()  # no Enter needed
    expect(chat).to_contain_text("100万元", timeout=60_000)
    expect(chat).to_contain_text("三十")
    expect(chat.locator("mark.pqa-hl").filter(has_text="100万元").first).to_be_visible()  # emphasis is HTML
    expect(page.locator("#source")).to_contain_text("加大财税支持")  # the whole measure
    expect(page.locator("#source")).to_contain_text("正在显示")  # and says what it shows
    expect(page.locator("#citations")).to_be_visible()
    page.screenshot(path=str(shots_dir(app_url) / "chat.png"), full_page=True)
    expect(answer(page, "那它的配合单位呢？")).to_contain_text("四川省税务局")


def test_send_button_and_empty_question(page):
    from playwright.sync_api import expect

    before = bubbles(page)
    ask(page, "   ", enter=False)
    expect(page.locator("#chat-hint")).to_contain_text("请先输入问题", timeout=10_000)
    page.wait_for_timeout(500)
    assert bubbles(page) == before  # no empty user bubble
    chat = answer(page, "川办发〔2021〕93号的文号是什么？", enter=False)
    expect(chat).to_contain_text("文号：川办发〔2021〕93号")
    # The 文号 is one highlight, not 2021 and 93 marked separately.
    expect(chat.locator("mark.pqa-hl").filter(has_text="川办发〔2021〕93号").last).to_be_visible()
    assert not chat.locator("mark.pqa-hl").filter(has_text="2021").filter(has_not_text="川办发").count()
    assert page.locator("#chat-hint").inner_text().strip() == ""


def test_many_citations_fold_and_nothing_leaks_markdown(page):
    from playwright.sync_api import expect

    more = answer(page, "经济和信息化厅牵头了哪些措施？").locator("details.pqa-more")
    expect(more).to_contain_text("其余")
    assert more.get_attribute("open") is None  # folded
    expect(answer(page, "到2025年新经济增加值年均增速目标是多少？")).to_contain_text("10%")
    assert markdown_leaks(page) == []


def test_refusal_says_what_the_source_panel_shows(page):
    from playwright.sync_api import expect

    answer(page, "火星移民能获得多少补贴？")
    expect(page.locator("#source")).to_contain_text("没有引用条款")
    expect(page.locator("#citations")).to_be_hidden()
    # Clearing the chat (Gradio's own button, labelled in Chinese) also resets the source panel.
    page.locator("#chat").get_by_role("button", name="清空对话").click()
    expect(page.locator("#chat .message-row")).to_have_count(0, timeout=10_000)
    expect(page.locator("#source")).to_contain_text("提问后")


def test_responsibilities_fit_filter_and_chart(page, app_url):
    from playwright.sync_api import expect

    page.get_by_role("tab", name="责任分工").click()
    table = page.locator("#duties")
    expect(table).to_contain_text("加速突破前沿技术", timeout=30_000)
    for header in ("牵头单位", "配合单位", "共同负责", "负责单位（未定牵头）"):
        box = table.get_by_role("columnheader").filter(has_text=header).first.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, (header, box)
    expect(table).to_contain_text("司法厅")  # a joint unit of (二十六), in the 共同负责 column
    chart = page.locator("#duties-chart")
    expect(chart).to_contain_text("教育厅")  # not in the measures of 省大数据中心
    page.screenshot(path=str(shots_dir(app_url) / "duties.png"), full_page=True)

    box = page.locator("#unit-filter textarea, #unit-filter input").first
    box.fill("大数据中心")  # an alias of 省大数据中心
    page.locator("#unit-go").click()
    expect(table).not_to_contain_text("加速突破前沿技术", timeout=30_000)
    expect(table).to_contain_text("强化数字新基建")
    expect(table).to_contain_text("高质量发展平台经济")
    expect(page.locator("#duties-note")).to_contain_text("省大数据中心")
    expect(chart).not_to_contain_text("教育厅")  # the chart counts the filtered measures only
    expect(chart).to_contain_text("省大数据中心")

    box.fill("发改委")  # in every measure of the seed: the table does not change, the note says why
    page.locator("#unit-go").click()
    note = page.locator("#duties-note")
    expect(note).to_contain_text("已按单位筛选", timeout=30_000)
    expect(note).to_contain_text("省发展改革委")
    expect(note).to_contain_text("每一条措施")
    box.fill("")
    page.locator("#unit-go").click()
    expect(note).to_contain_text("未按单位筛选", timeout=30_000)


def test_support_items_tab_filters_and_downloads(page, app_url, tmp_path):
    """惠企政策 (issue 10.7): every support item of the library, filtered by keyword, as CSV and XLSX;
    an amount answer in the chat shows its items the same way."""
    from playwright.sync_api import expect

    page.get_by_role("tab", name="惠企政策").click()
    table = page.locator("#support")
    expect(table).to_contain_text("新认定的省级新经济示范企业", timeout=30_000)
    expect(table).to_contain_text("首次获得备案的四川省瞪羚企业")
    expect(page.locator("#support-note")).to_contain_text("共 2 项")
    box = page.locator("#support-keyword textarea, #support-keyword input").first
    box.fill("瞪羚")
    page.locator("#support-go").click()
    expect(page.locator("#support-note")).to_contain_text("共 1 项", timeout=30_000)
    expect(table).not_to_contain_text("新认定的省级新经济示范企业")
    with page.expect_download() as dl:
        page.locator("#support-xlsx").click()
    assert dl.value.suggested_filename.endswith(".xlsx")
    path = tmp_path / "items.xlsx"
    dl.value.save_as(path)
    from openpyxl import load_workbook

    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    head = dict(zip(rows[0], rows[1]))
    assert len(rows) == 2 and head["适用对象"] == "首次获得备案的四川省瞪羚企业" and head["金额（元）"] == 800000
    assert head["金额或比例"] == "80万元" and head["受益方"] == "企业和组织"
    page.screenshot(path=str(shots_dir(app_url) / "support.png"), full_page=True)

    page.get_by_role("tab", name="问答").click()
    page.locator("#question textarea, #question input").first.fill("瞪羚企业能拿多少钱？")
    page.locator("#send").click()
    items = page.locator("#chat .pqa-items").last
    expect(items).to_contain_text("首次获得备案的四川省瞪羚企业", timeout=60_000)
    expect(items).to_contain_text("80万元")


def test_documents_tab_is_chinese_upload_and_choose_in_chat(page, app_url):
    from playwright.sync_api import expect

    page.get_by_role("tab", name="文件").click()
    upload = page.locator("#upload")
    expect(upload).to_contain_text("将文件拖放到此处", timeout=30_000)  # the browser asked for en-US
    expect(upload).to_contain_text("点击上传")
    expect(upload).not_to_contain_text("Drop File Here")
    docs = page.locator("#docs")
    expect(docs).to_contain_text("川办发〔2021〕93号")
    expect(docs).not_to_contain_text("doc_id")
    page.screenshot(path=str(shots_dir(app_url) / "documents.png"), full_page=True)

    path = app_url[1] / "ai_measures.txt"
    path.write_text(NEW_POLICY, encoding="utf-8")
    page.locator("#upload input[type=file]").set_input_files(str(path))
    status = page.locator("#upload-status")
    expect(status).to_contain_text("已加入", timeout=120_000)
    expect(status).to_contain_text(NEW_TITLE)
    expect(docs).to_contain_text(NEW_TITLE)
    assert (app_url[1] / "corpus" / "ai_measures.txt").exists()
    assert (app_url[1] / "gradio-tmp").is_dir()  # where Gradio put the upload ...
    assert not list((app_url[1] / "gradio-tmp").rglob("ai_measures.txt"))  # ... now kept only in the corpus folder

    page.get_by_role("tab", name="问答").click()
    expect(answer(page, "租用公共算力平台的企业能获得多少算力补贴？")).to_contain_text("50万元")
    # Both documents have a (一); the selector, listing the new document by title, picks it.
    choose(page, "chat-doc", NEW_TITLE)
    expect(answer(page, "第（一）条由哪个单位牵头？")).to_contain_text("市科技局")
    choose(page, "chat-doc", "全部文件")


def test_bad_upload_gets_a_chinese_message_and_keeps_the_index(page, app_url):
    from playwright.sync_api import expect

    bad = app_url[1] / "empty.txt"
    bad.write_bytes(b"")
    page.get_by_role("tab", name="文件").click()
    page.locator("#upload input[type=file]").set_input_files(str(bad))
    status = page.locator("#upload-status")
    expect(status).to_contain_text("未加入", timeout=60_000)
    expect(status.locator(".pqa-badge")).to_have_text("未加入")  # a styled word, no emoji
    assert not any(ch in status.inner_text() for ch in "✅❌")
    assert not (app_url[1] / "corpus" / "empty.txt").exists()


def test_an_oversized_file_is_refused_in_chinese(page, app_url):
    from playwright.sync_api import expect

    big = app_url[1] / "big_policy.txt"
    big.write_bytes(b"x" * (21 * 2**20))  # over POLICYQA_MAX_UPLOAD_MB (20)
    page.get_by_role("tab", name="文件").click()
    page.locator("#upload input[type=file]").set_input_files(str(big))
    note = page.get_by_text("文件过大").first
    expect(note).to_be_visible(timeout=30_000)
    expect(note).to_contain_text("POLICYQA_MAX_UPLOAD_MB")
    assert not page.get_by_text("exceed the maximum").count()
    assert "big_policy.txt" not in str(list((app_url[1] / "gradio-tmp").rglob("*")))
    page.keyboard.press("Escape")


def test_removal_asks_for_confirmation(page, app_url):
    from playwright.sync_api import expect

    page.get_by_role("tab", name="文件").click()
    target = app_url[1] / "corpus" / "ai_measures.txt"
    assert target.exists()
    choose(page, "victim", NEW_TITLE)
    page.locator("#remove").click()
    confirm = page.locator("#confirm-box")
    expect(confirm).to_be_visible(timeout=30_000)
    expect(confirm).to_contain_text(NEW_TITLE)  # says what will be removed
    expect(confirm).to_contain_text("ai_measures.txt")
    assert target.exists()  # nothing happened yet
    page.locator("#cancel-remove").click()
    expect(confirm).to_be_hidden(timeout=30_000)
    assert target.exists()

    page.locator("#remove").click()
    expect(confirm).to_be_visible(timeout=30_000)
    page.locator("#confirm-remove").click()
    expect(page.locator("#upload-status")).to_contain_text("已删除", timeout=120_000)
    expect(page.locator("#docs")).not_to_contain_text(NEW_TITLE)
    assert not target.exists()
    page.get_by_role("tab", name="问答").click()
    page.locator("#chat-doc input").click()
    expect(page.get_by_role("option").filter(has_text="川办发〔2021〕93号")).to_be_visible()
    expect(page.get_by_role("option").filter(has_text=NEW_TITLE)).to_have_count(0)
    page.keyboard.press("Escape")


def test_api_ask_with_and_without_a_document(app_url):
    from gradio_client import Client

    client = Client(app_url[0], verbose=False)
    a = client.predict("新认定的省级新经济示范企业能获得多少资金奖励？", api_name="/ask")
    assert a["found"] and "100万元" in a["answer"]
    b = client.predict("第（十三）条由哪个单位牵头？", "川办发〔2021〕93号", api_name="/ask")
    assert {c["doc_id"] for c in b["citations"]} == {SEED.stem}


# --- logins: asking open to users, upload and removal for admins only -----------------------


@pytest.fixture(scope="module")
def auth_app(tmp_path_factory):
    _need_browser()
    root = tmp_path_factory.mktemp("auth-app")
    with running_app(root, POLICYQA_USERS="reader:read-pw", POLICYQA_ADMINS="chief:chief-pw") as url:
        yield url, root


def _session(url: str, user: str, password: str):
    import httpx

    s = httpx.Client(base_url=url, timeout=120)
    r = s.post("login", data={"username": user, "password": password})
    assert r.status_code == 200, r.text
    return s


def _call(s, elem_id: str, event: str, data: list) -> list:
    """Run the handler that `event` on the component `elem_id` triggers, as the page would
    (queue/join with its fn_index), bypassing whatever the page shows or hides."""
    config = s.get("config").json()
    comp = next(c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == elem_id)
    dep = next(d for d in config["dependencies"] if [comp, event] in [list(t) for t in d["targets"]])
    session = uuid.uuid4().hex
    r = s.post("gradio_api/queue/join", json={"data": data, "fn_index": dep["id"], "session_hash": session,
                                              "event_data": None, "trigger_id": comp})
    assert r.status_code == 200, r.text
    with s.stream("GET", "gradio_api/queue/data", params={"session_hash": session}) as events:
        for line in events.iter_lines():
            if line.startswith("data:"):
                msg = json.loads(line[5:])
                if msg.get("msg") == "process_completed":
                    assert msg.get("success"), msg
                    return msg["output"]["data"]
    raise AssertionError("no process_completed event")


def test_admin_only_uploads_are_enforced_by_the_server(auth_app):
    url, root = auth_app
    reader, chief = _session(url, "reader", "read-pw"), _session(url, "chief", "chief-pw")
    files = sorted(p.name for p in (root / "corpus").iterdir())

    # A logged-in reader posts a valid policy file to Gradio's upload route: refused, nothing stored.
    policy = root / "ai_measures.txt"
    policy.write_text(NEW_POLICY, encoding="utf-8")
    with open(policy, "rb") as f:
        r = reader.post("gradio_api/upload", files={"files": ("ai_measures.txt", f, "text/plain")})
    assert r.status_code == 403 and "管理员" in r.text
    # ... and calls the upload handler directly with a file the admin put in Gradio's cache: refused.
    with open(policy, "rb") as f:
        uploaded = chief.post("gradio_api/upload", files={"files": ("ai_measures.txt", f, "text/plain")}).json()[0]
    out = _call(reader, "upload", "upload", [{"path": uploaded, "orig_name": "ai_measures.txt",
                                              "meta": {"_type": "gradio.FileData"}}])
    assert "未加入" in out[0] and "管理员" in out[0]
    assert not Path(uploaded).exists()  # the refused upload's temporary copy is gone at once
    out = _call(reader, "remove", "click", [SEED.stem])
    assert "未删除" in out[0] and "管理员" in out[0]
    assert sorted(p.name for p in (root / "corpus").iterdir()) == files

    # The admin gets the confirmation step for the same request: the refusal above was about the user.
    out = _call(chief, "remove", "click", [SEED.stem])
    assert "确定删除" in out[3]
    assert sorted(p.name for p in (root / "corpus").iterdir()) == files
    # And asking stays open to the reader.
    from gradio_client import Client

    a = Client(url, auth=("reader", "read-pw"), verbose=False).predict("新认定的省级新经济示范企业能获得多少资金奖励？",
                                                                         api_name="/ask")
    assert "100万元" in a["answer"]


def test_reader_sees_no_upload_controls(auth_app, browser):
    from playwright.sync_api import expect

    ctx = browser.new_context(viewport={"width": WIDTH, "height": 900}, locale="en-US")
    pg = ctx.new_page()
    pg.goto(auth_app[0])
    pg.locator("input[type=text], input:not([type])").first.fill("reader")
    pg.locator("input[type=password]").fill("read-pw")
    pg.keyboard.press("Enter")
    expect(pg.get_by_role("tab", name="文件")).to_be_visible(timeout=60_000)
    pg.get_by_role("tab", name="文件").click()
    expect(pg.locator("#manage-denied")).to_contain_text("管理员", timeout=30_000)
    expect(pg.locator("#upload")).to_be_hidden()
    ctx.close()


# --- the LLM path ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def llm_app(tmp_path_factory):
    """The app with POLICYQA_LLM_* pointing at a scripted OpenAI-protocol server on 127.0.0.1."""
    from .openai_server import ScriptedLLM

    _need_browser()
    server = ScriptedLLM()
    try:
        with running_app(tmp_path_factory.mktemp("llm-app"), POLICYQA_LLM_BASE_URL=server.url,
                         POLICYQA_LLM_MODEL="test-model") as url:
            yield url, server
    finally:
        server.httpd.shutdown()


def test_llm_answer_streams_and_is_verified_in_the_chat(llm_app, page):
    from playwright.sync_api import expect

    from .openai_server import ref_for

    url, server = llm_app
    server.script = [{"content": lambda b: f"对新认定的省级新经济示范企业，给予一次性不超过100万元资金奖励[{ref_for(b, '(三十)')}]。"}]
    page.goto(url)
    ask(page, "新认定的省级新经济示范企业能获得多少资金奖励？")
    chat = page.locator("#chat")
    expect(chat).to_contain_text("已核验", timeout=60_000)
    expect(chat).to_contain_text("100万元")
    expect(chat).to_contain_text("三十")
    assert server.requests and server.requests[-1].get("stream") is True  # the chat asked for a stream
    # An invented amount is not shown: the extractive answer replaces it.
    # With a history the follow-up is first condensed into a standalone question (one more request).
    server.script = [{"content": "瞪羚企业能拿多少钱？"},
                     {"content": lambda b: f"奖励为500万元[{ref_for(b, '(三十)')}]。"}]
    ask(page, "瞪羚企业能拿多少钱？")
    expect(chat).to_contain_text("大模型回答未采用", timeout=60_000)
    expect(chat).to_contain_text("80万元")
    expect(chat).not_to_contain_text("500万元")
