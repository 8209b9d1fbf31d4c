"""Write an exam spec as an nbgrader source assignment: exam-mode quiz, tasks, quiz key cells."""

from __future__ import annotations

import pprint
import shutil
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from cadrekit.bank.model import TYPE_LABELS
from cadrekit.exam.spec import ExamSpec, Task
from cadrekit.grading.keycells import key_cell_source
from cadrekit.quiz.store import SIDECAR_GLOB

HIDDEN = {"jupyter": {"source_hidden": True}}
READ_ONLY = {"editable": False, "deletable": False}
"""Read-only in the UI only: nbgrader-locked cells that are not graded break nbgrader's
``OverwriteCells.add_missing_cells`` (it places a restored cell after the previous locked cell,
which it can only find among grade and solution cells)."""


def nbgrader_meta(grade_id: str, *, grade: bool = False, solution: bool = False, locked: bool = False,
                  points: float | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def exam_notebook(spec: ExamSpec) -> nbformat.NotebookNode:
    cells = [new_markdown_cell(_intro(spec), metadata=dict(READ_ONLY))]
    public = [item.public() for item in spec.items]
    widget = (
        "# 本单元格显示试题，请勿修改。\n"
        "from cadrekit.quiz import exam\n\n"
        f"exam({spec.quiz_id!r}, title={spec.title!r}, shuffle={spec.shuffle!r}, items=\n"
        f"{pprint.pformat(public, width=100, sort_dicts=False)})\n"
    )
    cells.append(new_code_cell(widget, metadata={**HIDDEN, **READ_ONLY, "tags": ["cadrekit-quiz"]}))
    for task in spec.tasks:
        cells.extend(_task_cells(task))
    cells.append(new_markdown_cell(  # a collapsed heading folds all quiz cells below it into one line
        "## 评分单元格（无需任何操作）\n\n由评分程序根据保存的答案计分。",
        metadata={**READ_ONLY, "heading_collapsed": True}))
    for number, item in enumerate(spec.items, 1):
        cells.append(new_code_cell(
            key_cell_source(spec.quiz_id, item, number),
            metadata={**HIDDEN, **READ_ONLY,
                      **nbgrader_meta(item.id, grade=True, locked=True, points=item.points)}))
    for number, cell in enumerate(cells):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        cell.id = grade_id or f"cadrekit-{number}"  # stable ids: rebuilding changes nothing
    return new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    })


def _intro(spec: ExamSpec) -> str:
    counts: dict[str, int] = {}
    for item in spec.items:
        counts[TYPE_LABELS[item.type]] = counts.get(TYPE_LABELS[item.type], 0) + 1
    total = spec.quiz_points + sum(t.points for t in spec.tasks)
    rows = [f"| 试题 | {len(spec.items)} 道（{'、'.join(f'{k}{v}道' for k, v in counts.items())}），"
            f"共 {spec.quiz_points:g} 分 |"]
    rows += [f"| {'书面作答' if t.kind == 'written' else '操作题'} | {t.title}，{t.points:g} 分 |" for t in spec.tasks]
    rows.append(f"| 满分 | {total:g} 分 |")
    if spec.time_limit:
        rows.append(f"| 建议用时 | {spec.time_limit} 分钟 |")
    if spec.due:
        rows.append(f"| 截止时间 | {spec.due} |")
    return "\n".join([
        f"# {spec.title}",
        "",
        "| 项目 | 说明 |",
        "|---|---|",
        *rows,
        "",
        "**作答方法**：点击菜单 **“运行 → 运行全部单元格”**，题目就会出现在下方。每次作答都会**自动保存**，",
        "关闭浏览器后回来再次“运行全部单元格”，答案都会恢复。考试期间不显示对错。",
        "",
        "**交卷**：保存后，在左侧 **“Assignments”** 面板中找到本考试，点击 **“Submit”**。",
        "截止前可以多次提交，以最后一次为准。",
        *(["", spec.intro] if spec.intro else []),
    ])


def _task_cells(task: Task) -> list[nbformat.NotebookNode]:
    heading = "书面作答" if task.kind == "written" else "操作题"
    prompt = f"## {heading}：{task.title}（{task.points:g} 分）\n\n{task.prompt}"
    if task.rubric:
        prompt += f"\n\n**评分标准**\n\n{task.rubric}"
    cells = [new_markdown_cell(prompt, metadata=dict(READ_ONLY))]
    if task.kind == "written":
        reference = task.reference_answer or "（参考答案略）"
        cells.append(new_markdown_cell(
            f"### BEGIN SOLUTION\n{reference}\n### END SOLUTION",
            metadata=nbgrader_meta(task.id, grade=True, solution=True, points=task.points)))
        return cells
    cells.append(new_code_cell(task.solution, metadata=nbgrader_meta(f"{task.id}-answer", solution=True)))
    for test in task.tests:
        cells.append(new_code_cell(test.code, metadata={
            **READ_ONLY, **nbgrader_meta(test.id, grade=True, locked=True, points=test.points)}))
    return cells


def build_exam(spec: ExamSpec, source_root: Path, files_dir: Path) -> Path:
    """Write ``source/<assignment>/<notebook>.ipynb`` and its data files; remove stray answers files."""
    folder = source_root / spec.assignment
    folder.mkdir(parents=True, exist_ok=True)
    for stray in folder.glob(SIDECAR_GLOB):
        stray.unlink()  # answers saved while previewing must never be released
    for task in spec.tasks:
        for name in task.files:
            shutil.copy2(files_dir / name, folder / name)
    path = folder / f"{spec.notebook}.ipynb"
    nbformat.write(exam_notebook(spec), path)
    return path
