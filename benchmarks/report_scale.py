"""`cadrekit report` at scale: N synthetic trainees × 10 exams × 30 items (issue #9, item 4).

``.venv/bin/python benchmarks/report_scale.py [--sizes 500 1000 2000 5000]`` prints, per size, the
wall time and peak RSS of the real command run as a subprocess; building the data is timed apart.

The exams are real: ten specs drawing 30 items each from the shipped banks, built by
``cadrekit.exam.build`` and registered in nbgrader's gradebook through its own ``Gradebook`` API,
grade cell and key cell (source cell) per item, as ``generate_assignment`` records them. The cohort
is bulk-inserted with SQLAlchemy core into nbgrader's tables (1.5 M grade rows at 5,000 trainees),
with the roster table and one submitted answers file per submission, as ``collect`` leaves them.
Answers follow a one-parameter IRT model (ability per trainee, difficulty per item), so facility and
discrimination vary as in a real round; every grade is the kit's own ``score`` of the response.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from run import BIN, KIT, right_answer

SIZES = [500, 1000, 2000, 5000]
QUICK_SIZES = [10, 20]
EXAMS = [  # assignment, title, bank; 30 items each
    ("exam-01", "“三会一课”制度（一）", "sanhui-yike"),
    ("exam-02", "“三会一课”制度（二）", "sanhui-yike"),
    ("exam-03", "党员教育管理（一）", "jiaoyu-guanli"),
    ("exam-04", "党员教育管理（二）", "jiaoyu-guanli"),
    ("exam-05", "发展党员工作", "fazhan-dangyuan"),
    ("exam-06", "组织生活", "zuzhi-shenghuo"),
    ("exam-07", "基层党建案例", "jiceng-anli"),
    ("exam-08", "党费收缴使用管理", "dangfei"),
    ("exam-09", "党组织设置", "zuzhi-shezhi"),
    ("exam-10", "组织生活（复习）", "zuzhi-shenghuo"),
]
ITEMS = 30
UNITS = [f"{name}街道" for name in ("东城", "西城", "南城", "北城", "中心", "滨江", "湖滨", "新港", "高新", "城关")]
CATEGORIES = ["社区党务干部", "“两新”组织党组织书记", "机关党务干部"]
MISSED = 0.03
"""Share of trainees who do not submit a given exam."""
BLANK = 0.04
"""Share of items left blank."""


def build_exams(course: Path) -> list:
    """Write and build the ten exam specs; their specs (with the drawn items, keys included)."""
    from cadrekit.exam.build import build_exam
    from cadrekit.exam.spec import load_spec

    (course / "exams").mkdir(parents=True)
    specs = []
    for assignment, title, bank in EXAMS:
        path = course / "exams" / f"{assignment}.yaml"
        path.write_text(f"assignment: {assignment}\ntitle: {title}\nseed: {assignment}\n"
                        f"items:\n  - bank: {bank}\n    draw: {ITEMS}\n", encoding="utf-8")
        spec = load_spec(path, KIT / "quizzes")
        build_exam(spec, course / "source", course / "exams")
        specs.append(spec)
    return specs


def exam_gradebook(db: Path, course: Path, specs: list) -> None:
    """nbgrader's schema and the exams' cells, recorded the way ``generate_assignment`` records them."""
    import nbformat
    from nbgrader.api import Base, Gradebook

    engine = sa.create_engine(f"sqlite:///{db}")
    Base.metadata.create_all(engine)  # as tests/test_report.py: skips the alembic stamp subprocess
    engine.dispose()
    with Gradebook(f"sqlite:///{db}") as gb:
        for spec in specs:
            gb.add_assignment(spec.assignment)
            gb.add_notebook(spec.notebook, spec.assignment)
            notebook = nbformat.read(course / "source" / spec.assignment / f"{spec.notebook}.ipynb", as_version=4)
            for cell in notebook.cells:
                meta = cell.metadata.get("nbgrader", {})
                if meta.get("grade"):
                    gb.add_grade_cell(meta["grade_id"], spec.notebook, spec.assignment, max_score=meta["points"],
                                      cell_type=cell.cell_type)
                if meta.get("grade") or meta.get("solution") or meta.get("locked"):
                    gb.add_source_cell(meta["grade_id"], spec.notebook, spec.assignment, source=cell.source,
                                       cell_type=cell.cell_type, locked=bool(meta.get("locked")))


def wrong_answers(item) -> list:
    """Plausible wrong or partly right responses, in order of how attractive they are."""
    if item.type == "single":
        return [o for o in item.options if o != item.answer]
    if item.type == "truefalse":
        return [not item.answer]
    if item.type == "multiple":
        others = [o for o in item.options if o not in item.answer]
        return [item.answer[:1], *([item.answer + others[:1], others[:1]] if others else [])]
    if item.type == "fill":
        return [[item.answer[0][0]] + ["错"] * (len(item.answer) - 1), ["错"] * len(item.answer)]
    if item.type == "ordering":
        return [list(reversed(item.answer))]
    first = next(iter(item.answer))
    return [{p: (k if p == first else None) for p, k in item.answer.items()},
            {p: next(o for o in item.options if o != k) for p, k in item.answer.items()}]


def insert_cohort(db: Path, course: Path, specs: list, size: int, seed: int = 9) -> None:
    """Roster, students, submissions, grades and answers files of ``size`` trainees."""
    from nbgrader.api import Base

    from cadrekit.bank.scoring import score
    from cadrekit.roster import metadata, trainees

    rng = np.random.default_rng(seed)
    students = [f"t{n:05d}" for n in range(size)]
    ability = rng.normal(0, 1, size)
    engine = sa.create_engine(f"sqlite:///{db}")
    metadata.create_all(engine)
    tables = Base.metadata.tables
    with engine.begin() as connection:
        cells = {(a, n): i for i, n, a in connection.execute(sa.text(
            "SELECT g.id, b.name, a.name FROM grade_cells g JOIN base_cell b ON b.id = g.id "
            "JOIN notebook n ON n.id = b.notebook_id JOIN assignment a ON a.id = n.assignment_id"))}
        notebooks = {name: (assignment, notebook) for notebook, assignment, name in connection.execute(sa.text(
            "SELECT n.id, a.id, a.name FROM notebook n JOIN assignment a ON a.id = n.assignment_id"))}
        connection.execute(tables["student"].insert(), [{"id": s, "last_name": f"学员{s[1:]}"} for s in students])
        connection.execute(trainees.insert(), [
            {"student_id": s, "name": f"学员{s[1:]}", "unit": UNITS[n % len(UNITS)],
             "community": f"{UNITS[n % len(UNITS)][:-2]}第{n % 7 + 1}社区", "category": CATEGORIES[n % 3]}
            for n, s in enumerate(students)])
        earned: dict = {}
        when = datetime(2026, 11, 28, 10)
        for spec in specs:
            difficulty = rng.normal(-0.6, 1.0, len(spec.items))
            right = rng.random((size, len(spec.items))) < 1 / (1 + np.exp(-1.7 * (ability[:, None] - difficulty)))
            blank = rng.random((size, len(spec.items))) < BLANK
            pick = rng.random((size, len(spec.items)))
            taken = rng.random(size) >= MISSED
            assignment_id, notebook_id = notebooks[spec.assignment]
            submissions, submitted, grades = [], [], []
            for n in np.flatnonzero(taken):
                sub = f"{spec.assignment}-{students[n]}"
                submissions.append({"id": f"sa{sub}", "assignment_id": assignment_id, "student_id": students[n],
                                    "timestamp": when})
                submitted.append({"id": f"sn{sub}", "assignment_id": f"sa{sub}", "notebook_id": notebook_id})
                answers = {}
                for j, item in enumerate(spec.items):
                    if blank[n, j]:
                        response = None
                    elif right[n, j]:
                        response = right_answer(item)
                    else:
                        wrong = wrong_answers(item)
                        response = wrong[min(int(pick[n, j] ** 2 * len(wrong)), len(wrong) - 1)]
                    if response is not None:
                        answers[item.id] = response
                    key = (spec.assignment, item.id, json.dumps(response, sort_keys=True))
                    if key not in earned:
                        earned[key] = score(item, response).earned
                    grades.append({"id": f"g{sub}-{j}", "notebook_id": f"sn{sub}",
                                   "cell_id": cells[(spec.assignment, item.id)], "auto_score": earned[key],
                                   "needs_manual_grade": False})
                folder = course / "submitted" / students[n] / spec.assignment
                folder.mkdir(parents=True)
                (folder / f"{spec.quiz_id}.answers.json").write_text(json.dumps(
                    {"format": "cadrekit-answers/1", "quiz": spec.quiz_id, "student": students[n],
                     "answers": answers}, ensure_ascii=False), encoding="utf-8")
            connection.execute(tables["submitted_assignment"].insert(), submissions)
            connection.execute(tables["submitted_notebook"].insert(), submitted)
            connection.execute(tables["grade"].insert(), grades)
    engine.dispose()


def run_report(course: Path, out: Path, env: dict) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MiB) of ``cadrekit report``, from the child's own rusage.

    On a shared machine the wall time includes waiting for a core; the CPU time does not."""
    start = time.perf_counter()
    with open(out.parent / "report.log", "w") as log:
        child = subprocess.Popen([str(BIN / "cadrekit"), "report", "--course", str(course), "--out", str(out)],
                                 stdout=log, stderr=subprocess.STDOUT, env=env)
        _pid, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    if child.returncode != 0:
        raise RuntimeError(f"cadrekit report failed:\n{(out.parent / 'report.log').read_text()[-3000:]}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def measure(sizes: list[int], keep: Path | None = None) -> list[tuple[str, str, str, str]]:
    """One row per size: trainees, wall time, CPU time and peak memory of the report."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        base = keep or Path(tmp)
        env = {k: v for k, v in os.environ.items() if k not in ("CADREKIT_GRADEBOOK", "PYTHONDONTWRITEBYTECODE")}
        env["PYTHONPYCACHEPREFIX"] = str(base / "pycache")  # measure with compiled modules, as installed
        start = time.perf_counter()
        template = base / "exams"
        specs = build_exams(template)
        exam_gradebook(template / "gradebook.db", template, specs)
        shutil.copy(KIT / "grading" / "nbgrader_config.py", template)
        run_report(template, template / "report", env)  # warm-up: compiles every module once (not counted)
        print(f"10 场考试（每场 {ITEMS} 题）构建：{time.perf_counter() - start:.1f} s", file=sys.stderr)
        for size in sizes:
            course = base / f"course-{size}"
            shutil.copytree(template, course, ignore=shutil.ignore_patterns("report*"))
            start = time.perf_counter()
            insert_cohort(course / "gradebook.db", course, specs, size)
            print(f"{size} 名学员数据生成：{time.perf_counter() - start:.1f} s（不计入）", file=sys.stderr)
            seconds, cpu, peak = run_report(course, course / "report", env)
            rows.append((f"轮训报告 {size} 名学员 × {len(EXAMS)} 场 × {ITEMS} 题：cadrekit report",
                         f"{seconds:.1f} s", f"CPU {cpu:.1f} s", f"峰值内存 {peak:.0f} MiB"))
            print("\t".join(rows[-1]), file=sys.stderr)
            if keep is None:
                shutil.rmtree(course)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES, help="trainee counts to measure")
    parser.add_argument("--keep", type=Path, default=None, help="keep the generated courses in this folder")
    args = parser.parse_args()
    for row in measure(args.sizes, args.keep):
        print("\t".join(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
