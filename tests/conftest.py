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

    tmp = Path(__file__).parent / "data"
    corpus = read_corpus(SEED.parent)
    return [r for r in corpus.records if r.doc_id == "sichuan_new_economy_2021_93"]
