"""Gradio chat over the policy index: `python app.py` (what `make run` starts).

Thin on purpose: the answers come from assistant.answer, the index from assistant.index.
"""
from __future__ import annotations

import os
import sys

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # offline: no usage pings

import gradio as gr  # noqa: E402

from assistant.answer import Answerer, resolve_followup  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.errors import PolicyQAError  # noqa: E402
from assistant.index import build_index, open_index  # noqa: E402
from assistant.records import Answer  # noqa: E402

EXAMPLES = [
    "新认定的省级新经济示范企业能获得多少资金奖励？",
    "第（十三）条由哪个单位牵头？",
    "省大数据中心参与了哪些措施？",
    "到2025年新经济增加值年均增速目标是多少？",
    "这份文件的文号是什么？",
]


def render(a: Answer) -> str:
    """The answer in Markdown with its citations and quoted source text."""
    parts = [a.answer.replace("\n", "  \n")]
    for i, c in enumerate(a.citations, 1):
        ref = c.measure_label and (c.measure_label if c.measure_label.startswith("第") else f"第{c.measure_label}条")
        ref = ref or (f"{c.section}、{c.section_title}" if c.section else "")
        units = ""
        if c.joint:
            units = f"共同负责：{'、'.join(c.joint_units)}"
        elif c.lead_units:
            units = f"牵头：{'、'.join(c.lead_units)}；配合：{'、'.join(c.co_units) or '无'}"
        parts.append(f"**[{i}] {c.doc_number or c.doc_title} {ref} {c.title or ''}**" + (f"  \n{units}" if units else "")
                     + f"\n> {c.quote}")
    return "\n\n".join(parts)


def build_app(answerer: Answerer) -> gr.Blocks:
    def ask(question: str) -> dict:
        """Answer one question; the JSON answer of the CLI (`python -m assistant ask --json`)."""
        return answerer.ask(question).to_dict()

    def chat(message: str, history: list, last: Answer | None):
        a = answerer.ask(resolve_followup(message, last))
        history = history + [{"role": "user", "content": message}, {"role": "assistant", "content": render(a)}]
        return "", history, (a if a.citations else last)

    with gr.Blocks(title="政策问答助手") as demo:
        gr.Markdown("## 政策问答助手\n回答引自文件原文，并注明所依据的措施条目。")
        last = gr.State(None)
        chatbot = gr.Chatbot(label="对话", height=520)
        box = gr.Textbox(label="问题", placeholder="例如：新认定的省级新经济示范企业能获得多少资金奖励？")
        gr.Examples(EXAMPLES, inputs=box, label="示例问题")
        box.submit(chat, [box, chatbot, last], [box, chatbot, last], api_visibility="private")
        # The same answer function for scripts: gradio_client → client.predict(question, api_name="/ask").
        api_in, api_out = gr.Textbox(visible=False), gr.JSON(visible=False)
        api_in.submit(ask, api_in, api_out, api_name="ask")
    return demo


def main() -> int:
    settings = Settings.from_env()
    try:
        rep = build_index(settings)  # builds on first start; cheap when nothing changed
        for p in rep.problems:
            print(f"warning: {p}", file=sys.stderr)
        answerer = Answerer(open_index(settings))
    except PolicyQAError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    demo = build_app(answerer)
    demo.queue(default_concurrency_limit=settings.concurrency)
    demo.launch(server_name=settings.host, server_port=settings.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
