"""Residents' concerns and the texts a case collects on its way (DOMAIN.md §3).

The per-category texts are data: one small text block per second-level
category in ``data/concerns/<code>.txt`` (see ``parse_block`` for the format;
placeholders ``{place}``, a compound, road or landmark, ``{addr}``, a full
address, and ``{n}``, a small number). This module parses them, holds the
generic lists every category shares (return reasons, return-visit comments,
verification notes ...) and offers the functions the demo generator calls.

Two links keep a generated case coherent:

- a concern template may need a kind of place (``flat``: a residential
  compound; ``home``: a compound or a village street; ``village``: a place in a
  town; ``island``: a place on the island).  ``write_concern`` prefers templates
  the given place fits; ``fits`` and ``places_that_fit`` help choose a place.
- a reply, resolution or constrained explanation may name the concerns it
  answers.  Pass the concern's ``title`` to ``reply_text`` and friends to get a
  matching answer (or a generic one when the concern has none of its own).

Every function takes a ``random.Random`` so generated data is reproducible.
Placeholders filled here: ``{place}``, ``{addr}``, ``{n}`` (a small number,
drawn when not given) and ``{unit}`` (defaults to a generic unit name).

Pure Python: no Django imports.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Callable, Iterable
from functools import cache
from importlib.resources import files
from typing import NamedTuple

from lianxin.demo import places, taxonomy

# Range of the small number ``{n}`` (days, weeks, building numbers ...).
N_MIN, N_MAX = 2, 9
DEFAULT_UNIT = "相关责任单位"

# What a concern template may need of its place.
PLACE_NEEDS: dict[str, Callable[[str], bool]] = {
    "flat": lambda place: places.place_kind(place) == "compound",
    "home": lambda place: (
        places.place_kind(place) == "compound"
        or (places.place_kind(place) == "road" and places.is_rural(place))
    ),
    "village": places.is_rural,
    "island": places.is_island,
}


class ConcernTemplate(NamedTuple):
    title: str
    text: str
    needs: frozenset[str] = frozenset()  # keys of PLACE_NEEDS


class Answer(NamedTuple):
    text: str
    concerns: frozenset[int] = frozenset()  # 1-based concern numbers; empty: any concern


class CategoryTexts(NamedTuple):
    concerns: list[ConcernTemplate]
    replies: list[Answer]  # 答复: the department's handling plan
    resolutions: list[Answer]  # 办结说明: what was done
    constrained: list[Answer]  # 疑难受限说明: why not now, and what next (may be empty)


_NEEDS_TAG = re.compile(r"\[([a-z,]+)\]\s*(.*)")
_ANSWER_TAG = re.compile(r"\((\d+(?:,\d+)*)\)\s*(.*)")


def parse_block(raw: str) -> CategoryTexts:
    """Parse one category's text block.

    A block has sections started by ``@concerns``, ``@replies``,
    ``@resolutions`` and ``@constrained``.  Each item starts with ``- ``; the
    lines that follow it belong to the same item and are joined without
    spaces (Chinese text), so long texts can be wrapped freely.  Leading and
    trailing whitespace of every line is ignored, and so is a line that starts
    with ``#`` (a comment).

    In ``@concerns`` the ``- `` line is the title, optionally preceded by the
    place needs in brackets (``- [flat] 标题``), and the following lines are
    the text.  In the other sections an item may start with the numbers of
    the concerns it answers, 1-based, in parentheses (``- (1,3) 经现场核实…``);
    without them it answers any concern of the category.
    """
    sections: dict[str, list[list[str]]] = {}
    items: list[list[str]] | None = None
    for number, raw_line in enumerate(raw.splitlines(), start=1):
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            items = sections.setdefault(line[1:], [])
        elif items is None:
            raise ValueError(f"line {number}: text before the first @section: {line!r}")
        elif line.startswith("- "):
            items.append([line[2:].strip()])
        elif not items:
            raise ValueError(f"line {number}: continuation before the first item: {line!r}")
        else:
            items[-1].append(line)
    unknown = set(sections) - set(CategoryTexts._fields)
    if unknown:
        raise ValueError(f"unknown sections: {sorted(unknown)}")

    concerns = []
    for lines in sections.get("concerns", []):
        if len(lines) < 2:
            raise ValueError(f"concern without text: {lines[0]!r}")
        title, needs = lines[0], frozenset[str]()
        if match := _NEEDS_TAG.fullmatch(title):
            needs = frozenset(match.group(1).split(","))
            title = match.group(2)
            if needs - PLACE_NEEDS.keys():
                raise ValueError(f"unknown place needs {sorted(needs)} in {title!r}")
        concerns.append(ConcernTemplate(title, "".join(lines[1:]), needs))

    def answers(name: str) -> list[Answer]:
        result = []
        for lines in sections.get(name, []):
            text, numbers = "".join(lines), frozenset[int]()
            if match := _ANSWER_TAG.fullmatch(text):
                numbers = frozenset(int(n) for n in match.group(1).split(","))
                text = match.group(2)
                if not numbers <= set(range(1, len(concerns) + 1)):
                    raise ValueError(f"{name}: no such concern in {sorted(numbers)}: {text!r}")
            result.append(Answer(text, numbers))
        return result

    return CategoryTexts(
        concerns=concerns,
        replies=answers("replies"),
        resolutions=answers("resolutions"),
        constrained=answers("constrained"),
    )


# Every second-level category code of the taxonomy, in taxonomy order.
CATEGORY_CODES: list[str] = [
    code for _first, _name, subs in taxonomy.CATEGORIES for code, *_rest in subs
]
TEXTS_DIR = files("lianxin.demo") / "data" / "concerns"


def _load() -> dict[str, CategoryTexts]:
    """Each category's block, in taxonomy order; a category without one, or a file for no
    category, is an error."""
    found = {entry.name.removesuffix(".txt") for entry in TEXTS_DIR.iterdir()}
    if stray := sorted(found - set(CATEGORY_CODES)):
        raise RuntimeError(f"concern texts for no category: {', '.join(stray)}")
    if missing := [code for code in CATEGORY_CODES if code not in found]:
        raise RuntimeError(f"no concern texts for categories: {', '.join(missing)}")
    texts: dict[str, CategoryTexts] = {}
    for code in CATEGORY_CODES:
        try:
            texts[code] = parse_block((TEXTS_DIR / f"{code}.txt").read_text(encoding="utf-8"))
        except ValueError as exc:
            raise ValueError(f"data/concerns/{code}.txt: {exc}") from exc
    return texts


TEXTS: dict[str, CategoryTexts] = _load()

# Used when a concern has no reply or resolution of its own.
GENERIC_REPLIES: list[str] = [
    "您好，您反映的问题已收悉。我单位已安排工作人员于{n}个工作日内到现场核实情况，"
    "根据核实结果制定处理方案，并及时向您反馈。",
    "经现场核实，您反映的情况基本属实。我单位已制定整改方案，明确专人负责，"
    "预计{n}个工作日内处理完毕，届时将电话告知您处理结果。",
    "您好，我单位已会同属地街道、社区进行现场查看，相关责任单位已着手处理，预计{n}个工作日内完成。",
    "感谢您的反映。该问题涉及多个单位，我单位已牵头召开协调会，明确各方责任分工，"
    "计划{n}周内落实到位。",
    "经核实，问题属实。我单位已下发整改通知，要求责任单位在{n}日内整改到位，我单位将跟踪复查。",
    "您好，工作人员已电话与您沟通了解具体情况，将于{n}个工作日内上门处理，请保持电话畅通。",
]
GENERIC_RESOLUTIONS: list[str] = [
    "经现场处理，反映的问题已解决，工作人员已电话告知诉求人处理结果，诉求人表示认可。",
    "已按照答复方案完成整改，社区网格员现场复查确认整改到位，并拍照留档。",
    "问题已处理完毕，该点位已纳入日常巡查范围，防止问题反复。",
    "已督促责任单位完成整改，经现场复查符合要求，诉求人对处理结果表示满意。",
    "已会同社区上门向诉求人说明处理情况，问题已妥善解决。",
    "经协调相关单位共同处置，问题已解决，后续将建立长效管理机制。",
]

# Used when a category has no constrained explanation of its own.
GENERIC_CONSTRAINED: list[str] = [
    "该问题受现行政策限制，暂时无法解决。我单位已将情况向上级主管部门反映，"
    "同时向诉求人做好解释说明，政策调整后将第一时间办理。",
    "解决该问题需要专项资金支持，已申报纳入下一年度预算。资金落实前，"
    "先采取临时措施，尽量减少对群众生活的影响。",
    "该问题属于历史遗留问题，权属关系复杂，需多部门联合调查认定。目前已成立工作专班，"
    "分步骤推进，并定期向诉求人通报进展。",
    "现场暂不具备实施条件，需结合片区整体改造统筹解决。改造计划明确后将及时告知诉求人，"
    "期间安排专人跟踪，发现新情况随时处置。",
    "该事项需上级部门审批，审批周期较长。我单位已报送全部材料，每两周跟踪一次进度，"
    "并通过网格员向诉求人反馈。",
]

# 退单理由: a department returning a case that is not its job.  ``{unit}`` is
# the unit that should take it (optional; defaults to DEFAULT_UNIT).
RETURN_REASONS: list[str] = [
    "经核实，该诉求事项不属于我单位职责范围，按照职责分工应由{unit}负责办理，请平台改派。",
    "该路段为开发企业尚未移交的内部道路，管理维护责任在产权单位，不属于我局管养范围，"
    "请转{unit}协调处理。",
    "诉求反映的是小区内部物业管理问题，应由属地街道和{unit}督促物业企业解决，"
    "我单位无相应执法权限，申请退回。",
    "经现场查看，反映地点不在我街道辖区，已与相邻街道电话确认，请改派至{unit}办理。",
    "该诉求属于平等主体之间的民事纠纷，需当事人协商或通过诉讼解决，建议由{unit}组织人民调解。",
    "反映的设施产权属于通信运营企业，我单位无权维修，已告知诉求人产权单位联系方式，请改派{unit}。",
    "该事项已由{unit}牵头开展专项整治，为避免多头处置，申请退回改派牵头单位统一办理。",
    "工单地址与实际不符，经电话联系诉求人，其所指位置属{unit}管辖范围，请重新派单。",
    "该项审批职能已划转至{unit}，我局不再承担相关职责，特此退回。",
    "此件与前期已派发给{unit}的工单反映同一问题，属重复工单，建议合并办理。",
]

# The lists below have no placeholders (rng.choice is enough); pick() also works.

# 延期理由
EXTENSION_REASONS: list[str] = [
    "维修需采购专用配件，厂家供货周期约一周，申请延期办理。",
    "该问题涉及多个部门和产权单位，需召开协调会研究方案，申请延期五个工作日。",
    "施工受连续降雨影响无法作业，待天气好转后实施，申请延期。",
    "维修需动用专项维修资金，须履行业主表决和公示程序，所需时间较长，申请延期。",
    "需委托第三方机构检测鉴定，鉴定报告出具约需十个工作日，申请延期。",
    "当事人近期在外地，无法组织现场调解，已约定其返回后办理，申请延期。",
    "受海上大风影响停航，人员和物资无法上岛，申请顺延三个工作日。",
    "已下达整改通知，企业需停产改造设备，整改期限未满，申请延期至整改期满后复查。",
]

# 回访不满意
UNSATISFIED_COMMENTS: list[str] = [
    "说是修好了，我昨天去看还是老样子，根本没人来过。",
    "打了个电话就说办结了，问题一点没解决，不满意。",
    "来人看了一眼，拍了张照片就走了，后来再没动静。",
    "修是修了，修得太糊弄，没两天又坏了。",
    "答复全是套话，说要“加强管理”，到底什么时候解决也没个准话。",
    "让我去找物业，物业又说归你们管，来回踢皮球。",
    "整治了几天又恢复原样了，希望能长效管理，别一阵风。",
    "我反映的不是这个问题，答复的内容和我说的根本不是一回事。",
    "工作人员态度不好，说话冲，一副爱管不管的样子。",
    "说是政策不允许，也没说是哪条政策，希望给个书面说法。",
    "拖了一个多月才来处理，家里老人跟着受了一个月的罪。",
    "只解决了一半，剩下的说要等，也没说等到什么时候。",
]

# 回访满意
SATISFIED_COMMENTS: list[str] = [
    "第二天就来人修好了，速度真快，给你们点赞！",
    "问题解决了，工作人员还专门打电话回访，很满意。",
    "困扰我们好几年的事终于解决了，谢谢社区和各部门！",
    "师傅们冒着雨来干活，挺辛苦的，满意。",
    "虽然一时解决不了，但解释得很清楚，我们理解，满意。",
    "网格员跑前跑后帮着协调，真是贴心人。",
    "处理得很及时，态度也好，满意。",
    "没想到反映一下真有人管，为政府点赞。",
    "调解员很有耐心，两家人又和和气气的了，挺好。",
    "办事效率高，一次就办好了，不用来回跑。",
    "现在好多了，老人出门也放心了，谢谢你们！",
    "满意，希望以后也能保持下去。",
]

# 办理过程记录 (internal)
PROGRESS_NOTES: list[str] = [
    "已电话联系诉求人了解具体情况，约定明日上午现场查看。",
    "维修班组已到场施工，预计本周内完工。",
    "已与物业公司负责人沟通，物业承诺三日内整改，我方将跟进复查。",
    "已召开协调会，明确由属地街道牵头、相关部门配合，分工推进。",
    "现场查看问题属实，已拍照留档，正在制定处理方案。",
    "已下达整改通知书，责令当事人限期整改，期满后复查。",
    "维修材料已采购到位，施工队明日进场。",
    "已将情况书面报告分管领导，等待研究意见。",
    "已组织双方当事人第一次调解，分歧较大，约定下周再次调解。",
    "已委托检测机构采样，等待检测结果。",
    "诉求人电话暂未接通，已发短信告知办理进展，明日再次联系。",
    "产权单位已到场确认，同意承担维修费用。",
]

# 核查记录 (coordination office, on site or by phone)
VERIFY_NOTES: list[str] = [
    "已到现场核查，问题已整改到位，与答复内容一致。",
    "电话回访诉求人，诉求人确认问题已解决。",
    "现场核查发现整改不彻底，仍有部分点位未处理，已退回承办单位重新办理。",
    "经与社区网格员核实，相关设施已修复并正常使用。",
    "对比承办单位提供的整改前后照片，整改效果明显，符合办结标准。",
    "电话回访未接通，已请网格员上门了解情况，确认已办结。",
    "现场核查时诉求人在场，对处理结果表示认可，核查通过。",
    "承办单位提供的办结材料不完整，缺少现场照片，已要求补充。",
]

# 升级上报
ESCALATION_NOTES: list[str] = [
    "该问题涉及多个部门职责交叉，承办单位协调未果，提请区连心服务办公室统筹协调。",
    "同一点位近一个月内重复反映多次，已列入意见办理小专题，提请领导包案督办。",
    "问题解决需区级财政资金支持，超出部门权限，报区领导研究决定。",
    "承办单位超期未答复，已发督办函，并报分管区领导。",
    "群众反映集中、关注度高，已报区领导并启动吹哨报到机制，召集相关部门现场办公。",
]

# 领导批示
LEADER_INSTRUCTIONS: list[str] = [
    "请承办单位主要负责同志亲自过问，五个工作日内拿出解决方案，及时向群众反馈。",
    "群众利益无小事。请区连心办牵头，相关部门合力攻坚，办理情况专报。",
    "同意。请属地街道落实包案责任，举一反三，开展同类问题排查。",
    "此事已反映多次，请督查室跟踪督办，限期办结，办理不力的严肃问责。",
    "请相关部门联合现场办公，能解决的马上解决，暂不能解决的做好解释工作，争取群众理解。",
]

# 作废理由
VOID_REASONS: list[str] = [
    "重复工单，与已受理工单反映同一事项，予以作废。",
    "诉求内容无效，多次联系来电人均无法核实，予以作废。",
    "工单录入错误，已重新建单，原工单作废。",
    "该诉求为咨询类事项，受理时已当场答复，无需派单。",
    "来电人误拨，无具体诉求，予以作废。",
]

# 撤回理由 (the resident withdraws)
WITHDRAW_REASONS: list[str] = [
    "问题已经自己解决了，不用再麻烦了，撤回。",
    "和邻居已经商量好了，撤回诉求。",
    "物业已经来修好了，申请撤回。",
    "当时反映的情况有误，了解后是误会，撤回。",
    "已经搬家了，不需要再处理。",
]


def small_number(rng: random.Random) -> int:
    """The value of ``{n}``: a small count of days, weeks or buildings."""
    return rng.randint(N_MIN, N_MAX)


def fill(rng: random.Random, template: str, **fmt: object) -> str:
    """Fill a template's placeholders; ``{n}`` and ``{unit}`` get defaults.

    Any other placeholder without a value raises ``KeyError``.
    """
    values: dict[str, object] = {"unit": DEFAULT_UNIT, **fmt}
    if "n" not in values:
        values["n"] = small_number(rng)
    return template.format_map(values)


def pick(rng: random.Random, items: list[str], **fmt: object) -> str:
    """Pick one template from ``items`` and fill it."""
    return fill(rng, rng.choice(items), **fmt)


def fits(category_code: str, place: str) -> bool:
    """Whether at least one concern template of the category suits the place."""
    return any(_suits(t, place) for t in TEXTS[category_code].concerns)


def places_that_fit(category_code: str, names: Iterable[str]) -> list[str]:
    """The names among ``names`` that some concern template of the category suits."""
    return [name for name in names if fits(category_code, name)]


def _suits(template: ConcernTemplate, place: str) -> bool:
    return all(PLACE_NEEDS[need](place) for need in template.needs)


def write_concern(rng: random.Random, category_code: str, place: str, addr: str) -> tuple[str, str]:
    """A resident's concern in the category: (title, text), placeholders filled.

    ``place`` is a compound, road or landmark name, ``addr`` a full address
    (see ``places.address``).  Templates the place suits are preferred; when
    none does, any template of the category is used.  Title and text share
    the same ``{n}``.
    """
    templates = TEXTS[category_code].concerns
    template = rng.choice([t for t in templates if _suits(t, place)] or templates)
    values = {"place": place, "addr": addr, "n": small_number(rng)}
    return fill(rng, template.title, **values), fill(rng, template.text, **values)


@cache
def _title_patterns(category_code: str) -> list[tuple[int, re.Pattern[str]]]:
    """(concern number, title regex), most literal text first."""
    patterns = []
    for number, template in enumerate(TEXTS[category_code].concerns, start=1):
        parts = string.Formatter().parse(template.title)
        regex = "".join(re.escape(lit) + ("(.+?)" if field else "") for lit, field, _, _ in parts)
        literal = len(re.sub(r"\{\w+\}", "", template.title))
        patterns.append((literal, number, re.compile(regex)))
    patterns.sort(key=lambda item: -item[0])
    return [(number, pattern) for _literal, number, pattern in patterns]


def concern_number(category_code: str, title: str) -> int | None:
    """The 1-based number of the template a written title came from, if any."""
    for number, pattern in _title_patterns(category_code):
        if pattern.fullmatch(title):
            return number
    return None


def _answer_pool(answers: list[Answer], number: int | None, generic: list[str]) -> list[str]:
    if number is None:
        return [a.text for a in answers] or generic
    own = [a.text for a in answers if number in a.concerns]
    return own or [a.text for a in answers if not a.concerns] + generic


def _answer(
    rng: random.Random,
    answers: list[Answer],
    generic: list[str],
    category_code: str,
    title: str | None,
    fmt: dict[str, object],
) -> str:
    number = None if title is None else concern_number(category_code, title)
    return pick(rng, _answer_pool(answers, number, generic), **fmt)


def reply_text(
    rng: random.Random, category_code: str, title: str | None = None, **fmt: object
) -> str:
    """A department's reply (答复) for a case in the category.

    With ``title`` (as returned by ``write_concern``) the reply answers that
    concern, or is a generic reply when the concern has none of its own.
    """
    answers = TEXTS[category_code].replies
    return _answer(rng, answers, GENERIC_REPLIES, category_code, title, fmt)


def resolution_note(
    rng: random.Random, category_code: str, title: str | None = None, **fmt: object
) -> str:
    """A resolution note (办结说明) for a case in the category; see ``reply_text``."""
    answers = TEXTS[category_code].resolutions
    return _answer(rng, answers, GENERIC_RESOLUTIONS, category_code, title, fmt)


def has_constrained(category_code: str, title: str | None = None) -> bool:
    """Whether the category (or, with ``title``, that concern) has constrained
    explanations of its own rather than only the generic ones."""
    answers = TEXTS[category_code].constrained
    if title is None:
        return bool(answers)
    number = concern_number(category_code, title)
    return any(number in a.concerns or not a.concerns for a in answers)


def constrained_explanation(
    rng: random.Random, category_code: str, title: str | None = None, **fmt: object
) -> str:
    """Why a case cannot be solved now and what will be done (疑难受限说明).

    Falls back to ``GENERIC_CONSTRAINED`` when the category (or, with
    ``title``, that concern) has none of its own.
    """
    answers = TEXTS[category_code].constrained
    return _answer(rng, answers, GENERIC_CONSTRAINED, category_code, title, fmt)
