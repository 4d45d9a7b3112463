"""Rankings (排名) of units by the assessment score: who is ranked, among which peers, and
the score's weights in words. The score itself is a figure, in `metrics.score`."""

from django.utils.translation import gettext_lazy as _

from lianxin.figures.metrics import METRICS, SCORE_RATES, Context, Row, missing_data
from lianxin.orgs.models import Unit


def weights_text(ctx: Context) -> str:
    """The score's weights in words, for a page or a brief: 响应率 10% · 按期答复率 15% ..."""
    return " · ".join(
        f"{METRICS[code].label} {weight}%"
        for code, weight in zip(SCORE_RATES, ctx.weights, strict=True)
        if weight
    )


def ranking(rows: list[Row], ctx: Context) -> tuple[list[Row], list[Row]]:
    """Rank groups by assessment score, best first; a group with fewer valid cases than the
    district's minimum, or without a score (a weighted rate with no data), is not ranked
    (so one case, or a unit nobody has rated yet, cannot top a table); `unranked_because`
    says why. Ties share a rank: the returned rows carry it in `row.rank`."""
    ranked, unranked = [], []
    for row in rows:
        if row.key is None:
            continue
        missing = missing_data(row.figures, ctx)
        if row["valid"].numerator < ctx.ranking_min_cases:
            row.unranked_because = str(_("件数过少"))
        elif missing or row.score is None:
            labels = "、".join(str(METRICS[code].label) for code in missing)
            row.unranked_because = str(_("数据不足：%(rates)s") % {"rates": labels})
        else:
            ranked.append(row)
            continue
        unranked.append(row)
    ranked.sort(key=lambda row: (-(row.score or 0), -row["valid"].numerator, str(row.label)))
    previous, rank = None, 0
    for index, row in enumerate(ranked, start=1):
        if row.score != previous:
            rank, previous = index, row.score
        row.rank = rank
    return ranked, unranked


# Units are ranked among their peers: departments, public enterprises (water, power, gas,
# heating) and streets (by the cases in their area, whichever of their communities and
# grids or departments led them). A community or grid never ranks among departments.
PEER_GROUPS = {
    "department": ("lead_unit", _("职能部门")),
    "enterprise": ("lead_unit", _("公共企业")),
    "street": ("street", _("街镇")),
}


def peer_group(kind: str, public_enterprise: bool) -> str | None:
    """Which peer group a lead unit is ranked in (None: a lead unit that is not ranked)."""
    if kind == Unit.Kind.DEPARTMENT:
        return "enterprise" if public_enterprise else "department"
    return None


def peer_rankings(tables: dict[str, list[Row]], ctx: Context) -> list[dict]:
    """The rankings of PEER_GROUPS from the lead-unit and street breakdowns:
    [{code, label, dimension, ranked, unranked}]."""
    lead_keys = [row.key for row in tables["lead_unit"] if row.key is not None]
    peers: dict[object, str | None] = {
        pk: peer_group(kind, enterprise)
        for pk, kind, enterprise in Unit.objects.filter(pk__in=lead_keys).values_list(
            "pk", "kind", "public_enterprise"
        )
    }
    out = []
    for code, (dimension, label) in PEER_GROUPS.items():
        rows = [
            Row(row.key, row.label, row.figures)
            for row in tables[dimension]
            if dimension != "lead_unit" or peers.get(row.key) == code
        ]
        ranked, unranked = ranking(rows, ctx)
        out.append(
            {
                "code": code,
                "label": label,
                "dimension": dimension,
                "ranked": ranked,
                "unranked": unranked,
            }
        )
    return out
