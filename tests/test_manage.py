"""Corpus management behind the app: validated uploads, removal, the responsibility table.

Every rejected upload must leave the corpus folder and the index exactly as they were: the tests
compare the corpus listing, manifest.json and the cached documents and lexicon byte for byte.
"""
import re
import shutil
import threading
import zipfile
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import BadDocumentError
from assistant.index import build_index, open_index
from assistant.manage import add_document, check_name, remove_document, safe_name
from assistant.views import responsibility_table, unit_counts

from .conftest import SEED, SHANGHAI
from .indexkit import CachedEmbedder, tree_digest

POLICY = "某某市关于支持企业发展的若干措施\n一、支持措施\n（一）设立算力补贴。给予最高50万元补贴。（责任单位：市科技局，市财政局）\n（二）支持人才。给予安家支持。（责任单位：市人社局）\n"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("name, safe", [("../../etc/passwd.txt", "passwd.txt"), ("..\\..\\x.PDF", "x.pdf"),
                                        ("政策 文件(1).docx", "政策_文件_1.docx"), ("", "document")])
def test_safe_name(name, safe):
    assert safe_name(name) == safe


@pytest.fixture
def emb(embedder):
    return CachedEmbedder(embedder)


@pytest.fixture
def settings(tmp_path, emb):
    (tmp_path / "corpus").mkdir()
    shutil.copy(SEED, tmp_path / "corpus" / SEED.name)
    s = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index", max_upload_mb=1)
    build_index(s, embedder=emb, progress=False)
    return s


def _state(settings):
    """What a rejected upload must not change."""
    return (sorted(p.name for p in settings.corpus_dir.iterdir()), (settings.index_dir / "manifest.json").read_bytes(),
            tree_digest(settings.index_dir / "docs"), tree_digest(settings.index_dir / "lexicon"))


def test_add_then_remove(settings, tmp_path, emb):
    up = tmp_path / "upload.tmp"
    up.write_text(POLICY, encoding="utf-8")
    added = add_document(settings, up, "city_ai.txt", embedder=emb)
    assert added.doc_id == "city_ai" and added.measures == 2 and (settings.corpus_dir / "city_ai.txt").exists()
    # Parsed and embedded before the write lock: the build that commits it reads and embeds nothing.
    assert added.report.added == ["city_ai.txt"] and added.report.parsed == 0 and added.report.embedded == 0
    assert not (settings.index_dir / "staging").exists() or not any((settings.index_dir / "staging").iterdir())
    assert "city_ai" in open_index(settings, embedder=emb).documents
    with pytest.raises(BadDocumentError, match="already in the corpus") as e:
        add_document(settings, up, "city_ai.txt", embedder=emb)
    assert "同名" in e.value.zh
    remove_document(settings, "city_ai", embedder=emb)
    assert not (settings.corpus_dir / "city_ai.txt").exists()
    assert "city_ai" not in open_index(settings, embedder=emb).documents
    with pytest.raises(BadDocumentError, match="no document with id"):
        remove_document(settings, "city_ai", embedder=emb)


def _zip_bomb(path, unpacked_mb=300):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w") as f:
            block = b"\0" * 2**20
            for _ in range(unpacked_mb):
                f.write(block)


def _zip_without_word(path):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", POLICY)


BAD_UPLOADS = [
    # name, how to make the bytes, what the English message says, what the Chinese one says
    ("empty.txt", lambda p: p.write_bytes(b""), "empty", "为空"),
    ("blank.txt", lambda p: p.write_bytes(b"  \n\n \t\n"), "empty", "无法读取"),
    ("plain.txt", lambda p: p.write_text("没有编号的一段文字，讲别的事情。", encoding="utf-8"), "numbered measures", "编号"),
    ("tags.html", lambda p: p.write_text("<html><body><div></div></body></html>", encoding="utf-8"), "no text", "无法读取"),
    ("sheet.xlsx", lambda p: p.write_bytes(b"x"), "unsupported file type", "不支持"),
    ("tool.exe", lambda p: p.write_bytes(b"MZ\x90\x00"), "unsupported file type", "不支持"),
    ("big.txt", lambda p: p.write_bytes("政策".encode() * 2**20), "too large", "过大"),
    ("binary.txt", lambda p: p.write_bytes(bytes(range(256)) * 16), "binary", "二进制"),
    ("archive.txt", _zip_without_word, "binary", "二进制"),
    ("fake.pdf", lambda p: p.write_text(POLICY, encoding="utf-8"), "not a PDF", "不是 PDF"),
    ("fake.docx", lambda p: p.write_text(POLICY, encoding="utf-8"), "not a Word .docx", "Word"),
    ("bomb.docx", _zip_bomb, "zip bomb", "解压"),
    ("bomb.doc", _zip_bomb, "zip bomb", "解压"),  # a .doc that is a zip gets the .docx checks before LibreOffice
    ("garbage.wps", lambda p: p.write_bytes(bytes(range(256)) * 16), "LibreOffice could not read", "LibreOffice 无法读取"),
    ("notword.docx", _zip_without_word, "not a Word document", "压缩包"),
]


@pytest.mark.parametrize("name, make, en, zh", BAD_UPLOADS, ids=[b[0] for b in BAD_UPLOADS])
def test_bad_upload_leaves_corpus_and_index(settings, tmp_path, emb, name, make, en, zh):
    up = tmp_path / "upload.tmp"
    make(up)
    before = _state(settings)
    with pytest.raises(BadDocumentError, match=en) as e:
        add_document(settings, up, name, embedder=emb)
    assert name in str(e.value) and zh in e.value.zh and CJK.search(e.value.zh)
    assert _state(settings) == before


@pytest.mark.parametrize("name, en", [
    ("../../evil.txt", "outside the corpus"), ("..\\..\\evil.txt", "outside the corpus"), ("/etc/evil.txt", "outside the corpus"),
    ("C:\\Users\\a\\evil.txt", "outside the corpus"), ("..", "outside the corpus"), (".hidden.txt", "hidden"),
    (".", "hidden"), ("CON.txt", "reserved device name"), ("nul.pdf", "reserved device name"), ("com1.docx", "reserved device name"),
    ("Lpt9.md", "reserved device name"), ("", "no name"), ("a\x00b.txt", "control characters"),
    # Reserved once cleaned: these were stored as corpus/CON.txt and corpus/nul.pdf.
    ("(CON).txt", "reserved device name"), ("_nul_.pdf", "reserved device name"), ("CON .txt", "reserved device name"),
])
def test_unsafe_names_are_refused(settings, tmp_path, emb, name, en):
    up = tmp_path / "upload.tmp"
    up.write_text(POLICY, encoding="utf-8")
    before = _state(settings)
    with pytest.raises(BadDocumentError, match=en) as e:
        add_document(settings, up, name, embedder=emb)
    assert CJK.search(e.value.zh)
    assert _state(settings) == before
    assert not list(settings.corpus_dir.parent.glob("evil*")) and not list(settings.corpus_dir.parent.parent.glob("evil*"))


def test_check_name_keeps_ordinary_names():
    assert check_name("川办发〔2021〕93号.docx") == "川办发_2021_93号.docx"
    assert check_name("policy.v2.PDF") == "policy.v2.pdf"


def test_same_document_twice_is_refused(settings, tmp_path, emb):
    up = tmp_path / "upload.tmp"
    shutil.copy(SEED, up)
    before = _state(settings)
    with pytest.raises(BadDocumentError, match=f"already in the corpus as {SEED.name}") as e:
        add_document(settings, up, "another_name.txt", embedder=emb)
    assert SEED.name in e.value.zh and "相同" in e.value.zh
    assert _state(settings) == before


def test_uploaded_doc_reads_like_the_docx(settings, tmp_path, emb):
    """Issue 20: an old Word file, made at test time by LibreOffice from a .docx with Word numbering
    and a 任务分工表, is indexed with the measures, texts and units of the .docx."""
    from assistant.extract import soffice
    from eval.formats import to_docx, to_legacy_word

    from .test_formats import _need, jiuye_with_duty_table

    _need(Path(soffice() or "/usr/bin/soffice"), "LibreOffice (libreoffice-writer-nogui)")
    lines, rows, _ = jiuye_with_duty_table()
    docx = to_docx(lines, tmp_path / "upload.docx", table=rows, table_note="附件：重点任务分工表")
    doc = to_legacy_word(docx, tmp_path / "upload.doc")
    a = add_document(settings, docx, "jiuye_word.docx", embedder=emb)
    b = add_document(settings, doc, "jiuye_old_word.doc", embedder=emb)
    assert a.measures == b.measures == 15 and a.title == b.title
    index = open_index(settings, embedder=emb)

    def measures(doc_id):
        return [(r.measure_label, r.text, r.lead_units, r.co_units) for r in index.records if r.doc_id == doc_id and r.kind == "measure"]

    assert measures("jiuye_word") == measures("jiuye_old_word") and len(measures("jiuye_old_word")) >= 15
    assert ("（一）", ("人力资源社会保障部",)) in [(m[0], m[2]) for m in measures("jiuye_old_word")]
    assert (settings.corpus_dir / "jiuye_old_word.doc").exists()


def test_concurrent_uploads_both_land(settings, tmp_path, emb):
    """Two uploads at once: the writer lock serialises them and neither update is lost."""
    a, b = tmp_path / "a.tmp", tmp_path / "b.tmp"
    a.write_text(POLICY, encoding="utf-8")
    shutil.copy(SHANGHAI, b)
    errors = []

    def add(path, name):
        try:
            add_document(settings, path, name, embedder=emb)
        except Exception as e:  # collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=add, args=(a, "city_ai.txt")), threading.Thread(target=add, args=(b, SHANGHAI.name))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert set(open_index(settings, embedder=emb).documents) == {"sichuan_new_economy_2021_93", "city_ai", "shanghai_lingang_shuangte"}


def test_responsibility_table_and_counts(seed_index):
    rows = responsibility_table(seed_index, "大数据中心")
    assert [r["measure"] for r in rows] == [10, 14, 22]
    assert len(responsibility_table(seed_index)) == 31
    counts = {(c["单位"], c["角色"]): c["措施数"] for c in unit_counts(seed_index)}
    assert counts[("财政厅", "牵头")] == 1 and counts[("省大数据中心", "配合")] == 3
    assert counts[("司法厅", "共同负责")] == 1


# --- an upload's sentence vectors follow its publication (index.complete_sentences) -------------


def _doc_folder(settings, doc_id):
    import json

    live = json.loads((settings.index_dir / "manifest.json").read_text(encoding="utf-8"))["live"]
    key = next(d["key"] for d in live if d["doc_id"] == doc_id)
    return settings.index_dir / "docs" / key


def test_an_upload_is_served_before_its_sentences_and_completed_after(settings, tmp_path, emb):
    import numpy as np

    from assistant.index import complete_sentences, sentence_count

    up = tmp_path / "upload.tmp"
    up.write_text(POLICY, encoding="utf-8")
    added = add_document(settings, up, "city_ai.txt", embedder=emb, sentences=False)
    folder = _doc_folder(settings, "city_ai")
    assert not (folder / "sentences.npy").exists()
    index = open_index(settings, embedder=emb)
    records = [r for r in index.records if r.doc_id == "city_ai"]
    assert records and index.sentence_vectors(records[0]) is None  # served: its sentences ranked by words for now
    assert build_index(settings, embedder=emb, progress=False).up_to_date  # a folder without them is not damaged

    assert complete_sentences(settings, emb) == 1  # every live document is looked at; only the upload lacks them
    vectors = np.load(folder / "sentences.npy")
    assert len(vectors) == sentence_count(records)
    assert index.sentence_vectors(records[0]) is not None  # the open index finds them at the next question
    report = build_index(settings, embedder=emb, progress=False)
    assert report.up_to_date and not report.problems  # the manifest's sizes leave the added file out
    assert complete_sentences(settings, emb) == 0

    # The same vectors as a build that parses and embeds the file itself.
    rebuilt = Settings(corpus_dir=settings.corpus_dir, index_dir=tmp_path / "rebuilt")
    build_index(rebuilt, embedder=emb, progress=False)
    assert np.array_equal(np.load(_doc_folder(rebuilt, "city_ai") / "sentences.npy"), vectors)
    assert added.key == folder.name


def test_damaged_sentence_vectors_are_not_read_and_are_written_again(settings, emb):
    from assistant.answer import Answerer
    from assistant.index import complete_sentences

    folder = _doc_folder(settings, SEED.stem)
    good = (folder / "sentences.npy").read_bytes()
    (folder / "sentences.npy").write_bytes(good[: len(good) // 2])
    index = open_index(settings, embedder=emb)
    assert index.sentence_vectors(index.records[0]) is None
    assert Answerer(index).ask("新认定的省级新经济示范企业能获得多少资金奖励？").found  # answered all the same
    assert complete_sentences(settings, emb) == 1
    assert (folder / "sentences.npy").read_bytes() == good


def test_a_manifest_of_the_earlier_layout_still_checks_every_file(settings, emb):
    """Manifests written before sentence vectors could follow record "bytes" over all four files."""
    import json

    from assistant.index import _folder_bytes

    path = settings.index_dir / "manifest.json"
    m = json.loads(path.read_text(encoding="utf-8"))
    for d in m["live"]:
        d["bytes"] = _folder_bytes(settings.index_dir / "docs" / d["key"])
        del d["core_bytes"]
    path.write_text(json.dumps(m, ensure_ascii=False), encoding="utf-8")
    assert build_index(settings, embedder=emb, progress=False).up_to_date  # read as it was written: nothing damaged
    folder = settings.index_dir / "docs" / m["live"][0]["key"]
    (folder / "sentences.npy").write_bytes((folder / "sentences.npy").read_bytes()[:-8])
    report = build_index(settings, embedder=emb, progress=False)
    assert not report.up_to_date and any("rebuilt that document" in p for p in report.problems)
