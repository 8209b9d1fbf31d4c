"""The rules engine: enabled rules × branches × periods → findings, each citing its article.

Periods are the months, quarters and years that the ledger covers completely (from the month of
its first meeting to the month of its last), so a ledger kept to November is not faulted for a
fourth quarter that has not ended.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from cadrekit.ledger.read import Branch, Meeting
from cadrekit.ledger.rules import OPERATORS, PERIODS, Rule

QUARTER_NAMES = "一二三四"
NOUNS = {"支委人数": "委员", "正式党员": "有表决权的党员（正式党员）", "党员人数": "党员"}
EXACT_HALF = "恰好是半数：“半数以上”是否包含半数本数，条例没有解释，请按上级党组织的口径核实"


@dataclass(frozen=True)
class Period:
    kind: str  # month, quarter or year
    year: int
    number: int  # month 1–12, quarter 1–4, or 1 for the year

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.year}年{self.number}月"
        if self.kind == "quarter":
            return f"{self.year}年第{QUARTER_NAMES[self.number - 1]}季度"
        return f"{self.year}年"

    def months(self) -> list[tuple[int, int]]:
        if self.kind == "month":
            return [(self.year, self.number)]
        if self.kind == "quarter":
            return [(self.year, 3 * self.number - 2 + i) for i in range(3)]
        return [(self.year, m) for m in range(1, 13)]

    def contains(self, day: date) -> bool:
        return (day.year, day.month) in self.months()

    @property
    def start(self) -> tuple[int, int]:
        return self.months()[0]


@dataclass(frozen=True)
class Finding:
    rule: Rule
    branch: str
    period: str
    message: str
    rows: tuple[int, ...] = ()
    start: tuple[int, int] = (0, 0)  # for ordering: register findings first, then by period


def month_label(day: date) -> str:
    return Period("month", day.year, day.month).label


def covered_periods(meetings: list[Meeting]) -> dict[str, list[Period]]:
    """Months from the first to the last meeting, and the quarters and years wholly inside them."""
    first, last = min(m.date for m in meetings), max(m.date for m in meetings)
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    window = set(months)
    result: dict[str, list[Period]] = {"month": [Period("month", y, m) for y, m in months]}
    years = sorted({y for y, _ in months})
    result["quarter"] = [p for y in years for q in range(1, 5)
                         if window.issuperset((p := Period("quarter", y, q)).months())]
    result["year"] = [p for y in years if window.issuperset((p := Period("year", y, 1)).months())]
    return result


def check(meetings: list[Meeting], branches: dict[str, Branch], rules: list[Rule]) -> list[Finding]:
    """Every finding of the enabled rules, per branch in ledger order, then by period and rule."""
    periods = covered_periods(meetings)
    enabled = [r for r in rules if r.enabled]
    order = list(dict.fromkeys(m.branch for m in meetings))
    findings = []
    for name in order:
        own = [m for m in meetings if m.branch == name]
        for position, rule in enumerate(enabled):
            for finding in CHECKERS[rule.check](rule, branches[name], own, periods):
                findings.append((order.index(name), finding.start, position, finding.rows, finding))
    return [f for *_, f in sorted(findings, key=lambda entry: entry[:4])]


def _frequency(rule: Rule, branch: Branch, meetings: list[Meeting], periods) -> list[Finding]:
    p = rule.params
    if "only_if" in p and branch.field(p["only_if"]) == 0:
        return []
    minimum = branch.field(p["minimum_from"]) if "minimum_from" in p else int(p.get("minimum", 1))
    meeting = p["meeting"]
    findings = []
    for period in periods[p["period"]]:
        count = sum(1 for m in meetings if meeting in m.types and period.contains(m.date))
        if count >= minimum:
            continue
        if count == 0:
            message = f"{period.label}未见{meeting}记录"
        else:
            message = f"{period.label}{meeting}记录{count}次，少于{minimum}次"
        if "minimum_from" in p:
            message += f"（名册中{p['minimum_from']}{minimum}个，每个每{PERIODS[p['period']]}1次）"
        findings.append(Finding(rule, branch.name, period.label, message, start=period.start))
    return findings


def _attendance(rule: Rule, branch: Branch, meetings: list[Meeting], _periods) -> list[Finding]:
    meeting, of = rule.params["meeting"], rule.params["of"]
    total = branch.field(of)
    findings = []
    for m in meetings:
        if meeting not in m.types or m.present is None or total == 0 or m.present * 2 > total:
            continue
        shortfall = "不到半数" if m.present * 2 < total else EXACT_HALF
        message = f"{m.date:%Y-%m-%d}{meeting}实到{m.present}人，{NOUNS.get(of, of)}共{total}人，{shortfall}"
        findings.append(Finding(rule, branch.name, month_label(m.date), message, (m.row,), (m.date.year, m.date.month)))
    return findings


def _vote_attendance(rule: Rule, branch: Branch, meetings: list[Meeting], _periods) -> list[Finding]:
    meeting, of = rule.params["meeting"], rule.params["of"]
    total = branch.field(of)
    findings = []
    for m in meetings:
        if meeting not in m.types:
            continue
        for vote in m.votes:
            if vote.voters * 2 > total:
                continue
            shortfall = "不到半数，不能进行表决" if vote.voters * 2 < total else EXACT_HALF
            message = (f"{m.date:%Y-%m-%d}{meeting}表决“{vote.matter}”：到会有表决权的党员{vote.voters}人"
                       f"（赞成、反对、弃权合计），{NOUNS.get(of, of)}共{total}人，{shortfall}")
            findings.append(Finding(rule, branch.name, month_label(m.date), message, (m.row,),
                                    (m.date.year, m.date.month)))
    return findings


def _vote_passed(rule: Rule, branch: Branch, meetings: list[Meeting], _periods) -> list[Finding]:
    meeting, of = rule.params["meeting"], rule.params["of"]
    total = branch.field(of)
    need = total // 2 + 1
    findings = []
    for m in meetings:
        if meeting not in m.types:
            continue
        for vote in m.votes:
            if vote.yes >= need or vote.declared_passed is False:
                continue
            message = (f"{m.date:%Y-%m-%d}{meeting}表决“{vote.matter}”：赞成{vote.yes}人，没有超过应到会"
                       f"{NOUNS.get(of, of)}{total}人的半数（至少需要{need}人），不能视为通过")
            if vote.declared_passed:
                message += "，台账却记为“通过”"
            findings.append(Finding(rule, branch.name, month_label(m.date), message, (m.row,),
                                    (m.date.year, m.date.month)))
    return findings


def _register(rule: Rule, branch: Branch, _meetings: list[Meeting], _periods) -> list[Finding]:
    conditions = rule.params["when"]
    if not all(OPERATORS[op](branch.field(name), value) for name, op, value in conditions):
        return []
    figures = "、".join(f"{name}{branch.field(name)}" for name in dict.fromkeys(c[0] for c in conditions))
    return [Finding(rule, branch.name, "名册", f"名册中{figures}，不符合：{rule.title}")]


CHECKERS: dict[str, Callable[..., list[Finding]]] = {
    "frequency": _frequency, "attendance": _attendance, "vote_attendance": _vote_attendance,
    "vote_passed": _vote_passed, "register": _register,
}
