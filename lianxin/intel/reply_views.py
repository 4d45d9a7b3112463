"""The reply check on the case page: the reasons appear under the reply as it is written."""

from django.shortcuts import render
from django.views.decorators.http import require_POST

from lianxin.cases.access import access_case_by_id, staff_required
from lianxin.intel.replycheck import check_case_reply


@staff_required
@require_POST
def reply_check(request, pk):
    """The check of the posted draft `text` against case `pk` (an htmx fragment).

    Only reads: the reply is sent by the workbench's reply action, which checks again.
    """
    case = access_case_by_id(request.user, pk)
    text = request.POST.get("text", "")
    result = check_case_reply(case, text) if text.strip() else None
    # A box already ticked stays ticked while the handler goes on writing.
    send_anyway = request.POST.get("send_anyway") == "on"
    return render(
        request,
        "intel/_reply_check.html",
        {"case": case, "result": result, "send_anyway": send_anyway},
    )
