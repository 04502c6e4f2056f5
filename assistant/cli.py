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
        print(f"no documents in {settings.corpus_dir}: add .txt/.md/.html/.docx/.pdf policy files", file=sys.stderr)
        return 1
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
