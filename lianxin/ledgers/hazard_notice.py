"""The hazards' rectification notice (整改通知单) as an A4 PDF, in the monthly brief's
Chinese font and styles (`lianxin.ledgers.pdf`: STSong-Light, which every PDF reader
carries), and its page: the notice of a hazard in the user's scope, 404 otherwise."""

from xml.sax.saxutils import escape

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from lianxin.hazards.access import access_hazard_by_id
from lianxin.hazards.links import fix_link
from lianxin.hazards.models import Hazard, Notice
from lianxin.ledgers.pdf import BODY, FONT, LINE, SMALL, TITLE
from lianxin.text import xml_safe


def _p(text, style=BODY) -> Paragraph:
    return Paragraph(escape(xml_safe(str(text))).replace("\n", "<br/>"), style)


def _day(value) -> str:
    return _("%(y)d年%(m)d月%(d)d日") % {"y": value.year, "m": value.month, "d": value.day}


def notice_pdf(notice: Notice, hazard: Hazard, target, *, fix_link: str = "") -> None:
    """Write the notice to `target` (a path or a binary file): its number, the party, the
    hazard, the requirements and the deadline, the issuing unit, and the link where the
    party reports the fix."""
    place = hazard.place
    issued = timezone.localtime(notice.issued_at)
    doc = SimpleDocTemplate(
        target,
        pagesize=A4,
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=22 * mm,
        bottomMargin=20 * mm,
        title=notice.number,
        author=str(getattr(notice.issuing_unit, "name", "")),
    )
    width = A4[0] - 44 * mm
    unit = getattr(notice.issuing_unit, "name", "") or _("检查组")
    rows = [
        [_("被检查单位"), place.name],
        [_("地址"), place.address or "—"],
        [_("专项检查"), hazard.campaign.name],
        [_("检查日期"), _day(timezone.localtime(hazard.found_at))],
        [_("隐患等级"), hazard.get_severity_display()],
        [_("隐患描述"), hazard.text],
        [_("整改要求"), notice.requirements],
        [
            _("整改期限"),
            _("%(n)d个工作日内，即%(day)s前整改到位")
            % {"n": notice.working_days, "day": _day(notice.deadline)},
        ],
    ]
    table = Table(
        [[_p(label), _p(value)] for label, value in rows],
        colWidths=[width * 0.22, width * 0.78],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.6, LINE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    story = [
        _p(_("安全隐患整改通知单"), TITLE),
        _p(notice.number, SMALL),
        Spacer(1, 6 * mm),
        _p(_("%(party)s：") % {"party": notice.responsible_party}),
        Spacer(1, 2 * mm),
        _p(
            _(
                "经检查，你单位存在下列安全隐患。请按要求限期整改，整改完成后及时报告整改情况"
                "（附整改前后照片），检查组将适时复查（回头看）。"
            )
        ),
        Spacer(1, 4 * mm),
        table,
        Spacer(1, 6 * mm),
    ]
    if fix_link:
        story += [_p(_("整改完成后可通过以下链接报告整改情况：")), _p(fix_link, SMALL)]
    story += [
        Spacer(1, 12 * mm),
        _p(_("检查单位（盖章）：%(unit)s") % {"unit": unit}),
        _p(_("检查人：%(name)s") % {"name": notice.issued_by}),
        _p(_("下发日期：%(day)s") % {"day": _day(issued)}),
        Spacer(1, 10 * mm),
        _p(_("被检查单位签收：____________    日期：____________")),
    ]
    doc.build(story, onFirstPage=_page, onLaterPages=_page)


def _page(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 8)
    canvas.drawCentredString(A4[0] / 2, 10 * mm, doc.title)
    canvas.restoreState()


@require_safe
@login_required
def notice_pdf_view(request, pk):
    notice = get_object_or_404(Notice, pk=pk)
    hazard = access_hazard_by_id(request.user, notice.hazard_id)
    response = HttpResponse(content_type="application/pdf")
    name = f"notice-{notice.year}-{notice.seq:04d}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    notice_pdf(notice, hazard, response, fix_link=fix_link(notice.pk))
    return response
