"""Gradio app: chat with cited answers, the source panel, responsibilities, support items, documents.

`python app.py` (what `make run` starts). Thin on purpose: answers come from assistant/service,
their HTML from assistant/present, the tables' rows from assistant/views and their HTML (with the
unit chart) from assistant/tables; this file wires components to them, lays them out for a laptop
and a phone (CSS below; tests/test_app_layout.py measures both) and checks who may change the corpus.

Security: binds to POLICYQA_HOST (127.0.0.1 unless set), and refuses to serve another address
without a login unless POLICYQA_ALLOW_NO_LOGIN=1; POLICYQA_USERS / POLICYQA_ADMINS turn on
Gradio's login. Who may upload and remove is decided by assistant/access.py and checked by the
Service itself (`submit`, `remove`), whatever the page shows; access.Guard keeps Gradio's raw
upload route to the same callers and throttles failed logins. No user input reaches a shell; an
uploaded file's name goes through manage.check_name and lands only in the corpus folder; a
document to remove is looked up among the indexed doc_ids, never used as a path.
"""
from __future__ import annotations

import csv
import logging
import os
import sys
import tempfile
import uuid
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # offline: no usage pings

import gradio as gr  # noqa: E402

from assistant.access import Caller, Guard, caller_from, startup_problem, startup_warnings  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.errors import PolicyQAError  # noqa: E402
from assistant.extract import INSTALL_LIBREOFFICE, soffice  # noqa: E402
from assistant.load import SUPPORTED  # noqa: E402
from assistant.present import (SOURCE_START, answer_html, citation_label, message_html, panel_html,  # noqa: E402
                               question_html, source_html, source_note)
from assistant.records import Answer  # noqa: E402
from assistant.service import Service  # noqa: E402
from assistant.ui_zh import gradio_i18n  # noqa: E402
from assistant.tables import DOC_TABLE, DUTY_TABLE, ITEM_TABLE, SORT_JS, bars_html, table_html  # noqa: E402
from assistant.views import (DUTY_COLUMNS, ITEM_COLUMNS, WHO_CHOICES, doc_choices, doc_label, documents_table,  # noqa: E402
                             filter_note, for_whom, item_kinds, resolve_doc, responsibility_table, support_table,
                             top_units, unit_counts, write_xlsx)

log = logging.getLogger("policyqa.app")

# Questions that make sense over a library: a measure number names its document, since several
# documents have a (十三); the others name what they ask about.
EXAMPLES = [
    "新认定的省级新经济示范企业能获得多少资金奖励？",
    "我们公司刚评上瞪羚企业能拿多少钱？",
    "川办发〔2021〕93号第（十三）条由哪个单位牵头？",
    "省大数据中心参与了哪些措施？",
    "到2025年新经济增加值年均增速目标是多少？",
    "川办发〔2021〕93号的发布机构是什么？",
]
ALL = ("全部文件", "")  # the "all documents" choice of a document selector
TABLE_ROWS = 500  # rows a table shows in the page; the downloads hold every row

CSS = """
.pqa-answer p { margin: 0 0 .4em; }
.pqa-answer ul { margin: .2em 0 .4em 1.2em; }
mark.pqa-hl { background: #fde68a; color: inherit; font-weight: 600; padding: 0 .1em; border-radius: 3px; }
mark.pqa-cited { background: #fef3c7; color: inherit; }
.pqa-note { color: var(--body-text-color-subdued); font-size: .9em; }
.pqa-refused .pqa-text { color: var(--body-text-color); }
.pqa-items { border-collapse: collapse; margin: .4em 0; font-size: .92em; }
.pqa-items th, .pqa-items td { border: 1px solid var(--border-color-primary); padding: .2em .5em; text-align: left; }
.pqa-cites { margin-top: .5em; border-top: 1px solid var(--border-color-primary); padding-top: .4em; }
.pqa-cites-head { font-size: .85em; color: var(--body-text-color-subdued); margin-bottom: .2em; }
.pqa-cite { margin: .25em 0; }
.pqa-cite > summary, .pqa-more > summary { cursor: pointer; font-weight: 600; }
.pqa-more > summary { color: var(--link-text-color); font-weight: 500; }
.pqa-units { font-size: .9em; margin: .2em 0 .2em 1em; }
.pqa-quote { white-space: pre-wrap; border-left: 3px solid var(--border-color-accent); margin: .2em 0 .2em 1em;
             padding-left: .6em; color: var(--body-text-color); }
.pqa-question { white-space: pre-wrap; }
.pqa-error { color: #991b1b; }
.pqa-wait, .pqa-stream { color: var(--body-text-color-subdued); white-space: pre-wrap; }
.pqa-source h3 { margin: .2em 0; font-size: 1.05em; }
.pqa-caption, .pqa-doc { font-size: .85em; color: var(--body-text-color-subdued); }
.pqa-fulltext { white-space: pre-wrap; line-height: 1.75; margin-top: .5em; }
.pqa-source-empty { color: var(--body-text-color-subdued); }
#citations .wrap { flex-direction: column; align-items: stretch; flex-wrap: nowrap; max-height: 15em; overflow-y: auto; }
#chat-doc input, #duty-doc input, #victim input { text-overflow: ellipsis; }
#citations label { white-space: normal; width: 100%; }
.pqa-badge { display: inline-block; padding: 0 .5em; margin-right: .5em; border-radius: 4px; font-size: .85em; font-weight: 600; }
.pqa-ok { background: #dcfce7; color: #166534; }
.pqa-bad { background: #fee2e2; color: #991b1b; }
.pqa-info { background: #e0e7ff; color: #3730a3; }
#chat-hint:empty { display: none; }
.pqa-inline-btn { align-self: end; max-height: 3em; }
#confirm-box { border: 1px solid #fca5a5; border-radius: 6px; padding: .6em; }
/* The first screen: title, tabs, chat, question box and 发送 within 768 px of a laptop and 844 px of a phone. */
#pqa-head h2 { margin: 0; font-size: 1.35em; }
#pqa-head p { margin: .15em 0 0; font-size: .88em; color: var(--body-text-color-subdued); }
#chat { height: clamp(200px, calc(100dvh - 330px), 640px) !important; }
#ask-row { align-items: stretch; gap: .5em; }
#ask-row #send { min-height: 2.6em; }
@media (max-width: 640px) {
  .gradio-container { padding-left: 8px !important; padding-right: 8px !important; }
  #chat { height: clamp(200px, calc(100dvh - 370px), 640px) !important; }
}
/* Tables (assistant/tables.py): short values on one line, long texts wrap at a readable width, and a
   table wider than the screen scrolls sideways in its frame. */
.pqa-table-caption { font-size: .85em; color: var(--body-text-color-subdued); margin: .3em 0; }
.pqa-table-wrap { overflow: auto; max-height: 560px; border: 1px solid var(--border-color-primary);
                  border-radius: 6px; -webkit-overflow-scrolling: touch; }
.pqa-table { border-collapse: collapse; width: 100%; font-size: .9em; }
.pqa-table th, .pqa-table td { border-bottom: 1px solid var(--border-color-primary); padding: .35em .55em;
                               text-align: left; vertical-align: top; word-break: normal; overflow-wrap: normal; }
.pqa-table thead th { position: sticky; top: 0; z-index: 1; background: var(--background-fill-secondary); white-space: nowrap; }
.pqa-sort { all: unset; cursor: pointer; font-weight: 600; white-space: nowrap; }
.pqa-sort:focus-visible { outline: 2px solid var(--color-accent); }
.pqa-table th[aria-sort="ascending"] .pqa-sort::after { content: " ▲"; font-size: .8em; }
.pqa-table th[aria-sort="descending"] .pqa-sort::after { content: " ▼"; font-size: .8em; }
.pqa-table td.pqa-label, .pqa-table td.pqa-number, .pqa-nobr { white-space: nowrap; }
.pqa-table td.pqa-number { text-align: right; font-variant-numeric: tabular-nums; }
.pqa-table td.pqa-text, .pqa-table td.pqa-list { min-width: 10em; max-width: 24em; }
.pqa-table td.pqa-long { min-width: 18em; max-width: 36em; }
.pqa-table-empty { color: var(--body-text-color-subdued); padding: .5em 0; }
/* The unit chart: one row per unit, its name written out, bars split by role. */
.pqa-chart { border: 1px solid var(--border-color-primary); border-radius: 6px; padding: .6em; }
.pqa-chart-title { font-weight: 600; margin-bottom: .3em; }
.pqa-legend { display: flex; flex-wrap: wrap; gap: .3em 1em; font-size: .85em; margin-bottom: .4em; }
.pqa-key i { display: inline-block; width: .9em; height: .9em; border-radius: 2px; margin-right: .3em; vertical-align: -.1em; }
.pqa-bars-wrap { border: none; max-height: none; }
.pqa-bars { border-collapse: collapse; width: 100%; font-size: .9em; }
.pqa-bars th { text-align: right; font-weight: normal; padding: .15em .5em .15em 0; white-space: nowrap; width: 1%; }
.pqa-bars td { padding: .15em 0; }
.pqa-bars td.pqa-number { width: 2.5em; text-align: right; padding-left: .4em; font-variant-numeric: tabular-nums; }
.pqa-bar-cell { min-width: 6em; }
.pqa-bar { display: flex; height: 1.3em; border-radius: 2px; overflow: hidden; }
.pqa-seg { color: #fff; font-size: .75em; line-height: 1.75em; text-align: center; overflow: hidden; white-space: nowrap; }
/* An amount answer's items in the chat: a narrow bubble scrolls the table instead of breaking its figures. */
.pqa-items { display: block; overflow-x: auto; }
.pqa-items td:not(:nth-child(2)) { white-space: nowrap; }
.pqa-items td:nth-child(2) { min-width: 10em; }
"""


def support_note(shown: int, total: int, who: str, keyword: str | None) -> str:
    """What the 惠企政策 table holds, how many personal benefits the default leaves out, how it is sorted."""
    key = f"（关键词：{keyword.strip()}）" if keyword and keyword.strip() else ""
    if who == "企业和组织":
        head = f"共 {shown} 项面向企业和组织的支持{key}"
        if total > shown:
            head += f"；另有 {total - shown} 项个人待遇（如个人所得税扣除、个人补贴），在“受益方”中选“个人待遇”或“全部”查看"
    elif who == "个人":
        head = f"共 {shown} 项个人待遇{key}"
    else:
        head = f"共 {shown} 项支持政策{key}"
    return head + "。按金额从高到低排列；点击表头可按该列排序，再点一次反向。"


def size_check_js(limit_mb: int) -> str:
    """Browser code for the upload status line: a file over the size limit is refused before Gradio
    sees it, in Chinese (Gradio's own refusal, "File(s) exceed the maximum allowed size", is English
    and cannot be translated). Listens in the capture phase, so it runs before the upload box's own
    handlers, for a chosen file and a dropped one alike; Gradio's max_file_size still guards the server."""
    return """
const limit = %d * 1048576, status = element;
const refuse = (files, event) => {
  const big = [...(files || [])].filter((f) => f.size > limit);
  if (!big.length) return false;
  event.stopImmediatePropagation();
  event.preventDefault();
  const esc = (s) => s.replace(/[&<>"]/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c]));
  const names = big.map((f) => `${esc(f.name)}（${(f.size / 1048576).toFixed(1)} MB）`).join('、');
  props.value = `<span class="pqa-badge pqa-bad">未加入</span>${names}：文件过大，上限为 %d MB。请压缩图片或拆分文件后再上传（管理员可用 POLICYQA_MAX_UPLOAD_MB 调整上限）。`;
  return true;
};
document.addEventListener('change', (e) => {
  if (e.target.matches && e.target.matches('#upload input[type=file]') && refuse(e.target.files, e)) e.target.value = '';
}, true);
document.addEventListener('drop', (e) => {
  if (e.target.closest && e.target.closest('#upload')) refuse(e.dataTransfer && e.dataTransfer.files, e);
}, true);
""" % (limit_mb, limit_mb)


# Gradio's upload errors are English text made in the browser (its own size check) or its "HTTP 413: "
# around the server's Chinese refusal (access.Guard): the page shows them in Chinese. Only these texts
# are touched, wherever Gradio puts them (a toast).
UPLOAD_ERRORS_ZH = """<script>
(() => {
  const rules = [
    [/^File\\(s\\) exceed the maximum allowed size of [^:]*: (.*)$/s,
     (m) => `文件过大：${m[1]} 超过每个文件 %d MB 的上限（POLICYQA_MAX_UPLOAD_MB），没有上传。`],
    [/^HTTP 4(03|13): (?=[\\u4e00-\\u9fff])/, () => ""],
  ];
  const fix = (node) => {
    for (const [re, make] of rules) {
      const m = node.nodeValue.match(re);
      if (m) { node.nodeValue = node.nodeValue.replace(re, make(m)); return; }
    }
  };
  const walk = (root) => {
    if (root.nodeType === 3) return fix(root);
    const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (w.nextNode()) fix(w.currentNode);
  };
  new MutationObserver((changes) => {
    for (const c of changes) {
      if (c.type === "characterData") fix(c.target);
      c.addedNodes.forEach(walk);
    }
  }).observe(document.documentElement, {childList: true, subtree: true, characterData: true});
})();
</script>"""


def badge(kind: str, word: str, text: str) -> str:
    """A status line: a CSS-styled word (no emoji, which render as empty boxes without a font)."""
    from html import escape

    return f'<span class="pqa-badge pqa-{kind}">{escape(word)}</span>{escape(text)}'


def build_app(service: Service) -> gr.Blocks:
    settings = service.settings
    downloads = tempfile.TemporaryDirectory(prefix="policyqa-csv-")  # removed when the app exits

    def choices(keep: str | None = None, with_all: bool = True):
        """A document selector's update: current documents by title and 文号; `keep` stays chosen if still there."""
        opts = doc_choices(service.index)
        value = keep if keep and keep in service.index.documents else ("" if with_all else None)
        return gr.update(choices=([ALL] if with_all else []) + opts, value=value)

    # --- 问答 -------------------------------------------------------------------------------

    def chat(message: str, history: list, last: Answer | None, turns: list, doc: str | None):
        """Yields (box, chatbot, last, turns, picker, source, hint)."""
        question = (message or "").strip()
        if not question:
            yield message, history, last, turns, gr.update(), gr.update(), "请先输入问题，或点击下方的示例问题。"
            return
        try:
            service.check_question(question)
        except PolicyQAError as e:  # echoing it would break the page's stream: clear the box and say why
            yield "", history, last, turns, gr.update(), gr.update(), e.zh
            return
        hint = ""
        doc_id = doc or None
        if doc_id and doc_id not in service.index.documents:
            doc_id, hint = None, "所选文件已被删除，本次在全部文件中检索。"
        shown = history + [{"role": "user", "content": question_html(question)},
                           {"role": "assistant", "content": message_html("正在检索……", "pqa-wait")}]
        yield "", shown, last, turns, gr.update(), gr.update(), hint  # the box is cleared once: what the
        # user types while the answer streams is theirs (later yields leave the box alone)
        a = None
        try:
            partial = ""
            for item in service.stream(question, turns, last, doc_id=doc_id):
                if isinstance(item, str):
                    partial += item
                    shown[-1] = {"role": "assistant", "content": message_html(partial, "pqa-stream")}
                    yield gr.update(), shown, last, turns, gr.update(), gr.update(), hint
                else:
                    a = item
        except PolicyQAError as e:
            shown[-1] = {"role": "assistant", "content": message_html(f"出错了：{e.zh}")}
            yield gr.update(), shown, last, turns, gr.update(choices=[], value=None, visible=False), panel_html("没有引用条款：这次提问出错了。"), hint
            return
        except Exception as e:  # a bug or an outage must not leave the chat hanging or show English
            log.exception("answering %r failed", question)
            shown[-1] = {"role": "assistant", "content": message_html(f"出错了：系统内部错误（{type(e).__name__}），请稍后再试或联系管理员。")}
            yield gr.update(), shown, last, turns, gr.update(choices=[], value=None, visible=False), panel_html("没有引用条款：这次提问出错了。"), hint
            return
        shown[-1] = {"role": "assistant", "content": answer_html(a)}
        turns = turns + [{"role": "user", "content": question}, {"role": "assistant", "content": a.answer}]
        if a.citations:
            refs = [(citation_label(i, c), str(i)) for i, c in enumerate(a.citations, 1)]
            picker = gr.update(choices=refs, value="1", visible=True)
            source = source_html(service.index, a.citations[0], 1, len(a.citations))
        else:
            picker = gr.update(choices=[], value=None, visible=False)
            source = panel_html(source_note(a))
        # A follow-up refers to the last answer that cited something, not to a refusal.
        yield gr.update(), shown, (a if a.citations else last), turns, picker, source, hint

    def ask_example(sample, history, last, turns, doc):
        text = sample[0] if isinstance(sample, (list, tuple)) else sample
        yield from chat(text, history, last, turns, doc)

    def show_source(choice: str | None, last: Answer | None):
        if not choice or last is None:
            return gr.update()
        i = int(choice)
        if not 1 <= i <= len(last.citations):
            return gr.update()
        return source_html(service.index, last.citations[i - 1], i, len(last.citations))

    def clear_chat():
        return None, [], gr.update(choices=[], value=None, visible=False), panel_html(SOURCE_START), ""

    def ask_api(question: str, doc: str | None = None) -> dict:
        """The JSON answer of `python -m assistant ask --json` (no conversation state).

        `doc` (optional): a doc_id, 文号 or title to answer from that document only.
        """
        try:
            doc_id = resolve_doc(service.index, doc)
        except KeyError:
            known = "、".join(sorted(service.index.documents))
            raise gr.Error(f"没有找到文件「{doc}」：请用 doc_id、文号或标题，可用的 doc_id：{known}") from None
        try:
            return service.ask(question, None, doc_id).to_dict()
        except PolicyQAError as e:
            raise gr.Error(e.zh) from None

    # --- 责任分工 ---------------------------------------------------------------------------

    def duties(unit: str, doc: str | None):
        doc_id = doc or None
        if doc_id and doc_id not in service.index.documents:
            doc_id = None
        rows = responsibility_table(service.index, unit, doc_id)
        folder = Path(downloads.name) / uuid.uuid4().hex  # one folder per request: concurrent users never share a file
        folder.mkdir()
        path = folder / "责任分工.csv"
        with open(path, "w", encoding="utf-8-sig", newline="") as f:  # BOM: Excel opens it as UTF-8
            w = csv.DictWriter(f, fieldnames=DUTY_COLUMNS, extrasaction="ignore")
            w.writeheader()
            w.writerows(rows)
        counts = top_units(unit_counts(service.index, doc_id, unit), 20)
        chart = bars_html(counts, "各单位的措施数（按角色；筛选后只计所列措施，最多 20 个单位）")
        note = filter_note(service.index, unit, doc_id, len(rows))
        table = table_html(rows, DUTY_TABLE, "措施与责任单位", limit=TABLE_ROWS)
        return table, gr.update(value=str(path)), chart, f'<div id="duties-note-text">{_esc(note)}</div>'

    # --- 惠企政策 -----------------------------------------------------------------------------

    def support(doc: str | None, kind: str | None, who: str | None, keyword: str | None):
        """The support items as a table, with the same rows as CSV and XLSX files."""
        doc_id = doc if doc and doc in service.index.documents else None
        every = support_table(service.index, doc_id, kind or None, keyword, who="全部")
        rows = for_whom(every, who or "企业和组织")
        folder = Path(downloads.name) / uuid.uuid4().hex
        folder.mkdir()
        csv_path, xlsx_path = folder / "惠企政策.csv", folder / "惠企政策.xlsx"
        with open(csv_path, "w", encoding="utf-8-sig", newline="") as f:
            w = csv.DictWriter(f, fieldnames=ITEM_COLUMNS, extrasaction="ignore")
            w.writeheader()
            w.writerows(rows)
        write_xlsx(rows, ITEM_COLUMNS, xlsx_path)
        note = support_note(len(rows), len(every), who or "企业和组织", keyword)
        kinds = gr.update(choices=[("全部类型", "")] + [(k, k) for k in item_kinds(service.index)])
        table = table_html(rows, ITEM_TABLE, "惠企政策：每一项支持及其适用对象、金额和原文", limit=TABLE_ROWS, sorted_by="金额或比例")
        return table, gr.update(value=str(csv_path)), gr.update(value=str(xlsx_path)), f'<div id="support-note-text">{_esc(note)}</div>', kinds

    # --- 文件 -------------------------------------------------------------------------------

    def docs_table():
        return table_html(documents_table(service.index), DOC_TABLE, "已收录的文件", empty="文件库中还没有文件。")

    def refresh(chat_doc: str | None, duty_doc: str | None):
        """Everything that lists documents, after the corpus changed (or a page was opened)."""
        return docs_table(), choices(chat_doc), choices(duty_doc), choices(None, with_all=False)

    def caller(request: gr.Request | None) -> Caller:
        """Who sent this request, for the Service's check (a request without a client is not local)."""
        client = getattr(request, "client", None)
        headers = getattr(request, "headers", None) or {}
        return caller_from(getattr(request, "username", None), getattr(client, "host", None), headers)

    def manage_visibility(request: gr.Request):
        why = service.refusal(caller(request))
        return gr.update(visible=why is None), gr.update(visible=why is not None, value=f"<p>{_esc(why or '')}</p>")

    def upload(file, request: gr.Request):
        """Yields (status, upload box). The upload is checked at once and then queued; the status
        line follows it (place in the queue, pages read, indexing) until it is added or refused.
        The box is cleared after each file so the next one can be dropped in."""
        if file is None:
            yield badge("info", "提示", "请选择一个文件。"), None
            return
        path = Path(file if isinstance(file, str) else file.name)
        try:
            try:
                job = service.submit(path, path.name, caller(request))
            finally:
                _discard_upload(path)  # staged or refused, Gradio's copy is not needed: nothing is left behind
        except PolicyQAError as e:
            yield badge("bad", "未加入", e.zh), None
            return
        except Exception as e:
            log.exception("adding %s failed", path.name)
            yield badge("bad", "未加入", f"系统内部错误（{type(e).__name__}），文件库和索引保持不变。"), None
            return
        yield badge("info", "处理中", job.detail or f"正在处理 {job.name}……"), gr.update()
        for line in job.watch():
            yield badge("info", "处理中", line), gr.update()
        try:
            added = job.wait()
        except PolicyQAError as e:
            yield badge("bad", "未加入", e.zh), None
            return
        number = service.index.documents.get(added.doc_id, {}).get("doc_number")
        yield badge("ok", "已加入", f"《{added.title}》{number or ''}（{added.measures} 条措施），现在即可提问。"), None

    def ask_remove(doc_id: str | None, request: gr.Request):
        """First click: say what will be removed and show the confirm button."""
        hide = gr.update(visible=False)
        why = service.refusal(caller(request))
        if why:
            return badge("bad", "未删除", why), None, hide, ""
        d = service.index.documents.get(doc_id or "")
        if d is None:
            return badge("info", "提示", "请先在上方选择要删除的文件。"), None, hide, ""
        n = documents_table_row(doc_id)["措施数"]
        text = (f"将删除{doc_label(d)}：文件库中的 {d['path']}（{n} 条措施）及其索引。"
                "删除后不能再就该文件提问；如需恢复，请重新上传原文件。确定删除吗？")
        return "", doc_id, gr.update(visible=True), _esc(text)

    def documents_table_row(doc_id: str) -> dict:
        return next(r for r in documents_table(service.index) if r["doc_id"] == doc_id)

    def confirm_remove(pending: str | None, request: gr.Request):
        """Second click: remove the document named in the confirmation. Yields (status, pending, confirm box)."""
        hide = gr.update(visible=False)
        d = service.index.documents.get(pending or "")
        if d is None:
            yield badge("info", "提示", "没有待删除的文件（可能已被删除），请重新选择。"), None, hide
            return
        yield badge("info", "处理中", f"正在删除{doc_label(d)}并更新索引……"), None, hide
        try:
            service.remove(pending, caller(request))  # the right is checked there, whatever led here
        except PolicyQAError as e:
            yield badge("bad", "未删除", e.zh), None, hide
            return
        except Exception as e:
            log.exception("removing %s failed", pending)
            yield badge("bad", "未删除", f"系统内部错误（{type(e).__name__}），文件库和索引保持不变。"), None, hide
            return
        yield badge("ok", "已删除", f"{doc_label(d)}（{d['path']}）已从文件库和索引中移除。"), None, hide

    def cancel_remove():
        return badge("info", "已取消", "没有删除任何文件。"), None, gr.update(visible=False)

    # --- layout -----------------------------------------------------------------------------

    # Choices as of start-up; every page load and tab switch refreshes them (refresh below).
    start_docs = doc_choices(service.index)
    # Gradio's cache (uploads it received, files it served) is emptied of anything older than the setting.
    cache_seconds = settings.upload_cache_minutes * 60
    with gr.Blocks(title="政策问答助手", delete_cache=(cache_seconds, cache_seconds)) as demo:
        gr.HTML('<div id="pqa-head"><h2>政策问答助手</h2><p>回答引自文件原文，并注明依据的条款；'
                '文件没有规定的，会直接说明“未找到”。</p></div>')
        last, turns = gr.State(None), gr.State([])
        with gr.Tab("问答") as chat_tab:
            with gr.Row():
                # The chat, the question box and 发送 fill the first screen of a laptop (1366×768) and a
                # phone (390×844): the chat's height follows the window (CSS #chat); the document
                # selector sits beside the source panel, below the examples on a phone.
                with gr.Column(scale=3, min_width=320):
                    # No share button (it posts to Hugging Face) and no copy buttons (they copy the HTML source).
                    chatbot = gr.Chatbot(show_label=False, elem_id="chat", latex_delimiters=[], buttons=[],
                                         placeholder="在下方输入问题，按回车或点击“发送”；也可以点击下方的示例问题。")
                    with gr.Row(equal_height=True, elem_id="ask-row"):
                        box = gr.Textbox(show_label=False, placeholder="输入问题，例如：新认定的省级新经济示范企业能获得多少资金奖励？",
                                         elem_id="question", scale=8, max_length=2000, container=False)
                        send = gr.Button("发送", variant="primary", elem_id="send", scale=1, min_width=72)
                    hint = gr.HTML("", elem_id="chat-hint")
                    examples = gr.Dataset(components=[box], samples=[[q] for q in EXAMPLES], label="示例问题（点击即提问）",
                                          elem_id="examples", samples_per_page=len(EXAMPLES))
                with gr.Column(scale=2, min_width=300):
                    chat_doc = gr.Dropdown(label="提问范围（选一份文件时只在这份文件中查找）", choices=[ALL] + start_docs,
                                           value="", elem_id="chat-doc")
                    picker = gr.Radio(label="引用条款（点击查看原文）", choices=[], elem_id="citations", visible=False)
                    source = gr.HTML(panel_html(SOURCE_START), elem_id="source")
        with gr.Tab("责任分工") as duty_tab:
            with gr.Row():
                unit = gr.Textbox(label="按单位筛选（全称或简称，如 发改委、经信厅）", elem_id="unit-filter", scale=3)
                duty_doc = gr.Dropdown(label="文件", choices=[ALL] + start_docs, value="", elem_id="duty-doc", scale=4)
                go = gr.Button("筛选", variant="primary", elem_id="unit-go", scale=1, min_width=80, elem_classes=["pqa-inline-btn"])
            note = gr.HTML(elem_id="duties-note")
            table = gr.HTML(elem_id="duties", js_on_load=SORT_JS, apply_default_css=False)
            download = gr.DownloadButton("下载 CSV（当前筛选结果）", elem_id="duties-csv", size="sm", scale=0)
            chart = gr.HTML(elem_id="duties-chart", js_on_load=None, apply_default_css=False)
        with gr.Tab("惠企政策") as support_tab:
            with gr.Row():
                item_doc = gr.Dropdown(label="文件", choices=[ALL] + start_docs, value="", elem_id="support-doc", scale=4)
                item_kind = gr.Dropdown(label="支持类型", choices=[("全部类型", "")], value="", elem_id="support-kind", scale=2)
                item_who = gr.Dropdown(label="受益方", choices=list(WHO_CHOICES), value="企业和组织", elem_id="support-who", scale=2)
                item_key = gr.Textbox(label="关键词（适用对象或原文中的词，如 瞪羚、上市、贷款）", elem_id="support-keyword", scale=3)
                item_go = gr.Button("筛选", variant="primary", elem_id="support-go", scale=1, min_width=80,
                                    elem_classes=["pqa-inline-btn"])
            item_note = gr.HTML(elem_id="support-note")
            items_table = gr.HTML(elem_id="support", js_on_load=SORT_JS, apply_default_css=False)
            with gr.Row():
                item_csv = gr.DownloadButton("下载 CSV", elem_id="support-csv", size="sm", scale=0)
                item_xlsx = gr.DownloadButton("下载 Excel（XLSX）", elem_id="support-xlsx", size="sm", scale=0)
        with gr.Tab("文件") as docs_tab:
            docs = gr.HTML(elem_id="docs", js_on_load=SORT_JS, apply_default_css=False)
            with gr.Column(visible=True, elem_id="manage") as manage:
                up = gr.File(label=f"上传政策文件（{' '.join(SUPPORTED)}；扫描件和图片会做文字识别；不超过 {settings.max_upload_mb} MB）",
                             elem_id="upload")  # no file_types (Gradio refuses in English): manage.check_upload answers in Chinese
                status = gr.HTML(elem_id="upload-status", js_on_load=size_check_js(settings.max_upload_mb))
                with gr.Row():
                    victim = gr.Dropdown(label="删除文件", choices=start_docs, value=None, elem_id="victim", scale=4)
                    rm = gr.Button("删除…", elem_id="remove", scale=1, min_width=80, elem_classes=["pqa-inline-btn"])
                pending = gr.State(None)
                with gr.Column(visible=False, elem_id="confirm-box") as confirm_box:
                    confirm_text = gr.HTML(elem_id="confirm-text")
                    with gr.Row():
                        yes = gr.Button("确认删除", variant="stop", elem_id="confirm-remove")
                        no = gr.Button("取消", elem_id="cancel-remove")
            denied = gr.HTML("", visible=False, elem_id="manage-denied")

        chat_out = [box, chatbot, last, turns, picker, source, hint]
        # The chat is also an API endpoint (api_name "chat") so the load test can hold conversations:
        # predict(question, history, doc, api_name="/chat"); a follow-up resolves against the
        # previous answer of the same client session (the `last` State), never another's.
        box.submit(chat, [box, chatbot, last, turns, chat_doc], chat_out, api_name="chat", show_progress="hidden")
        send.click(chat, [box, chatbot, last, turns, chat_doc], chat_out, api_visibility="private", show_progress="hidden")
        examples.click(ask_example, [examples, chatbot, last, turns, chat_doc], chat_out, api_visibility="private", show_progress="hidden")
        chatbot.clear(clear_chat, None, [last, turns, picker, source, hint], api_visibility="private", show_progress="hidden")
        picker.change(show_source, [picker, last], source, api_visibility="private", show_progress="hidden")

        duty_out = [table, download, chart, note]
        go.click(duties, [unit, duty_doc], duty_out, api_visibility="private", show_progress="hidden")
        unit.submit(duties, [unit, duty_doc], duty_out, api_visibility="private", show_progress="hidden")
        duty_doc.change(duties, [unit, duty_doc], duty_out, api_visibility="private", show_progress="hidden")

        support_in, support_out = [item_doc, item_kind, item_who, item_key], [items_table, item_csv, item_xlsx, item_note, item_kind]
        item_go.click(support, support_in, support_out, api_visibility="private", show_progress="hidden")
        item_key.submit(support, support_in, support_out, api_visibility="private", show_progress="hidden")
        item_doc.change(support, support_in, support_out, api_visibility="private", show_progress="hidden")
        item_kind.change(support, support_in, support_out, api_visibility="private", show_progress="hidden")
        item_who.change(support, support_in, support_out, api_visibility="private", show_progress="hidden")
        support_tab.select(support, support_in, support_out, api_visibility="private", show_progress="hidden")
        support_tab.select(lambda d: choices(d), item_doc, item_doc, api_visibility="private", show_progress="hidden")

        lists = [docs, chat_doc, duty_doc, victim]
        # Callable by scripts too (the load test uploads while users ask), not listed on the API page;
        # the handler's admin check applies to API calls as it does to the page.
        # No concurrency limit here: the upload queue bounds the jobs, and a refusal returns at once.
        up.upload(upload, up, [status, up], api_name="upload", api_visibility="undocumented", show_progress="hidden",
                  concurrency_limit=None).then(
            refresh, [chat_doc, duty_doc], lists, api_visibility="private", show_progress="hidden").then(
            duties, [unit, duty_doc], duty_out, api_visibility="private", show_progress="hidden")
        rm.click(ask_remove, victim, [status, pending, confirm_box, confirm_text], api_visibility="private", show_progress="hidden")
        yes.click(confirm_remove, pending, [status, pending, confirm_box], api_visibility="private", show_progress="hidden").then(
            refresh, [chat_doc, duty_doc], lists, api_visibility="private", show_progress="hidden").then(
            duties, [unit, duty_doc], duty_out, api_visibility="private", show_progress="hidden")
        no.click(cancel_remove, None, [status, pending, confirm_box], api_visibility="private", show_progress="hidden")
        # Choosing another document withdraws a pending confirmation: it named the previous one.
        victim.change(lambda: (None, gr.update(visible=False)), None, [pending, confirm_box], api_visibility="private", show_progress="hidden")
        # Another session may have changed the corpus: a tab shows the current documents when opened.
        for tab in (chat_tab, duty_tab, support_tab, docs_tab):
            tab.select(refresh, [chat_doc, duty_doc], lists, api_visibility="private", show_progress="hidden")

        demo.load(refresh, [chat_doc, duty_doc], lists, api_visibility="private", show_progress="hidden").then(
            duties, [unit, duty_doc], duty_out, api_visibility="private", show_progress="hidden")
        demo.load(manage_visibility, None, [manage, denied], api_visibility="private", show_progress="hidden")

        # For scripts: gradio_client.Client(url).predict("问题", api_name="/ask") returns the JSON answer;
        # predict("问题", "川办发〔2021〕93号", api_name="/ask") answers from that document only.
        api_in, api_doc, api_out = gr.Textbox(visible=False), gr.Textbox(value="", visible=False), gr.JSON(visible=False)
        api_in.submit(ask_api, [api_in, api_doc], api_out, api_name="ask")
    demo.policyqa_downloads = downloads  # keep the folder alive as long as the app
    return demo


def _esc(text: str) -> str:
    from html import escape

    return escape(text)


def _discard_upload(path: Path) -> None:
    """Delete Gradio's temporary copy of an upload: the document is kept only in the corpus folder."""
    from gradio.utils import get_upload_folder

    try:
        if path.resolve().is_relative_to(Path(get_upload_folder()).resolve()):
            path.unlink(missing_ok=True)
            path.parent.rmdir()  # Gradio's folder for this one upload, empty now
    except OSError:
        pass  # a leftover temp file is harmless; Gradio's cache cleanup removes it later


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings.from_env()
    except PolicyQAError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    problem = startup_problem(settings)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    for w in startup_warnings(settings):
        print(f"warning: {w}", file=sys.stderr)
    try:
        service = Service(settings)  # settles interrupted uploads, builds the index on first start
    except PolicyQAError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for p in service.report.problems if service.report else ():
        print(f"warning: {p}", file=sys.stderr)
    demo = build_app(service)
    demo.queue(default_concurrency_limit=settings.concurrency)
    logins = settings.logins
    if soffice() is None:
        print(f"note: LibreOffice is not installed: .doc and .wps uploads are refused until it is ({INSTALL_LIBREOFFICE})",
              file=sys.stderr)
    from starlette.middleware import Middleware

    lock = f"（连续输错 {settings.login_failures} 次后，账号将被锁定 {settings.login_lock_minutes} 分钟）"
    demo.launch(server_name=settings.host, server_port=settings.port, max_file_size=f"{settings.max_upload_mb}mb",
                show_error=True, auth=logins or None, auth_message=f"政策问答助手：请输入用户名和密码登录{lock}" if logins else None,
                i18n=gradio_i18n(), css=CSS, head=UPLOAD_ERRORS_ZH % settings.max_upload_mb, footer_links=["api", "settings"],
                app_kwargs={"middleware": [Middleware(Guard, settings=settings)]})
    return 0


if __name__ == "__main__":
    sys.exit(main())
