"""python -m eval [--set NAME] [--questions FILE] [--corpus DIR] [--index DIR] [--out DIR] [--baseline] [--bench]

Asks every question through the same library path as the CLI and the app, scores the answers,
and writes answers.jsonl, metrics.json, report.md and accuracy_by_kind.png to --out.
"""
import sys

from .run import main

sys.exit(main())
