"""Gradio's own component texts in Chinese, whatever language the browser asks for.

Gradio translates its built-in strings ("Drop File Here - or - Click to Upload", "Clear",
"Copy message", the login form) by the browser's locale (navigator.language), and falls back to
English. This app is Chinese only, so a browser set to English would show English controls
around Chinese content. Gradio merges the translations given to `launch(i18n=gr.I18n(...))`
over its own for each locale, so registering these strings for English (the fallback) and for
every other locale Gradio ships makes Simplified Chinese the default everywhere; zh-TW browsers
keep Gradio's Traditional Chinese. tests/test_app_e2e.py checks the upload box in an en-US browser.

The texts follow Gradio's own zh-CN translation where it has one; keys it lacks (copy_message,
status.queue_position …) are added. Keys are Gradio's (frontend/lang/en.json).
"""
from __future__ import annotations

GRADIO_ZH: dict[str, str] = {
    "blocks.connection_can_break": "在移动设备上，如果此标签页失去焦点或设备休眠，连接可能会中断，导致您在队列中失去位置。",
    "blocks.long_requests_queue": "当前排队的请求较多，请稍候。",
    "blocks.lost_connection": "由于离开页面，连接已断开。正在重新加入队列……",
    "blocks.waiting_for_inputs": "正在等待文件上传完成，请稍后重试。",
    "chatbot.edit": "编辑",
    "chatbot.retry": "重试",
    "chatbot.undo": "撤销",
    "chatbot.submit": "发送",
    "chatbot.cancel": "取消",
    "chatbot.like": "赞",
    "chatbot.dislike": "踩",
    "chatbot.clear": "清空对话",
    "chatbot.complete": "完成",
    "chatbot.copy_message": "复制这条消息",
    "chatbot.copied_message": "已复制",
    "chat_interface.new_chat": "新对话",
    "chat_interface.message_placeholder": "请输入问题……",
    "chat_interface.additional_inputs": "更多选项",
    "chat_interface.chatbot": "对话",
    "chat_interface.conversation": "对话",
    "checkbox.checkbox": "复选框",
    "checkbox.checkbox_group": "复选框组",
    "common.built_with": "构建于",
    "common.built_with_gradio": "使用 Gradio 构建",
    "common.clear": "清除",
    "common.download": "下载",
    "common.download_all": "全部下载",
    "common.edit": "编辑",
    "common.empty": "空",
    "common.error": "错误",
    "common.hosted_on": "托管于",
    "common.loading": "加载中",
    "common.logo": "标志",
    "common.or": "或",
    "common.remove": "移除",
    "common.runs": "运行记录",
    "common.runs_description": "查看保存在本浏览器中的运行记录",
    "common.back_to_app": "返回",
    "common.back_to_app_description": "返回应用",
    "common.settings": "设置",
    "common.share": "分享",
    "common.submit": "提交",
    "common.undo": "撤销",
    "common.no_devices": "未找到设备",
    "common.language": "语言",
    "common.display_theme": "显示主题",
    "common.pwa": "渐进式 Web 应用",
    "common.progress": "进度",
    "common.record": "录制",
    "common.stop_recording": "停止录制",
    "common.run": "运行",
    "dataframe.incorrect_format": "格式不正确，仅支持 CSV 和 TSV 文件",
    "dataframe.new_column": "添加列",
    "dataframe.new_row": "新行",
    "dataframe.add_row_above": "在上方添加行",
    "dataframe.add_row_below": "在下方添加行",
    "dataframe.delete_row": "删除行",
    "dataframe.delete_column": "删除列",
    "dataframe.add_column_left": "在左侧添加列",
    "dataframe.add_column_right": "在右侧添加列",
    "dataframe.sort_column": "排序",
    "dataframe.sort_ascending": "升序排列",
    "dataframe.sort_descending": "降序排列",
    "dataframe.drop_to_upload": "将 CSV 或 TSV 文件拖放到此处以导入表格",
    "dataframe.import_empty_file": "拖入的文件是空的。",
    "dataframe.import_no_column_names": "拖入的文件没有列名。",
    "dataframe.import_ragged_row": "文件第 {line} 行有 {fields} 个字段，表头有 {columns} 个。",
    "dataframe.import_static_columns": "表格的列为只读，无法导入。",
    "dataframe.import_fixed_columns": "表格只能有 {expected} 列，文件有 {actual} 列。",
    "dataframe.import_fixed_rows": "表格只能有 {expected} 行，文件有 {actual} 行。",
    "dataframe.clear_sort": "清除排序",
    "dataframe.filter": "筛选",
    "dataframe.clear_filter": "清除筛选",
    "dropdown.dropdown": "下拉菜单",
    "errors.build_error": "存在构建错误",
    "errors.config_error": "存在配置错误",
    "errors.contact_page_author": "请联系页面维护者。",
    "errors.no_app_file": "缺少应用文件",
    "errors.runtime_error": "存在运行时错误",
    "errors.space_not_working": "应用无法运行，原因：{0}",
    "errors.space_paused": "应用已暂停",
    "errors.use_via_api": "通过 API 调用",
    "errors.use_via_api_or_mcp": "通过 API 或 MCP 调用",
    "file.uploading": "正在上传……",
    "highlighted_text.highlighted_text": "高亮文本",
    "label.label": "标签",
    "login.enable_cookies": "如果在无痕模式下访问，请允许第三方 Cookie。",
    "login.incorrect_credentials": "用户名或密码不正确",
    "login.username": "用户名",
    "login.password": "密码",
    "login.login": "登录",
    "number.number": "数字",
    "plot.plot": "图表",
    "radio.radio": "单选",
    "status.queue_position": "排队中：第 {position} 位，共 {size} 位",
    "upload_text.click_to_upload": "点击上传",
    "upload_text.drop_audio": "将音频拖放到此处",
    "upload_text.drop_csv": "将 CSV 文件拖放到此处",
    "upload_text.drop_file": "将文件拖放到此处",
    "upload_text.drop_image": "将图像拖放到此处",
    "upload_text.drop_video": "将视频拖放到此处",
    "upload_text.drop_gallery": "将媒体文件拖放到此处",
    "upload_text.paste_clipboard": "从剪贴板粘贴",
}

# The locales Gradio 6 ships translations for (frontend/lang/*.json), except zh-CN and zh-TW.
# A locale missing here falls back to "en", which is covered.
OTHER_LOCALES = ("en", "ar", "ca", "de", "es", "et", "eu", "fa", "fi", "fr", "he", "hi", "id", "ja", "ko", "lt",
                 "nb", "nl", "pl", "pt", "pt-BR", "ro", "ru", "sv", "ta", "th", "tr", "uk", "ur", "uz")


def gradio_i18n():
    """The gr.I18n to pass to launch(): these texts for zh-CN (filling keys Gradio's zh-CN lacks)
    and for every non-Chinese locale."""
    import gradio as gr

    # Flat "section.key" entries on purpose: svelte-i18n looks a flat key up before the nested
    # path, so these win over Gradio's own nested dictionaries, which are merged in after them.
    return gr.I18n(**{loc: dict(GRADIO_ZH) for loc in ("zh-CN",) + OTHER_LOCALES})
