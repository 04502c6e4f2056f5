"""Question understanding, in one place: what a question asks, about what, and in which document.

A pure function of the question and of what the library holds (its documents' names and its
units). Every table here states a rule a policy reader would recognise:
- a measure is named explicitly (第十三条, 第（十三）条, （十三）, 第13条, 第5项, 措施5); counts and
  idioms (两条措施, 前三条, 一条龙) are not references;
- a section is named with 部分/章 (（二）那一部分, 第三章);
- a document is named by its 文号, its issuing region (四川, 上海, 国务院), or a word of its title
  used with a word for a document (新经济实施意见, 临港政策, 就业意见);
- the intent comes from the question's wording (牵头, 配合, 哪些措施, 多少, 文号 …); "哪些单位可以获得"
  asks who may receive something, not who is responsible;
- the figure asked for is money, a share, a count or a duration;
- numbers the question states (2030年, 50万元) must appear in an answer's source; measure
  references, 文号 and names like 5G are not such numbers;
- a follow-up refers to "它/这条/该措施/其牵头单位" explicitly.
Hands on a `Query` to retrieval and answering.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .load import fold
from .numerals import CN_NUMERAL_CHARS, to_int
from .terms import expand as _expand_abbreviations
from .units import unit_surface_forms

_CN = f"[{CN_NUMERAL_CHARS}]+"

META_FIELDS = (
    ("doc_number", r"文号|发文字号|字号|编号是|令号|(?:哪|第几|几)号[\u4e00-\u9fff]{0,6}令"),
    ("publisher", r"发布机构|发文机关|发文单位|名义(印发|发布|下发)|(哪个|哪些|哪几个|哪几家|什么|哪一?级)(部门|单位|机关|机构|政府)(联合|一起|共同|、?在?(?:哪天|哪一天|哪年|什么时候|何时))?(发布|印发|发的|出台|制定|下发)|谁(发布|印发|发的|制定|出台)"),
    ("written_date", r"成文日期|成文时间|落款|签发日期|什么时候(成文|签发|印发)|(从|哪天|何时)成文|成文.{0,6}(几天|哪天|日期|时间)|(哪天|哪一天|什么时候|何时|哪年)印发|印发.{0,4}(日期|时间)|(文号|机构|标题)(和|及|、)日期"),
    ("published_date", r"发布日期|发布时间|公布日期|(什么时候|哪天|何时|哪一年|哪年)(对外)?(发布|公布|出台|发的|下发)|(对外)?发布.{0,4}(几天|哪天|隔了)"),
    ("validity", r"有效性|是否(有效|失效|废止)|还有效|有效吗|失效|废止"),
    ("index_number", r"索引号"),
    ("title", r"标题|全称|文件名|(文件|文件的名字)叫什么|(文件|意见|通知|办法)(讲的|说的)?是(什么事|关于什么)|(文件|意见|通知|办法)讲(的是)?什么"),
    ("effective", r"施行|生效|(什么时候|何时|哪天|哪一天)(开始|起)?(执行|实施)|(实施|执行)(日期|时间)"),
    ("period", r"政策期限|有效期|执行期限|实施期限|有效多久|管到哪"),
    ("addressee", r"主送|发给(谁|哪些)|下发给|印发给"),
    # (the document's own approval: 这份文件经过谁同意/哪个部门批准的 — not 装光伏需要谁同意)
    ("approval", r"(经过?|经没经过|有没有经过?)[^，,。？?]{0,8}(同意|批准)|(谁|哪里|哪个部门)(批准|同意)的(?![^，,。？?]*(需要|要|得))"),
)
META_LABELS = {
    "doc_number": "文号", "publisher": "发布机构", "written_date": "成文日期", "published_date": "发布日期",
    "validity": "有效性", "index_number": "索引号", "title": "标题", "addressee": "主送单位",
    "effective": "施行日期", "period": "政策期限", "approval": "批准",
}
# Who may receive something (哪些企业可以获得…) is a question about the policy, not about duties.
_ELIGIBILITY = r"(哪些|什么|哪类|哪种)(单位|部门|企业|机构|人|人员|主体|项目).{0,4}(可以|能|能够|可|才能)?(获得|享受|申请|申报|领取|拿到|得到)"
INTENTS = (
    ("unit_measures", r"哪些|哪几|几条|多少条|几项|多少项|什么(措施|任务|工作)|列出|清单|哪一条|哪条|哪一项"),
    ("co_units", r"配合|协助|协同|支持单位|参与单位|配合单位|协办"),
    ("lead_unit", r"牵头|主责|由谁|谁来|谁(负责|统筹|承担|制定|组织)|(哪个|哪家|什么|哪些|哪[一两三几]个)(单位|部门|机构)|责任单位|负责单位|负责部门|谁管|找谁"),
    # Is X covered at all? (文件里有没有提到X / 对X有啥说法 / 跟我们沾边吗): answered by where X is mentioned.
    ("mention", r"有没有(提到?|说|涉及|相关|关于|部署|支持)|提(到|及)?了?(没有|吗)|提没提|(有|有什么|有啥)(说法|表述|部署|提法)|"
                r"沾边|算不算|涉及(到)?.{0,6}(吗|没有)|有.{0,12}(相关|对应)的?.{0,6}(吗|没有)|能用上|用得上|哪些地方提到|哪里提到|提到.{0,8}(的地方|了吗)"),
    # (几个 in the clause that asks counts a thing — not 几个方面, nor 我们几个, nor 好几个 (several), nor
    # 挖几个人来，…有没有…;
    # 规模有多大 asks a size)
    ("amount", r"多少|(?<![哪好])几(座|家|所|项|个月|年|折)|(?<![哪有们好])几个(?!方面|部分|阶段|环节|问题)[^，,；;。！!]*$|多大|折扣|金额|奖励|奖金|补助|补贴|资助|额度|比例|比重|增速|百分|上限|最高"),
    ("list", r"有哪些|哪些(政策|措施|支持|扶持|优惠|补贴|奖励|规定|条款|项目|内容)|哪几条|哪些条|哪几项|哪几个|有哪几|"
             r"享受(哪些|什么|啥)|都有(什么|啥)|有(什么|啥)(政策|支持|措施|扶持|优惠)|列举"),
    ("locate", r"哪一条|哪条|在哪|哪个措施|哪项措施|哪一项|出自|哪部分|哪一部分"),
)
UNIT_ROLE = (("lead", r"牵头"), ("co", r"配合|协助|协同|支持"))
# What asks a figure (多少, 几个月, 多大, 比例, 怎么算), as against the mere name of a grant (奖励, 补贴).
HOW_MUCH = r"多少|(?<![哪好])几|多大|多高|多长|多久|折扣|比例|比重|增速|百分|上限|最高|最多|封顶|额度|标准|怎么算|如何计算|怎么计算|怎么补|怎么给"
# What asks who, which people, or whether: general Chinese question words.
WHO_OR_WHETHER = r"谁|哪家|哪些人|什么人|哪类人|[吗嘛][？?]?$|吗[？?，,]|能不能|可不可以|能否|是否"
# Everyday words for what policy text names formally: a citizen asks about 孩子, the text says 子女.
# Kinship is written formally (子女, 配偶, 父母, 祖父母), and so are the asker's workplace (企业), home
# (户籍) and abroad (境外).
EVERYDAY_WORDS = {
    "个税": "个人所得税", "房贷": "住房贷款", "租房": "住房租金", "房租": "住房租金", "社保": "社会保险",
    "户口": "户籍", "国外": "境外", "海外": "境外",
    "孩子": "子女", "小孩": "子女", "娃": "子女", "儿子": "子女", "女儿": "子女", "闺女": "子女",
    "独生女": "独生子女", "独生子": "独生子女", "爸妈": "父母", "爹妈": "父母",
    "父亲": "父母", "母亲": "父母", "我爸": "父母", "我妈": "父母",
    "老婆": "配偶、夫妻", "媳妇": "配偶、夫妻", "妻子": "配偶、夫妻", "老公": "配偶、夫妻", "丈夫": "配偶、夫妻",
    "爱人": "配偶、夫妻",
    "哥哥": "兄弟姐妹", "姐姐": "兄弟姐妹", "弟弟": "兄弟姐妹", "妹妹": "兄弟姐妹",
    "我哥": "兄弟姐妹", "我姐": "兄弟姐妹", "我弟": "兄弟姐妹", "我妹": "兄弟姐妹",
    "爷爷": "祖父母", "奶奶": "祖父母", "外公": "外祖父母", "外婆": "外祖父母", "姥姥": "外祖父母", "姥爷": "外祖父母",
    "厂子": "企业", "厂里": "企业", "老板": "企业",
}
_EVERYDAY = re.compile("|".join(map(re.escape, sorted(EVERYDAY_WORDS, key=len, reverse=True))))


def expand(question: str) -> str:
    """The question with the written form after each abbreviation or everyday word:
    做VR的 → 做VR（虚拟现实）的, 孩子上学 → 孩子（子女）上学."""
    text = _expand_abbreviations(question)

    def gloss(m: re.Match) -> str:
        # An everyday word inside the formal word itself (房租 of 住房租金) is no everyday word.
        formal = EVERYDAY_WORDS[m.group(0)]
        for word in formal.split("、"):
            at = text.find(word, max(0, m.start() - len(word)))
            if 0 <= at <= m.start() and at + len(word) >= m.end():
                return m.group(0)
        return f"{m.group(0)}（{formal}）"

    return _EVERYDAY.sub(gloss, text)


# An energy is named by its source (氢能, 核能, 风能): the power and the fuel made from that source
# (氢燃料电池, 核电, 风电, 光伏) are about it too.
ENERGY_FORMS = {
    "氢能": ("氢燃料", "燃料电池"), "核能": ("核电",), "风能": ("风电",), "太阳能": ("光伏", "光热"),
    "地热能": ("地热",), "生物质能": ("生物质",),
}
# Policy shorthands that pack several words into one (“数智化” is 数字化、智能化): a text using the
# shorthand names each of its words. Only shorthands a policy reader spells out the same way anywhere.
SHORTHANDS = {
    "数智": ("数字", "智能"), "双碳": ("碳达峰", "碳中和"), "双创": ("创新", "创业"),
    "专精特新": ("专业化", "精细化", "特色化", "新颖化"), "放管服": ("简政放权", "放管结合", "优化服务"),
}


def spelled_out(text: str) -> str:
    """The text with each policy shorthand followed by the words it stands for (数智化 → 数智（数字、智能）化),
    so that a word search finds what the shorthand says."""
    for short, words in SHORTHANDS.items():
        text = text.replace(short, f"{short}（{'、'.join(words)}）")
    return text


# China's administrative categories of cities, as the tiers of a policy name them (直辖市、省会（首府）
# 城市、计划单列市): a question naming a city (我在北京租房) is about the tier naming its category. These
# lists are national facts, stable for decades; a city in none of them is left to the text.
CITY_CATEGORIES = {
    "直辖市": "北京 天津 上海 重庆",
    "计划单列市": "大连 青岛 宁波 厦门 深圳",
    "省会": "石家庄 太原 沈阳 长春 哈尔滨 南京 杭州 合肥 福州 南昌 济南 郑州 武汉 长沙 广州 海口 成都 贵阳 昆明 西安 兰州 西宁",
    "首府": "呼和浩特 南宁 拉萨 银川 乌鲁木齐",
}


# China's provinces and the cities of CITY_CATEGORIES by their bare names: a question naming one
# (在苏州…, 河南老家) names a place even without 省/市.
PLACE_NAMES = frozenset("""
北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 海南 四川 贵州 云南
陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门
""".split()) | frozenset(c for cities in CITY_CATEGORIES.values() for c in cities.split())


def city_categories(question: str) -> list[tuple[str, str]]:
    """(city, category) for each city of CITY_CATEGORIES the question names."""
    return [(city, cat) for cat, cities in CITY_CATEGORIES.items() for city in cities.split() if city in question]


_JOINED = re.compile(r"[\u4e00-\u9fff]{2,}(?:、[\u4e00-\u9fff]{2,}){1,5}")


def joint_names(question: str, known) -> str:
    """The question with each list of places written as the joint name the documents use, formed as
    such names are from the places' first characters (成都、德阳、绵阳三地 → 成德绵三地). `known(word)`
    says whether the documents use a word; a list they name no such way is left alone. Names of two
    characters are assumed after the first (the usual length of a city's name without 市)."""
    def gloss(m: re.Match) -> str:
        first, *rest = m.group(0).split("、")
        tail = "".join(p[0] for p in rest)
        for k in (2, 3):  # where the first name starts: 我在成都、… → 成都
            if len(first) >= k and known(first[-k] + tail):
                return first[:-k] + first[-k] + tail + rest[-1][2:]
        return m.group(0)

    return _JOINED.sub(gloss, question)


# Jointly owned measures as a class (哪些措施没有牵头单位？).
JOINT_LIST = (r"按照?职责分工|没有.{0,4}牵头|无牵头|共同负责", r"哪些|哪几|哪一条|哪条|还有")
# What the asked figure measures. The words that name the measure itself (比例, 多久, 多少分, 多少座,
# 多少钱) decide first; a benefit's name (贴息, 贷款) only says money when nothing else does, so
# 贴息比例是多少 asks for a share and 补贴期限多久 for a duration.
FIGURE_MEASURES = (
    ("area", r"多大面积|多少面积|面积(有)?多大|多少(公顷|亩|平方米|平米|万平方米)"),
    ("multiple", r"几倍|多少倍"),  # 额度是余额的多少倍: a multiple of a base, not a share of it
    # 打几折: a share of the price; 达到总投资的多少, 占…的多少: a share of what is named
    ("percent", r"比例|比重|占比|百分之几|百分比|几成|几折|多少折|折扣|(?:占|达到|为|是)[^，,。？?；;]{0,12}的多少|"
                r"[\u4e00-\u9fff]率(?:是|为|有|能|要)?(?:多少|几)"),  # 利率是多少: a rate, whatever the loan is
    # A quantity named by its unit and 数 (天数, 人数) is counted in that unit: 平均工作天数是多少.
    ("duration", r"多久|几年|多少年|多长时间|期限|几个月|多少个月|几天|多少天|(?:天|日|月|年)数|年限"),
    ("points", r"分值|几分|多少分"),
    ("age", r"多大年龄|多大岁数|多少岁|几岁|年龄(?:是|为|有|要求|限制)?(?:多少|多大|几)|多大年纪|什么年纪"),
    ("money", r"多少钱|金额|多少元|万元|额度"),  # before counts: 几个金额 asks for the amounts
    # (个 of 个税, 个人 is no measure word: 能扣多少个税 asks money)
    ("count", r"多少(座|家|个(?![税人])|项|所|条|人|名)|几(座|家|个(?![税人])|项|所|名)|(?:人|户|家|件|次|个)数"),
)
FIGURE_KINDS = (
    ("money", r"钱|金额|奖励|奖金|补贴|补助|资助|资金|经费|万元|多少元|贴息|贷款|扣除|扣多少|能扣|抵扣|减免|额度|返还"),
    ("percent", r"比例|比重|增速|增长|百分|率|强度|几成|占比"),
    ("duration", r"多久|几年|多少年|多长时间|多长|期限|几个月|多少个月|几天|多少天"),
    ("points", r"积分|分值|几分|多少分"),
    ("area", r"面积|多少亩|几亩|多少平方米|多少平米|多少公顷"),  # an area asked names its quantity or unit
    ("count", r"多少(座|家|个(?![税人])|项|所|条|人|名)|几(座|家|个(?![税人])|项|所|名)"),
)
ASPECTS = (
    ("place", r"(在)?哪里(买|办|申请|领|购买|报名|查)|去哪(里|儿)?(买|办|申请|领|报名|查)|哪里能|在哪儿|(交|报|提交|报送)(给|到)(谁|哪)|向谁"),
    ("time", r"哪一年|哪年|什么时候|何时|截止|哪天|哪一天|几号|日期"),
    ("period", r"几年|多久|多长时间|多长|期限|时限|有效期|几个工作日|几天内"),
    ("clock", r"几点|什么时段|哪个时段"),  # the hours of a day something is open (服务时间是多长 asks a period)
    # How to apply, not what is applied for: 申报 alone names the subject (服务业引导资金申报时，…是哪个部门).
    ("procedure", r"流程|手续|程序|材料|步骤|(怎么|如何|怎样|去哪|到哪|在哪)(里|儿)?(申报|申请|办理|报名|领取|提交|交)|怎么报|如何报"),
    ("criteria", r"标准|条件|门槛|资格"),
)
# Explicit measure references. A bare 十三条 counts only where nothing before it makes it a count.
MEASURE_REFS = (
    re.compile(rf"第\s*[（(]?\s*({_CN}|\d{{1,3}})\s*[)）]?\s*[条项款]"),
    re.compile(rf"(?<!第)[（(]({_CN})[)）](?!\s*(?:那一?|这一?)?(?:部分|方面|板块|章|节))"),
    re.compile(rf"(?:^|[，,。？?\s]|关于|看看?|查询?|问问?|里的?|中的?|意见|通知|办法|文件|规定|政策|方案)({_CN})条(?!龙|件|例|款|措施|规定|政策|线|路|道|街|消息|新闻)"),
    re.compile(r"(?:措施|条款|第)\s*(\d{1,3})(?![\d年月日号%.万亿元个])"),
)
SECTION_REF = re.compile(rf"(?:[（(]({_CN})[)）]|第({_CN})(?:部分|章|节))\s*(?:那一?|这一?)?(?:部分|方面|板块|章|节)?")
_FOLLOWUP = re.compile(
    r"^(那么?|那)?(它|它们|这条|该条|此条|这一条|上一条|上面这条|这项|该项|此项|这个措施|该措施|这一措施|这些措施|刚才(那|这)条)"
    r"|^(那么?|那)?其(牵头|配合|责任|负责|主要|具体)"
    r"|^(那么?|那)(它的|这条的)?(配合|牵头|责任|负责|支持)(单位|部门)")
_DOC_WORDS = r"(意见|通知|办法|文件|政策|规定|方案|细则|措施|条例|规划|暂行办法|若干意见|实施意见|指导意见)"
# A thing named right before its period or start: 入户信息卡的有效期, 低保标准从什么时候开始执行.
OWN_DATE = re.compile(r"([\u4e00-\u9fff]{2,8}?)(?:的(?:有效期|执行期限|实施期限|施行日期|实施日期|有效期限)|"
                      r"(?:从|自)?(?:什么时候|何时|哪天|哪一天)(?:开始|起)?(?:执行|实施|施行|生效))")
# Words of a title that name no document in particular.
_GENERIC_TITLE_WORDS = frozenset("""
关于 加快 发展 推进 促进 深化 完善 进一步 支持 做好 加强 实施 意见 若干 通知 办法 暂行 规定 方案 印发 培育 壮大
当前 今后 一个 时期 工作 政策 新一轮 指导 指导意见 实施意见 若干意见 人民政府 办公厅 国务院 省 市 县 区
""".split())
# A title word the other documents use in more than this share of their records is their word too.
NAME_SHARE = 0.1
# The levels of Chinese administration after a place's name (乡 not as in 乡村: 国家乡村振兴局 is no 国家乡).
_REGION = re.compile(r"^(.{2,3}?)(省|市|自治区|自治州|州|盟|县|旗|区|镇|乡(?!村)|街道)")


def _own_region(issuer: str) -> str:
    """The most specific place an issuer's name opens with: 上海市奉贤区发展和改革委员会 → 奉贤 (a
    district's policy is named by its district; the city has other districts' policies too)."""
    region, rest = "", issuer
    while m := _REGION.match(rest):
        region, rest = m.group(1), rest[m.end():]
    return region


@dataclass(frozen=True)
class DocName:
    """How a question may name one document."""

    doc_id: str
    numbers: tuple[str, ...]  # its 文号, folded and without spaces
    region: str  # 四川, 上海, 国务院 …
    words: tuple[str, ...]  # distinctive words of its title
    title: str = ""  # its subject as the title states it, folded (after 关于, before the kind word)


@dataclass(frozen=True)
class Query:
    text: str  # the question as asked, cleaned
    expanded: str  # abbreviations spelled out (5G → 第五代移动通信技术): what retrieval sees
    intent: str  # amount | lead_unit | co_units | unit_measures | list | metadata | locate | general
    measures: tuple[int, ...] = ()
    section_ref: str | None = None  # （二）那一部分 → 二
    units: tuple[str, ...] = ()  # canonical names of the library's units found in the question
    unit_role: str | None = None  # lead | co | joint | None (any role)
    meta_fields: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()  # documents the question names
    figure_kind: str | None = None  # money | percent | duration | count | area | points | age | multiple
    aspects: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()  # numbers stated in the question that a source must contain
    followup: bool = False
    tiers: tuple[str, ...] = field(default=())  # 国家级, 省级, 主板 … named in the question
    figure_unit: str | None = None  # 多少座 → 座: the unit the figure asked for is counted in
    quoted: tuple[str, ...] = ()  # words the question puts in quotes (“不低于”): the source must hold them
    titled: tuple[str, ...] = ()  # measure titles the question quotes (“加大财税支持”那一条)
    doc_words: tuple[str, ...] = ()  # the words that named its documents (四川, 新经济): scope, not subject
    # Whether the documents named are named exactly (a 文号, a full title): then the question is confined
    # to them; a region, issuer or title word only ranks them first (two policies of one county).
    exact: bool = False

    @property
    def meta_field(self) -> str | None:
        return self.meta_fields[0] if self.meta_fields else None


def measure_refs(question: str) -> tuple[int, ...]:
    """Numbers of the measures a question names explicitly."""
    q = fold(question)
    found: list[int] = []
    for pattern in MEASURE_REFS:
        for m in pattern.finditer(q):
            n = to_int(m.group(1))
            if n and n not in found:
                found.append(n)
        if found:
            break
    return tuple(found)


def section_ref(question: str) -> str | None:
    """The section a question names: （二）那一部分, 第三部分, 第二章 → its numeral."""
    q = fold(question)
    m = re.search(rf"[(]({_CN})[)]\s*(?:那一?|这一?)?(?:部分|方面|板块)|第({_CN})(?:部分|章|节)", q)
    if not m:
        return None
    n = to_int(m.group(1) or m.group(2))
    from .numerals import to_chinese

    return to_chinese(n) if n else None


def doc_names(documents: list[dict], used_elsewhere=None) -> list[DocName]:
    """How each document of the library may be named: 文号, region or issuer, distinctive title words.

    A title word names its document when no other title has it, it is not a kind of document
    (措施, 办法 say what a document is, not which), and the other documents' text rarely uses it:
    企业 in 《关于支持人工智能企业发展的若干措施》 is every policy's word, 人工智能 or 临港 name that one.
    `used_elsewhere(word, doc_id)` gives the share of the other documents' records that use the word.
    """
    import jieba
    from collections import Counter

    words_of = {}
    for d in documents:
        subject = re.sub(r"^.*?关于", "", fold(d.get("title") or ""))
        words_of[d["doc_id"]] = {w for w in jieba.lcut(subject) if len(w) >= 2 and w not in _GENERIC_TITLE_WORDS
                                 and not re.fullmatch(_DOC_WORDS, w)}
    df = Counter(w for ws in words_of.values() for w in ws)
    out = []
    for d in documents:
        issuer = fold(d.get("publisher") or d.get("title") or "")
        region = "国务院" if issuer.startswith("国务院") else _own_region(issuer)
        number = re.sub(r"\s+", "", fold(d.get("doc_number") or ""))
        distinctive = tuple(sorted(w for w in words_of[d["doc_id"]] if df[w] == 1 and
                                   (used_elsewhere is None or used_elsewhere(w, d["doc_id"]) <= NAME_SHARE)))
        out.append(DocName(d["doc_id"], (number,) if number else (), region, distinctive, _title_subject(d.get("title") or "")))
    return out


def _title_subject(title: str) -> str:
    """What a title says its document is about, as a question quoting it would write it: the part
    after 关于 (and 印发《…》's name), before its kind (意见, 通知 …)."""
    t = re.sub(r"\s+", "", fold(title))
    t = re.sub(r"^.*?关于", "", t)
    t = re.sub(r"^(印发|转发)?《?", "", t)
    return re.sub(r"(》)?的?(实施意见|指导意见|若干意见|意见|通知|办法|暂行办法|实施细则|细则|规定|方案|措施|若干措施)+$", "", t)


def _as_word(word: str, text: str) -> bool:
    """`word` occurs in `text` as a word of its own, not inside a longer one (就业 in 就业证)."""
    if word not in text:
        return False
    import jieba

    return not any(word in t and len(t) > len(word) for t in jieba.lcut(text))


# Where the asker says they are: 我们是四川一家…, 我在上海…, 本公司位于….
_ASKER_IN = r"(?:我|我们|本人|我家|公司|企业|单位)(?:是|在|位于|地处|注册在)?(?:一家|一个|一名)?"


class _Strings:
    """Which of many strings occur in a short text, without testing each: a string that occurs
    starts at one of the text's positions with its first two characters."""

    def __init__(self, strings) -> None:
        self.by_head: dict[str, list[str]] = {}
        self.short: list[str] = []  # one character (or empty): tested one by one
        for x in dict.fromkeys(strings):
            (self.by_head.setdefault(x[:2], []) if len(x) >= 2 else self.short).append(x)

    def found(self, text: str) -> set[str]:
        out = {x for x in self.short if x in text}
        for i in range(len(text) - 1):
            for x in self.by_head.get(text[i:i + 2], ()):
                if text.startswith(x, i):
                    out.add(x)
        return out


class _NameLookups:
    """A library's DocNames as named_documents reads them, built once per list: a library of
    thousands repeats its regions and title words, and every question would otherwise walk them all."""

    def __init__(self, names: list[DocName]) -> None:
        self.names = names
        self.numbers = [(x, n.doc_id) for n in names for x in n.numbers if x]
        self.titles = [(n.title, n.doc_id) for n in names if n.title and len(n.title) >= 8]
        self.regions = [(n.region, n.doc_id) for n in names if n.region]
        self.number_strings = _Strings(x for x, _ in self.numbers)
        self.title_strings = _Strings(t for t, _ in self.titles)
        self.word_strings = _Strings(w for n in names for w in n.words)
        self.region_strings = _Strings(r for r, _ in self.regions)


_LOOKUPS: _NameLookups | None = None


def _lookups(names: list[DocName]) -> _NameLookups:
    global _LOOKUPS
    found = _LOOKUPS
    if found is None or found.names is not names:
        found = _LOOKUPS = _NameLookups(names)
    return found


def named_documents(question: str, names: list[DocName]) -> tuple[str, ...]:
    """The documents a question names (several when a region or issuer covers several)."""
    q = re.sub(r"\s+", "", fold(question))
    look = _lookups(names)
    numbers = look.number_strings.found(q)
    by_number = list(dict.fromkeys(d for x, d in look.numbers if x in numbers)) if numbers else []
    if by_number:
        return tuple(by_number)
    titles = look.title_strings.found(q)
    by_full_title = [d for t, d in look.titles if t in titles] if titles else []
    if by_full_title:
        return tuple(by_full_title)
    present = look.word_strings.found(q) if re.search(_DOC_WORDS, q) else set()
    as_word = {w for w in present if _as_word(w, q)}
    by_title = [n.doc_id for n in names if as_word and any(w in as_word for w in n.words)]
    regions = look.region_strings.found(q)
    by_region = [d for r, d in look.regions if r in regions] if regions else []
    if by_region and not by_title and any(re.search(_ASKER_IN + re.escape(r), q) for r in regions):
        # The asker's own place (我们是四川一家企业): the State Council's documents apply there too.
        have = set(by_region)
        by_region += [n.doc_id for n in names if n.region == "国务院" and n.doc_id not in have]
    if by_title and by_region:
        have = set(by_region)
        both = [d for d in by_title if d in have]
        return tuple(both or by_title)
    return tuple(by_title or by_region)


def naming_words(question: str, names: list[DocName], doc_ids: tuple[str, ...]) -> tuple[str, ...]:
    """The words of the question that name its documents: their regions and distinctive title words
    where they stand before a word for a document (四川新经济政策, 新经济那个文件); elsewhere they
    may be the subject itself (四川…新经济增加值每年增长多少)."""
    q = fold(question)
    named = set(doc_ids)
    # (`w in q` first: a library of thousands has more words than the re module keeps compiled.)
    return tuple(w for n in names if n.doc_id in named for w in (n.region, *n.words)
                 if w and w in q and re.search(re.escape(w) + r"[^，,。？?！!；;\s]{0,6}?" + _DOC_WORDS, q))


_FORMS: tuple = (None, {}, 0)  # the last unit collection seen, its surface forms, the longest form


def _unit_forms(known_units) -> tuple[dict[str, list[str]], int]:
    """Surface form → canonical names, built once per unit collection (an opened index keeps its set).
    A short form may name units of several documents (发改委: the State Council's 发展改革委 and a
    province's 省发展改革委): it names all of them, each answered in its own document."""
    global _FORMS
    units, forms, longest = _FORMS
    if units is not known_units:
        forms = {}
        for canon in sorted(known_units):
            for form in dict.fromkeys(fold(f) for f in unit_surface_forms(canon) + (canon,)):
                forms.setdefault(form, []).append(canon)
        longest = max(map(len, forms), default=0)
        _FORMS = (known_units, forms, longest)
    return forms, longest


def find_units(question: str, known_units: set[str] | list[str]) -> tuple[str, ...]:
    """Canonical names of the library's units mentioned in the question (longest form first)."""
    forms, longest = _unit_forms(known_units)
    q = fold(question)
    # The question's substrings that are unit forms: a question is short, a library has thousands of units.
    present = {q[i:j] for i in range(len(q)) for j in range(i + 1, min(len(q), i + longest) + 1) if q[i:j] in forms}
    found: list[str] = []
    for form in sorted(present, key=lambda f: (-len(f), f)):
        if form in q:
            found += [c for c in forms[form] if c not in found]
            q = q.replace(form, "\u0000")
    return tuple(found)


# Levels and tiers a condition may name; a question that names one asks for that one.
TIERS = (r"国家级|国家|省级|市级|县级|区级|国际", r"主板|中小板|创业板|科创板|新三板|北交所",
         r"[一二三四五]星级?", r"非独生子女|不是独生子女|独生子女", r"首次|第一次|新认定|再次|复审|复核|第二次|非首次|不是第一次|不是首次")


def tiers(text: str) -> tuple[str, ...]:
    return tuple(m.group(0) for pattern in TIERS for m in re.finditer(pattern, fold(text)))


def stated_numbers(question: str, doc_numbers: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Figures a question states (2030年 → 2030, 50万元 → 50), without measure references, 文号 and
    digits inside names (5G, B2B)."""
    q = fold(question)
    for n in doc_numbers:
        q = q.replace(n, " ")
    q = re.sub(r"[\u4e00-\u9fff]{1,8}[〔\[(（]\d{4}[〕\])）]\d+号", " ", q)  # any 文号
    q = re.sub(rf"第\s*\(?\s*(\d+|{_CN})\s*\)?\s*[条项款]|措施\s*\d+", " ", q)
    return tuple(re.findall(r"(?<![A-Za-z\d.])\d+(?:\.\d+)?(?![A-Za-z\d])", q))


_CASE = re.compile(r"[^，,。；;？?！!]*的话\s*[，,]")


def asked_part(question: str) -> str:
    """The sentences that ask for the figure: a choice offered before it (是按投入比例补，还是有个封顶？
    封顶多少？) is not what is measured."""
    parts = [p for p in re.split(r"(?<=[？?。！!])", question) if p.strip()]
    asking = [p for p in parts if "还是" not in p and re.search(r"多少|(?<!哪)几|多久|多长|多高|多大", p)]
    offered = any("还是" in p for p in parts)
    return "".join(asking) if offered and asking and len(asking) < len(parts) else question


_OPTIONS = re.compile(r"是[^，,。？?；;是]{1,20}[，,]?还是[^，,。？?；;]{1,20}(?=[？?。；;，,]|$)")


def without_options(question: str) -> str:
    """The question less the options a choice offers (奖励是按投入比例补，还是有个封顶？): they are the
    asker's guesses, not the subject — when the question goes on to ask something else (封顶多少？)."""
    rest = _OPTIONS.sub("", question)
    return rest if re.search(r"[\u4e00-\u9fff]{2}", rest) and rest != question and re.search(r"多少|(?<!哪)几", rest) else question


def without_cases(question: str) -> str:
    """The question less the case it supposes (几个朋友合伙创业的话，): a count there is the asker's,
    not the figure asked."""
    return _CASE.sub("", question)


def parse_query(question: str, units: set[str] | list[str] = (), names: list[DocName] | None = None) -> Query:
    """Everything the answer needs to know about a question."""
    expanded = expand(question)
    q = fold(expanded)
    names = names or []
    doc_ids = named_documents(q, names)
    measures = measure_refs(q)
    # A unit the question sets aside (除了街镇以外还有哪些部门配合) is not the one it asks about.
    found_units = find_units(re.sub(r"除了?[^，,。？?；;]{1,20}?(?:以外|之外|外)", "", q), units)
    meta_fields = tuple(f for f, p in META_FIELDS if re.search(p, q))
    eligibility = bool(re.search(_ELIGIBILITY, q))
    intent = next((name for name, p in INTENTS if re.search(p, q)
                   and not (eligibility and name in ("lead_unit", "unit_measures"))), "general")
    if intent == "unit_measures" and not found_units:
        # 哪些 without a unit asks about a measure's units or a topic, not a unit's list; asking
        # nothing else (哪些钱是从失业保险基金里出的, 奉贤区要参与哪些事情), it asks for a list.
        aspect = any(re.search(p, q) for _, p in ASPECTS)  # 哪些材料, 什么条件: a procedure, not a list
        intent = next((name for name, p in INTENTS[1:] if re.search(p, q)
                       and not (eligibility and name == "lead_unit")), "general" if eligibility or aspect else "list")
    if intent == "amount" and re.search(dict(INTENTS)["list"], q) and not re.search(r"多少|(?<!哪)几|金额|额度|标准是", q):
        # 有哪些补贴政策 lists the measures; 补贴是多少 asks the figure; 要满足哪些条件才能拿到奖励 asks
        # the conditions of one grant (an aspect), not a list of measures.
        # (哪几条规定了…程序的时限 asks which articles: a list)
        intent = "general" if any(re.search(p, q) for k, p in ASPECTS if k in ("criteria", "procedure")) \
            and not re.search(r"哪(?:几|些|一)?(?:条(?!件)|项|款|措施|政策|规定)", q) else "list"
    if intent == "amount" and not re.search(HOW_MUCH, q) and re.search(WHO_OR_WHETHER, q):
        # A grant named in a question that asks who (奖金给谁), which people (哪些人拿不到奖励) or
        # whether (还能拿到补贴吗) does not ask its amount: the provision that settles it answers.
        intent = "general"
    if intent == "amount" and re.search(r"哪天|哪一天|什么时候|何时|截止|流程|手续|材料|怎么申请|如何申请|条件是|什么条件|哪些条件|前提条件|"
                                        r"(同时|一起|重复|叠加)(领|享受|申请|拿)|叠加|兼得", q) \
            and not re.search(r"多少|(?<![前近这那头])几|金额|额度", q):
        # 申报截止时间, 申请材料: a question about time or procedure, not an amount; nor is whether
        # two benefits may be taken together (能和失业保险金一起领吗). (前几个月 is the past few months.)
        intent = "general"
    # A date asked of something the document only mentions (…服务管理办法什么时候出台？) is not the
    # document's own date: the document must be the question's subject (named, or "这份文件").
    if set(meta_fields) <= {"written_date", "published_date", "effective", "period"} and meta_fields and not doc_ids \
            and not re.search(r"成文|落款|发布日期|发布时间|印发日期|(这|该|本|此|那)(份|个|篇)?.{0,4}(文件|意见|通知|办法|政策|规定)|文件", q):
        meta_fields = ()
    # Nor is the period or start of a thing the question names before it (入户信息卡的有效期, 新的低保
    # 标准从什么时候开始执行), unless that thing is a document (这项政策的有效期, 办法什么时候施行).
    if set(meta_fields) <= {"effective", "period"} and meta_fields:
        own = OWN_DATE.search(q)
        # (条例修订后从哪天起施行: the document, revised)
        if own and not re.search(_DOC_WORDS + r"(?:修订|修改|调整|印发|出台|发布)?后?$", own.group(1)):
            meta_fields = ()
    if meta_fields and not measures:
        intent = "metadata"
    roles = [r for r, p in UNIT_ROLE if re.search(p, q)] if intent == "unit_measures" else []
    role = roles[0] if len(roles) == 1 else None  # 牵头、配合…都算 asks for every role
    if intent == "co_units" and re.search(r"牵头", q):
        intent = "lead_unit"  # 是牵头还是配合？牵头的是谁？ asks for both roles
    if all(re.search(p, q) for p in JOINT_LIST) and not measures and not found_units:
        intent, role = "unit_measures", "joint"
    # What is measured is said where the question asks (总投资变动多少…: a share, though the subject
    # 引导资金 names money): the clauses that ask, when there are any.
    from .reading import asking_clauses

    asking = asking_clauses(asked_part(q)) or asked_part(q)
    figure = next((k for kinds in (FIGURE_MEASURES, FIGURE_KINDS) for k, p in kinds if re.search(p, asking)), None)
    aspects = tuple(k for k, p in ASPECTS if re.search(p, q))
    named = set(doc_ids)
    mine = [n for n in names if n.doc_id in named] if named else []
    numbers = stated_numbers(q, tuple(x for n in mine for x in n.numbers))
    compact = re.sub(r"\s+", "", q)
    exact = any(any(x and x in compact for x in n.numbers) or (n.title and len(n.title) >= 8 and n.title in compact)
                for n in mine)
    unit = re.search(r"(?:多少|几)(?:万)?(座|家|个(?!月|金额|数额|比例|百分点|税|人)|项|所|条|名|人|批|套|辆|台|户|间|张|次|场|吨|"
                     r"公顷|亩|平方米|平米|公里|万元|亿元|元)", without_cases(q))
    quoted = tuple(x for x in re.findall(r"[“\"「『]([^”\"」』]{1,20})[”\"」』]", q) if not re.fullmatch(r"\d+\+?", x))
    return Query(question, expanded, intent, measures, section_ref(q), found_units, role,
                 meta_fields if intent == "metadata" else (), doc_ids, figure, aspects, numbers,
                 bool(_FOLLOWUP.search(question.strip())), tiers(q), unit.group(1) if unit else None, quoted,
                 doc_words=naming_words(q, names, doc_ids), exact=exact)
