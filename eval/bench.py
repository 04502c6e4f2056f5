"""Benchmark for the README: build times, cold start, warm latency through `ask --batch`.

python -m eval.bench [--corpus DIR] [--questions FILE]
Figures, not pass/fail: run on an otherwise idle machine and report what it prints.
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


def _run(args: list[str], stdin: str | None = None) -> tuple[float, str]:
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "assistant", *args], cwd=ROOT, input=stdin, capture_output=True, text=True, check=True)
    return time.perf_counter() - t, p.stdout


def run_bench(corpus: Path, questions_file: Path) -> dict:
    questions = [q.question for q in parse_questions(questions_file.read_text(encoding="utf-8"))]
    tmp = Path(tempfile.mkdtemp(prefix="policyqa-bench-"))
    try:
        shutil.copytree(corpus, tmp / "corpus")
        index = ["--corpus", str(tmp / "corpus"), "--index", str(tmp / "index")]
        build_s, _ = _run(["index", "--quiet", *index])
        unchanged_s, _ = _run(["index", "--quiet", *index])
        cold = [_run(["ask", "--index", str(tmp / "index"), "新认定的省级新经济示范企业能获得多少资金奖励？"])[0] for _ in range(3)]
        # Warm latency: one process answers the whole batch; per-question time from the library itself.
        code = ("import json,sys,time\nfrom pathlib import Path\nfrom assistant.config import Settings\n"
                "from assistant.index import open_index\nfrom assistant.answer import Answerer\n"
                f"a=Answerer(open_index(Settings(index_dir=Path({str(tmp / 'index')!r}))))\n"
                "qs=json.load(sys.stdin); a.ask(qs[0]); out=[]\n"
                "for q in qs:\n t=time.perf_counter(); a.ask(q); out.append((time.perf_counter()-t)*1000)\n"
                "import resource; print(json.dumps({'ms': out, 'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024}))")
        p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, input=json.dumps(questions), capture_output=True, text=True, check=True)
        warm = json.loads(p.stdout)
        batch_s, _ = _run(["ask", "--index", str(tmp / "index"), "--batch", "-"], stdin="\n".join(questions))
        return {
            "questions": len(questions),
            "index_build_from_scratch_s": round(build_s, 2),
            "index_unchanged_s": round(unchanged_s, 2),
            "cold_ask_s_median": round(sorted(cold)[1], 2),
            "warm_latency_ms_p50": round(percentile(warm["ms"], 50), 1),
            "warm_latency_ms_p95": round(percentile(warm["ms"], 95), 1),
            "batch_wall_s": round(batch_s, 2),
            "peak_rss_mb_warm_process": round(warm["peak_mb"], 1),
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m eval.bench", description=__doc__)
    p.add_argument("--corpus", default=str(ROOT / "corpus"))
    p.add_argument("--questions", default=str(ROOT / "eval" / "questions.jsonl"))
    args = p.parse_args()
    print(json.dumps(run_bench(Path(args.corpus), Path(args.questions)), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
