"""Structure benchmark: real policies read by the parser, compared with gold written by a reader.

    python -m eval.structure [--docs eval/structure/docs] [--gold eval/structure/gold] [--out DIR]
                             [--formats pdf,scan] [--only STEM,STEM]

For each document of docs/ with a gold file (README.md here gives the gold format), the document is
loaded and parsed exactly as the index does (load.load_document, corpus.parse_documents) and compared:
- measures: a gold measure is found exactly when a parsed measure has its label (brackets and the
  ASCII/full-width forms of 、.（）folded), its number, its section path and its start (the parsed
  text after the label begins with the gold start, spaces ignored); the rate is found / (gold +
  parsed measures matching none), so a measure split in two or a heading read as a measure counts
  against it as much as one missed;
- units: each (measure, role, unit) the gold assigns — roles lead, co, listed, joint — against the
  parsed measure's; the rate is agreed / (gold ∪ parsed assignments), units compared by
  units.unit_key (省发展改革委 = 发展改革委);
- metadata: 文号, issuer and date (the parsed 成文日期, or 发布日期 when it has none).
Prints a line per document and the totals, with every difference, and writes results.json and
report.md to --out. With --formats, the documents are also converted (eval.formats) to a printed
PDF and a scan and scored the same way, beside their text figures.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROLES = ("lead", "co", "listed", "joint")


def _label(s: str) -> str:
    s = unicodedata.normalize("NFKC", s or "").replace(" ", "")
    return s.replace("．", ".").replace("，", ",")


def _start(s: str) -> str:
    return re.sub(r"[\s\u3000]+", "", unicodedata.normalize("NFKC", s or ""))


def _meta(s: str | None) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s or "")).replace("〔", "[").replace("〕", "]")


@dataclass
class Parsed:
    label: str
    number: int | None
    section_path: tuple[str, ...]
    text: str
    roles: dict[str, set[str]]


@dataclass
class DocResult:
    stem: str
    kind: str = ""
    level: str = ""
    duties: str = ""
    measures_gold: int = 0
    measures_parsed: int = 0
    measures_found: int = 0
    measures_extra: int = 0
    units_gold: int = 0
    units_parsed: int = 0
    units_agreed: int = 0
    meta_fields: int = 0
    meta_exact: int = 0
    diffs: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def measure_rate(self) -> float:
        return self.measures_found / max(1, self.measures_gold + self.measures_extra)

    @property
    def unit_union(self) -> int:
        return self.units_gold + self.units_parsed - self.units_agreed


def parse(path: Path, chunk_tokens: int = 480):
    """The document and its measures as the index reads them: first parts, with the units of the last."""
    from assistant.corpus import parse_documents
    from assistant.load import load_document

    doc = load_document(path)
    docs, records, _ = parse_documents([doc], chunk_tokens)
    measures: dict[tuple, list] = {}
    for r in records:
        if r.kind == "measure":
            measures.setdefault(r.measure_key, []).append(r)
    out = []
    for parts in measures.values():
        first, last = parts[0], parts[-1]
        text = "".join(p.text for p in parts)
        label = first.measure_label or ""
        body = text[len(label):] if text.startswith(label) else text
        roles = {"lead": set(last.printed(last.lead_units)), "co": set(last.printed(last.co_units)),
                 "listed": set(last.printed(last.listed_units)), "joint": set(last.printed(last.joint_units))}
        out.append(Parsed(label, first.measure, tuple(first.section_path), body, roles))
    return docs[0], out


def duty_style(gold: dict) -> str:
    """The benchmark's conventions of responsibility notes, as the gold assigns roles."""
    roles = {k for m in gold.get("measures", []) for k in ROLES if m.get(k)}
    if not roles:
        return "no notes"
    if roles & {"lead", "co"}:
        return "roles stated (牵头/配合)"
    if "joint" in roles and roles <= {"joint", "listed"}:
        return "shared (按职责分工)"
    return "bare lists (责任单位)"


def score_document(path: Path, gold: dict) -> DocResult:
    from assistant.units import unit_key

    res = DocResult(path.stem, gold.get("kind", ""), gold.get("level", ""), duty_style(gold))
    try:
        doc, parsed = parse(path)
    except Exception as e:  # a document the parser cannot read is a result, not a crash of the benchmark
        res.error = f"{type(e).__name__}: {e}"
        res.measures_gold = len(gold.get("measures", []))
        return res
    gm = gold.get("measures", [])
    res.measures_gold, res.measures_parsed = len(gm), len(parsed)
    used: set[int] = set()
    pairs: list[tuple[dict, Parsed | None]] = []
    for g in gm:
        want = (_label(g["label"]), g.get("number"), tuple(_label(x) for x in g.get("section_path") or ()))
        hit = None
        for i, p in enumerate(parsed):
            if i in used:
                continue
            if (_label(p.label), p.number, tuple(_label(x) for x in p.section_path)) == want \
                    and _start(p.text).startswith(_start(g.get("start", ""))[:15]):
                hit = i
                break
        if hit is None:
            near = next((p for p in parsed if _label(p.label) == want[0] and p.number == want[1]), None)
            if near is None:
                res.diffs.append(f"missing {g['label']} {list(g.get('section_path') or [])} {g.get('start', '')[:12]}")
            else:
                res.diffs.append(f"differs {g['label']}: gold {list(g.get('section_path') or [])} «{g.get('start', '')[:12]}», "
                                 f"parsed {list(near.section_path)} «{near.text[:12]}»")
            pairs.append((g, None))
        else:
            used.add(hit)
            pairs.append((g, parsed[hit]))
    res.measures_found = sum(p is not None for _, p in pairs)
    extra = [p for i, p in enumerate(parsed) if i not in used]
    res.measures_extra = len(extra)
    for p in extra[:8]:
        res.diffs.append(f"extra {p.label} {list(p.section_path)} «{p.text[:12]}»")
    if len(extra) > 8:
        res.diffs.append(f"… {len(extra) - 8} more extra measures")
    # Units by role, over every gold measure and every parsed measure.
    gold_set, parsed_set = set(), set()
    for i, (g, p) in enumerate(pairs):
        for role in ROLES:
            gold_set |= {(i, role, unit_key(u)) for u in g.get(role) or ()}
            if p is not None:
                parsed_set |= {(i, role, unit_key(u)) for u in p.roles[role]}
    for j, p in enumerate(extra):
        for role in ROLES:
            parsed_set |= {(len(pairs) + j, role, unit_key(u)) for u in p.roles[role]}
    res.units_gold, res.units_parsed = len(gold_set), len(parsed_set)
    res.units_agreed = len(gold_set & parsed_set)
    for i, role, u in sorted(gold_set - parsed_set)[:10]:
        res.diffs.append(f"unit not {role} in {pairs[i][0]['label']}: {u}")
    for i, role, u in sorted(parsed_set - gold_set)[:10]:
        where = pairs[i][0]["label"] if i < len(pairs) else extra[i - len(pairs)].label
        res.diffs.append(f"unit wrongly {role} in {where}: {u}")
    # Metadata.
    meta = gold.get("metadata") or {}
    have = {"doc_number": doc.doc_number, "publisher": doc.publisher, "date": doc.written_date or doc.published_date}
    for k in ("doc_number", "publisher", "date"):
        res.meta_fields += 1
        if _meta(meta.get(k)) == _meta(have[k]):
            res.meta_exact += 1
        else:
            res.diffs.append(f"{k}: gold {meta.get(k)!r}, parsed {have[k]!r}")
    return res


def run(docs: Path, gold_dir: Path, only: set[str] | None = None) -> list[DocResult]:
    out = []
    for g in sorted(gold_dir.glob("*.json")):
        if only and g.stem not in only:
            continue
        gold = json.loads(g.read_text(encoding="utf-8"))
        path = (HERE / gold["file"]) if gold.get("file") else None
        if path is None or not path.exists():
            path = next(iter(sorted(docs.glob(g.stem + ".*"))), None)
        if path is None:
            out.append(DocResult(g.stem, error="document missing"))
            continue
        out.append(score_document(path, gold))
    return out


def totals(results: list[DocResult]) -> dict:
    found = sum(r.measures_found for r in results)
    denom = sum(r.measures_gold + r.measures_extra for r in results)
    agreed = sum(r.units_agreed for r in results)
    union = sum(r.unit_union for r in results)
    meta = sum(r.meta_exact for r in results)
    fields = sum(r.meta_fields for r in results)
    return {"documents": len(results), "measures_gold": sum(r.measures_gold for r in results),
            "measures_exact": round(found / max(1, denom), 4), "measures_found": found,
            "measures_extra": sum(r.measures_extra for r in results),
            # No unit assignment on either side (documents without notes): nothing to score, not 0.
            "units_exact": round(agreed / union, 4) if union else None, "unit_assignments_gold": sum(r.units_gold for r in results),
            "metadata_exact": round(meta / max(1, fields), 4),
            "documents_all_exact": sum(r.measures_found == r.measures_gold and not r.measures_extra
                                       and r.units_agreed == r.unit_union and r.meta_exact == r.meta_fields for r in results)}


def breakdown(results: list[DocResult], key: str) -> dict[str, dict]:
    groups: dict[str, list[DocResult]] = defaultdict(list)
    for r in results:
        groups[getattr(r, key) or "—"].append(r)
    return {k: totals(v) for k, v in sorted(groups.items())}


def report(results: list[DocResult], tot: dict, by: dict[str, dict[str, dict]]) -> str:
    lines = ["# Structure benchmark", "", "| metric | value |", "|---|---|"] + [f"| {k} | {v} |" for k, v in tot.items()]
    for name, groups in by.items():
        lines += ["", f"## By {name}", "", "| group | documents | measures exact | units exact | metadata exact |", "|---|---|---|---|---|"]
        lines += [f"| {k} | {v['documents']} | {v['measures_exact']} | {'—' if v['units_exact'] is None else v['units_exact']} | "
                  f"{v['metadata_exact']} |" for k, v in groups.items()]
    lines += ["", "## Documents", "", "| document | kind | duties | measures (found/gold, extra) | units (agreed/union) | metadata |",
              "|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r.stem} | {r.kind} | {r.duties} | {r.measures_found}/{r.measures_gold}, +{r.measures_extra} | "
                     f"{r.units_agreed}/{r.unit_union} | {r.meta_exact}/{r.meta_fields} |")
    lines += ["", "## Differences", ""]
    for r in results:
        if r.error or r.diffs:
            lines.append(f"- **{r.stem}**" + (f": {r.error}" if r.error else ""))
            lines += [f"  - {d}" for d in r.diffs]
    return "\n".join(lines) + "\n"


def format_figures(docs: Path, gold_dir: Path, formats: list[str], only: set[str] | None) -> dict:
    """The benchmark's figures with each document converted to another format (eval.formats)."""
    import tempfile

    from eval.formats import convert

    out = {}
    for fmt in formats:
        results = []
        with tempfile.TemporaryDirectory() as tmp:
            for g in sorted(gold_dir.glob("*.json")):
                if only and g.stem not in only:
                    continue
                gold = json.loads(g.read_text(encoding="utf-8"))
                src = next(iter(sorted(docs.glob(g.stem + ".*"))), None)
                if src is None:
                    continue
                try:
                    converted = convert(src, fmt, Path(tmp))
                except Exception as e:
                    results.append(DocResult(g.stem, error=f"conversion failed: {e}"))
                    continue
                r = score_document(converted, gold)
                r.stem = g.stem
                results.append(r)
        out[fmt] = {"totals": totals(results),
                    "documents": {r.stem: [r.measure_rate, r.units_agreed, r.unit_union, r.meta_exact, r.meta_fields] for r in results},
                    "differences": {r.stem: ([r.error] if r.error else []) + r.diffs for r in results if r.error or r.diffs}}
    return out


def formats_report(results: list[DocResult], formats: dict) -> str:
    """The converted documents' figures beside their text figures, and what each format lost."""
    names = ["text"] + list(formats)
    lines = ["", "## Formats", "", "| format | measures exact | units exact | metadata exact |", "|---|---|---|---|"]
    only = {r.stem for r in results}
    text_tot = totals(results)
    for name in names:
        t = text_tot if name == "text" else formats[name]["totals"]
        units = "—" if t["units_exact"] is None else t["units_exact"]
        lines.append(f"| {name} | {t['measures_exact']} | {units} | {t['metadata_exact']} |")
    lines += ["", "| document | " + " | ".join(f"{n} (measures, units, metadata)" for n in names) + " |",
              "|---|" + "---|" * len(names)]
    for r in results:
        cells = [f"{r.measure_rate:.3f}, {r.units_agreed}/{r.unit_union}, {r.meta_exact}/{r.meta_fields}"]
        for name in formats:
            d = formats[name]["documents"].get(r.stem)
            cells.append(f"{d[0]:.3f}, {d[1]}/{d[2]}, {d[3]}/{d[4]}" if d else "—")
        lines.append(f"| {r.stem} | " + " | ".join(cells) + " |")
    for name in formats:
        diffs = {k: v for k, v in formats[name]["differences"].items() if k in only}
        if diffs:
            lines += ["", f"### Differences ({name})", ""]
            for stem, ds in diffs.items():
                lines.append(f"- **{stem}**")
                lines += [f"  - {d}" for d in ds]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.structure", description=__doc__.split("\n\n")[0])
    p.add_argument("--docs", default=str(HERE / "docs"))
    p.add_argument("--gold", default=str(HERE / "gold"))
    p.add_argument("--out", default=str(HERE.parent / "results" / "structure"))
    p.add_argument("--only", help="comma-separated document stems")
    p.add_argument("--formats", help="also score converted copies: pdf,scan")
    args = p.parse_args(argv)
    only = set(args.only.split(",")) if args.only else None
    results = run(Path(args.docs), Path(args.gold), only)
    tot = totals(results)
    by = {"convention of notes": breakdown(results, "duties"), "kind": breakdown(results, "kind"), "level": breakdown(results, "level")}
    for r in results:
        flag = "ok" if not r.diffs and not r.error else f"{len(r.diffs)} differences"
        print(f"{r.stem:<40} measures {r.measures_found}/{r.measures_gold} +{r.measures_extra}  "
              f"units {r.units_agreed}/{r.unit_union}  meta {r.meta_exact}/{r.meta_fields}  {r.error or flag}")
    print(json.dumps(tot, ensure_ascii=False))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    data = {"totals": tot, "by": by, "documents": [r.__dict__ | {"measure_rate": round(r.measure_rate, 4)} for r in results]}
    if args.formats:
        data["formats"] = format_figures(Path(args.docs), Path(args.gold), args.formats.split(","), only)
        for fmt, f in data["formats"].items():
            print(f"{fmt}: {json.dumps(f['totals'], ensure_ascii=False)}")
    (out / "results.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    text = report(results, tot, by) + (formats_report(results, data["formats"]) if args.formats else "")
    (out / "report.md").write_text(text, encoding="utf-8")
    print(f"report: {out / 'report.md'}")
    return 0
