"""The evaluation runner: index, ask, score, report (and optionally the baseline and the benchmark)."""
from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

from assistant.config import Settings
from assistant.errors import PolicyQAError

from .score import Question, QuestionFileError, metrics, parse_questions, score_answer

HERE = Path(__file__).resolve().parent


def ask_all(settings: Settings, questions: list[Question], progress: bool = True) -> tuple[list[dict], list[float]]:
    """Every question through the library's answer path; answers as JSON dicts and latencies in ms."""
    from tqdm import tqdm

    from assistant.index import open_index
    from assistant.llm import make_answerer

    answerer = make_answerer(open_index(settings))  # the LLM path when POLICYQA_LLM_* are set
    answers, latencies = [], []
    for q in tqdm(questions, desc="asking", unit="q", disable=not progress, file=sys.stderr):
        t = time.perf_counter()
        a = answerer.ask(q.question)
        latencies.append((time.perf_counter() - t) * 1000)
        answers.append(a.to_dict() | {"id": q.id})
    return answers, latencies


def plain_retrieval(settings: Settings, questions: list[Question]) -> dict:
    """How often plain hybrid retrieval (the index's dense + BM25, fused; no routes, no scope) puts
    every gold fact in the text of its top record, and of its top three: what an answer that kept
    the evidence retrieval found could state at most."""
    from assistant.index import open_index
    from assistant.retrieve import hybrid

    from .score import norm

    index = open_index(settings)
    top1, top3 = [], []
    for q in questions:
        if not (q.answerable and q.facts):
            continue
        texts = [norm(h.record.text) for h in hybrid(index, q.question, (), 3)]
        top1.append(all(norm(f) in "".join(texts[:1]) for f in q.facts))
        top3.append(all(norm(f) in "".join(texts) for f in q.facts))
    rate = lambda xs: round(sum(xs) / len(xs), 4) if xs else None  # noqa: E731
    return {"retrieval_facts_top1": rate(top1), "retrieval_facts_top3": rate(top3)}


def by_kind(questions, scores) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for q, s in zip(questions, scores):
        k = out.setdefault(q.kind, {"n": 0, "correct": 0})
        k["n"] += 1
        k["correct"] += int(s.correct)
    for k in out.values():
        k["accuracy"] = round(k["correct"] / k["n"], 4)
    return out


def chart(kinds: dict[str, dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = sorted(kinds, key=lambda k: kinds[k]["accuracy"])
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(names) + 1.2))
    ax.barh(names, [kinds[k]["accuracy"] for k in names], color="#3b7dd8")
    for i, k in enumerate(names):
        ax.text(kinds[k]["accuracy"] + 0.01, i, f"{kinds[k]['correct']}/{kinds[k]['n']}", va="center", fontsize=8)
    ax.set_xlim(0, 1.12)
    ax.set_xlabel("correct (facts and citation, or refusal)")
    ax.set_title("Accuracy by question kind")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def report(m: dict, kinds: dict, questions, scores, answers, baseline: dict | None, bench: dict | None) -> str:
    lines = ["# Evaluation report", "", "| metric | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in m.items()]
    if baseline:
        lines += ["", "## Structure-aware vs generic baseline", "",
                  "Baseline: llama-index `SentenceSplitter` (default chunk size) over the raw document, the same "
                  "embeddings, dense top-k, no structure. A baseline chunk counts as a hit for a measure when the "
                  "chunk contains that measure's label (generous: the user still has to find it in the chunk).", "",
                  "| | policyqa | baseline |", "|---|---|---|",
                  f"| hit@1 | {m['hit_at_1']} | {baseline['hit_at_1']} |",
                  f"| hit@3 | {m['hit_at_3']} | {baseline['hit_at_3']} |",
                  f"| measures per cited unit | 1 | {baseline['measures_per_chunk']} |"]
    lines += ["", "## By kind", "", "| kind | n | correct | accuracy |", "|---|---|---|---|"]
    lines += [f"| {k} | {v['n']} | {v['correct']} | {v['accuracy']} |" for k, v in sorted(kinds.items())]
    lines += ["", "![accuracy by kind](accuracy_by_kind.png)", "", "## Misses", ""]
    misses = 0
    for q, s, a in zip(questions, scores, answers):
        if s.correct:
            continue
        misses += 1
        cited = ", ".join(f"{c.get('doc_id')}#{c.get('measure_label') or c.get('section')}" for c in a["citations"]) or "—"
        refs = lambda rs: [f"{r.doc or '*'}#{r.number or r.section}" for r in rs]  # noqa: E731
        expect = ("refusal" + (" (near miss)" if q.near_miss else "") if not q.answerable else
                  f"any {refs(q.cites_any) or '—'} all {refs(q.cites_all) or '—'} sections {refs(q.sections_any) or '—'} "
                  f"facts {list(q.facts)}" + (f" lead {list(q.lead)} co {list(q.co)} listed {list(q.listed)}"
                                              if q.lead or q.co or q.listed else ""))
        lines += [f"- **{q.id}** ({q.kind}) {q.question}", f"  - expected: {expect}",
                  f"  - given: found={a['found']} cited={cited}: {a['answer'][:200].replace(chr(10), ' ')}"]
        lines += [f"  - {n}" for n in s.notes]
    if not misses:
        lines.append("None.")
    if bench:
        lines += ["", "## Benchmark", "", "```", json.dumps(bench, ensure_ascii=False, indent=1), "```"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval", description=__doc__)
    p.add_argument("--set", dest="qset", help="a question set named in eval/sets.json (its file and its corpus), e.g. multi")
    p.add_argument("--questions", help="a question file (default: the set's file, or eval/questions.jsonl)")
    p.add_argument("--corpus")
    p.add_argument("--index")
    p.add_argument("--out", default=str(HERE / "results"))
    p.add_argument("--baseline", action="store_true", help="also score the generic SentenceSplitter baseline")
    p.add_argument("--bench", action="store_true", help="also run the benchmark (slow)")
    p.add_argument("--loo", action="store_true",
                   help="leave one document out: thresholds chosen without each document, its questions scored with them")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    try:
        return _run(args)
    except (PolicyQAError, QuestionFileError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


def load_sets() -> dict:
    """The question sets of eval/sets.json: name → {file, corpus: [file names in corpus/], role}."""
    return {k: v for k, v in json.loads((HERE / "sets.json").read_text(encoding="utf-8")).items() if not k.startswith("_")}


def set_paths(name: str, corpus_root: Path = HERE.parent / "corpus") -> tuple[Path, Path, Path]:
    """Question file, corpus folder and index folder of a named set; the corpus is copied from
    corpus/ (or from the set's own `corpus_dir` under eval/, for documents kept for evaluation only)
    into eval/.work/NAME/ so that a set is always asked over exactly its documents."""
    import shutil

    sets = load_sets()
    if name not in sets:
        raise QuestionFileError(f"no question set {name!r} in eval/sets.json: use one of {', '.join(sets)}")
    spec = sets[name]
    if spec.get("corpus_dir"):
        corpus_root = HERE / spec["corpus_dir"]
    work = HERE / ".work" / name
    corpus = work / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    wanted = set(spec["corpus"])
    for p in corpus.iterdir():
        if p.name not in wanted:
            p.unlink()
    for f in wanted:
        src = corpus_root / f
        if not src.is_file():
            raise QuestionFileError(f"set {name}: {src} is missing: restore it from git (git checkout -- {corpus_root.name}/)")
        dst = corpus / f
        if not dst.exists() or dst.read_bytes() != src.read_bytes():
            shutil.copyfile(src, dst)
    return HERE / spec["file"], corpus, work / "index"


def _run(args) -> int:
    from assistant.index import build_index

    if not args.qset and not args.questions:
        args.qset = "questions"
    if args.qset and not args.questions:
        qfile, corpus, index = set_paths(args.qset)
        args.questions = str(qfile)
        args.corpus = args.corpus or str(corpus)
        args.index = args.index or str(index)
    settings = Settings.from_env().with_paths(args.corpus, args.index)
    qpath = Path(args.questions)
    try:
        text = qpath.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise QuestionFileError(f"cannot read {qpath}: {e}") from None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        questions = parse_questions(text, qpath.name)
    for w in caught:
        print(f"warning: {w.message}", file=sys.stderr)
    rep = build_index(settings, progress=not args.quiet)
    answers, latencies = ask_all(settings, questions, progress=not args.quiet)
    scores = [score_answer(q, a) for q, a in zip(questions, answers)]
    m = metrics(questions, scores, latencies)
    m |= plain_retrieval(settings, questions)
    m["mode"] = "llm" if settings.llm_base_url and settings.llm_model else "extractive"
    if m["mode"] == "llm":
        m["llm_fallbacks"] = sum(1 for a in answers if a.get("fallback"))
    m["index_build_seconds"] = round(rep.seconds, 2)
    m["index_was_up_to_date"] = rep.up_to_date
    kinds = by_kind(questions, scores)
    baseline = None
    if args.baseline:
        from .baseline import score_baseline

        baseline = score_baseline(settings, questions)
        m["baseline"] = baseline
    if args.loo:
        from assistant.answer import Answerer
        from assistant.index import open_index

        from .loo import run_loo

        m["leave_one_document_out"] = run_loo(Answerer(open_index(settings)), questions)
    bench = None
    if args.bench:
        from .bench import run_bench

        bench = run_bench(settings.corpus_dir, Path(args.questions))
        m["bench"] = bench
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "answers.jsonl", "w", encoding="utf-8") as f:
        for a in answers:
            f.write(json.dumps(a, ensure_ascii=False) + "\n")
    (out / "metrics.json").write_text(json.dumps(m | {"by_kind": kinds}, ensure_ascii=False, indent=1), encoding="utf-8")
    chart(kinds, out / "accuracy_by_kind.png")
    (out / "report.md").write_text(report(m, kinds, questions, scores, answers, baseline, bench), encoding="utf-8")
    width = max(len(k) for k in m)
    for k, v in m.items():
        if k not in ("baseline", "bench", "leave_one_document_out"):
            print(f"{k:<{width}}  {v}")
    if "leave_one_document_out" in m:
        loo = m["leave_one_document_out"]
        print("leave one document out (thresholds chosen on the other documents):")
        for f in loo["folds"]:
            print(f"  {f['document']:<30} n={f['questions']:<3} accuracy {f['accuracy']}  (defaults {f['accuracy_with_defaults']})  chosen {f['chosen']}")
        print(f"  spread: {loo['accuracy_min']} – {loo['accuracy_max']}, mean {loo['accuracy_mean']}")
    if baseline:
        print(f"{'baseline hit@1/hit@3':<{width}}  {baseline['hit_at_1']} / {baseline['hit_at_3']}  (policyqa {m['hit_at_1']} / {m['hit_at_3']})")
    print(f"report: {out / 'report.md'}")
    return 0
