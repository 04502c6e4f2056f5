"""End to end: the real app in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

Asks a question and sees the figure and the measure, asks a follow-up, filters the
responsibilities view, uploads a document and gets an answer from it. Under CI=true a missing
browser is a failure, not a skip: `make test` installs it (scripts/test-deps.sh).
"""
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT, SEED

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
NEW_POLICY = """某某市关于支持人工智能企业发展的若干措施
一、支持措施
（一）设立算力补贴。对租用公共算力平台的企业，按实际费用给予最高50万元算力补贴。（责任单位：市科技局，市财政局）
（二）支持人才引进。对引进的人工智能领军人才给予安家支持。（责任单位：市人社局，市科技局）
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_app(root: Path, **env_extra: str):
    """`python app.py` on a free port over a copy of the seed in `root`; yields its URL."""
    (root / "corpus").mkdir()
    shutil.copy(SEED, root / "corpus" / SEED.name)
    port = _free_port()
    env = dict(os.environ, POLICYQA_CORPUS=str(root / "corpus"), POLICYQA_INDEX=str(root / "index"),
               POLICYQA_PORT=str(port), POLICYQA_HOST="127.0.0.1", **env_extra)
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


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed: `make test` installs it via scripts/test-deps.sh")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    root = tmp_path_factory.mktemp("app")
    with running_app(root) as url:
        yield url, root


@pytest.fixture(scope="module")
def page(app_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        pg = browser.new_page(viewport={"width": 1400, "height": 1000})
        pg.goto(app_url[0])
        yield pg
        browser.close()


def ask(page, question: str) -> None:
    box = page.locator("#question textarea, #question input").first
    box.fill(question)
    box.press("Enter")


def test_chat_cites_the_measure_and_follows_up(page, app_url):
    from playwright.sync_api import expect

    chat = page.locator("#chat")
    ask(page, "新认定的省级新经济示范企业能获得多少资金奖励？")
    expect(chat).to_contain_text("100万元", timeout=60_000)
    expect(chat).to_contain_text("三十")
    expect(page.locator("#source")).to_contain_text("加大财税支持")  # the source panel shows the whole measure
    shots = Path(os.environ.get("POLICYQA_SCREENSHOT_DIR") or app_url[1])
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "chat.png"), full_page=True)
    ask(page, "那它的配合单位呢？")
    expect(chat).to_contain_text("四川省税务局", timeout=60_000)


def test_responsibilities_filter_by_unit(page):
    from playwright.sync_api import expect

    page.get_by_role("tab", name="责任分工").click()
    box = page.locator("#unit-filter textarea, #unit-filter input").first
    box.fill("大数据中心")  # an alias of 省大数据中心
    page.locator("#unit-go").click()
    table = page.locator("#duties")
    expect(table).to_contain_text("强化数字新基建", timeout=30_000)
    expect(table).to_contain_text("高质量发展平台经济")
    expect(table).not_to_contain_text("加速突破前沿技术")


def test_upload_a_document_and_ask_it(page, app_url):
    from playwright.sync_api import expect

    path = app_url[1] / "ai_measures.txt"
    path.write_text(NEW_POLICY, encoding="utf-8")
    page.get_by_role("tab", name="文件").click()
    page.locator("#upload input[type=file]").set_input_files(str(path))
    expect(page.locator("#upload-status")).to_contain_text("已加入", timeout=120_000)
    expect(page.locator("#docs")).to_contain_text("ai_measures")
    page.get_by_role("tab", name="问答").click()
    ask(page, "租用公共算力平台的企业能获得多少算力补贴？")
    expect(page.locator("#chat")).to_contain_text("50万元", timeout=60_000)


def test_bad_upload_gets_a_message_and_keeps_the_index(page, app_url):
    from playwright.sync_api import expect

    bad = app_url[1] / "empty.txt"
    bad.write_bytes(b"")
    page.get_by_role("tab", name="文件").click()
    page.locator("#upload input[type=file]").set_input_files(str(bad))
    expect(page.locator("#upload-status")).to_contain_text("未加入", timeout=60_000)
    assert not (app_url[1] / "corpus" / "empty.txt").exists()


@pytest.fixture(scope="module")
def llm_app(tmp_path_factory):
    """The app with POLICYQA_LLM_* pointing at a scripted OpenAI-protocol server on 127.0.0.1."""
    from .openai_server import ScriptedLLM

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
    server.script = [{"content": lambda b: f"对新认定的省级新经济示范企业，给予一次性不超过100万元资金奖励[{ref_for(b, '第(三十)条')}]。"}]
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
                     {"content": lambda b: f"奖励为500万元[{ref_for(b, '第(三十)条')}]。"}]
    ask(page, "瞪羚企业能拿多少钱？")
    expect(chat).to_contain_text("大模型回答未采用", timeout=60_000)
    expect(chat).to_contain_text("80万元")
    expect(chat).not_to_contain_text("500万元")
