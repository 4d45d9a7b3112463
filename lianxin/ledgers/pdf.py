"""The monthly brief as a PDF, with reportlab's built-in Chinese font.

STSong-Light is one of the CID fonts every PDF reader carries (Adobe's Asian font
packs), so the file embeds no font and stays small, and needs no font on the server.
"""

from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from lianxin.ledgers.brief import Brief
from lianxin.text import xml_safe

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

BODY = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=15, wordWrap="CJK")
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8.5, leading=12, textColor=colors.grey)
TITLE = ParagraphStyle("title", parent=BODY, fontSize=18, leading=26, alignment=1)
HEADING = ParagraphStyle(
    "heading", parent=BODY, fontSize=13, leading=20, spaceBefore=8, spaceAfter=4
)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=9, leading=12)
BIG = ParagraphStyle("big", parent=BODY, fontSize=13, leading=18)
RED = colors.HexColor("#b71c1c")
LINE = colors.HexColor("#d9e2ec")
HEAD_BG = colors.HexColor("#eef2f6")


def _p(text, style=CELL) -> Paragraph:
    return Paragraph(escape(xml_safe(str(text))), style)


def _table(header: list, rows: list[list], widths=None) -> Table:
    data = [[_p(cell) for cell in header]] + [[_p(cell) for cell in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
                ("GRID", (0, 0), (-1, -1), 0.5, LINE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _cards(cells: list[dict], width: float, per_row: int) -> Table:
    """Figures as a grid: a row of labels over a row of values, `per_row` to a line."""
    data: list[list[Paragraph]] = []
    style: list[tuple[Any, ...]] = []
    for start in range(0, len(cells), per_row):
        chunk = cells[start : start + per_row]
        chunk += [{"label": "", "value": ""}] * (per_row - len(chunk))
        style.append(("BACKGROUND", (0, len(data)), (-1, len(data)), HEAD_BG))
        data.append([_p(cell["label"]) for cell in chunk])
        data.append([_p(cell["value"], BIG) for cell in chunk])
    table = Table(data, colWidths=[width / per_row] * per_row, hAlign="LEFT")
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, LINE), *style]))
    return table


def _page(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 8)
    canvas.setFillColor(colors.grey)
    canvas.drawCentredString(A4[0] / 2, 10 * mm, _("第 %(n)d 页") % {"n": doc.page})
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(1.2)
    canvas.line(18 * mm, A4[1] - 14 * mm, A4[0] - 18 * mm, A4[1] - 14 * mm)
    canvas.restoreState()


def brief_pdf(brief: Brief, target) -> None:
    """Write the brief as an A4 PDF to `target` (a path or a binary file)."""
    doc = SimpleDocTemplate(
        target,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=20 * mm,
        bottomMargin=18 * mm,
        title=brief.title,
        author=_("连心服务办公室"),
    )
    width = A4[0] - 36 * mm
    story: list = [
        Paragraph(escape(brief.title), TITLE),
        _p(
            _("统计口径：%(start)s至%(end)s登记的诉求；数据截至%(at)s。")
            % {
                "start": brief.start.strftime("%Y-%m-%d"),
                "end": brief.end.strftime("%Y-%m-%d"),
                "at": brief.made_at.strftime("%Y-%m-%d %H:%M"),
            },
            SMALL,
        ),
        Spacer(1, 4 * mm),
        Paragraph(_("一、主要指标"), HEADING),
    ]
    story.append(_cards(brief.headline, width, per_row=5))
    story += [Spacer(1, 3 * mm), _p(_("办理状态")), Spacer(1, 1 * mm)]
    story.append(_cards(brief.statuses, width, per_row=len(brief.statuses)))

    story.append(Paragraph(_("二、综合排名"), HEADING))
    story.append(
        _p(
            _(
                "综合得分按权重（%(w)s）计算，任何一项没有数据的不计分；"
                "有效件少于%(n)d件的单位不参加排名。"
            )
            % {"w": brief.weights, "n": brief.min_cases},
            SMALL,
        )
    )
    for ranking in brief.rankings:
        story += [Spacer(1, 2 * mm), _p(ranking["title"], BODY)]
        header = [_("名次"), ranking["by"], *ranking["headers"], _("综合得分")]
        rows = [[row["rank"], row["label"], *row["cells"], row["score"]] for row in ranking["rows"]]
        if rows:
            first = width * 0.1
            name = width * 0.3
            rest = (width - first - name) / (len(header) - 2)
            story.append(_table(header, rows, [first, name] + [rest] * (len(header) - 2)))
        else:
            story.append(_p(_("本月没有达到排名件数的单位。"), SMALL))

    story.append(Paragraph(_("三、热点问题"), HEADING))
    for dimension, label in (("category", _("分类")), ("grid", _("网格"))):
        items = brief.hot.get(dimension, [])
        story += [Spacer(1, 1 * mm), _p(_("新增诉求最多的%(what)s") % {"what": label}, BODY)]
        if items:
            story.append(
                _table(
                    [label, _("本月"), _("上月"), _("增减")],
                    [
                        [item["label"], item["this"], item["last"], f"{item['change']:+d}"]
                        for item in items
                    ],
                    [width * 0.55, width * 0.15, width * 0.15, width * 0.15],
                )
            )
        else:
            story.append(_p(_("本月没有新增诉求。"), SMALL))

    story.append(Paragraph(_("四、典型案例"), HEADING))
    if not brief.exemplary:
        story.append(_p(_("本月没有选树的典型案例。"), SMALL))
    for number, case in enumerate(brief.exemplary, start=1):
        place = " ".join(name for name in (getattr(case.street, "name", ""), case.address) if name)
        story += [
            Spacer(1, 2 * mm),
            _p(f"{number}. {case.title}（{case.tracking_number}）", BODY),
            _p(
                _("主办单位：%(unit)s；地点：%(place)s")
                % {"unit": getattr(case.lead_unit, "name", "—"), "place": place},
                SMALL,
            ),
            _p(case.exemplary_note, BODY),
        ]
    doc.build(story, onFirstPage=_page, onLaterPages=_page)
