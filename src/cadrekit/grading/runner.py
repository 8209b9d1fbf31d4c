"""``cadrekit grade``: nbgrader's Autograde over all collected submissions, in parallel workers.

Each worker keeps one Autograde converter and grades submission after submission, so nbgrader's
start-up is paid once per worker instead of once per trainee. A submission that cannot be graded
is reported and skipped; the others are graded and saved all the same.
"""

from __future__ import annotations

import contextlib
import glob
import logging
import multiprocessing
import os
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from cadrekit.grading.keycells import parse_key_cell
from cadrekit.grading.preprocessors import read_submitted_answers


@dataclass
class Outcome:
    student: str
    graded: bool
    problems: list[str] = field(default_factory=list)
    score: float | None = None
    max_score: float | None = None


def load_config(course: Path):
    """The course's nbgrader config, found the way nbgrader's own apps find it."""
    from jupyter_core.paths import jupyter_config_path
    from nbgrader.apps.baseapp import NbGrader

    with _chdir(course):
        app = NbGrader()
        app.config_file_paths.append([str(course), *jupyter_config_path()])
        app.load_config_file()
        config = app.config
    url = config.CourseDirectory.db_url if "db_url" in config.CourseDirectory else ""
    if url.startswith("sqlite") and "timeout" not in url:
        config.CourseDirectory.db_url = url + ("&" if "?" in url else "?") + "timeout=60"  # parallel writers wait
    return config


@contextlib.contextmanager
def _chdir(path: Path):
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def quiz_ids(source_notebook: Path) -> set[str]:
    nb = nbformat.read(source_notebook, as_version=4)
    return {key[0] for cell in nb.cells if (key := parse_key_cell(cell.source))}


def check_submission(folder: Path, notebooks: dict[str, set[str]]) -> tuple[bool, list[str]]:
    """(gradable, problems) for one submitted folder, before nbgrader touches it."""
    problems: list[str] = []
    present = {p.name for p in folder.glob("*.ipynb")}
    for name, quizzes in notebooks.items():
        if name not in present:
            others = "、".join(sorted(present)) or "无"
            problems.append(f"缺少 {name}（提交的笔记本：{others}）；请让学员用原文件名重新提交")
            return False, problems
        try:
            nbformat.validate(nbformat.read(folder / name, as_version=4))
        except Exception as exc:  # nbformat raises several unrelated types for broken files
            problems.append(f"{name} 不是有效的笔记本（{type(exc).__name__}: {str(exc)[:120]}）")
            return False, problems
        for quiz in sorted(quizzes):
            _answers, problem = read_submitted_answers(folder, quiz)
            if problem:
                problems.append(problem)
    return True, problems


_converter = None
_notebooks: dict[str, set[str]] = {}


def _start_worker(course: str, notebooks: dict[str, set[str]]) -> None:
    global _converter, _notebooks
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory

    from cadrekit.grading import speedups

    speedups.apply()
    os.chdir(course)
    config = load_config(Path(course))
    log = logging.getLogger("traitlets")  # nbgrader's converters log here when no app runs
    (Path(course) / "logs").mkdir(exist_ok=True)
    log.handlers = [logging.FileHandler(Path(course) / "logs" / "grade.log", encoding="utf-8")]
    log.propagate = False
    log.setLevel(logging.INFO)
    logging.captureWarnings(True)  # nbgrader's SQLAlchemy warnings go to the log, not the terminal
    logging.getLogger("py.warnings").handlers = log.handlers
    logging.getLogger("py.warnings").propagate = False
    _converter = Autograde(coursedir=CourseDirectory(config=config), config=config)
    _notebooks = notebooks


def _check_and_grade(assignment: str, folder: Path, force: bool) -> tuple[str, bool, list[str]]:
    """(student, graded, problems): check one submission, then autograde it in this worker."""
    student = folder.parent.name
    gradable, problems = check_submission(folder, _notebooks)
    if not gradable:
        return student, False, problems
    error = _grade_one(assignment, student, force)
    if error:
        problems.append(f"评分失败：{error}")
    return student, error is None, problems


def _grade_one(assignment: str, student: str, force: bool) -> str | None:
    """Autograde one submission with this worker's converter; the error text when nbgrader gave up."""
    from nbgrader.converters.base import NbGraderException

    _converter.coursedir.assignment_id = assignment
    _converter.coursedir.student_id = student
    _converter.force = force
    errors: list[str] = []
    handler = _ExceptionLines(errors)
    _converter.log.addHandler(handler)
    try:
        _converter.start()
    except NbGraderException:
        return f"nbgrader 无法处理这份提交（{'；'.join(errors) or '原因不明'}），详情见 logs/grade.log"
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        _converter.log.removeHandler(handler)
    return None


class _ExceptionLines(logging.Handler):
    """Keeps the last line of each traceback nbgrader logs; its other error lines say only "see above"."""

    def __init__(self, sink: list[str]):
        super().__init__(logging.ERROR)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage().strip()
        if text.startswith("Traceback"):
            self.sink.append(text.splitlines()[-1][:300])


def grade(course: Path, assignment: str, *, workers: int | None = None, force: bool = False,
          progress: Callable[[int, int, int], None] | None = None) -> list[Outcome]:
    """Autograde every collected submission of ``assignment``; never stops on a bad one."""
    from nbgrader.api import MissingEntry
    from nbgrader.coursedir import CourseDirectory

    from cadrekit.gradebook import open_gradebook
    from cadrekit.grading import speedups

    course = course.resolve()
    config = load_config(course)
    coursedir = CourseDirectory(config=config)
    with _chdir(course):
        source = Path(coursedir.format_path(coursedir.source_directory, ".", assignment))
        folders = sorted(Path(p) for p in glob.glob(coursedir.format_path(
            coursedir.submitted_directory, "*", assignment)))
    if not source.is_dir():
        raise FileNotFoundError(f"没有找到考试源文件夹 {source}；请先运行 cadrekit exam build")
    notebooks = {p.name: quiz_ids(p) for p in sorted(source.glob("*.ipynb"))}
    outcomes = {}
    done = failed = 0
    if progress:
        progress(done, len(folders), failed)
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(max_workers=workers or os.cpu_count(), mp_context=context,
                               initializer=_start_worker, initargs=(str(course), notebooks))
    with speedups.write_ahead_log(config.CourseDirectory.db_url), pool:
        futures = [pool.submit(_check_and_grade, assignment, folder, force) for folder in folders]
        for future in as_completed(futures):
            student, graded, problems = future.result()
            outcomes[student] = Outcome(student, graded=graded, problems=problems)
            done += 1
            failed += not graded
            if progress:
                progress(done, len(folders), failed)
    with open_gradebook(config.CourseDirectory.db_url, coursedir.course_id) as gb, contextlib.suppress(MissingEntry):
        for submission in gb.find_assignment(assignment).submissions:
            if outcome := outcomes.get(submission.student_id):
                outcome.score, outcome.max_score = submission.score, submission.max_score
    return [outcomes[s] for s in sorted(outcomes)]


def progress_bar(done: int, total: int, failed: int, stream=sys.stderr) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    stream.write(f"\r评分进度 [{'#' * filled}{'.' * (width - filled)}] {done}/{total}，有问题 {failed} 份")
    if done >= total:
        stream.write("\n")
    stream.flush()


def summary_table(outcomes: list[Outcome]) -> str:
    lines = ["学号\t得分\t满分\t状态\t说明"]
    for o in outcomes:
        score = f"{o.score:g}" if o.score is not None else "—"
        max_score = f"{o.max_score:g}" if o.max_score is not None else "—"
        status = "已评分" if o.graded else "未评分"
        lines.append(f"{o.student}\t{score}\t{max_score}\t{status}\t{'；'.join(o.problems)}")
    graded = sum(o.graded for o in outcomes)
    lines.append(f"共 {len(outcomes)} 份提交，已评分 {graded} 份，未评分 {len(outcomes) - graded} 份。")
    return "\n".join(lines)
