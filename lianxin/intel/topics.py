"""Topics (意见办理小专题): recent reports about the same problem at the same place.

No Django here. Reports are compared with the duplicate measure
(`lianxin.intel.duplicates`): text likeness with place names taken out, and
the place judged apart (a shared named place read from the text, the same
grid or building, or map points close together).

Grouping, in time order (first reports first):
1. candidate pairs come from an inverted index on place names and grids, so
   two reports that name no common place are never compared;
2. a report joins the topic it fits best when it is like the topic's members
   on average (≥ JOIN_MEAN) and very like at least one (≥ JOIN_BEST); this
   average link keeps a chain of loosely alike reports from growing one
   topic that is about everything;
3. otherwise it starts its own topic;
4. topics that share a place and are the same problem are merged: alike on
   average across the two (≥ JOIN_MEAN), or naming the same main place with
   words alike as wholes (cosine of the members' pooled bigrams ≥
   MERGE_COSINE). The same problem told in two ways ("搅拌站噪音" and
   "搅拌厂粉尘") at first grows two topics.

Hotness (documented for the office, see `hotness`):

    hotness = (residents + 0.5 × (cases − residents) + log2(1 + supports))
              × (1 + rate / (1 + rate))

where residents are the distinct people who reported, supports are "me too"s
(or the message board's likes), and rate is cases per day over the topic's
span (at least one day): a burst of reports in two days is hotter than the
same number over two months, at most twice as hot.
"""

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from lianxin.intel.duplicates import Profile, Report, at_same_place, profile, text_similarity
from lianxin.intel.places import Places, core, place_overlap

JOIN_MEAN = 0.22
JOIN_BEST = 0.3
MERGE_COSINE = 0.3
MIN_CASES = 2


@dataclass
class Topic:
    members: list[Profile] = field(default_factory=list)

    @property
    def reports(self) -> list[Report]:
        return [m.report for m in self.members]

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def residents(self) -> int:
        people = {r.resident if r.resident is not None else ("case", r.key) for r in self.reports}
        return len(people)

    @property
    def supports(self) -> int:
        return sum(r.supports for r in self.reports)

    @property
    def place(self) -> str:
        """The place most members name (or the first member's address)."""
        counts: dict[str, float] = defaultdict(float)
        for member in self.members:
            for name in member.places.names:
                # A place the title names counts most: the body wanders.
                counts[name] += 1 if name in member.report.title else 0.2
        if counts:
            # Ties go to the shorter name, then the same one in every process.
            return max(counts.items(), key=lambda kv: (kv[1], -len(kv[0]), kv[0]))[0]
        return self.members[0].report.address

    @property
    def title(self) -> str:
        """The member title most like the others: the topic's best one-line summary."""
        if self.size <= 2:
            return self.members[0].report.title
        best = max(
            self.members,
            key=lambda m: sum(text_similarity(m, o) for o in self.members if o is not m),
        )
        return best.report.title

    @property
    def first_at(self):
        times = [r.at for r in self.reports if r.at is not None]
        return min(times) if times else None

    @property
    def last_at(self):
        times = [r.at for r in self.reports if r.at is not None]
        return max(times) if times else None

    @property
    def hotness(self) -> float:
        return hotness(self.size, self.residents, self.supports, self.first_at, self.last_at)


def hotness(cases: int, residents: int, supports: int, first_at=None, last_at=None) -> float:
    """See the module docstring for the formula and why."""
    span_days = 1.0
    if first_at is not None and last_at is not None:
        span_days = max(1.0, (last_at - first_at).total_seconds() / 86400)
    rate = cases / span_days
    base = residents + 0.5 * max(0, cases - residents) + math.log2(1 + max(0, supports))
    return round(base * (1 + rate / (1 + rate)), 2)


def _place_keys(p: Profile) -> set:
    keys: set = {("name", n) for n in p.places.names}
    # Core keys let "丽发小区" meet "丽发新城小区": the name less its suffixes.
    keys |= {("core", core(n)[:2]) for n in p.places.names}
    if p.report.grid is not None:
        keys.add(("grid", p.report.grid))
    if p.report.latitude is not None and p.report.longitude is not None:
        # ~500 m cells; neighbours are added at lookup.
        keys.add(
            ("cell", round(float(p.report.latitude) * 200), round(float(p.report.longitude) * 200))
        )
    return keys


def _lookup_keys(p: Profile) -> set:
    keys = _place_keys(p)
    for key in list(keys):
        if key[0] == "cell":
            keys |= {("cell", key[1] + i, key[2] + j) for i in (-1, 0, 1) for j in (-1, 0, 1)}
    return keys


def pair_likeness(a: Profile, b: Profile, memo: dict | None = None) -> float:
    """Text likeness of two reports at the same place (place nearness at least 0.45, see
    `duplicates.place_nearness`), 0 when not at the same place. `memo` keeps the pairs
    seen in one grouping: the merge step compares many of them again."""
    if memo is not None:
        pair = (id(a), id(b)) if id(a) < id(b) else (id(b), id(a))
        found = memo.get(pair)
        if found is None:
            found = memo[pair] = pair_likeness(a, b)
        return found
    if not at_same_place(a.report, b.report, a.places, b.places):
        return 0.0
    return text_similarity(a, b)


def _cross_mean(a: Topic, b: Topic, memo: dict) -> float:
    scores = [pair_likeness(x, y, memo) for x in a.members[-20:] for y in b.members[-20:]]
    return sum(scores) / len(scores)


def _centroid(topic: Topic) -> Counter:
    grams: Counter = Counter()
    for member in topic.members:
        grams.update(member.title_grams)
        grams.update(member.body_grams)
    return grams


def _cosine(a: Counter, b: Counter) -> float:
    dot = sum(v * b[k] for k, v in a.items() if k in b)
    norm = math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def _same_problem(a: Topic, b: Topic, memo: dict) -> bool:
    """Alike across on average, or (for topics that name the same main place) alike as
    wholes: the words of all members together, which forgives one-off phrasings."""
    if _cross_mean(a, b, memo) >= JOIN_MEAN:
        return True
    main = Places(frozenset(), frozenset({a.place}), frozenset())
    other = Places(frozenset(), frozenset({b.place}), frozenset())
    return place_overlap(main, other) >= 0.8 and _cosine(_centroid(a), _centroid(b)) >= MERGE_COSINE


def _merge_alike(topics: list[Topic], memo: dict) -> list[Topic]:
    """Merge topics that share a place and are the same problem (step 4), biggest first."""
    order = sorted(range(len(topics)), key=lambda n: topics[n].size, reverse=True)
    index: dict = defaultdict(set)
    for n in order:
        for member in topics[n].members:
            for key in _place_keys(member):
                index[key].add(n)
    merged_into: dict[int, int] = {}
    for n in order:
        if n in merged_into:
            continue
        topic = topics[n]
        near = set().union(*(index[k] for m in topic.members for k in _lookup_keys(m)))
        # Biggest first, then oldest: the same order in every process.
        for other in sorted(near - {n}, key=lambda o: (-topics[o].size, o)):
            if other in merged_into or topics[other].size > topic.size:
                continue
            if _same_problem(topic, topics[other], memo):
                topic.members.extend(topics[other].members)
                merged_into[other] = n
    return [t for n, t in enumerate(topics) if n not in merged_into]


def group(
    reports: Iterable[Report], *, min_cases: int = MIN_CASES, body_chars: int = 200
) -> list[Topic]:
    """Group reports into topics, hottest first; topics of fewer than `min_cases` are dropped."""
    profiles = sorted(
        (profile(r, body_chars) for r in reports),
        key=lambda p: (p.report.at is None, p.report.at or 0),
    )
    topics: list[Topic] = []
    index: dict = defaultdict(set)  # place key -> topic numbers
    memo: dict = {}  # pair likeness, by the pair of profiles
    for p in profiles:
        best, best_mean = None, 0.0
        for number in sorted(set().union(*(index.get(k, ()) for k in _lookup_keys(p)))):
            topic = topics[number]
            scores = [pair_likeness(p, m, memo) for m in topic.members[-30:]]
            mean = sum(scores) / len(scores)
            if mean >= JOIN_MEAN and max(scores) >= JOIN_BEST and mean > best_mean:
                best, best_mean = number, mean
        if best is None:
            topics.append(Topic())
            best = len(topics) - 1
        topics[best].members.append(p)
        for key in _place_keys(p):
            index[key].add(best)
    topics = _merge_alike(topics, memo)
    kept = [t for t in topics if t.size >= min_cases]
    kept.sort(key=lambda t: t.hotness, reverse=True)
    return kept


def read_reports_csv(
    path,
    text_columns: list[str],
    time_column: str,
    votes_column: str | None = None,
    user_column: str | None = None,
) -> list[Report]:
    """Reports from a UTF-8 CSV: the first text column is the title, all of them the text.
    With `user_column`, messages by the same user count as one person in the hotness.
    A CSV without a named column is an error that names it."""
    import csv
    from datetime import datetime

    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        wanted = [*text_columns, time_column, *(c for c in (votes_column, user_column) if c)]
        missing = [c for c in wanted if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: no column named {', '.join(missing)}")
        reports = []
        for number, row in enumerate(reader, start=1):
            parts = [" ".join((row.get(c) or "").split()) for c in text_columns]
            when = (row.get(time_column) or "").strip()
            try:
                at = datetime.fromisoformat(when) if when else None
            except ValueError:
                at = None
            votes = 0
            if votes_column:
                try:
                    votes = max(0, int(float(row.get(votes_column) or 0)))
                except ValueError:
                    votes = 0
            reports.append(
                Report(
                    key=number,
                    title=parts[0],
                    text=" ".join(parts),
                    at=at,
                    supports=votes,
                    resident=(row.get(user_column) or None) if user_column else None,
                )
            )
    return reports


def describe(topics: list[Topic], limit: int = 10) -> list[str]:
    """The top topics as text lines: rank, hotness, counts and place, then every message."""
    lines = []
    for rank, topic in enumerate(topics[:limit], start=1):
        first = topic.first_at.strftime("%Y-%m-%d") if topic.first_at else "?"
        last = topic.last_at.strftime("%Y-%m-%d") if topic.last_at else "?"
        lines.append(
            f"#{rank} hotness {topic.hotness} | {topic.size} messages, {topic.residents} "
            f"people, {topic.supports} votes | {first} to {last} | place: {topic.place}"
        )
        lines.append(f"   topic: {topic.title}")
        for report in sorted(topic.reports, key=lambda r: (r.at is None, r.at or 0)):
            when = report.at.strftime("%Y-%m-%d") if report.at else "?"
            lines.append(f"   - [{report.key}] {when} +{report.supports} {report.title}")
    return lines
