"""`python -m assistant index` and `ask`: JSON, batch order, messages instead of tracebacks."""
import json
import shutil
import subprocess
import sys

import pytest

from .conftest import ROOT, SEED, SHANGHAI


def run(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=ROOT, capture_output=True, text=True,
                          input=stdin, timeout=300)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    (root / "corpus").mkdir()
    shutil.copy(SEED, root / "corpus" / SEED.name)
    p = run("index", "--corpus", str(root / "corpus"), "--index", str(root / "index"), "--quiet")
    assert p.returncode == 0, p.stderr
    assert "indexed 1 documents" in p.stdout
    p = run("index", "--corpus", str(root / "corpus"), "--index", str(root / "index"), "--quiet")
    assert "up to date" in p.stdout
    return root


def test_ask_json(built):
    p = run("ask", "--index", str(built / "index"), "--json", "第（十三）条由哪个单位牵头？")
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["found"] and d["citations"][0]["measure"] == 13


def test_ask_readable(built):
    p = run("ask", "--index", str(built / "index"), "新认定的省级新经济示范企业能获得多少资金奖励？")
    assert p.returncode == 0 and "100万元" in p.stdout and "[1]" in p.stdout


def test_batch_keeps_input_order(built, tmp_path):
    qs = ["第（十三）条由哪个单位牵头？", json.dumps({"question": "今天天气怎么样？", "id": "x"}, ensure_ascii=False),
          "", "省大数据中心参与了哪些措施？"]
    p = run("ask", "--index", str(built / "index"), "--batch", "-", stdin="\n".join(qs))
    assert p.returncode == 0, p.stderr
    out = [json.loads(line) for line in p.stdout.splitlines()]
    assert [o["question"] for o in out] == ["第（十三）条由哪个单位牵头？", "今天天气怎么样？", "省大数据中心参与了哪些措施？"]
    assert [o["found"] for o in out] == [True, False, True]


def test_batch_bad_line_names_the_line(built, tmp_path):
    f = tmp_path / "q.jsonl"
    f.write_text('{"question": "第十三条"}\n{"question": \n', encoding="utf-8")
    p = run("ask", "--index", str(built / "index"), "--batch", str(f))
    assert p.returncode == 2 and "line 2" in p.stderr and "Traceback" not in p.stderr


def test_missing_and_stale_index_messages(built, tmp_path):
    p = run("ask", "--index", str(tmp_path / "none"), "问题")
    assert p.returncode == 2 and "run `python -m assistant index" in p.stderr and "Traceback" not in p.stderr
    corpus = tmp_path / "corpus"
    shutil.copytree(built / "corpus", corpus)
    run("index", "--corpus", str(corpus), "--index", str(tmp_path / "idx"), "--quiet")
    shutil.copy(SHANGHAI, corpus / SHANGHAI.name)
    p = run("ask", "--index", str(tmp_path / "idx"), "第十三条")
    assert p.returncode == 2 and "changed since the index was built" in p.stderr


def test_empty_question_is_a_message(built):
    p = run("ask", "--index", str(built / "index"), "--json", "   ")
    assert p.returncode == 0 and "问题为空" in json.loads(p.stdout)["answer"]
