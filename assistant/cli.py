"""Command line: `python -m assistant measures|index|ask`.

Library errors become one-line messages on stderr and exit code 2; no tracebacks for bad input.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys

from .config import Settings
from .errors import PolicyQAError
from .load import SUPPORTED

MEASURE_FIELDS = ("doc_id", "doc_title", "doc_number", "section", "section_title", "measure", "measure_label",
                  "title", "lead_units", "co_units", "joint_units", "joint", "kind", "part", "text")


def _measures(args: argparse.Namespace, settings: Settings) -> int:
    """List every record of the corpus without an index.

    Example: python -m assistant measures --corpus corpus --json
    """
    from .corpus import read_corpus

    corpus = read_corpus(settings.corpus_dir, settings.chunk_tokens)
    for p in corpus.problems:
        print(f"warning: {p}", file=sys.stderr)
    rows = []
    for r in corpus.records:
        d = r.to_dict()
        rows.append({k: d[k] for k in MEASURE_FIELDS})
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        print()
    elif args.csv:
        w = csv.DictWriter(sys.stdout, fieldnames=MEASURE_FIELDS)
        w.writeheader()
        for row in rows:
            w.writerow({k: "、".join(v) if isinstance(v, list) else v for k, v in row.items()})
    else:
        for r in corpus.records:
            units = ""
            if r.joint:
                units = f"  共同负责: {'、'.join(r.joint_units)}"
            elif r.lead_units:
                units = f"  牵头: {'、'.join(r.lead_units)}  配合: {'、'.join(r.co_units) or '—'}"
            print(f"{r.doc_id}  {r.reference}  {r.title or ''}{units}")
    if not corpus.records:
        print(f"no documents in {settings.corpus_dir}: add policy files ({'/'.join(SUPPORTED)})", file=sys.stderr)
        return 1
    return 0


ITEM_FIELDS = ("doc_id", "measure_label", "kind", "condition", "figures", "qualifiers", "period", "quote")


def _items(args: argparse.Namespace, settings: Settings) -> int:
    """List the support items of the corpus: who qualifies, what they get, the quote (no index needed).

    Targets (指标) are left out unless --all is given.
    Example: python -m assistant items --doc sichuan_new_economy_2021_93 --json
    """
    from .corpus import read_corpus
    from .items import extract_items, is_support

    corpus = read_corpus(settings.corpus_dir, settings.chunk_tokens)
    for p in corpus.problems:
        print(f"warning: {p}", file=sys.stderr)
    docs = {d.doc_id for d in corpus.documents}
    if args.doc and args.doc not in docs:
        raise PolicyQAError(f"no document {args.doc!r} in {settings.corpus_dir}: use one of {', '.join(sorted(docs))}")
    items = []
    for doc_id in sorted(docs):
        if args.doc and doc_id != args.doc:
            continue
        items += [it for it in extract_items([r for r in corpus.records if r.doc_id == doc_id]) if args.all or is_support(it)]
    if args.json:
        json.dump([it.to_dict() for it in items], sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    rows = [{"doc_id": it.doc_id, "measure_label": it.measure_label or "", "kind": it.kind, "condition": it.condition,
             "figures": "、".join(f.text for f in it.figures), "qualifiers": "、".join(f.qualifier for f in it.figures if f.qualifier),
             "period": it.period, "quote": it.quote} for it in items]
    if args.csv:
        w = csv.DictWriter(sys.stdout, fieldnames=ITEM_FIELDS)
        w.writeheader()
        w.writerows(rows)
    else:
        for r in rows:
            print(f"{r['doc_id']}  {r['measure_label']}  [{r['kind']}]  {r['condition']}：{r['figures'] or '（未规定金额）'}")
    return 0


def _index(args: argparse.Namespace, settings: Settings) -> int:
    """Build or update the index (only changed files are re-embedded).

    Example: python -m assistant index --corpus corpus --index index
    """
    from .index import build_index, complete_sentences
    from .manage import recover_staging

    recover_staging(settings)  # an upload or removal killed half way is settled (and logged) first
    rep = build_index(settings, progress=not args.quiet, force=args.rebuild)
    completed = complete_sentences(settings)  # an upload's, if its process was stopped before it added them
    if completed:
        print(f"added the sentence vectors of {completed} uploaded document(s)", file=sys.stderr)
    for p in rep.problems:
        print(f"warning: {p}", file=sys.stderr)
    index_dir, corpus_dir = _folder(settings.index_dir), _folder(settings.corpus_dir)
    if rep.up_to_date:
        print(f"the index in {index_dir} is up to date with {corpus_dir}: nothing changed "
              f"({rep.documents} documents, {rep.records} records)")
    else:
        print(f"indexed {rep.documents} documents, {rep.records} records from {corpus_dir} into {index_dir} in {rep.seconds:.1f}s "
              f"(embedded {rep.embedded}, reused {rep.reused}; added {len(rep.added)}, changed {len(rep.changed)}, "
              f"removed {len(rep.removed)} files)")
    return 0


def _folder(path) -> str:
    """A folder as a reader recognises one: `index/`, `/srv/policyqa/index/`."""
    text = str(path)
    return text if text.endswith(("/", "\\")) else text + "/"


def _read_batch(path: str) -> list[str]:
    """Questions from a file (or - for stdin): one per line, or JSON Lines with a `question` field."""
    from .errors import PolicyQAError

    if path == "-":
        lines = sys.stdin.read().splitlines()
    else:
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except OSError as e:
            raise PolicyQAError(f"cannot read batch file {path}: {e.strerror}") from e
        except UnicodeDecodeError:
            raise PolicyQAError(f"batch file {path} is not UTF-8: save it as UTF-8") from None
    out = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if line.lstrip().startswith("{"):
            try:
                obj = json.loads(line)
            except ValueError as e:
                raise PolicyQAError(f"{path} line {n}: not valid JSON ({e.msg}): fix the line or write the question as plain text") from None
            if not isinstance(obj, dict) or not isinstance(obj.get("question"), str):
                raise PolicyQAError(f"{path} line {n}: JSON object without a string `question` field")
            out.append(obj["question"])
        else:
            out.append(line)
    return out


def format_answer(a) -> str:
    """A readable answer with its citations, for the terminal."""
    from .present import reference

    lines = [a.answer]
    if a.extra.get("fallback"):
        # The JSON keeps the full reason; the readable answer does not repeat a rejected figure.
        reason = a.extra.get("fallback_reason", "")
        lines.insert(0, f"（大模型回答未采用：{'数字、单位或引用与原文不符' if 'verification' in reason else reason}）")
    for i, c in enumerate(a.citations, 1):
        lines.append(f"  [{i}] {reference(c)}")
        lines.append(f"      「{c.quote}」")
    return "\n".join(lines)


class _Prefetch:
    """The settings' embedder, with the question's vector computed in a background thread from the start.

    A cold `ask` spends most of its time loading: the embedding model runs in C without holding
    Python's lock, so it embeds the question on the second core while this one opens the index and
    imports Chroma. Any other text is embedded when asked for, as usual.
    """

    def __init__(self, settings: Settings, question: str) -> None:
        import threading

        from .answer import clean_question
        from .embed import make_embedder, model_id_for
        from .errors import BadQuestionError
        from .query import expand

        self.model_id = model_id_for(settings)
        self._inner = None
        self._vectors: dict = {}
        self._error: PolicyQAError | None = None
        try:
            text = expand(clean_question(question, settings.max_question_chars))  # what retrieval will embed
        except BadQuestionError:
            text = None

        def run() -> None:
            self._inner = make_embedder(settings)
            if text is not None:
                try:
                    self._vectors[text] = self._inner.query(text)
                except PolicyQAError as e:
                    self._error = e  # raised where retrieval asks for the vector, as without prefetching

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    def _model(self):
        self._thread.join()
        return self._inner

    def query(self, text: str):
        self._thread.join()
        if text in self._vectors:
            return self._vectors[text]
        if self._error is not None:
            raise self._error
        return self._model().query(text)

    def passages(self, texts: list[str]):
        return self._model().passages(texts)


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    """Answer questions from the index, citing the numbered measure.

    Examples:
      python -m assistant ask "新认定的省级新经济示范企业能获得多少资金奖励？"
      python -m assistant ask --json "第（十三）条由哪个单位牵头？"
      python -m assistant ask --batch examples/questions.txt   (one JSON object per line, in input order)
    """
    from .index import open_index
    from .llm import make_answerer
    from .manage import recover_staging

    recover_staging(settings)  # an upload killed after its switch is published (and logged) before the corpus check
    if not args.question and not args.batch:
        raise PolicyQAError("give a question, e.g. python -m assistant ask \"第（十三）条由谁牵头？\", or --batch FILE")
    questions = _read_batch(args.batch) if args.batch else [" ".join(args.question)]
    embedder = None if args.batch else _Prefetch(settings, questions[0])
    # The LLM path when POLICYQA_LLM_BASE_URL/MODEL are set, the extractive one otherwise.
    answerer = make_answerer(open_index(settings, embedder=embedder, check_corpus=not args.batch and not args.no_check))
    as_json = args.json or bool(args.batch)
    for q in questions:
        a = answerer.ask(q, doc_id=args.doc)
        if as_json:
            print(json.dumps(a.to_dict(), ensure_ascii=False), flush=True)
        else:
            print(format_answer(a))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m assistant", description="Policy Q&A assistant (川办发〔2021〕93号 and more).")
    sub = p.add_subparsers(dest="command", required=True)

    m = sub.add_parser("measures", help="list the measure records of a corpus (no index needed)",
                       description=_measures.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    m.add_argument("--corpus", help="corpus folder (default: $POLICYQA_CORPUS or corpus/)")
    fmt = m.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print JSON")
    fmt.add_argument("--csv", action="store_true", help="print CSV")
    m.set_defaults(func=_measures)

    it = sub.add_parser("items", help="list the support items of a corpus (no index needed)",
                        description=_items.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    it.add_argument("--corpus", help="corpus folder (default: $POLICYQA_CORPUS or corpus/)")
    it.add_argument("--doc", help="only this doc_id")
    it.add_argument("--all", action="store_true", help="also list numeric targets (指标)")
    fmt = it.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print JSON")
    fmt.add_argument("--csv", action="store_true", help="print CSV")
    it.set_defaults(func=_items)

    i = sub.add_parser("index", help="build or update the index", description=_index.__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    i.add_argument("--corpus", help="corpus folder (default: $POLICYQA_CORPUS or corpus/)")
    i.add_argument("--index", help="index folder (default: $POLICYQA_INDEX or index/)")
    i.add_argument("--rebuild", action="store_true", help="rebuild even if nothing changed")
    i.add_argument("--quiet", action="store_true", help="no progress bar")
    i.set_defaults(func=_index)

    a = sub.add_parser("ask", help="answer a question", description=_ask.__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    a.add_argument("question", nargs="*", help="the question")
    a.add_argument("--index", help="index folder (default: $POLICYQA_INDEX or index/)")
    a.add_argument("--json", action="store_true", help="print the JSON answer")
    a.add_argument("--batch", metavar="FILE", help="questions from FILE (- for stdin); prints JSON Lines")
    a.add_argument("--doc", help="only this doc_id")
    a.add_argument("--no-check", action="store_true", help="skip the check that the corpus is unchanged")
    a.set_defaults(func=_ask)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env().with_paths(getattr(args, "corpus", None), getattr(args, "index", None))
        return args.func(args, settings)
    except PolicyQAError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
