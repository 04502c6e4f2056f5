"""`python -m assistant measures` on a copy of the seed and on bad corpora."""
import json
import subprocess
import sys

from .conftest import ROOT


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_measures_json_on_the_seed(corpus_dir):
    p = run("measures", "--corpus", str(corpus_dir), "--json")
    assert p.returncode == 0, p.stderr
    rows = json.loads(p.stdout)
    ms = [r for r in rows if r["kind"] == "measure"]
    assert [r["measure"] for r in ms] == list(range(1, 32))
    assert ms[12]["lead_units"] == ["省发展改革委"]
    assert {r["section_title"] for r in rows if r["kind"] == "section"} == {"指导思想", "发展目标"}
    assert set(rows[0]) >= {"doc_id", "doc_title", "doc_number", "section", "section_title", "measure",
                            "measure_label", "title", "lead_units", "co_units", "joint", "text"}


def test_measures_csv_and_problems(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "plain.txt").write_text("这是一段没有编号的文字，讲的是别的事情。", encoding="utf-8")
    p = run("measures", "--corpus", str(tmp_path), "--csv")
    assert p.returncode == 0
    assert "empty.txt" in p.stderr and "plain.txt" in p.stderr and "Traceback" not in p.stderr
    assert p.stdout.startswith("doc_id,")


def test_missing_corpus_is_a_one_line_error(tmp_path):
    p = run("measures", "--corpus", str(tmp_path / "nope"))
    assert p.returncode == 2 and "does not exist" in p.stderr and "Traceback" not in p.stderr
