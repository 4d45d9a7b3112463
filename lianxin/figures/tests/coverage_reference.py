"""Coverage recomputed in plain Python from raw rows, written apart from the SQL in
`lianxin.figures.coverage`: the property test holds one against the other."""

from collections import defaultdict


def recompute(households, visits, dues, round_, group_keys) -> dict:
    """{group key: (households, visited, met, dues, on_time)}; `group_keys(household)` is
    the set of groups a household belongs to (none, one, or several)."""
    active = {h.pk: h for h in households if h.active}
    visited = {v.household_id for v in visits if v.round_id == round_.pk}
    met = {v.household_id for v in visits if v.round_id == round_.pk and v.met}
    visit_at = {v.pk: v.visited_at for v in visits}

    def of_round(d):
        if d.round_id == round_.pk:
            return True
        return (
            d.round_id is None
            and d.kind == "urgent"
            and round_.starts_on <= d.opened_at.date() <= round_.ends_on
        )

    out = defaultdict(lambda: [0, 0, 0, 0, 0])
    for h in active.values():
        for key in group_keys(h):
            row = out[key]
            row[0] += 1
            row[1] += h.pk in visited
            row[2] += h.pk in met
    for d in dues:
        if d.household_id not in active or not of_round(d):
            continue
        on_time = d.visit_id is not None and visit_at[d.visit_id] <= d.due_at
        for key in group_keys(active[d.household_id]):
            out[key][3] += 1
            out[key][4] += on_time
    return {key: tuple(row) for key, row in out.items()}
