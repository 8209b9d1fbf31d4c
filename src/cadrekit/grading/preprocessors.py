"""nbgrader preprocessors that grade quizzes outside the trainee's kernel.

``ScoreQuizCells`` runs before Execute: it scores each quiz key cell (its source restored from the
gradebook by OverwriteCells) against the answers file exactly as submitted, before any trainee
code can run. ``WriteQuizScores`` runs after Execute and writes those scores as the cells' outputs,
replacing whatever execution left there, so nbgrader's SaveAutoGrades records them as partial
credit. ``ExecuteIfNeeded`` skips the kernel when nothing but quiz cells needs grading.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from nbgrader.utils import is_grade
from traitlets import Bool

from cadrekit.bank.scoring import CORRECT, PARTIAL, UNANSWERED, Score, describe_answer, describe_response, score
from cadrekit.grading.keycells import BEGIN_HIDDEN, is_quiz_cell, parse_key_cell
from cadrekit.quiz.store import read_sidecar, sidecar_path

RESULTS = "cadrekit_quiz"


def submitted_folder(config, resources: ResourcesDict) -> Path:
    coursedir = CourseDirectory(config=config)
    info = resources["nbgrader"]
    return Path(coursedir.format_path(coursedir.submitted_directory, info["student"], info["assignment"]))


def read_submitted_answers(folder: Path, quiz_id: str) -> tuple[dict[str, Any], str | None]:
    """Answers by item id from the submitted sidecar, and a problem description if unusable."""
    path = sidecar_path(quiz_id, folder)
    if not path.exists():
        return {}, f"未找到答案文件 {path.name}，测验各题按 0 分计"
    try:
        data = read_sidecar(path)
    except (OSError, ValueError) as exc:
        return {}, f"答案文件 {path.name} 无法读取（{exc}），测验各题按 0 分计"
    if data.get("quiz") != quiz_id:
        return {}, f"答案文件 {path.name} 属于另一份测验（{data.get('quiz')}），测验各题按 0 分计"
    return data["answers"], None


class ScoreQuizCells(NbGraderPreprocessor):
    """Score every quiz cell from the submitted answers file; results go into ``resources``."""

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        folder = submitted_folder(self.config, resources)
        answers: dict[str, tuple[dict[str, Any], str | None]] = {}
        results = {}
        for cell in nb.cells:
            if not (is_grade(cell) and cell.cell_type == "code"):
                continue
            key = parse_key_cell(cell.source)
            if key is None:
                continue
            quiz_id, item = key
            if quiz_id not in answers:
                answers[quiz_id] = read_submitted_answers(folder, quiz_id)
                if answers[quiz_id][1]:
                    self.log.warning("%s: %s", folder, answers[quiz_id][1])
            given, problem = answers[quiz_id]
            response = given.get(item.id)
            results[cell.metadata.nbgrader["grade_id"]] = {
                "item": item, "response": response, "score": score(item, response), "problem": problem,
            }
        resources[RESULTS] = results
        return nb, resources


def output(output_type: str, **fields) -> NotebookNode:
    """A cell output, like ``nbformat.v4.new_output`` minus its schema check per output.

    nbformat validates the whole notebook whenever nbgrader writes it; checking 60 outputs
    one by one again cost about a tenth of the time to grade a 30-item exam.
    """
    return from_dict({"output_type": output_type, **fields})


class WriteQuizScores(NbGraderPreprocessor):
    """Give each quiz cell exactly the score computed before execution, never an empty output."""

    reveal_answers = Bool(
        True, help="Show the correct answer, explanation and cited rule in feedback (after grading)."
    ).tag(config=True)

    def preprocess_cell(self, cell: NotebookNode, resources: ResourcesDict, index: int):
        if not (is_grade(cell) and cell.cell_type == "code" and is_quiz_cell(cell.source)):
            return cell, resources
        result = resources.get(RESULTS, {}).get(cell.metadata.nbgrader["grade_id"])
        if result is None:
            # Never leave a quiz cell without output: nbgrader would award full marks.
            cell.outputs = [output("error", ename="QuizNotScored", evalue="本题未能评分",
                                   traceback=["本题未能评分（评分流程缺少 ScoreQuizCells）"])]
            return cell, resources
        outcome: Score = result["score"]
        cell.outputs = [
            output("display_data", data={"text/html": self.feedback_html(result),
                                         "text/plain": self.feedback_text(result)}, metadata={}),
            output("execute_result", data={"text/plain": f"{outcome.earned:g}"}, metadata={}, execution_count=None),
        ]
        return cell, resources

    def feedback_text(self, result: dict) -> str:
        outcome: Score = result["score"]
        return f"{result['item'].id}: {outcome.earned:g}/{outcome.possible:g} ({outcome.status})"

    def feedback_html(self, result: dict) -> str:
        item, outcome = result["item"], result["score"]
        verdict = {CORRECT: "✔ 正确", PARTIAL: "◐ 部分正确", UNANSWERED: "○ 未作答"}.get(outcome.status, "✘ 错误")
        lines = [f"<b>{html.escape(item.stem)}</b>",
                 f"{verdict}，得 {outcome.earned:g} / {outcome.possible:g} 分"]
        if result["problem"]:
            lines.append(f"⚠ {html.escape(result['problem'])}")
        if self.reveal_answers:
            lines.append(f"你的答案：{html.escape(describe_response(item, result['response']))}")
            lines.append(f"正确答案：{html.escape(describe_answer(item))}")
            if item.explanation:
                lines.append(f"解析：{html.escape(item.explanation)}")
            if item.source:
                lines.append(f"依据：{html.escape(item.source.citation())}：“{html.escape(item.source.text)}”")
        return "<div class='cadrekit-result'>" + "<br>".join(lines) + "</div>"


class RedactFeedback(NbGraderPreprocessor):
    """For feedback: no raw quiz key, and no hidden test code, not even inside a traceback.

    Runs before nbgrader's ClearHiddenTests, which removes the hidden lines from the source but
    not from the error output that quotes them.
    """

    def preprocess_cell(self, cell: NotebookNode, resources: ResourcesDict, index: int):
        if cell.cell_type != "code":
            return cell, resources
        if is_quiz_cell(cell.source):
            cell.source = cell.source.splitlines()[0]
        elif "cadrekit-quiz" in cell.metadata.get("tags", []):
            cell.source = "# 试题和作答结果见下方各题评分单元格。"
        elif BEGIN_HIDDEN in cell.source:
            for output in cell.outputs:
                if output.output_type == "error":
                    output.evalue = ""
                    output.traceback = [f"{output.ename}: 未通过评分检查（隐藏检查的内容不在反馈中显示）"]
        return cell, resources


def needs_kernel(cell: NotebookNode) -> bool:
    """Autograder test cells other than quiz cells are the only ones whose grade needs execution."""
    return cell.cell_type == "code" and is_grade(cell) and not is_quiz_cell(cell.source)


class ExecuteIfNeeded(Execute):
    """nbgrader's Execute, skipped for notebooks whose only autograded cells are quiz cells."""

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict, *args, **kwargs):
        if not any(needs_kernel(cell) for cell in nb.cells):
            self.log.info("No code to grade: quiz cells are scored without a kernel")
            return nb, resources
        return super().preprocess(nb, resources, *args, **kwargs)
