"""Read the gradebook, the roster and the submitted answers into tidy pandas tables.

Item metadata (type, rule, options, key) comes from the quiz key cells as the gradebook stored
them when the exam was generated: that is what was graded, even if ``source/`` was rebuilt since.
Everything odd about the data is written to ``Cohort.notes`` in plain Chinese; nothing here
raises on partial data, so the report always renders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
import yaml

from cadrekit.gradebook import open_gradebook
from cadrekit.grading.keycells import parse_key_cell
from cadrekit.grading.preprocessors import read_submitted_answers
from cadrekit.roster import Trainee, read_roster, stored_roster

UNKNOWN = "（未填写）"
"""The group of trainees whose unit, community or category is missing."""
ITEM_NUMBER = re.compile(r"^# 第(\d+)题")
"""The item's position in the exam, from the first line that ``key_cell_source`` writes."""
LISTED = 10
"""How many student ids a note names before it says 等."""

TRAINEE_COLUMNS = ["student_id", "name", "unit", "community", "category", "in_roster", "in_gradebook"]
EXAM_COLUMNS = ["assignment", "title", "max_score"]
ITEM_COLUMNS = ["assignment", "item_id", "number", "quiz_id", "type", "stem", "topic", "rule", "points", "options",
                "answer"]
SUBMISSION_COLUMNS = ["assignment", "student_id", "score", "max_score", "needs_manual_grade"]
ITEM_SCORE_COLUMNS = ["assignment", "student_id", "item_id", "score"]
RESPONSE_COLUMNS = ["assignment", "student_id", "item_id", "response"]


@dataclass
class Cohort:
    """One training round as tidy tables; ``notes`` says what is missing or inconsistent."""

    trainees: pd.DataFrame
    exams: pd.DataFrame
    items: pd.DataFrame
    submissions: pd.DataFrame
    item_scores: pd.DataFrame
    responses: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def load_cohort(db_url: str, course: Path, roster_file: Path | None = None) -> Cohort:
    """Everything the report needs; the roster comes from ``roster_file`` or else from the gradebook."""
    notes: list[str] = []
    roster = read_roster(roster_file) if roster_file else stored_roster(db_url)
    if roster is None:
        notes.append("成绩库中没有导入学员名单（cadrekit roster import），单位、社区、类别均按未填写统计。")
    students, tables = read_gradebook(db_url, exam_titles(course))
    cohort = Cohort(trainees=trainee_table(roster or [], students), **tables,
                    responses=pd.DataFrame(columns=RESPONSE_COLUMNS), notes=notes)
    cohort.responses = submitted_responses(cohort, course)
    cohort.notes += data_notes(cohort)
    return cohort


def read_gradebook(db_url: str, titles: dict[str, str]) -> tuple[dict[str, str], dict[str, pd.DataFrame]]:
    """Student names by id, and the tables of exams, their quiz items, submissions and quiz item scores.

    All grades come in one query: walking nbgrader's objects instead costs a few queries per
    submission (score, grades), which is minutes for a round of thousands of trainees.
    """
    from nbgrader.api import Student

    with open_gradebook(db_url) as gb:
        students = {s: name or s for s, name in gb.db.execute(sa.select(Student.id, Student.last_name))}
        assignments = gb.assignments
        exams = pd.DataFrame([(a.name, titles.get(a.name, a.name), a.max_score) for a in assignments],
                             columns=EXAM_COLUMNS)
        items = pd.DataFrame([row for a in assignments for row in key_items(a)], columns=ITEM_COLUMNS)
        submitted = fetch(gb.db.connection(), submission_query())
        grades = fetch(gb.db.connection(), grade_query())
    quiz_cells = items[["assignment", "item_id"]].drop_duplicates()
    return students, {"exams": exams, "items": items, "submissions": submission_table(submitted, grades, exams),
                      "item_scores": grades.merge(quiz_cells)[ITEM_SCORE_COLUMNS]}


def fetch(connection: sa.Connection, query: sa.Select) -> pd.DataFrame:
    """The query's rows as a table, straight from the database driver: at a million grades,
    building SQLAlchemy's row objects takes longer than the database takes to run the query."""
    cursor = connection.connection.cursor()
    try:
        cursor.execute(str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})))
        return pd.DataFrame(cursor.fetchall(), columns=[column[0] for column in cursor.description])
    finally:
        cursor.close()


def submission_query() -> sa.Select:
    from nbgrader.api import Assignment, SubmittedAssignment

    return (sa.select(Assignment.name.label("assignment"), SubmittedAssignment.student_id)
            .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
            .order_by(Assignment.name, SubmittedAssignment.student_id))


def grade_query() -> sa.Select:
    """Every grade with its exam, student and cell name (the item id of a quiz cell)."""
    from nbgrader.api import Assignment, BaseCell, Grade, SubmittedAssignment, SubmittedNotebook

    return (sa.select(Assignment.name.label("assignment"), SubmittedAssignment.student_id,
                      BaseCell.name.label("item_id"), Grade.score.label("score"), Grade.needs_manual_grade)
            .select_from(Grade)
            .join(BaseCell, Grade.cell_id == BaseCell.id)
            .join(SubmittedNotebook, Grade.notebook_id == SubmittedNotebook.id)
            .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
            .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id))


def submission_table(submitted: pd.DataFrame, grades: pd.DataFrame, exams: pd.DataFrame) -> pd.DataFrame:
    """Each submission's score (sum of its grades) and whether a grade awaits a grader, as nbgrader has them."""
    keys = ["assignment", "student_id"]
    sums = grades.groupby(keys).agg(score=("score", "sum"), needs_manual_grade=("needs_manual_grade", "any"))
    table = submitted.merge(sums, on=keys, how="left").merge(exams[["assignment", "max_score"]], on="assignment")
    table["score"] = table.score.fillna(0.0)
    table["needs_manual_grade"] = table.needs_manual_grade.astype("boolean").fillna(False).astype(bool)
    return table[SUBMISSION_COLUMNS]


def exam_titles(course: Path) -> dict[str, str]:
    """Exam titles by assignment from the course's exam specs; a spec that cannot be read is skipped."""
    titles = {}
    for path in sorted((course / "exams").glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            continue
        if isinstance(data, dict) and data.get("assignment") and data.get("title"):
            titles[str(data["assignment"])] = str(data["title"])
    return titles


def key_items(assignment) -> list[dict]:
    """One row per quiz item of an nbgrader assignment, from the key cells stored in the gradebook."""
    rows = []
    for notebook in assignment.notebooks:
        for cell in notebook.source_cells:
            key = parse_key_cell(cell.source or "")
            if key is None:
                continue
            quiz_id, item = key
            number = ITEM_NUMBER.match(cell.source)
            rows.append({"assignment": assignment.name, "item_id": cell.name,
                         "number": int(number.group(1)) if number else None, "quiz_id": quiz_id,
                         "type": item.type, "stem": item.stem, "topic": item.topic, "rule": item.rule,
                         "points": item.points, "options": item.options, "answer": item.answer})
    return sorted(rows, key=lambda r: (r["number"] is None, r["number"] or 0, r["item_id"]))


def trainee_table(roster: list[Trainee], gradebook_students: dict[str, str]) -> pd.DataFrame:
    """The cohort: everyone on the roster plus every gradebook student, with where each was found."""
    rows = {t.id: {"student_id": t.id, "name": t.name, "unit": t.unit, "community": t.community,
                   "category": t.category, "in_roster": True, "in_gradebook": t.id in gradebook_students}
            for t in roster}
    for student_id, name in gradebook_students.items():
        rows.setdefault(student_id, {"student_id": student_id, "name": name, "unit": None, "community": None,
                                     "category": None, "in_roster": False, "in_gradebook": True})
    table = pd.DataFrame(sorted(rows.values(), key=lambda r: r["student_id"]), columns=TRAINEE_COLUMNS)
    for column in ("unit", "community", "category"):
        table[column] = table[column].fillna(UNKNOWN).replace("", UNKNOWN)
    return table


def submitted_responses(cohort: Cohort, course: Path) -> pd.DataFrame:
    """Each graded submission's response to each quiz item, read from its submitted answers file."""
    columns: dict[str, list] = {name: [] for name in RESPONSE_COLUMNS}  # by column: a million rows at 5,000
    unreadable: dict[str, int] = {}
    for (assignment, quiz_id), items in cohort.items.groupby(["assignment", "quiz_id"]):
        item_ids = list(items.item_id)
        for student in cohort.submissions.student_id[cohort.submissions.assignment == assignment]:
            answers, problem = read_submitted_answers(course / "submitted" / student / assignment, quiz_id)
            if problem:
                unreadable[assignment] = unreadable.get(assignment, 0) + 1
            columns["assignment"] += [assignment] * len(item_ids)
            columns["student_id"] += [student] * len(item_ids)
            columns["item_id"] += item_ids
            columns["response"] += map(answers.get, item_ids)
    cohort.notes += [f"考试 {exam_label(cohort, a)} 有 {n} 份提交的答案文件缺失或无法读取，选项统计中按未作答计。"
                     for a, n in unreadable.items()]
    return pd.DataFrame(columns)


def exam_label(cohort: Cohort, assignment: str) -> str:
    title = cohort.exams.set_index("assignment").title.get(assignment, assignment)
    return f"“{title}”" if title == assignment else f"“{title}”（{assignment}）"


def data_notes(cohort: Cohort) -> list[str]:
    """Plain statements of every gap between roster, gradebook and exams."""
    trainees, notes = cohort.trainees, []
    roster_known = trainees.in_roster.any()
    if roster_known and len(outside := trainees[~trainees.in_roster]):
        notes.append(f"成绩库中有 {len(outside)} 名学员不在名单中（学号：{id_list(outside.student_id)}），"
                     f"已计入参训人数，单位、社区、类别按未填写统计。")
    if len(absent := trainees[trainees.in_roster & ~trainees.in_gradebook]):
        notes.append(f"名单中有 {len(absent)} 名学员不在成绩库中（学号：{id_list(absent.student_id)}），按未提交统计。")
    no_unit = trainees[trainees.in_roster & (trainees.unit == UNKNOWN)]
    if len(no_unit):
        notes.append(f"名单中有 {len(no_unit)} 名学员未填写单位（学号：{id_list(no_unit.student_id)}），"
                     f"按单位统计时归入“{UNKNOWN}”。")
    taken = set(cohort.submissions.assignment)
    for assignment in cohort.exams.assignment:
        if assignment not in taken:
            notes.append(f"考试 {exam_label(cohort, assignment)} 尚无已评分的提交，未计入完成率和成绩统计。")
        elif assignment not in set(cohort.items.assignment):
            notes.append(f"考试 {exam_label(cohort, assignment)} 没有测验题（或成绩库中缺少题目信息），不做试题分析。")
    pending = cohort.submissions.loc[cohort.submissions.needs_manual_grade.astype(bool)].groupby("assignment").size()
    notes += [f"考试 {exam_label(cohort, a)} 有 {n} 份提交还有题目待人工评分，这些成绩暂不完整。"
              for a, n in pending.items()]
    if cohort.exams.empty:
        notes.append("成绩库中还没有任何考试。")
    return notes


def id_list(ids: pd.Series) -> str:
    ids = list(ids)
    return "、".join(ids[:LISTED]) + ("等" if len(ids) > LISTED else "")
