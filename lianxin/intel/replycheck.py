"""The reply check: does a department's reply actually answer the resident?

Plain Python (no Django). Before a reply goes out, `check_reply` looks for three
failings, each with a reason in Chinese for the handler:

1. Only boilerplate: once greetings, "留言已收悉", "已转相关部门", "感谢您的关注",
   the closing wishes, the signature date and phone numbers are taken away,
   almost nothing is left.
2. Nothing concrete: no action taken or planned (核查, 维修, 责令整改 …), no
   result (已修复, 情况属实 …), no policy that settles the question
   (根据《…》规定 …) and, for a question, no explanation of what applies
   (…为准, 即可报考 …). A date or a time limit alone does not count, nor does
   a referral ("已转城管大队核查").
3. Nothing about the case: the reply shares no content word (a place or the
   problem) with the case's title, text and address.

A reply with any failing is flagged; the handler may still send it, and that is
recorded. The rules are deliberately readable word lists: they are the
reviewers' checklist (答复规范), not a learned model, and a district can extend them.
"""

import re
from dataclasses import dataclass, field

from lianxin.intel.classifier import normalize, search_words

OK, FLAGGED = "ok", "flagged"

REASON_BOILERPLATE = "只有套话（如“留言已收悉”“已转相关部门”“感谢您的关注”），没有实质内容"
REASON_NOTHING_CONCRETE = "没有说明采取的措施、办理时限或处理结果，也没有给出政策依据"
REASON_OFF_TOPIC = "没有提到诉求所涉的地点或问题（与诉求内容没有共同的关键词）"

# Fewer characters than this once the boilerplate is gone: nothing of substance.
MIN_SUBSTANCE_CHARS = 15

# Phrases that say nothing about this case. Order matters little: each is removed.
_BOILERPLATE = [
    r"(尊敬的)?(网友|市民|群众|同志|先生|女士)?[“\"”]?[A-Za-z]*\d*[”\"“]?[：:，,]?\s*(您|你)好[!！。，,：:]?",
    r"(尊敬的)?(网友|市民|群众)[“\"”]?[A-Za-z]*\d*[”\"“]?[：:，,]",
    r"[A-Za-z]{1,3}\d{3,}[：:，,]?",  # a user's pseudonym
    r"(您|你)?(的|于\d+月\d+日[^。，,]{0,40}?的)?(留言|来信|信件|诉求|反映的问题|问题)"
    r"(我们|我局|我委|我办|我单位|我中心|本单位)?(已|己|已经)?"
    r"(收悉|收到|阅办|阅悉|知悉|受理)[。，,!！]?",
    r"(已|己)?(收悉|收到)[。，,!！]?",
    r"现(将|就)?(有关|相关|调查核实|办理)?(情况|问题)?(回复|答复|函复)如下[:：]?",
    r"(感谢|谢谢)(您|你)?(对|的)[^。！!]{0,30}?(关心|关注|支持|理解|监督|信任|留言|来信|建议)"
    r"[^。！!]{0,20}[。！!]?",
    # A referral: "已转城管大队核查" tells the resident where the letter went, not the answer.
    r"(我们|我办|我局|我单位)?(已|已经|现已|将|问题|情况)[^。；;！!]{0,14}?"
    r"(转交|转至|转送|转给|转办|批转|上报|转(?![运变让移化型换正入出载卖租包为]))"
    r"[^。；;！!]{0,30}([。；;！!]|$)",
    r"(敬请|请)(您)?(关注|留意|等待)(后续|下一步)?的?(回复|答复|进展|结果)[。，,！!]?",
    r"(感谢|谢谢)(您|你)?的?(留言|来信|反映|建议|关注|支持|理解)[。！!]?",
    r"(您|你)?(反映|提出)?的?(问题|诉求|留言)?(已|已经|己)?(转|转交|转至|转办|交|批转)"
    r"(给|至|到)?(相关|有关|责任|职能)?(部门|单位)(处理|办理|核实|研究|调查)?[。，,]?",
    r"(已有|已由)?(相关|有关)(部门|单位)(已)?(作出|做出)?(回复|答复|处理)[。，,]?",
    r"(请|敬请)(您)?(耐心)?(等待|等候|理解)[。，,]?",
    r"(我们|我局|我单位)?(将|会)?(高度重视|认真研究|认真对待|积极研究)[。，,]?",
    r"特此(回复|答复|函复|说明)[。！!]?",
    r"(祝|顺祝)(您|你)?(生活愉快|工作顺利|身体健康|阖家幸福|万事如意|新春快乐)[^。！!]*[。！!]?",
    r"如(您|你)?(还)?有(其他|其它|任何|新的)?(疑问|意见|问题|建议|不满意)[^。]{0,60}?"
    r"(联系|咨询|反映|来电|来访)[^。]*[。]?",
    r"(联系|咨询|服务|监督)?电话[:：]?\s*[\d\-－—]{7,}",
    r"[\d\-－—]{7,}",  # phone numbers
    r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$",  # the signature date
    r"(此致|敬礼|谢谢)[。！!]?",
]
_BOILERPLATE_RE = [re.compile(p) for p in _BOILERPLATE]
_PUNCTUATION = re.compile(r"[\s\W_]+")

# What a concrete answer says: what was or will be done, what came of it, or the
# rule that decides the question.
_ACTION = re.compile(
    r"核查|核实|调查|现场|查看|勘察|勘查|排查|巡查|检查|检测|监测|整改|整治|清理|清运|清扫|"
    r"维修|修复|修缮|更换|安装|拆除|疏通|处罚|罚款|查处|立案|执法|取缔|下达|责令|约谈|督促|"
    r"督办|协调|安排|派出|派员|组织|补发|退还|退费|发放|补缴|办理|审批|批复|开工|施工|改造|"
    r"建设|铺设|硬化|规划|投入|资金|落实|告知|答复了|回访|处理|解决|纳入|启动|暂停|恢复|"
    r"研究决定|调整|配备|增设|设置|开通|接入|封堵|加装|补种|收回|追缴|制止|劝导|宣传了"
)
_RESULT = re.compile(
    r"(已|已经|现已|目前已|均已)(经)?[^。，,；;]{0,8}?"
    r"(完成|解决|修复|恢复|清理|整改|落实|到位|办结|退还|发放|拆除|更换|安装|处理|停止|关闭|"
    r"取缔|开通|竣工|完工|补发|缴纳|纳入|通过)|"
    r"情况(基本)?属实|(反映|所述)(的)?(情况|问题)?(不属实|属实)|经(查|核查|核实|调查|了解)|"
    r"目前[^。]{0,12}(正常|已|正在)|正在(办理|施工|建设|处理|推进|审核|协调)"
)
_POLICY = re.compile(
    r"(根据|依据|按照|依照|参照)[^。]{0,40}?(《|规定|政策|文件|标准|办法|条例|法|意见|通知)|"
    r"《[^》]{2,40}》(第[^。]{1,10}条)?(规定|明确)|政策规定|符合条件|不符合|不属于|属于[^。]{0,10}范围"
)
# An answer to a question (咨询) explains what applies and what to do.
_EXPLANATION = re.compile(
    r"为准|即可|可以|可向|可在|可按|应当|应该|需要|无需|不需|须|只能|不能|不得|规定|条件|标准|"
    r"程序|流程|材料|方式|途径|范围|负责|属于|办理|申请|报名|缴纳|享受|领取"
)
# Fewer characters than this (boilerplate gone) and a reply may be matched by characters.
SHORT_REPLY_CHARS = 60
# Fewer characters than this and an explanation is too thin to be one.
MIN_EXPLANATION_CHARS = 30

_TIME = re.compile(
    r"\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}\s*年(\s*\d{1,2}\s*月)?|[\d一二三四五六七八九十两半]+\s*个?(工作日|日|天|周|个月|月)(内|前|后)|"
    r"当天|当即|立即|近日|日前|目前|本周|本月|月底|年底|年内|近期|下一步|预计|计划于?"
)

# Words that any case or reply may share without being about the same thing.
_STOP_WORDS_TEXT = (
    "问题 反映 情况 相关 有关 部门 单位 我们 你们 他们 没有 希望 请求 "
    "要求 关于 一个 什么 怎么 为什么 能否 可以 已经 目前 进行 领导 政府 "
    "网友 留言 回复 答复 您好 你好 感谢 支持 关注 工作 处理 解决 是否 "
    "如何 这个 那个 这些 那些 还是 但是 因为 所以 如果 以及 并且 或者 "
    "就是 不是 还有 现在 今年 去年 时候 时间 这样 那样 很多 非常 严重 "
    "影响 正常 居民 群众 市民 老百姓 业主 自己 大家 谢谢 您们 尽快 及时 "
    "有关部门 相关部门 职能部门 给予 予以 请问 咨询 建议 投诉 举报 办理 "
    "一直 多次 一下 不能 无法 不会 需要 应该 必须 可能 这里 那里 附近 "
    "周边 门口 "
)
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
# Characters too common to tie a reply to a case (used only for short replies).
COMMON_CHARS = frozenset(
    "的了是不在有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过"
    "子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两"
    "体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新"
    "线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已"
    "通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较"
    "将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百"
    "规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教"
    "速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温"
    "传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千"
    "周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候"
    "毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁"
    "价严您请"
)

_MASKED_OR_CODE = re.compile(r"^[A-Za-z0-9\-_.]+[市区县省镇]?$")


@dataclass(frozen=True)
class ReplyCheck:
    """The verdict on one reply: `flagged` with reasons, or `ok`."""

    verdict: str
    reasons: list[str] = field(default_factory=list)
    substance: str = ""  # what is left once the boilerplate is gone
    found: dict[str, list[str]] = field(default_factory=dict)  # action, result, policy …

    @property
    def flagged(self) -> bool:
        return self.verdict == FLAGGED

    def as_data(self) -> dict:
        """For the reply event's data (JSON)."""
        return {"verdict": self.verdict, "reasons": list(self.reasons)}


def strip_boilerplate(reply: str) -> str:
    """The reply without greetings, acknowledgements, thanks, closings, dates and phones."""
    text = normalize(reply)
    for pattern in _BOILERPLATE_RE:
        text = pattern.sub(" ", text)
    return normalize(text)


def content_words(text: str) -> set[str]:
    """The words of `text` that can say what and where: two characters or more, not stop
    words, not masked place codes or pseudonyms (A3区, UU008976). jieba's search mode
    also gives the short words inside long ones (公交 of 公交车)."""
    return {
        w
        for w in search_words(normalize(text))
        if len(w) >= 2
        and w not in STOP_WORDS
        and not _MASKED_OR_CODE.match(w)
        and not _PUNCTUATION.fullmatch(w)
    }


def _matches(pattern: re.Pattern, text: str) -> list[str]:
    return sorted({m.group(0) for m in pattern.finditer(text)})


def check_reply(reply: str, *, title: str = "", text: str = "", address: str = "") -> ReplyCheck:
    """Check `reply` to the case with this title, text and address (any may be empty)."""
    substance = strip_boilerplate(reply)
    bare = _PUNCTUATION.sub("", substance)
    found = {
        "action": _matches(_ACTION, substance),
        "result": _matches(_RESULT, substance),
        "policy": _matches(_POLICY, substance),
        "time": _matches(_TIME, substance),
        "explanation": _matches(_EXPLANATION, substance),
    }
    reasons = []
    if len(bare) < MIN_SUBSTANCE_CHARS:
        reasons.append(REASON_BOILERPLATE)
    explains = found["explanation"] and len(bare) >= MIN_EXPLANATION_CHARS
    if not (found["action"] or found["result"] or found["policy"] or explains):
        reasons.append(REASON_NOTHING_CONCRETE)
    case_words = content_words(" ".join([title, text, address]))
    if case_words:
        # Containment, not equal words: jieba cuts 公摊 in one text and 公摊面积 in another.
        shared = sorted(w for w in case_words if w in substance)
        if not shared and len(bare) < SHORT_REPLY_CHARS:
            # A short reply may name the thing in other words (路灯 → 灯具): a character
            # of the title's content words will do, if it is not an everyday one.
            title_chars = {c for w in content_words(title) for c in w} - COMMON_CHARS
            shared = sorted(c for c in title_chars if c in substance)
        found["shared"] = shared
        if not shared:
            reasons.append(REASON_OFF_TOPIC)
    return ReplyCheck(FLAGGED if reasons else OK, reasons, substance, found)


def check_case_reply(case, reply: str) -> ReplyCheck:
    """`check_reply` against a case: anything with title, text and address attributes."""
    return check_reply(
        reply,
        title=getattr(case, "title", "") or "",
        text=getattr(case, "text", "") or "",
        address=getattr(case, "address", "") or "",
    )
