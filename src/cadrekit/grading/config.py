"""Register cadrekit in nbgrader's documented extension points (called from nbgrader_config.py)."""

from __future__ import annotations

import functools
from pathlib import Path

from cadrekit.quiz.store import SIDECAR_GLOB

TEXT_STUB = "请在此作答（双击本单元格即可编辑，写完后按 Shift+Enter 保存显示）。"
CODE_STUB = "# 请在此编写代码\nraise NotImplementedError()"


def autograde_preprocessors(defaults: list) -> list:
    """nbgrader's default autograde pipeline with quiz scoring around execution."""
    from nbgrader.preprocessors import Execute, SaveAutoGrades

    from cadrekit.grading.preprocessors import ExecuteIfNeeded, ScoreQuizCells, WriteQuizScores

    pipeline = [ScoreQuizCells]
    for step in defaults:
        if step is Execute:
            step = ExecuteIfNeeded
        if step is SaveAutoGrades:
            pipeline.append(WriteQuizScores)
        pipeline.append(step)
    return pipeline


def feedback_preprocessors(defaults: list) -> list:
    """nbgrader's feedback pipeline, without hidden tests or raw quiz keys in what trainees get."""
    from nbgrader.preprocessors import ClearHiddenTests

    from cadrekit.grading.preprocessors import RedactFeedback

    return [defaults[0], RedactFeedback, ClearHiddenTests, *defaults[1:]]


def drop_released_answers(config, assignment: str, student: str, notebooks: list) -> None:
    """Post-convert hook of generate_assignment: answers saved in source/ are never released."""
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=config)
    release = Path(coursedir.format_path(coursedir.release_directory, ".", assignment))
    for stray in release.glob(SIDECAR_GLOB):
        stray.unlink()


def configure(c) -> None:
    from nbgrader.converters import Autograde, GenerateFeedback

    defaults = Autograde.class_traits()["autograde_preprocessors"].default()
    c.Autograde.autograde_preprocessors = autograde_preprocessors(defaults)
    c.GenerateFeedback.preprocessors = feedback_preprocessors(
        GenerateFeedback.class_traits()["preprocessors"].default())
    c.OverwriteCells.add_missing_cells = True  # a deleted quiz cell comes back and is scored
    c.Exporter.optimistic_validation = True  # validate each notebook once, not after every preprocessor
    c.GenerateAssignment.post_convert_hook = functools.partial(drop_released_answers, c)
    c.ClearSolutions.text_stub = TEXT_STUB
    c.ClearSolutions.code_stub = {"python": CODE_STUB}
