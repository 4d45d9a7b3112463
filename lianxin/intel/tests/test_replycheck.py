"""The reply check's core, on replies made up here (plain Python: no database)."""

from lianxin.intel.replycheck import (
    FLAGGED,
    OK,
    REASON_BOILERPLATE,
    REASON_NOTHING_CONCRETE,
    REASON_OFF_TOPIC,
    check_case_reply,
    check_reply,
    strip_boilerplate,
)

CASE = {
    "title": "和平路12号小区门口下水道堵塞",
    "text": "和平路12号小区门口的下水道堵了半个月，一下雨就积水，污水漫到人行道上。",
    "address": "和平路12号",
}


def test_an_acknowledgement_alone_is_flagged_with_every_reason():
    result = check_reply("网友：您好！留言已收悉", **CASE)
    assert result.verdict == FLAGGED and result.flagged
    assert result.reasons == [REASON_BOILERPLATE, REASON_NOTHING_CONCRETE, REASON_OFF_TOPIC]
    assert result.substance == ""


def test_a_referral_with_thanks_is_boilerplate():
    reply = "您反映的问题已转相关部门处理，请耐心等待。感谢您对我们工作的关心和支持！"
    result = check_reply(reply, **CASE)
    assert REASON_BOILERPLATE in result.reasons
    assert REASON_NOTHING_CONCRETE in result.reasons
    # Naming the unit does not make a referral an answer.
    named = check_reply("网友您好！您反映的问题已转区排水公司调查处理。2019年5月6日", **CASE)
    assert named.flagged and REASON_NOTHING_CONCRETE in named.reasons


def test_a_concrete_answer_about_the_case_passes():
    reply = (
        "网友您好！来信收悉。经现场核查，和平路12号小区门口下水道因施工泥沙淤积堵塞，"
        "区排水公司已于5月8日完成疏通，积水已排除。感谢您的监督！2019年5月9日"
    )
    result = check_reply(reply, **CASE)
    assert result.verdict == OK and result.reasons == []
    assert "疏通" in result.found["action"]
    assert "下水道" in result.found["shared"]
    assert "感谢" not in result.substance and "2019年5月9日" not in result.substance


def test_a_plan_with_a_time_limit_passes():
    result = check_reply("已安排排水班组三个工作日内疏通小区门口下水道。", **CASE)
    assert result.verdict == OK
    assert result.found["time"] == ["三个工作日内"]


def test_a_reply_about_something_else_is_off_topic():
    reply = "经查，该工地已办理夜间施工许可，执法队员已责令其22时后停止高噪声作业。"
    result = check_reply(reply, **CASE)
    assert result.reasons == [REASON_OFF_TOPIC]


def test_a_short_reply_may_name_the_thing_in_other_words():
    # 路灯 in the case, 灯具 in the reply: one uncommon character of the title is enough.
    result = check_reply(
        "已安排维修人员三个工作日内更换灯具。",
        title="福临苑3号楼门口路灯不亮",
        text="路灯坏了一个多星期，晚上老人出门看不清路。",
    )
    assert result.verdict == OK
    assert result.found["shared"] == ["灯"]


def test_an_explanation_answers_a_question():
    reply = (
        "您好，来信收悉。教师招聘的学历要求以各地公告为准，公告未要求全日制学历的，"
        "自考本科学历符合其他条件即可报考。"
    )
    result = check_reply(reply, title="自考本科能否报考教师招聘", text="")
    assert result.verdict == OK
    assert result.found["explanation"]


def test_a_policy_citation_is_concrete():
    reply = "根据《物业管理条例》第七条规定，业主应当按时交纳物业服务费用，停车费另行约定。"
    result = check_reply(reply, title="物业停车费收取是否合理")
    assert REASON_NOTHING_CONCRETE not in result.reasons
    assert result.found["policy"]


def test_a_signature_date_is_not_a_time_and_phones_are_dropped():
    text = strip_boilerplate("我们会高度重视。如有疑问请致电0731-88886666联系。2019年7月31日")
    assert "2019" not in text and "0731" not in text


def test_without_a_case_only_the_reply_itself_is_judged():
    result = check_reply("已安排人员到现场清理垃圾，明天上午完成。")
    assert result.verdict == OK and "shared" not in result.found


def test_check_case_reply_reads_the_case_attributes_and_as_data():
    class Concern:
        title, text, address = CASE["title"], CASE["text"], None

    result = check_case_reply(Concern(), "留言已收悉。")
    assert result.as_data() == {"verdict": FLAGGED, "reasons": result.reasons}
    assert len(result.reasons) == 3
