"""The full nbgrader cycle for both shipped exams, with real commands and a real exchange.

Three trainees fetch, answer through the quiz widgets (which save the sidecar), and submit; the
instructor collects, grades with ``cadrekit grade`` and ``nbgrader autograde``, grades the
written task through the formgrader API, and releases feedback. Then: exact scores, a byte scan
of everything trainees receive, tampering attempts and a batch with broken submissions.
"""

from __future__ import annotations

import ast
import contextlib
import csv
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

from cadrekit.bank.model import Item
from cadrekit.grading.keycells import parse_key_cell
from cadrekit.quiz import exam

from .conftest import KIT
from .servers import free_port, running

BIN = Path(sys.executable).parent
TRAINEES = ("t001", "t002", "t003")
EXAMS = ("sanhui-exam", "mixed-exam")
MANUAL = {"t001": 9, "t002": 6, "t003": 3}  # written task, graded by hand in formgrader
CODE = {"t001": 6, "t002": 2, "t003": 0}  # 党费 task: full, visible check only, untouched stub

GOOD_DUES = '''import pandas as pd

members = pd.read_csv("dangfei-members.csv")


def monthly_dues(income, category):
    if category == "离退休":
        rate = 0.005 if income <= 5000 else 0.01
    elif income <= 3000:
        rate = 0.005
    elif income <= 5000:
        rate = 0.01
    elif income <= 10000:
        rate = 0.015
    else:
        rate = 0.02
    return round(income * rate, 2)


members["月党费"] = [monthly_dues(i, c) for i, c in zip(members["税后月工资"], members["人员类别"])]
'''
# t002 forgets 第五条: retirees are charged by the in-service brackets.
HALF_DUES = GOOD_DUES.replace('''    if category == "离退休":
        rate = 0.005 if income <= 5000 else 0.01
    elif income <= 3000:''', '''    if income <= 3000:''')
MINUTES = "幸福里社区党支部委员会会议记录：2026年11月5日下午，李明主持，赵强记录，应到5人，实到4人……"


def command(*args: str | Path, cwd: Path, env: dict[str, str]) -> str:
    path = os.pathsep.join([str(BIN), os.environ["PATH"]])  # nbgrader runs `alembic` by name
    result = subprocess.run([str(a) for a in args], cwd=cwd, env={**os.environ, "PATH": path, **env},
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise AssertionError(f"{args} failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result.stdout + result.stderr


@contextlib.contextmanager
def trainee_identity(student: str):
    before = os.environ.get("CADREKIT_STUDENT")
    os.environ["CADREKIT_STUDENT"] = student
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("CADREKIT_STUDENT")
        else:
            os.environ["CADREKIT_STUDENT"] = before


def keys_of(source_notebook: Path) -> list[Item]:
    nb = nbformat.read(source_notebook, as_version=4)
    return [key[1] for cell in nb.cells if (key := parse_key_cell(cell.source))]


def planned_response(student: str, position: int, item: Item):
    """t001 answers everything right, t002 only the first five, t003 half-right multiples and wrong rest."""
    correct = {
        "fill": [variants[0] for variants in item.answer] if item.type == "fill" else None,
    }.get(item.type, item.answer)
    if student == "t001":
        return correct
    if student == "t002":
        return correct if position < 5 else None
    wrong_option = next((o for o in item.options if o != item.answer), None)
    return {
        "multiple": [item.answer[0]] if item.type == "multiple" else None,
        "single": wrong_option,
        "truefalse": not item.answer if item.type == "truefalse" else None,
        "fill": ["错"] * len(item.answer) if item.type == "fill" else None,
        "ordering": list(reversed(item.answer)) if item.type == "ordering" else None,
        "matching": {p: next(o for o in item.options if o != k) for p, k in item.answer.items()}
        if item.type == "matching" else None,
    }[item.type]


def expected_quiz_score(student: str, items: list[Item]) -> float:
    if student == "t001":
        return sum(i.points for i in items)
    if student == "t002":
        return sum(i.points for i in items[:5])
    return sum(round(i.points / len(i.answer), 2) for i in items if i.type == "multiple")


def answer_exam(folder: Path, notebook: str, student: str, keys: list[Item]) -> None:
    """Run the fetched notebook's quiz cell as the trainee and click the planned answers."""
    path = folder / f"{notebook}.ipynb"
    nb = nbformat.read(path, as_version=4)
    quiz_cell = next(c for c in nb.cells if "cadrekit-quiz" in c.metadata.get("tags", []))
    call = next(n for n in ast.walk(ast.parse(quiz_cell.source)) if isinstance(n, ast.Call)
                and getattr(n.func, "id", "") == "exam")
    public = ast.literal_eval(next(k.value for k in call.keywords if k.arg == "items"))
    quiz_id = ast.literal_eval(call.args[0])
    with trainee_identity(student):
        quiz = exam(quiz_id, public, shuffle=True, folder=folder)
    views = {v.item.id: v for v in quiz.views}
    for position, item in enumerate(keys):
        response = planned_response(student, position, item)
        if response is not None:
            assert views[item.id].restore(response)  # sets the widgets, which save the sidecar
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id == "dangfei-answer" and student != "t003":
            cell.source = GOOD_DUES if student == "t001" else HALF_DUES
        if grade_id == "zwh-minutes":
            cell.source = MINUTES
    nbformat.write(nb, path)


@dataclass
class Cycle:
    base: Path
    course: Path
    env: dict[str, str]
    keys: dict[str, list[Item]] = field(default_factory=dict)
    released: dict[Path, bytes] = field(default_factory=dict)  # as fetched, before answering
    outputs: dict[str, str] = field(default_factory=dict)
    db_url: str = ""

    def trainee_env(self) -> dict[str, str]:
        return {**self.env, "JUPYTER_CONFIG_PATH": str(self.course)}

    def nbgrader(self, *args: str, cwd: Path | None = None, env: dict | None = None) -> str:
        return command(BIN / "nbgrader", *args, cwd=cwd or self.course, env=env or self.env)

    def cadrekit(self, *args: str) -> str:
        return command(BIN / "cadrekit", *args, cwd=self.course, env=self.env)


def make_course(base: Path, db_url: str | None = None) -> Cycle:
    course = base / "course"
    course.mkdir(parents=True)
    shutil.copy(KIT / "grading" / "nbgrader_config.py", course)
    shutil.copytree(KIT / "grading" / "exams", course / "exams")
    exchange = base / "exchange"
    exchange.mkdir()
    exchange.chmod(0o1777)
    db_url = db_url or f"sqlite:///{course / 'gradebook.db'}"
    env = {"CADREKIT_EXCHANGE": str(exchange), "CADREKIT_COURSE": "lunxun", "CADREKIT_GRADEBOOK": db_url}
    return Cycle(base=base, course=course, env=env, db_url=db_url)


@pytest.fixture(scope="module")
def cycle(tmp_path_factory) -> Cycle:
    run = make_course(tmp_path_factory.mktemp("cycle"))
    run.outputs["build"] = run.cadrekit("exam", "build", "--course", str(run.course))
    roster = run.base / "roster.csv"
    roster.write_text("学号,姓名,单位,社区/组织,类别\nt001,张红,东城街道,幸福里社区,社区党务干部\n"
                      "t002,李明,东城街道,和平社区,社区党务干部\nt003,王芳,西城街道,星光科技有限公司,"
                      "\"两新\"组织党组织书记\n", encoding="utf-8")
    run.outputs["roster"] = run.cadrekit("roster", "import", str(roster), "--course", str(run.course))
    for name in EXAMS:
        run.keys[name] = keys_of(run.course / "source" / name / f"{name}.ipynb")
        run.nbgrader("generate_assignment", name)
        run.nbgrader("release_assignment", name)
    for student in TRAINEES:
        home = run.base / student
        home.mkdir()
        cache = f"--Exchange.cache={run.base / ('cache-' + student)}"
        for name in EXAMS:
            run.nbgrader("fetch_assignment", name, cache, cwd=home, env=run.trainee_env())
            run.released.update({p: p.read_bytes() for p in (home / name).rglob("*") if p.is_file()})
            answer_exam(home / name, name, student, run.keys[name])
            run.nbgrader("submit", name, f"--student={student}", cache, cwd=home, env=run.trainee_env())
    for name in EXAMS:
        run.nbgrader("collect", name)
    run.outputs["grade"] = run.cadrekit("grade", "sanhui-exam", "--course", str(run.course))
    run.nbgrader("autograde", "mixed-exam")
    grade_written_task_in_formgrader(run)
    for name in EXAMS:
        run.nbgrader("generate_feedback", name)
        run.nbgrader("release_feedback", name)
        for student in TRAINEES:
            cache = f"--Exchange.cache={run.base / ('cache-' + student)}"
            run.nbgrader("fetch_feedback", name, cache, cwd=run.base / student, env=run.trainee_env())
    run.nbgrader("export")
    return run


def grade_written_task_in_formgrader(run: Cycle) -> None:
    port = free_port()
    server = [BIN / "python", "-m", "jupyter", "server", "--no-browser", f"--port={port}",
              f"--ServerApp.root_dir={run.course}", "--allow-root"]
    with running([str(a) for a in server], port=port, env=run.env, log=run.base / "formgrader.log",
                 cwd=run.course) as fg:
        status, notebooks = fg.get("/formgrader/api/submitted_notebooks/mixed-exam/mixed-exam")
        assert status == 200, notebooks
        for submission in notebooks:
            status, grades = fg.get(f"/formgrader/api/grades?submission_id={submission['id']}")
            assert status == 200
            written = next(g for g in grades if g["name"] == "zwh-minutes")
            assert written["needs_manual_grade"] and written["auto_score"] is None
            status, _ = fg.request("PUT", f"/formgrader/api/grade/{written['id']}",
                                   {"manual_score": MANUAL[submission["student"]]})
            assert status == 200
        run.outputs["formgrader_grades"] = json.dumps(
            {s["student"]: fg.get(f"/formgrader/api/grades?submission_id={s['id']}")[1] for s in notebooks})


def gradebook_scores(run: Cycle, name: str) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(run.db_url, "lunxun") as gb:
        return {sub.student.id: sub.score for sub in gb.find_assignment(name).submissions}


def test_quiz_exam_scores_are_exact(cycle: Cycle):
    items = cycle.keys["sanhui-exam"]
    expected = {s: expected_quiz_score(s, items) for s in TRAINEES}
    assert gradebook_scores(cycle, "sanhui-exam") == pytest.approx(expected, abs=1e-9)
    assert expected["t001"] > expected["t003"] > 0  # t003 earns partial credit only


def test_mixed_exam_scores_are_exact(cycle: Cycle):
    items = cycle.keys["mixed-exam"]
    expected = {s: expected_quiz_score(s, items) + CODE[s] + MANUAL[s] for s in TRAINEES}
    assert gradebook_scores(cycle, "mixed-exam") == pytest.approx(expected, abs=1e-9)


def test_partial_credit_is_visible_in_formgrader_and_feedback(cycle: Cycle):
    partial = [i for i in cycle.keys["mixed-exam"] if i.type == "multiple"]
    grades = {g["name"]: g for g in json.loads(cycle.outputs["formgrader_grades"])["t003"]}
    for item in partial:
        assert grades[item.id]["auto_score"] == pytest.approx(round(item.points / len(item.answer), 2))
    feedback = feedback_html(cycle, "t003", "mixed-exam")
    assert "部分正确" in feedback


def feedback_html(run: Cycle, student: str, name: str) -> str:
    files = list((run.base / student / name / "feedback").rglob("*.html"))
    assert len(files) == 1, files
    return files[0].read_text(encoding="utf-8")


def test_feedback_shows_result_answer_and_rule(cycle: Cycle):
    html = feedback_html(cycle, "t003", "sanhui-exam")
    for item in cycle.keys["sanhui-exam"]:
        assert item.source.citation() in html
    assert "正确答案" in html and "你的答案" in html and "依据" in html
    assert "✘ 错误" in html and "◐ 部分正确" in html


def test_released_and_fetched_files_hold_no_key(cycle: Cycle):
    secrets = ["cadrekit-quiz-key", "BEGIN HIDDEN TESTS", "5000.01", "参考要点", "BEGIN SOLUTION", "rate = 0.015"]
    for name in EXAMS:
        secrets += [item.explanation for item in cycle.keys[name]]
    received = {p: p.read_bytes() for p in (cycle.course / "release").rglob("*") if p.is_file()}
    received.update({p: p.read_bytes() for p in (cycle.base / "exchange").rglob("outbound/**/*") if p.is_file()})
    received.update(cycle.released)
    assert len(received) >= 3 * len(EXAMS)
    for path, data in received.items():
        for secret in secrets:
            assert secret.encode("utf-8") not in data, f"{secret!r} in {path}"


def test_feedback_holds_no_raw_key_and_only_the_trainees_own(cycle: Cycle):
    for student in TRAINEES:
        for name in EXAMS:
            html = feedback_html(cycle, student, name)
            for secret in ("cadrekit-quiz-key", "BEGIN HIDDEN TESTS", "5000.01", "参考要点"):
                assert secret not in html, (student, name, secret)
    assert MINUTES in feedback_html(cycle, "t001", "mixed-exam")
    sanhui_scores = gradebook_scores(cycle, "sanhui-exam")
    for student in TRAINEES:
        assert f"{sanhui_scores[student]:g}" in feedback_html(cycle, student, "sanhui-exam")


def test_export_has_every_trainee_and_score(cycle: Cycle):
    rows = list(csv.DictReader((cycle.course / "grades.csv").open(encoding="utf-8")))
    exported = {(r["assignment"], r["student_id"]): float(r["score"]) for r in rows}
    for name in EXAMS:
        for student, value in gradebook_scores(cycle, name).items():
            assert exported[(name, student)] == pytest.approx(value)
    names = {r["student_id"]: r["last_name"] for r in rows}
    assert names["t003"] == "王芳"


def test_cohort_report_on_the_graded_cycle(cycle: Cycle):
    """``cadrekit report`` on this cohort: files written, figures from the planned answers above."""
    import pandas as pd

    out = cycle.base / "report"
    printed = cycle.cadrekit("report", "--course", str(cycle.course), "--out", str(out))
    paragraph = (out / "轮训情况.txt").read_text(encoding="utf-8").strip()
    assert paragraph in printed and (out / "轮训报告.html").exists()
    tasks = 2 + 4 + 10  # 党费 checks (visible, hidden) and the written minutes, as in mixed-exam.yaml
    maximum = sum(i.points for i in cycle.keys["sanhui-exam"]) + sum(i.points for i in cycle.keys["mixed-exam"]) + tasks
    earned = {s: expected_quiz_score(s, cycle.keys["sanhui-exam"]) + expected_quiz_score(s, cycle.keys["mixed-exam"])
              + CODE[s] + MANUAL[s] for s in TRAINEES}
    percents = [earned[s] / maximum * 100 for s in TRAINEES]
    mean = f"{sum(percents) / 3:.1f}".removesuffix(".0")
    excellent = sum(p >= 90 for p in percents)
    assert "参训学员3名" in paragraph and "完成全部考试的3名，完成率100%" in paragraph
    assert f"平均得分{mean}分" in paragraph and f"90分及以上的{excellent}名" in paragraph
    items = pd.read_excel(out / "轮训统计.xlsx", sheet_name="试题分析")
    sanhui = items[items["考试编号"] == "sanhui-exam"].sort_values("题号")
    expected = [(i.points * (2 if position < 5 else 1) + expected_quiz_score("t003", [i])) / (3 * i.points)
                for position, i in enumerate(cycle.keys["sanhui-exam"])]
    assert sanhui["难度（得分率）"].tolist() == pytest.approx(expected, abs=0.005 + 1e-9)  # shown to 2 decimals


def test_stray_answers_in_source_are_never_released(cycle: Cycle):
    source = cycle.course / "source" / "sanhui-exam"
    (source / "sanhui-exam.answers.json").write_text('{"format": "cadrekit-answers/1"}', encoding="utf-8")
    cycle.nbgrader("generate_assignment", "sanhui-exam", "--force")
    assert not list((cycle.course / "release" / "sanhui-exam").glob("*.answers*.json"))
    assert (cycle.course / "release" / "sanhui-exam" / "sanhui-exam.ipynb").exists()


# -- tampering: each attempt starts from t002's honest mixed-exam submission ------------------
FORGE = '''import json
key = json.loads(open("forged.json", encoding="utf-8").read())
with open("mixed-exam.answers.json", "w", encoding="utf-8") as out:
    json.dump({"format": "cadrekit-answers/1", "quiz": "mixed-exam", "answers": key}, out)
'''
PATCH = '''import cadrekit.bank.scoring as scoring, cadrekit.grading.preprocessors as grading
scoring.score = grading.score = lambda item, response: scoring.Score(item.points, item.points, "correct")
print(100)
'''


def tamper(run: Cycle, student: str, change) -> None:
    honest = run.course / "submitted" / "t002" / "mixed-exam"
    target = run.course / "submitted" / student / "mixed-exam"
    shutil.copytree(honest, target)
    path = target / "mixed-exam.ipynb"
    nb = nbformat.read(path, as_version=4)
    change(nb, target)
    nbformat.write(nb, path)


def add_cell(source: str):
    def change(nb, folder):
        nb.cells.insert(1, nbformat.v4.new_code_cell(source))
    return change


def forge_key_file(run: Cycle):
    def change(nb, folder):
        key = {i.id: planned_response("t001", 0, i) for i in run.keys["mixed-exam"]}
        (folder / "forged.json").write_text(json.dumps(key, ensure_ascii=False), encoding="utf-8")
        nb.cells.insert(1, nbformat.v4.new_code_cell(FORGE))
    return change


def edit_quiz_cells(nb, folder):
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and cell.cell_type == "code" and "dangfei" not in meta["grade_id"]:
            cell.source = "print(1)\n1"
            meta["points"] = 100
            cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "1"}, execution_count=1)]


def delete_quiz_cells(nb, folder):
    nb.cells = [c for c in nb.cells if not (c.metadata.get("nbgrader", {}).get("grade")
                                            and c.cell_type == "code"
                                            and "dangfei" not in c.metadata["nbgrader"]["grade_id"])]


def forge_unanswered(run: Cycle):
    def change(nb, folder):
        sidecar = folder / "mixed-exam.answers.json"
        data = json.loads(sidecar.read_text(encoding="utf-8"))
        for position, item in enumerate(run.keys["mixed-exam"]):
            if position >= 5:  # items t002 left blank get shapes the widgets never produce
                data["answers"][item.id] = {
                    "single": list(item.options), "multiple": [[o] for o in item.options],
                    "truefalse": 1, "fill": [item.answer], "ordering": list(item.options) * 2,
                    "matching": {p: list(item.options) for p in item.prompts},
                }[item.type]
        data["score"] = 100
        sidecar.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return change


@pytest.fixture(scope="module")
def tampered(cycle: Cycle) -> dict[str, float]:
    attempts = {
        "x-added": forge_key_file(cycle),
        "x-patch": add_cell(PATCH),
        "x-edited": edit_quiz_cells,
        "x-deleted": delete_quiz_cells,
        "x-forged": forge_unanswered(cycle),
    }
    for student, change in attempts.items():
        tamper(cycle, student, change)
    cycle.outputs["tamper"] = cycle.cadrekit("grade", "mixed-exam", "--course", str(cycle.course))
    return gradebook_scores(cycle, "mixed-exam")


@pytest.mark.parametrize("student", ["x-added", "x-patch", "x-edited", "x-deleted", "x-forged"])
def test_tampering_does_not_raise_the_score(tampered: dict[str, float], student: str, cycle: Cycle):
    honest = expected_quiz_score("t002", cycle.keys["mixed-exam"]) + CODE["t002"]
    assert tampered[student] == pytest.approx(honest), cycle.outputs["tamper"]


def test_batch_with_broken_submissions_grades_the_rest(tmp_path: Path, cycle: Cycle, gradebook_url: str):
    """Also on PostgreSQL (the gradebook past one server), through the same CADREKIT_GRADEBOOK setting."""
    run = make_course(tmp_path, gradebook_url)
    run.cadrekit("exam", "build", "--course", str(run.course))
    run.nbgrader("generate_assignment", "sanhui-exam")
    honest = cycle.course / "submitted"
    for student in TRAINEES:
        shutil.copytree(honest / student / "sanhui-exam", run.course / "submitted" / student / "sanhui-exam")
    broken = run.course / "submitted"
    shutil.copytree(honest / "t001" / "sanhui-exam", broken / "b-json" / "sanhui-exam")
    (broken / "b-json" / "sanhui-exam" / "sanhui-exam.ipynb").write_text("{not json", encoding="utf-8")
    shutil.copytree(honest / "t001" / "sanhui-exam", broken / "b-name" / "sanhui-exam")
    (broken / "b-name" / "sanhui-exam" / "sanhui-exam.ipynb").rename(
        broken / "b-name" / "sanhui-exam" / "sanhui-exam-Copy1.ipynb")
    shutil.copytree(honest / "t001" / "sanhui-exam", broken / "b-nosidecar" / "sanhui-exam")
    (broken / "b-nosidecar" / "sanhui-exam" / "sanhui-exam.answers.json").unlink()
    result = subprocess.run([BIN / "cadrekit", "grade", "sanhui-exam", "--course", run.course],
                            cwd=run.course, env={**os.environ, **run.env}, capture_output=True, text=True)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = {line.split("\t")[0]: line.split("\t") for line in result.stdout.splitlines() if "\t" in line}
    assert lines["b-json"][3] == "未评分" and "不是有效的笔记本" in lines["b-json"][4]
    assert lines["b-name"][3] == "未评分" and "sanhui-exam-Copy1.ipynb" in lines["b-name"][4]
    assert lines["b-nosidecar"][1] == "0" and "未找到答案文件" in lines["b-nosidecar"][4]
    scores = gradebook_scores(run, "sanhui-exam")
    assert scores == pytest.approx({**gradebook_scores(cycle, "sanhui-exam"), "b-nosidecar": 0})
    again = subprocess.run([BIN / "cadrekit", "grade", "sanhui-exam", "--course", run.course],
                           cwd=run.course, env={**os.environ, **run.env}, capture_output=True, text=True)
    assert again.returncode == 1 and gradebook_scores(run, "sanhui-exam") == scores  # re-running is safe
