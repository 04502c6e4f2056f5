"""Corpus management behind the app: validated uploads, removal, the responsibility table."""
import shutil

import pytest

from assistant.config import Settings
from assistant.errors import BadDocumentError
from assistant.index import build_index, open_index, read_manifest
from assistant.manage import add_document, remove_document, safe_name
from assistant.views import responsibility_table, unit_counts

from .conftest import SEED

POLICY = "某某市关于支持企业发展的若干措施\n一、支持措施\n（一）设立算力补贴。给予最高50万元补贴。（责任单位：市科技局，市财政局）\n（二）支持人才。给予安家支持。（责任单位：市人社局）\n"


@pytest.mark.parametrize("name, safe", [("../../etc/passwd.txt", "passwd.txt"), ("..\\..\\x.PDF", "x.pdf"),
                                        ("政策 文件(1).docx", "政策_文件_1.docx"), ("", "document")])
def test_safe_name(name, safe):
    assert safe_name(name) == safe


@pytest.fixture
def settings(tmp_path, embedder):
    (tmp_path / "corpus").mkdir()
    shutil.copy(SEED, tmp_path / "corpus" / SEED.name)
    s = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index", max_upload_mb=1)
    build_index(s, embedder=embedder, progress=False)
    return s


def test_add_then_remove(settings, tmp_path):
    up = tmp_path / "upload.tmp"
    up.write_text(POLICY, encoding="utf-8")
    added = add_document(settings, up, "../city_ai.txt")
    assert added.doc_id == "city_ai" and added.measures == 2 and (settings.corpus_dir / "city_ai.txt").exists()
    assert "city_ai" in open_index(settings).documents
    with pytest.raises(BadDocumentError, match="同名"):
        add_document(settings, up, "city_ai.txt")
    remove_document(settings, "city_ai")
    assert not (settings.corpus_dir / "city_ai.txt").exists()
    assert "city_ai" not in open_index(settings).documents


@pytest.mark.parametrize("name, data, words", [
    ("empty.txt", b"", "empty"), ("plain.txt", "没有编号的一段文字，讲别的事情。".encode(), "编号"),
    ("sheet.xlsx", b"x", "不支持"), ("big.txt", b"a" * (2 * 2**20), "过大"),
])
def test_bad_upload_leaves_corpus_and_index(settings, tmp_path, name, data, words):
    up = tmp_path / "upload.tmp"
    up.write_bytes(data)
    before = read_manifest(settings.index_dir)
    files = sorted(p.name for p in settings.corpus_dir.iterdir())
    with pytest.raises(BadDocumentError, match=words):
        add_document(settings, up, name)
    assert read_manifest(settings.index_dir) == before
    assert sorted(p.name for p in settings.corpus_dir.iterdir()) == files


def test_responsibility_table_and_counts(seed_index):
    rows = responsibility_table(seed_index, "大数据中心")
    assert [r["measure"] for r in rows] == [10, 14, 22]
    assert len(responsibility_table(seed_index)) == 31
    counts = {(c["单位"], c["角色"]): c["措施数"] for c in unit_counts(seed_index)}
    assert counts[("财政厅", "牵头")] == 1 and counts[("省大数据中心", "配合")] == 3
    assert counts[("司法厅", "共同负责")] == 1
