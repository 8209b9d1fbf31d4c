"""Cohort statistics: completion, scores, item analysis and mastery by rule (definitions in docs/report.md).

Facility is the mean share of an item's points earned. Discrimination is the corrected
item-total correlation (point-biserial for right/wrong items): the Pearson correlation between
the item's score and the rest of the exam score (total minus this item), over all graded
submissions of the exam. It suits partial credit and small cohorts, unlike upper/lower 27% groups.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from itertools import chain

import pandas as pd

from cadrekit.report.load import UNKNOWN, Cohort

TOO_EASY = 0.9
"""Facility above this flags an item as too easy."""
TOO_HARD = 0.3
"""Facility below this flags an item as too hard."""
EXCELLENT = 90.0
"""Percentage score (百分制) from which a trainee counts as excellent (优秀)."""
WEAK_BELOW = 0.6
"""A rule whose score rate is below this is a weak point (薄弱环节)."""
WEAK_LISTED = 3
"""How many weak rules the report paragraph names."""
SCORE_BANDS = [(0, 60, "60分以下"), (60, 70, "60–69分"), (70, 80, "70–79分"), (80, 90, "80–89分"),
               (90, 100.000001, "90分及以上")]
"""Percentage score bands of the score distribution (the last one includes 100)."""
CHOICE_TYPES = ("single", "multiple", "truefalse")
TRUEFALSE_OPTIONS = {True: "正确", False: "错误"}
UNANSWERED = "未作答"


def taken_exams(cohort: Cohort) -> list[str]:
    """Exams with at least one graded submission, in gradebook order; only these count."""
    taken = set(cohort.submissions.assignment)
    return [a for a in cohort.exams.assignment if a in taken]


def trainee_completion(cohort: Cohort) -> pd.DataFrame:
    """Per trainee: the taken exams not submitted and whether every taken exam was submitted."""
    done = cohort.submissions.groupby("student_id").assignment.agg(set).to_dict()
    exams = taken_exams(cohort)
    table = cohort.trainees.copy()
    table["missing"] = [[a for a in exams if a not in done.get(s, set())] for s in table.student_id]
    table["completed"] = [bool(exams) and not missing for missing in table.missing]
    return table


def completion_by(cohort: Cohort, column: str) -> pd.DataFrame:
    """Trainees, completed and completion rate per group of ``column`` (unit, community or category)."""
    table = trainee_completion(cohort)
    grouped = table.groupby(column, sort=True).agg(trainees=("student_id", "size"), completed=("completed", "sum"))
    grouped["rate"] = grouped.completed / grouped.trainees
    return _unknown_last(grouped.reset_index().rename(columns={column: "group"}))


def _unknown_last(table: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([table[table.group != UNKNOWN], table[table.group == UNKNOWN]], ignore_index=True)


def exam_submissions(cohort: Cohort) -> pd.DataFrame:
    """Per exam: cohort size, graded submissions and the submission rate."""
    counts = cohort.submissions.groupby("assignment").size()
    table = cohort.exams[["assignment", "title"]].copy()
    table["trainees"] = len(cohort.trainees)
    table["submitted"] = [int(counts.get(a, 0)) for a in table.assignment]
    table["rate"] = table.submitted / table.trainees if len(cohort.trainees) else math.nan
    return table


def submission_percent(cohort: Cohort) -> pd.DataFrame:
    """Graded submissions with their percentage score (score / exam maximum × 100)."""
    table = cohort.submissions.copy()
    table["percent"] = table.score / table.max_score * 100
    return table


def score_summary(cohort: Cohort) -> pd.DataFrame:
    """Per taken exam: submissions, maximum, mean, median, best, worst, excellent and pass rates."""
    rows = []
    table = submission_percent(cohort)
    for assignment in taken_exams(cohort):
        exam = table[table.assignment == assignment]
        rows.append({"assignment": assignment, "title": _title(cohort, assignment), "submitted": len(exam),
                     "max_score": exam.max_score.iloc[0], "mean": exam.score.mean(), "median": exam.score.median(),
                     "best": exam.score.max(), "worst": exam.score.min(),
                     "excellent_rate": (exam.percent >= EXCELLENT).mean(), "pass_rate": (exam.percent >= 60).mean()})
    return pd.DataFrame(rows, columns=["assignment", "title", "submitted", "max_score", "mean", "median", "best",
                                       "worst", "excellent_rate", "pass_rate"])


def score_bands(cohort: Cohort) -> pd.DataFrame:
    """Per taken exam and score band (百分制): how many submissions fall in it."""
    rows = []
    table = submission_percent(cohort)
    for assignment in taken_exams(cohort):
        percent = table[table.assignment == assignment].percent
        rows += [{"assignment": assignment, "title": _title(cohort, assignment), "band": label,
                  "count": int(((percent >= low) & (percent < high)).sum())} for low, high, label in SCORE_BANDS]
    return pd.DataFrame(rows, columns=["assignment", "title", "band", "count"])


def trainee_percent(cohort: Cohort) -> pd.Series:
    """Each examined trainee's percentage over all exams taken: points earned / points possible × 100."""
    sums = cohort.submissions.groupby("student_id")[["score", "max_score"]].sum()
    return sums.score / sums.max_score * 100


def item_analysis(cohort: Cohort) -> pd.DataFrame:
    """Per quiz item of each taken exam: responses, mean score, facility, discrimination and flags."""
    figures = item_figures(cohort)
    rows = []
    for item in cohort.items.itertuples(index=False):
        if (item.assignment, item.item_id) not in figures.index:
            continue
        n, mean, discrimination = figures.loc[(item.assignment, item.item_id)]
        facility = mean / item.points if item.points else math.nan
        rows.append({"assignment": item.assignment, "title": _title(cohort, item.assignment), "number": item.number,
                     "item_id": item.item_id, "type": item.type, "stem": item.stem, "rule": item.rule or UNKNOWN,
                     "points": item.points, "responses": int(n), "mean": mean,
                     "facility": facility, "discrimination": discrimination,
                     "remarks": "、".join(item_flags(facility, discrimination))})
    return pd.DataFrame(rows, columns=["assignment", "title", "number", "item_id", "type", "stem", "rule", "points",
                                       "responses", "mean", "facility", "discrimination", "remarks"])


def item_figures(cohort: Cohort) -> pd.DataFrame:
    """Per (assignment, item_id): responses, mean score and discrimination, all items at once.

    Discrimination is Pearson's r of the item score x and the rest of the exam score y (total
    minus x), from deviations about each item's means; NaN when either side has no variance.
    """
    keys = ["assignment", "item_id"]
    totals = cohort.submissions[["assignment", "student_id", "score"]].rename(columns={"score": "total"})
    table = cohort.item_scores.merge(totals, on=["assignment", "student_id"])
    table["rest"] = table.total - table.score
    grouped = table.groupby(keys, sort=False)
    dx = table.score - grouped.score.transform("mean")
    dy = table.rest - grouped.rest.transform("mean")
    sums = pd.DataFrame({"xy": dx * dy, "xx": dx * dx, "yy": dy * dy}).groupby(
        [table.assignment, table.item_id], sort=False).sum()
    denominator = (sums.xx * sums.yy) ** 0.5
    return pd.DataFrame({"responses": grouped.size(), "mean": grouped.score.mean(),
                         "discrimination": (sums.xy / denominator).where(denominator >= 1e-12)})


def item_flags(facility: float, discrimination: float) -> list[str]:
    flags = []
    if facility > TOO_EASY:
        flags.append("过易")
    if facility < TOO_HARD:
        flags.append("过难")
    if discrimination < 0:
        flags.append("负区分")
    return flags


def distractors(cohort: Cohort) -> pd.DataFrame:
    """For each choice item: how many submissions chose each option (the key marked), and left it blank."""
    by_item = dict(iter(cohort.responses.groupby(["assignment", "item_id"], sort=False).response))
    rows = []
    for item in cohort.items[cohort.items.type.isin(CHOICE_TYPES)].itertuples(index=False):
        if (item.assignment, item.item_id) not in by_item:
            continue
        chosen = [chosen_options(item.type, r) for r in by_item[(item.assignment, item.item_id)]]
        counts = Counter(chain.from_iterable(chosen))
        for option, text in item_options(item.type, item.options).items():
            rows.append({"assignment": item.assignment, "title": _title(cohort, item.assignment),
                         "number": item.number, "item_id": item.item_id, "option": _option_label(option),
                         "text": text, "key": is_key(item.type, item.answer, option), "count": counts[option],
                         "share": counts[option] / len(chosen)})
        blank = chosen.count(set())
        rows.append({"assignment": item.assignment, "title": _title(cohort, item.assignment), "number": item.number,
                     "item_id": item.item_id, "option": UNANSWERED, "text": "", "key": False, "count": blank,
                     "share": blank / len(chosen)})
    return pd.DataFrame(rows, columns=["assignment", "title", "number", "item_id", "option", "text", "key", "count",
                                       "share"])


def item_options(item_type: str, options: dict) -> dict:
    """The options a trainee could pick, by the value a response holds (true/false has no option list)."""
    return {True: "正确", False: "错误"} if item_type == "truefalse" else dict(options)


def _option_label(option) -> str:
    return TRUEFALSE_OPTIONS[option] if isinstance(option, bool) else str(option)


def chosen_options(item_type: str, response) -> set:
    """Options a response selects; a malformed response (hand-edited file) selects nothing."""
    if item_type == "multiple":
        return {o for o in response if isinstance(o, str)} if isinstance(response, list) else set()
    if item_type == "truefalse":
        return {response} if isinstance(response, bool) else set()
    return {response} if isinstance(response, str) and response else set()


def is_key(item_type: str, answer, option) -> bool:
    return option in answer if item_type == "multiple" else option == answer


def _item_sums(cohort: Cohort, by_unit: bool = False) -> pd.DataFrame:
    """Answers and points earned per item (per unit of the trainees too, if ``by_unit``), with the
    item's rule, topic and points: summing per item first keeps the joins off the million score rows."""
    scores = cohort.item_scores
    keys = ["assignment", "item_id"]
    if by_unit:
        units = scores.student_id.map(cohort.trainees.set_index("student_id").unit).fillna(UNKNOWN)
        scores, keys = scores.assign(unit=units), ["unit", *keys]
    sums = scores.groupby(keys, sort=False).score.agg(answers="size", earned="sum").reset_index()
    items = cohort.items.drop_duplicates(["assignment", "item_id"])
    items = items[["assignment", "item_id", "rule", "topic", "points"]]
    table = sums.merge(items.assign(rule=items.rule.fillna(UNKNOWN)), on=["assignment", "item_id"])
    table["possible"] = table.points * table.answers
    return table


def rule_mastery(cohort: Cohort) -> pd.DataFrame:
    """Per rule: items, answers and score rate (points earned / points possible), weakest first."""
    grouped = _item_sums(cohort).groupby("rule").agg(topic=("topic", "first"), items=("item_id", "nunique"),
                                                     answers=("answers", "sum"), earned=("earned", "sum"),
                                                     possible=("possible", "sum"))
    grouped["rate"] = grouped.earned / grouped.possible
    return grouped.reset_index().sort_values(["rate", "rule"], ignore_index=True)[
        ["rule", "topic", "items", "answers", "rate"]]


def unit_rule_mastery(cohort: Cohort) -> pd.DataFrame:
    """Score rate by unit (rows) and rule (columns): the heat map's data."""
    table = _item_sums(cohort, by_unit=True)
    if table.empty:
        return pd.DataFrame()
    sums = table.groupby(["unit", "rule"])[["earned", "possible"]].sum()
    matrix = (sums.earned / sums.possible).unstack("rule")
    units = [u for u in matrix.index if u != UNKNOWN] + [u for u in matrix.index if u == UNKNOWN]
    return matrix.loc[units]


def not_submitted(cohort: Cohort) -> pd.DataFrame:
    """Trainees missing at least one taken exam, with the exams they have not submitted."""
    table = trainee_completion(cohort)
    table = table[table.missing.map(bool).astype(bool)].copy()  # a bool mask even when there are no trainees
    table["missing"] = ["、".join(_title(cohort, a) for a in missing) for missing in table.missing]
    return table[["student_id", "name", "unit", "community", "category", "missing"]].reset_index(drop=True)


def _title(cohort: Cohort, assignment: str) -> str:
    return dict(zip(cohort.exams.assignment, cohort.exams.title, strict=True)).get(assignment, assignment)


@dataclass
class Headline:
    """The figures of the 轮训情况 paragraph."""

    trainees: int
    by_category: dict[str, int]
    exams: int
    completed: int
    completion_rate: float
    examined: int
    mean_percent: float
    excellent: int
    excellent_rate: float
    rules: int
    weak_rules: list[tuple[str, float]] = field(default_factory=list)


def headline(cohort: Cohort) -> Headline:
    completion = trainee_completion(cohort)
    percent = trainee_percent(cohort)
    counts = completion.category.value_counts()
    ordered = sorted((c for c in counts.index if c != UNKNOWN), key=lambda c: (-counts[c], c))
    by_category = {c: int(counts[c]) for c in ordered + ([UNKNOWN] if UNKNOWN in counts else [])}
    mastery = rule_mastery(cohort)
    weak = mastery[mastery.rate < WEAK_BELOW].head(WEAK_LISTED)
    total = len(completion)
    excellent = int((percent >= EXCELLENT).sum())
    return Headline(
        trainees=total, by_category=by_category, exams=len(taken_exams(cohort)),
        completed=int(completion.completed.sum()),
        completion_rate=completion.completed.sum() / total if total else math.nan,
        examined=len(percent), mean_percent=percent.mean() if len(percent) else math.nan,
        excellent=excellent, excellent_rate=excellent / len(percent) if len(percent) else math.nan,
        rules=len(mastery), weak_rules=list(zip(weak.rule, weak.rate, strict=True)),
    )
