"""Format parity: score a question set with its documents as text, printed PDF, scanned PDF and Word.

    python -m eval.formats [--set NAME] [--formats pdf,scan,docx] [--dpi 150] [--out DIR]

Each corpus file of the set (eval/sets.json) is converted the way documents reach users:
- pdf:  the text laid out as an A4 page (16pt WenQuanYi Zen Hei, a running header with the
        document's title, page numbers "— N —") and printed by headless Chromium;
- scan: that PDF's pages rendered to grey images at --dpi (a photocopy) and wrapped as an
        image-only PDF (no text layer, so it goes through OCR);
- docx: one paragraph a line, with the numbers of 一、/（一）/1./第X条 lines moved into Word's
        automatic numbering (numbering.xml), the way Word files number their items.
Then an index is built over each converted corpus (eval/.work/formats/NAME/FORMAT/) and the set
is scored with the same runner and scorer as `python -m eval`. Prints and writes a table of fact
accuracy, citation accuracy, hit@1 and refusal accuracy per format (formats.md / formats.json in
--out), and the OCR cost per page.

The converters are also used by tests/test_formats.py to make real files at test time.
"""
from __future__ import annotations

import argparse
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FONT_FAMILY = "WenQuanYi Zen Hei"
FONT_FILE = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
FORMATS = ("txt", "pdf", "scan", "docx")
EXT = {"pdf": ".pdf", "scan": ".pdf", "docx": ".docx"}


# --- converters --------------------------------------------------------------------------


def page_html(lines: list[str], header: str = "", font_pt: int = 16) -> str:
    """An A4 page for printing: one paragraph a line (first line indented two characters), a
    running header and "— N —" page numbers in the page margins."""
    css_header = f'@top-center {{ content: "{header}"; font-family: "{FONT_FAMILY}"; font-size: 10pt; }}' if header else ""
    paras = "\n".join(f"<p>{html.escape(x)}</p>" for x in lines if x.strip())
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title></title><style>
@page {{ size: A4; margin: 37mm 26mm 35mm 28mm; {css_header}
  @bottom-center {{ content: "— " counter(page) " —"; font-family: "{FONT_FAMILY}"; font-size: 14pt; }} }}
body {{ font-family: "{FONT_FAMILY}"; font-size: {font_pt}pt; line-height: 1.55; }}
p {{ margin: 0; text-indent: 2em; text-align: justify; word-break: break-all; }}
</style></head><body>
{paras}
</body></html>"""


def print_pdf(html_text: str, out: Path, timeout: float = 120) -> Path:
    """Print an HTML page to PDF with headless Chromium (no network, a throwaway profile)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "page.html"
        src.write_text(html_text, encoding="utf-8")
        cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={Path(tmp) / 'profile'}", "--no-pdf-header-footer",
               f"--print-to-pdf={out}", src.as_uri()]
        out.unlink(missing_ok=True)
        subprocess.run(cmd, check=False, capture_output=True, timeout=timeout)
    if not out.is_file() or out.stat().st_size == 0:
        raise RuntimeError(f"chromium did not print {out.name}: is {CHROMIUM} installed?")
    return out


def scan_pdf(pdf: Path, out: Path, dpi: int = 150) -> Path:
    """A photocopy of a PDF: each page rendered to a grey image at `dpi`, saved as an image-only PDF."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        images = [doc[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for i in range(len(doc))]
    finally:
        doc.close()
    save_images_as_pdf(images, out, dpi)
    return out


def save_images_as_pdf(images: list, out: Path, dpi: int) -> Path:
    images[0].save(out, "PDF", resolution=float(dpi), save_all=True, append_images=images[1:])
    return out


# Numbered lines and the Word list format that prints their label: (pattern on the line with
# full-width brackets folded, numFmt, lvlText with the line's own brackets).
_CN = "一二三四五六七八九十百零〇"
_LIST_KINDS = (
    ("section", re.compile(rf"^([{_CN}]+)、"), "chineseCounting", "%1、"),
    ("paren", re.compile(rf"^([(（])([{_CN}]+)([)）])"), "chineseCounting", None),
    ("article", re.compile(rf"^第([{_CN}]+)条[\s\u3000]*"), "chineseCounting", "第%1条"),
    ("item", re.compile(r"^(\d{1,3})([.、．])(?!\d)"), "decimal", None),
)


def _list_label(line: str):
    """(kind, number, lvlText, rest of the line) of a numbered line, or None."""
    from assistant.numerals import to_int

    for kind, pat, fmt, text in _LIST_KINDS:
        m = pat.match(line)
        if not m:
            continue
        if kind == "paren":
            n, lvl_text = to_int(m.group(2)), f"{m.group(1)}%1{m.group(3)}"
        elif kind == "item":
            n, lvl_text = int(m.group(1)), f"%1{m.group(2)}"
        else:
            n, lvl_text = to_int(m.group(1)), text
        if n:
            return kind, n, fmt, lvl_text, line[m.end():].lstrip(" \u3000\t")
    return None


def to_docx(lines: list[str], out: Path, numbering: bool = True, table: list[list[str]] | None = None,
            table_note: str = "") -> Path:
    """A Word file of `lines`, one paragraph each. With `numbering`, the label of each numbered line
    (一、 （一） 第一条 1.) is removed from the text and stored as Word automatic numbering
    (numbering.xml abstractNum/num, paragraph numPr); a list restarts (a new num with a
    startOverride) where the printed numbers do not continue. `table` rows (first row the
    header) are added at the end, after `table_note`."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    d = docx.Document()
    nb = d.part.numbering_part.element
    abstract_ids: dict[tuple[str, str], int] = {}
    current: dict[tuple[str, str], tuple[int, int]] = {}  # list key → (numId, last number)
    next_abs = 100 + len(nb.findall(qn("w:abstractNum")))
    next_num = 100 + len(nb.findall(qn("w:num")))
    for line in lines:
        if not line.strip():
            continue
        label = _list_label(line.strip()) if numbering else None
        if not label:
            d.add_paragraph(line.strip())
            continue
        kind, n, fmt, lvl_text, rest = label
        key = (kind, lvl_text)
        if key not in abstract_ids:
            abstract_ids[key] = next_abs
            el = parse_xml(
                f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{next_abs}"><w:multiLevelType w:val="singleLevel"/>'
                f'<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:suff w:val="nothing"/>'
                f'<w:lvlText w:val="{lvl_text}"/><w:lvlJc w:val="left"/></w:lvl></w:abstractNum>')
            first_num = nb.find(qn("w:num"))
            if first_num is not None:
                first_num.addprevious(el)
            else:
                nb.append(el)
            next_abs += 1
        num_id, last = current.get(key, (None, 0))
        if num_id is None or n != last + 1:
            num_id = next_num
            next_num += 1
            override = f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{n}"/></w:lvlOverride>' if n != 1 or key in current else ""
            nb.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_ids[key]}"/>{override}</w:num>'))
        current[key] = (num_id, n)
        p = d.add_paragraph(rest)
        p._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>'))
    if table:
        if table_note:
            d.add_paragraph(table_note)
        t = d.add_table(rows=len(table), cols=len(table[0]))
        t.style = "Table Grid"
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                cell = t.cell(r, c)
                parts = text.split("\n")
                cell.text = parts[0]
                for extra in parts[1:]:
                    cell.add_paragraph(extra)
        # Word always ends a document with a paragraph (one follows a closing table); without it,
        # LibreOffice's export to .doc drops the table.
        d.add_paragraph("")
    d.save(str(out))
    return out


def to_legacy_word(docx: Path, out: Path, timeout: float = 180) -> Path:
    """An old Word (97-2003) file of a .docx, saved by LibreOffice in headless mode; `out` may end
    in .doc or .wps (a WPS Writer file in Word's binary format, as WPS Office saves one)."""
    from assistant.extract import run_soffice, soffice

    command = soffice()
    if command is None:
        raise FileNotFoundError("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui")
    with tempfile.TemporaryDirectory(prefix="policyqa-doc-") as tmp:
        run_soffice(command, Path(tmp), ["--convert-to", "doc:MS Word 97", "--outdir", tmp, str(docx.resolve())],
                    timeout).check_returncode()
        shutil.move(Path(tmp) / f"{docx.stem}.doc", out)
    return out


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def convert(src: Path, fmt: str, out_dir: Path, dpi: int = 150) -> Path:
    """`src` (a .txt of the corpus) converted to `fmt` in `out_dir`; reused while `src` is unchanged."""
    from assistant.load import extract

    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / (src.stem + EXT[fmt])
    stamp = out_dir / f".{out.name}.src"
    key = f"{_sha(src)} {dpi if fmt == 'scan' else ''}"
    if out.is_file() and stamp.is_file() and stamp.read_text() == key:
        return out
    lines = [x.strip() for x in extract(src).text.splitlines() if x.strip()]
    if fmt == "docx":
        to_docx(lines, out)
    else:
        from assistant.load import load_document

        header = load_document(src).title
        pdf = out if fmt == "pdf" else out_dir / f".{src.stem}.print.pdf"
        print_pdf(page_html(lines, header=header[:40]), pdf)
        if fmt == "scan":
            scan_pdf(pdf, out, dpi)
            pdf.unlink()
    stamp.write_text(key)
    return out


# --- scoring -----------------------------------------------------------------------------


def ocr_cost(pdf: Path, progress: bool) -> dict:
    """OCR pages, seconds and warnings of a scanned PDF, measured once per file content (a sidecar
    keeps the figure, so a re-run does not OCR the file again just to time it)."""
    from assistant.extract import read_pdf

    side = pdf.with_name(f".{pdf.name}.ocr.json")
    key = _sha(pdf)
    if side.is_file():
        cached = json.loads(side.read_text(encoding="utf-8"))
        if cached.get("sha256") == key:
            return cached
    got = read_pdf(pdf, progress=progress)
    cost = {"sha256": key, "pages": got.ocr_pages, "seconds": got.ocr_seconds, "warnings": list(got.warnings)}
    side.write_text(json.dumps(cost, ensure_ascii=False), encoding="utf-8")
    return cost



def score_format(name: str, fmt: str, corpus_src: Path, qfile: Path, dpi: int, progress: bool) -> dict:
    """Convert the set's corpus to `fmt`, index it, ask the set's questions, score them."""
    from assistant.config import Settings
    from assistant.index import build_index
    from assistant.load import load_document

    from .run import ask_all
    from .score import metrics, parse_questions, score_answer

    work = HERE / ".work" / "formats" / name / fmt
    corpus = work / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    convert_seconds, ocr = 0.0, {"pages": 0, "seconds": 0.0}
    wanted: set[str] = set()
    warnings: list[str] = []
    for src in sorted(corpus_src.iterdir()):
        if not src.is_file():
            continue
        if fmt == "txt":
            dst = corpus / src.name
            if not dst.exists() or dst.read_bytes() != src.read_bytes():
                shutil.copyfile(src, dst)
        else:
            t = time.perf_counter()
            dst = convert(src, fmt, corpus, dpi)
            convert_seconds += time.perf_counter() - t
        wanted.add(dst.name)
        if fmt == "scan":
            cost = ocr_cost(dst, progress)
            ocr["pages"] += cost["pages"]
            ocr["seconds"] += cost["seconds"]
            warnings += cost["warnings"]
    for p in corpus.iterdir():
        # Hidden files are the conversion stamps and OCR figures (the corpus reader skips them).
        if p.is_file() and p.name not in wanted and not p.name.startswith("."):
            p.unlink()
    settings = Settings.from_env().with_paths(str(corpus), str(work / "index"))
    rep = build_index(settings, progress=progress)
    questions = parse_questions(qfile.read_text(encoding="utf-8"), qfile.name)
    answers, latencies = ask_all(settings, questions, progress=progress)
    scores = [score_answer(q, a) for q, a in zip(questions, answers)]
    m = metrics(questions, scores, latencies)
    if fmt != "scan":  # a scan's warnings come with its OCR cost (read once, not again here)
        warnings = [w for n in sorted(wanted) for w in load_document(corpus / n).warnings]
    m |= {"format": fmt, "index_build_seconds": round(rep.seconds, 1), "convert_seconds": round(convert_seconds, 1),
          "documents": len(wanted), "warnings": warnings}
    if fmt == "scan" and ocr["pages"]:
        m["ocr_pages"] = ocr["pages"]
        m["ocr_seconds_per_page"] = round(ocr["seconds"] / ocr["pages"], 2)
    m["misses"] = [q.id for q, s in zip(questions, scores) if not _correct(q, s)]
    with open(work / "answers.jsonl", "w", encoding="utf-8") as f:
        for a in answers:
            f.write(json.dumps(a, ensure_ascii=False) + "\n")
    return m


def _correct(q, s) -> bool:
    # The scorer's own verdict where it gives one (Score.correct), else facts and citation, or refusal.
    if hasattr(s, "correct"):
        return bool(s.correct)
    return s.correct_refusal if not q.answerable else (s.fact_ok and s.citation_ok)


COLUMNS = (("fact_accuracy", "fact accuracy"), ("citation_accuracy", "citation accuracy"), ("hit_at_1", "hit@1"),
           ("refusal_accuracy", "refusal accuracy"), ("false_refusals", "false refusals"),
           ("wrong_figures_shown", "wrong figures shown"))


def table(results: dict[str, dict]) -> str:
    fmts = list(results)
    lines = ["| metric | " + " | ".join(fmts) + " |", "|---|" + "---|" * len(fmts)]
    for key, label in COLUMNS:
        if any(key in results[f] for f in fmts):
            lines.append(f"| {label} | " + " | ".join(str(results[f].get(key)) for f in fmts) + " |")
    base = results.get("txt")
    if base:
        for key, label in COLUMNS[:2]:
            lines.append(f"| {label} − txt | " + " | ".join(
                f"{(results[f][key] or 0) - (base[key] or 0):+.3f}" for f in fmts) + " |")
    if "scan" in results and results["scan"].get("ocr_seconds_per_page"):
        s = results["scan"]
        lines.append("")
        lines.append(f"OCR: {s['ocr_pages']} pages, {s['ocr_seconds_per_page']} s/page (rendering and OCR, {os.cpu_count()} cores)")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.formats", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--set", dest="qset", default="questions", help="a question set of eval/sets.json (default: questions)")
    p.add_argument("--formats", default="pdf,scan,docx", help="comma-separated: pdf, scan, docx (txt is always scored)")
    p.add_argument("--dpi", type=int, default=150, help="resolution of the scanned copy (default 150)")
    p.add_argument("--out", default=str(HERE / "results"))
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    fmts = ["txt"] + [f.strip() for f in args.formats.split(",") if f.strip() and f.strip() != "txt"]
    bad = [f for f in fmts if f not in FORMATS]
    if bad:
        print(f"error: unknown format {bad[0]!r}: use pdf, scan, docx", file=sys.stderr)
        return 2
    if any(f in ("pdf", "scan") for f in fmts) and not Path(CHROMIUM).exists():
        print(f"error: {CHROMIUM} is missing: install Debian's chromium and fonts-wqy-zenhei (bash scripts/test-deps.sh)", file=sys.stderr)
        return 2
    from assistant.errors import PolicyQAError

    from .run import set_paths
    from .score import QuestionFileError

    try:
        qfile, corpus, _ = set_paths(args.qset)
        results = {}
        for f in fmts:
            print(f"== {f}", file=sys.stderr)
            results[f] = score_format(args.qset, f, corpus, qfile, args.dpi, progress=not args.quiet)
    except (PolicyQAError, QuestionFileError, RuntimeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    text = f"# Format parity: set `{args.qset}`\n\n" + table(results)
    (out / "formats.md").write_text(text, encoding="utf-8")
    (out / "formats.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(text)
    for f, m in results.items():
        if m["misses"]:
            print(f"{f} misses: {', '.join(m['misses'])}")
        for w in m["warnings"]:
            print(f"{f} warning: {w}")
    print(f"written: {out / 'formats.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
