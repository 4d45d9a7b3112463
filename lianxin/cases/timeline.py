"""How each event reads on a case's timeline."""

from django.utils.translation import gettext_lazy as _

EVENT_LABELS = {
    "cases.case.registered": _("登记受理"),
    "cases.case.offered_for_claim": _("发布部门认领"),
    "cases.case.dispatched": _("派单"),
    "cases.case.split": _("分派多部门办理"),
    "cases.case.claimed": _("部门认领"),
    "cases.case.whistle_blown": _("吹哨"),
    "cases.case.escalated": _("提级至区领导"),
    "cases.case.instructed": _("领导批示"),
    "cases.case.leader_assigned": _("指定包案领导"),
    "cases.part.accepted": _("接单"),
    "cases.part.checked_in": _("部门报到"),
    "cases.part.returned": _("退单"),
    "cases.part.return_approved": _("同意退单"),
    "cases.part.return_refused": _("驳回退单"),
    "cases.part.finished": _("协办完成"),
    "cases.case.note_added": _("办理记录"),
    "cases.case.replied": _("答复群众"),
    "cases.case.extension_requested": _("申请延期"),
    "cases.case.extension_approved": _("批准延期"),
    "cases.case.extension_refused": _("不予延期"),
    "cases.case.constrained": _("疑难受限"),
    "cases.case.constrained_reviewed": _("疑难受限复查"),
    "cases.case.constrained_review_due": _("疑难受限到期待复查"),
    "cases.case.resumed": _("恢复办理"),
    "cases.case.resolved": _("办结"),
    "cases.case.verified": _("核查通过"),
    "cases.case.verification_failed": _("核查不通过，退回重办"),
    "cases.case.return_visited": _("回访评价"),
    "cases.case.call_unreached": _("回访未接通"),
    "cases.case.reopened": _("不满意，重新办理"),
    "cases.case.merged": _("合并至其他诉求"),
    "cases.case.duplicate_merged": _("并入重复诉求"),
    "cases.case.supported": _("附议"),
    "cases.case.linked": _("关联相似诉求"),
    "cases.case.withdrawn": _("撤回"),
    "cases.case.voided": _("作废"),
    "cases.case.marked_exemplary": _("选树典型案例"),
    "cases.case.unmarked_exemplary": _("取消典型案例"),
    "cases.photo.published": _("公开照片"),
    "cases.photo.unpublished": _("取消公开照片"),
    "cases.case.reply_overdue": _("答复逾期"),
    "cases.case.resolution_overdue": _("办结逾期"),
}


def event_label(code: str) -> str:
    return str(EVENT_LABELS.get(code, code))
