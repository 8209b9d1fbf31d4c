"""`cadrekit exam build`: shipped sources are up to date, specs are checked, keys stay hidden."""

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from cadrekit.exam.build import build_exam
from cadrekit.exam.spec import SpecError, load_spec
from cadrekit.grading.keycells import parse_key_cell

from .conftest import KIT

SPECS = sorted((KIT / "grading" / "exams").glob("*.yaml"))


def build_into(tmp_path: Path) -> Path:
    course = tmp_path / "course"
    shutil.copytree(KIT / "grading" / "exams", course / "exams")
    result = subprocess.run([sys.executable, "-m", "cadrekit.cli", "exam", "build", "--course", str(course)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return course / "source"


def test_shipped_sources_match_their_specs(tmp_path: Path):
    fresh = build_into(tmp_path)
    for spec in SPECS:
        name = spec.stem
        for path in (fresh / name).iterdir():
            shipped = KIT / "grading" / "source" / name / path.name
            assert shipped.read_bytes() == path.read_bytes(), f"run: cadrekit exam build ({shipped} is stale)"


@pytest.mark.parametrize("spec_path", SPECS, ids=[p.stem for p in SPECS])
def test_exam_notebook_layout(spec_path: Path):
    spec = load_spec(spec_path, KIT / "quizzes")
    nb = nbformat.read(KIT / "grading" / "source" / spec.assignment / f"{spec.notebook}.ipynb", as_version=4)
    keys = [parse_key_cell(c.source) for c in nb.cells if parse_key_cell(c.source)]
    assert [item.id for _, item in keys] == [item.id for item in spec.items]
    assert all(quiz == spec.assignment and item.has_key for quiz, item in keys)
    quiz_cells = [c for c in nb.cells if "cadrekit-quiz" in c.metadata.get("tags", [])]
    assert len(quiz_cells) == 1 and quiz_cells[0].metadata["jupyter"]["source_hidden"]
    assert "answer" not in quiz_cells[0].source and "explanation" not in quiz_cells[0].source
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and parse_key_cell(cell.source):
            assert meta["locked"] and not meta["solution"] and cell.metadata["jupyter"]["source_hidden"]
            assert cell.source.index("### BEGIN HIDDEN TESTS") < cell.source.index("cadrekit-quiz-key")
    total = sum(item.points for item in spec.items) + sum(t.points for t in spec.tasks)
    graded = sum(c.metadata["nbgrader"]["points"] for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade"))
    assert graded == total


def test_draws_are_deterministic_and_distinct():
    spec = load_spec(KIT / "grading" / "exams" / "sanhui-exam.yaml", KIT / "quizzes")
    again = load_spec(KIT / "grading" / "exams" / "sanhui-exam.yaml", KIT / "quizzes")
    assert [i.id for i in spec.items] == [i.id for i in again.items]
    assert len({i.id for i in spec.items}) == len(spec.items)


def write_spec(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "message"), [
    ("assignment: Bad_Name\ntitle: x\nitems: []\n", "只能用小写字母、数字和连字符"),
    ("title: x\nitems: []\n", "缺少字段 assignment"),
    ("assignment: a\ntitle: x\nitems:\n  - bank: nope\n    draw: 1\n", "题库 'nope' 不存在"),
    ("assignment: a\ntitle: x\nitems:\n  - bank: sanhui-yike\n    ids: [shyk-002, zz-999]\n", "没有题目 zz-999"),
    ("assignment: a\ntitle: x\nitems:\n  - bank: sanhui-yike\n    draw: 500\n", "要抽 500 题"),
    ("assignment: a\ntitle: x\nitems:\n  - bank: sanhui-yike\n    ids: [shyk-002]\n  - bank: sanhui-yike\n"
     "    ids: [shyk-002]\n", "出现了两次"),
    ("assignment: a\ntitle: x\nitems:\n  - bank: sanhui-yike\n", "需要 ids"),
    ("assignment: a\ntitle: x\nitems:\n  - bank: sanhui-yike\n    ids: [shyk-002]\ntasks:\n  - kind: code\n"
     "    id: c\n    title: t\n    prompt: p\n", "代码题需要 solution"),
])
def test_bad_specs_name_the_problem(tmp_path: Path, text: str, message: str):
    with pytest.raises(SpecError, match=message) as error:
        load_spec(write_spec(tmp_path, text), KIT / "quizzes")
    assert str(tmp_path / "bad.yaml") in str(error.value)


def test_build_removes_answers_saved_while_previewing(tmp_path: Path):
    spec = load_spec(KIT / "grading" / "exams" / "sanhui-exam.yaml", KIT / "quizzes")
    folder = tmp_path / "source" / "sanhui-exam"
    folder.mkdir(parents=True)
    (folder / "sanhui-exam.answers.json").write_text("{}", encoding="utf-8")
    (folder / "sanhui-exam.answers.unreadable-20261128-120000.json").write_text("{}", encoding="utf-8")
    build_exam(spec, tmp_path / "source", tmp_path / "files")
    assert sorted(p.name for p in folder.iterdir()) == ["sanhui-exam.ipynb"]
