"""Leave one document out: are the thresholds general, or fitted to the documents they were set on?

For each document D of a multi-document set, the numeric thresholds of the answer path
(`min_evidence`, the share of a question's known terms a record must hold, and `min_dense`, the
cosine of a close paraphrase) are chosen on the questions about the other documents only, then
D's questions are scored with them. The spread of the per-document scores, next to the score
with the shipped defaults, says how much the thresholds depend on what they were tuned on.
Word tables (abbreviations, tiers, question words) cannot be re-fitted this way; they were
written before the multi-document set and are the same in every fold.
"""
from __future__ import annotations

from dataclasses import replace

from .score import Question, score_answer

GRID = {"min_evidence": (0.35, 0.5, 0.65), "min_dense": (0.86, 0.895, 0.92)}


def question_docs(q: Question) -> set[str]:
    """The documents a question is about: its `doc`, or the documents its references name."""
    docs = {q.doc} if q.doc else set()
    docs |= {r.doc for r in q.cites_any + q.cites_all + q.sections_any + q.mentions_any if r.doc}
    return docs


def run_loo(answerer, questions: list[Question]) -> dict:
    """Per-document accuracy with thresholds chosen without that document, and the chosen values."""
    base = answerer.settings
    settings = [replace(base, min_evidence=e, min_dense=d) for e in GRID["min_evidence"] for d in GRID["min_dense"]]
    # Every question answered once per setting (the answer path is deterministic).
    correct: dict[int, list[bool]] = {}
    for i, s in enumerate(settings):
        answerer.settings = s
        correct[i] = [score_answer(q, answerer.ask(q.question).to_dict()).correct for q in questions]
    answerer.settings = base
    default = next(i for i, s in enumerate(settings) if s.min_evidence == base.min_evidence and s.min_dense == base.min_dense) \
        if (base.min_evidence in GRID["min_evidence"] and base.min_dense in GRID["min_dense"]) else None
    docs = sorted({d for q in questions for d in question_docs(q)})
    folds = []
    for d in docs:
        held = [j for j, q in enumerate(questions) if d in question_docs(q)]
        train = [j for j, q in enumerate(questions) if question_docs(q) and d not in question_docs(q)]
        if not held or not train:
            continue
        # The setting that does best on the other documents; ties go to the shipped default, then the first.
        best = max(range(len(settings)), key=lambda i: (sum(correct[i][j] for j in train), i == default, -i))
        folds.append({
            "document": d, "questions": len(held),
            "chosen": {"min_evidence": settings[best].min_evidence, "min_dense": settings[best].min_dense},
            "accuracy": round(sum(correct[best][j] for j in held) / len(held), 4),
            "accuracy_with_defaults": round(sum(correct[default][j] for j in held) / len(held), 4) if default is not None else None,
        })
    accs = [f["accuracy"] for f in folds]
    return {
        "grid": {k: list(v) for k, v in GRID.items()},
        "folds": folds,
        "accuracy_min": min(accs) if accs else None,
        "accuracy_max": max(accs) if accs else None,
        "accuracy_mean": round(sum(accs) / len(accs), 4) if accs else None,
    }
