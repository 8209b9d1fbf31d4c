"""nbgrader-jupyterquiz, the closest existing package, side by side with `cadrekit grade` (issue #9, item 2).

Called from ``run.py``'s ``main()`` with the benchmark exam's items and its synthetic trainees. The quiz is written
the way the package documents it: one nbgrader "Manually Graded Task" markdown cell per item holding a
``#### Quiz`` region, with ``CreateQuiz`` first among ``GenerateAssignment``'s preprocessors, so that
``nbgrader generate_assignment`` emits one autograded cell per item (answer key in its hidden tests). A trainee's
clicks are stored by the package's browser recorder in a ``responses.json`` sidecar next to the notebook; here that
sidecar is written directly, in the recorder's format, from the same answers ``run.py`` gives each trainee.
``nbgrader autograde`` then runs each submission in a kernel, where ``grade_quiz`` scores it from the sidecar.

Its Markdown syntax has single choice (SC), many choice (MC) and numeric (NM) questions only, so fill-in,
matching and ordering items cannot be written for it; both pipelines grade the same exam cut down to the
items it can express, with the same answers. Scoring rules differ in one place: a many-choice question is all
or nothing in jupyterquiz, while cadrekit gives part credit for a correct subset of a multiple-choice key.
"""

from __future__ import annotations

import json
from pathlib import Path

from run import BIN, EXAM, PLAIN_CONFIG, make_course, run, write_submissions

SUPPORTED = {"single": "SC", "truefalse": "SC", "multiple": "MC"}
TRUE_FALSE = {True: "正确", False: "错误"}
CONFIG = PLAIN_CONFIG + 'c.GenerateAssignment.preprocessors.insert(0, "nbgrader_jupyterquiz.CreateQuiz")\n'
SUBSET_SPEC = """assignment: bench-exam
title: 基准测试考试（nbgrader-jupyterquiz 可表达的题）
shuffle: true
seed: 7
items:
  - bank: sanhui-yike
    ids: [{ids}]
"""


def one_line(text: str) -> str:
    """A question or option as one line (the syntax continues a field only on deeper-indented lines)."""
    return " ".join(text.split())


def quoted(text: str) -> str:
    return '"' + one_line(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def choices(item) -> dict[str, str]:
    """Choice id (as stored in cadrekit's answers file) to the text jupyterquiz shows and records."""
    if item.type == "truefalse":
        return dict(TRUE_FALSE)
    return {key: one_line(text) for key, text in item.options.items()}


def quiz_cell(number: int, item) -> str:
    """The markdown task-cell source for one item, in the package's quiz syntax."""
    key = item.answer if item.type == "multiple" else [item.answer]
    lines = ["#### Quiz", f"* ({SUPPORTED[item.type]}) {{{item.points:g}}} {quoted(item.stem)}"]
    lines += [f"  {'+' if option in key else '-'} {quoted(text)}" for option, text in choices(item).items()]
    return f"### 第{number}题\n\n" + "\n".join([*lines, "#### End Quiz"])


def make_quiz_course(base: Path, items: list, env: dict) -> Path:
    import nbformat

    course = base / "jupyterquiz"
    (course / "source" / EXAM).mkdir(parents=True)
    (course / "nbgrader_config.py").write_text(
        CONFIG.format(root=str(course), exchange=str(base / "exchange-jupyterquiz")), encoding="utf-8")
    cells = [nbformat.v4.new_markdown_cell("# 基准测试考试")]
    for number, item in enumerate(items, 1):
        task = {"grade": False, "grade_id": item.id, "locked": True, "points": 0, "schema_version": 3,
                "solution": False, "task": True}
        cells.append(nbformat.v4.new_markdown_cell(quiz_cell(number, item), metadata={"nbgrader": task}))
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, course / "source" / EXAM / f"{EXAM}.ipynb")
    run(BIN / "nbgrader", "generate_assignment", EXAM, "--force", cwd=course, env=env)
    return course


def recorded(item, answer) -> dict | None:
    """What the recorder stores for a final selection (schema_version 1), None when nothing is selected."""
    if answer is None or answer == [] or answer == "":
        return None
    texts = choices(item)
    if item.type == "multiple":
        return {"type": "many_choice", "selected": [texts[a] for a in answer]}
    return {"type": "multiple_choice", "selected": texts[answer]}


def answers_file(folder: Path) -> Path:
    return folder / f"{EXAM}.answers.json"


def keep_only(course: Path, students: list[str], ids: set[str]) -> None:
    """Drop the answers to items this exam does not have (the other items of run.py's exam)."""
    for student in students:
        path = answers_file(course / "submitted" / student / EXAM)
        data = json.loads(path.read_text(encoding="utf-8"))
        data["answers"] = {k: v for k, v in data["answers"].items() if k in ids}
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def to_sidecar(course: Path, students: list[str], items: list) -> None:
    """Turn each submission's cadrekit answers file into the responses.json the recorder would have written."""
    for student in students:
        folder = course / "submitted" / student / EXAM
        given = json.loads(answers_file(folder).read_text(encoding="utf-8"))["answers"]
        answers_file(folder).unlink()
        responses = {}
        for item in items:
            if (payload := recorded(item, given.get(item.id))) is not None:
                responses[f"{item.id}-autograded"] = {"0": payload}
        (folder / "responses.json").write_text(
            json.dumps({"schema_version": 1, "responses": responses}, ensure_ascii=False, indent=2), encoding="utf-8")


def item_scores(course: Path) -> dict[tuple[str, str], float]:
    """(student, item id) to points, from the gradebook (jupyterquiz's 0-point task cells left out)."""
    from nbgrader.api import Gradebook

    found = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for submission in gb.find_assignment(EXAM).submissions:
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    if grade.max_score:
                        found[submission.student.id, grade.name.removesuffix("-autograded")] = round(grade.score, 2)
    return found


def compare(ours: dict, theirs: dict, items: list) -> tuple[int, int, int]:
    """Item grades that agree, that differ only by cadrekit's part credit on multiple choice, and others."""
    kind = {item.id: item for item in items}
    same = partial = other = 0
    for key in ours.keys() | theirs.keys():
        mine, its = ours.get(key), theirs.get(key)
        item = kind[key[1]]
        if mine == its:
            same += 1
        elif item.type == "multiple" and its == 0 and mine is not None and 0 < mine < item.points:
            partial += 1
        else:
            other += 1
    return same, partial, other


def side_by_side(base: Path, env: dict, keys: list, students: list[str], seed: int) -> tuple[list[tuple], bool]:
    """Rows for run.py's table, and whether every difference in scores is explained by the scoring rules."""
    from cadrekit.bank.model import TYPE_LABELS

    items = [item for item in keys if item.type in SUPPORTED]
    left_out = sorted({item.type for item in keys} - set(SUPPORTED))
    quiz = make_quiz_course(base, items, env)
    ours = make_course(base / "jupyterquiz-cadrekit", False, env,
                       spec=SUBSET_SPEC.format(ids=", ".join(item.id for item in items)))
    for course in (quiz, ours):
        write_submissions(course, students, keys, seed)  # the whole exam's answers, as run.py draws them
        keep_only(course, students, {item.id for item in items})
    to_sidecar(quiz, students, items)
    t_quiz = run(BIN / "nbgrader", "autograde", EXAM, cwd=quiz, env=env)
    t_ours = run(BIN / "cadrekit", "grade", EXAM, "--course", ours, cwd=ours, env=env)
    same, partial, other = compare(item_scores(ours), item_scores(quiz), items)
    n = len(students)
    missing = "、".join(TYPE_LABELS[t] for t in left_out) or "无"
    rows = [
        (f"测验评分 {n} 份：nbgrader-jupyterquiz", f"{t_quiz:.1f} s", f"{t_quiz / n:.3f} s/份",
         f"同一考试中它能表达的 {len(items)}/{len(keys)} 题（{missing}无对应题型），同样的答案"),
        (f"测验评分 {n} 份：cadrekit grade（同 {len(items)} 题）", f"{t_ours:.1f} s", f"{t_ours / n:.3f} s/份",
         f"cadrekit 快 {t_quiz / t_ours:.1f} 倍；逐题分数一致 {same} 处，多选题部分得分 {partial} 处"
         f"（jupyterquiz 全对才得分），其他不一致 {other} 处"),
    ]
    return rows, other == 0
