"""Running text shared by both kinds: cover, table of contents, 概况, 名词解释, furniture."""

from __future__ import annotations

import random

from eval.synth import catalog as cat
from eval.synth.common import Org, Style
from eval.synth.ir import Para, TableIR

WATERMARK = "仅供内部审核"

_DUTY_VERBS = ["负责", "组织实施", "统筹协调", "指导", "承担", "监督管理", "组织开展", "牵头做好"]
_DUTY_OBJECTS = {
    "emergency": ["全域应急管理", "安全生产综合监督管理", "自然灾害防治和应急救援", "应急预案体系建设",
                  "应急物资储备和调拨", "防汛抗旱和森林防灭火指挥部日常", "生产安全事故调查处理"],
    "education": ["各级各类学校的教育教学管理", "教师队伍建设", "学生资助", "校园安全管理", "教育经费统筹管理"],
    "health": ["公共卫生和疾病预防控制", "卫生健康综合监督", "基层医疗卫生服务体系建设", "妇幼健康和人口监测"],
    "transport": ["公路建设和养护管理", "道路运输市场监管", "交通运输安全生产", "农村公路管理"],
    "water": ["水资源统一管理", "水利工程建设和运行管理", "水旱灾害防御", "水土保持和河湖管理"],
    "agriculture": ["农业生产发展", "农产品质量安全监管", "农田建设管理", "农村改革和乡村振兴"],
    "ecology": ["生态环境监督管理", "大气、水、土壤污染防治", "生态环境执法检查", "环境监测和信息发布"],
    "civil": ["社会救助", "养老服务体系建设", "基层政权建设和社区治理", "殡葬管理和婚姻登记"],
    "culture": ["公共文化服务体系建设", "文物保护利用", "文化和旅游市场管理", "全民健身和群众体育"],
    "finance": ["财政预算编制和执行", "国库集中收付", "政府采购监督管理", "预算绩效管理"],
    "urban": ["城市管理综合执法", "市政设施运行维护", "城区环境卫生管理", "城市照明和园林绿化"],
    "office": ["政府日常政务运转", "政务服务和信息公开", "重要会议和公务活动组织", "督查督办"],
}


def cover(org: Org, style: Style, year: int, kind: str) -> list[list[str] | Para]:
    what = f"{year}年度{style.scope}{'预算' if kind == 'budget' else '决算'}公开"
    wm = [WATERMARK] * 4 if style.watermark else []
    blocks: list[list[str] | Para] = []
    if wm:
        blocks.append(wm)
    blocks.append(Para([[org.name]], heading=1 if style.markdown else 0))
    blocks.append(Para([[what]], heading=2 if style.markdown else 0))
    if wm:
        blocks.append(wm)
    return blocks


def toc(style: Style, parts: list[tuple[str, list[str]]], rng: random.Random) -> Para:
    """A table of contents: tab-separated page numbers that look like a table."""
    lines: list[list[str]] = [["目  录" if rng.random() < 0.5 else "目 录"]]
    page = 1
    for part, items in parts:
        head = f"<b>{part}</b> .....\t<b>{page}</b>" if style.markdown else f"{part}\t{page}"
        lines.append([head])
        for it in items:
            lines.append([f"{it}.....\t{page}"])
            page += rng.choice([0, 1, 1, 2])
        page += 1
    return Para(lines, heading=0)


def overview(org: Org, style: Style, rng: random.Random, year: int) -> list[Para]:
    h = 2 if style.markdown else 0
    objs = list(_DUTY_OBJECTS[org.type_key])
    rng.shuffle(objs)
    duties = []
    for i, o in enumerate(objs[: rng.randint(3, len(objs))]):
        duties.append([f"（{cat.cn_number(i + 1)}）{rng.choice(_DUTY_VERBS)}{o}工作。"])
    duties.append([f"（{cat.cn_number(len(duties) + 1)}）完成{org.place[-1]}委、{org.place[-1]}政府交办的其他任务。"])
    n_in = rng.randint(4, 16)
    units = org.units
    if len(units) > 1:
        setup = [[f"纳入本部门{year}年{style.scope}预算编制范围的单位共{len(units)}个，包括："
                  + "、".join(u.name for u in units) + "。"]]
    else:
        setup = [[f"{org.name}内设{n_in}个股室，编制内人员按核定编制管理。"]]
    return [
        Para([["第一部分 概况"]], heading=h),
        Para([[f"一、本{style.scope}职责"]], heading=h + 1 if h else 0),
        Para(duties),
        Para([["二、机构设置情况"]], heading=h + 1 if h else 0),
        Para(setup),
    ]


GLOSSARY = [
    ("财政拨款收入", "单位从同级财政部门取得的预算资金。"),
    ("上年结转", "以前年度安排、按原用途结转到本年继续使用的资金。"),
    ("基本支出", "保障机构正常运转、完成日常工作任务的人员经费和公用经费。"),
    ("项目支出", "在基本支出之外，为完成特定工作任务和事业发展目标安排的支出。"),
    ("“三公”经费", "用财政拨款安排的因公出国（境）费、公务用车购置及运行维护费和公务接待费。"),
    ("机关运行经费", "行政单位和参照公务员法管理的事业单位用财政拨款安排的基本支出中的公用经费。"),
]


def glossary(style: Style, rng: random.Random, part: str) -> list[Para]:
    h = 2 if style.markdown else 0
    items = GLOSSARY[:]
    rng.shuffle(items)
    lines = [[f"{'- ' if style.markdown and rng.random() < 0.5 else ''}{cat.cn_number(i + 1)}、{k}：指{v}"]
             for i, (k, v) in enumerate(items)]
    return [Para([[part]], heading=h), Para(lines)]


def label_text(style: Style, n: int) -> str:
    return style.label_fmt.format(n=n, cn=cat.cn_number(n))


def title_prefix(style: Style, rng: random.Random) -> str:
    return "## " if style.markdown and rng.random() < 0.7 else ""


def table_toc_items(tables: list[TableIR], numbered: bool) -> list[str]:
    out = []
    for i, t in enumerate(tables):
        out.append((f"表{cat.cn_number(i + 1)}" if numbered else f"{cat.cn_number(i + 1)}、") + t.title)
    return out
