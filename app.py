"""Gradio app: chat with cited answers, the source panel, responsibilities, documents.

`python app.py` (what `make run` starts). Thin on purpose: every decision is made in
assistant/ (service, answer, manage, present); this file wires components to it.
"""
from __future__ import annotations

import csv
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # offline: no usage pings

import gradio as gr  # noqa: E402

from assistant.config import Settings  # noqa: E402
from assistant.errors import PolicyQAError  # noqa: E402
from assistant.views import documents_table, responsibility_table, unit_counts  # noqa: E402
from assistant.present import answer_markdown, reference, source_markdown  # noqa: E402
from assistant.records import Answer  # noqa: E402
from assistant.service import Service  # noqa: E402

EXAMPLES = [
    "新认定的省级新经济示范企业能获得多少资金奖励？",
    "我们公司刚评上瞪羚企业能拿多少钱？",
    "第（十三）条由哪个单位牵头？",
    "省大数据中心参与了哪些措施？",
    "到2025年新经济增加值年均增速目标是多少？",
    "这份文件的文号是什么？",
]
ALL_DOCS = "全部文件"


def build_app(service: Service) -> gr.Blocks:
    def doc_choices() -> list[str]:
        return [ALL_DOCS] + sorted(service.index.documents)

    def chat(message: str, history: list, last: Answer | None):
        # Tokens appear as the LLM writes them; the verified answer (or the extractive fallback)
        # then replaces them, with its citations. Without an LLM there is one final step.
        turn = [{"role": "user", "content": message}, {"role": "assistant", "content": ""}]
        a = None
        for item in service.stream(message, history, last):
            if isinstance(item, str):
                turn[1]["content"] += item
                yield "", history + turn, last, gr.update(), gr.update()
            else:
                a = item
        turn[1]["content"] = answer_markdown(a)
        refs = [f"[{i}] {reference(c)}" for i, c in enumerate(a.citations, 1)]
        source = source_markdown(service.index, a.citations[0]) if a.citations else "（本次回答没有引用条款）"
        yield "", history + turn, (a if a.citations else last), gr.update(choices=refs, value=refs[0] if refs else None), source

    def show_source(choice: str | None, last: Answer | None) -> str:
        if not choice or last is None:
            return ""
        i = int(choice[1:choice.index("]")]) - 1
        return source_markdown(service.index, last.citations[i]) if 0 <= i < len(last.citations) else ""

    def ask_api(question: str) -> dict:
        """The JSON answer of `python -m assistant ask --json` (no conversation state)."""
        return service.ask(question).to_dict()

    def duties(unit: str, doc: str):
        doc_id = None if doc in (None, ALL_DOCS) else doc
        rows = responsibility_table(service.index, unit, doc_id)
        cols = ["文件", "措施", "标题", "牵头单位", "配合单位", "共同负责"]
        path = Path(tempfile.mkdtemp()) / "responsibilities.csv"
        with open(path, "w", encoding="utf-8-sig", newline="") as f:  # BOM: Excel opens it as UTF-8
            w = csv.DictWriter(f, fieldnames=cols, extrasaction="ignore")
            w.writeheader()
            w.writerows(rows)
        counts = unit_counts(service.index, doc_id)
        import pandas as pd

        table = pd.DataFrame(rows, columns=cols)
        chart = pd.DataFrame(counts or [{"单位": "", "角色": "牵头", "措施数": 0}])
        note = f"共 {len(rows)} 条措施" + (f"（单位：{unit}）" if unit and unit.strip() else "")
        return table, str(path), chart, note

    def docs_view():
        import pandas as pd

        return pd.DataFrame(documents_table(service.index)), gr.update(choices=sorted(service.index.documents), value=None)

    def upload(file, progress=gr.Progress(track_tqdm=True)):
        # The upload box is cleared after each file (the last output) so the next one can be dropped in.
        if file is None:
            return "请选择一个文件。", *docs_view(), None
        path = Path(file if isinstance(file, str) else file.name)
        try:
            added = service.add(path, path.name)
        except PolicyQAError as e:
            return f"❌ 未加入：{e}", *docs_view(), None
        return f"✅ 已加入《{added.title}》（{added.doc_id}，{added.measures} 条措施），现在即可提问。", *docs_view(), None

    def remove(doc_id: str | None):
        if not doc_id:
            return "请选择要删除的文件。", *docs_view()
        try:
            service.remove(doc_id)
        except PolicyQAError as e:
            return f"❌ {e}", *docs_view()
        return f"已删除 {doc_id}。", *docs_view()

    with gr.Blocks(title="政策问答助手") as demo:
        gr.Markdown("## 政策问答助手\n回答引自文件原文，并注明依据的措施条目；文件没有规定的，会直接说明“未找到”。")
        last = gr.State(None)
        with gr.Tab("问答"):
            with gr.Row():
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(label="对话", height=520, elem_id="chat")
                    box = gr.Textbox(label="问题", placeholder="例如：新认定的省级新经济示范企业能获得多少资金奖励？", elem_id="question")
                    gr.Examples(EXAMPLES, inputs=box, label="示例问题（点击填入）")
                with gr.Column(scale=2):
                    picker = gr.Dropdown(label="引用条款（点击查看原文）", choices=[], elem_id="citations")
                    source = gr.Markdown("提问后，这里显示所引用条款的完整原文。", elem_id="source")
        with gr.Tab("责任分工"):
            with gr.Row():
                unit = gr.Textbox(label="按单位筛选（可用简称，如 发改委、经信厅）", elem_id="unit-filter")
                doc = gr.Dropdown(label="文件", choices=doc_choices(), value=ALL_DOCS)
                go = gr.Button("筛选", elem_id="unit-go")
            note = gr.Markdown()
            table = gr.Dataframe(label="措施与责任单位", interactive=False, elem_id="duties")
            download = gr.File(label="下载 CSV")
            chart = gr.BarPlot(x="单位", y="措施数", color="角色", title="各单位牵头、配合的措施数", x_label_angle=-45, height=420)
        with gr.Tab("文件"):
            docs = gr.Dataframe(label="已收录的文件", interactive=False, elem_id="docs")
            up = gr.File(label="上传政策文件（.txt .md .html .docx .pdf）", file_types=[".txt", ".md", ".html", ".htm", ".docx", ".pdf"],
                         elem_id="upload")
            status = gr.Markdown(elem_id="upload-status")
            with gr.Row():
                victim = gr.Dropdown(label="删除文件", choices=[])
                rm = gr.Button("删除")

        box.submit(chat, [box, chatbot, last], [box, chatbot, last, picker, source], api_visibility="private")
        picker.change(show_source, [picker, last], source, api_visibility="private")
        go.click(duties, [unit, doc], [table, download, chart, note], api_visibility="private")
        unit.submit(duties, [unit, doc], [table, download, chart, note], api_visibility="private")
        up.upload(upload, up, [status, docs, victim, up], api_visibility="private")
        rm.click(remove, victim, [status, docs, victim], api_visibility="private")
        demo.load(duties, [unit, doc], [table, download, chart, note], api_visibility="private")
        demo.load(docs_view, None, [docs, victim], api_visibility="private")
        # For scripts: gradio_client.Client(url).predict("问题", api_name="/ask") returns the JSON answer.
        api_in, api_out = gr.Textbox(visible=False), gr.JSON(visible=False)
        api_in.submit(ask_api, api_in, api_out, api_name="ask")
    return demo


def main() -> int:
    settings = Settings.from_env()
    try:
        service = Service(settings)  # builds the index on first start; cheap when nothing changed
    except PolicyQAError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for p in service.report.problems if service.report else ():
        print(f"warning: {p}", file=sys.stderr)
    demo = build_app(service)
    demo.queue(default_concurrency_limit=settings.concurrency)
    demo.launch(server_name=settings.host, server_port=settings.port,
                max_file_size=f"{settings.max_upload_mb}mb", show_error=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
