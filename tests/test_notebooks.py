"""Course notebooks: execute headless, stay paired with their text files, hide widget code."""

import json
import re
import shutil
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

from .conftest import KIT

NOTEBOOKS = sorted((KIT / "courses").glob("*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def kit_copy(tmp_path: Path) -> Path:
    """courses/ and quizzes/ side by side in a throwaway folder, so runs leave no sidecars."""
    for name in ("courses", "quizzes"):
        shutil.copytree(KIT / name, tmp_path / name, ignore=shutil.ignore_patterns("*.answers*.json"))
    return tmp_path / "courses"


def execute(nb: nbformat.NotebookNode, cwd: Path) -> nbformat.NotebookNode:
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


def test_there_are_course_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_in_sync_with_its_text_file(path: Path):
    text = path.with_suffix(".py")
    assert text.exists(), f"{path.name} has no paired {text.name}"
    from_text, from_ipynb = jupytext.read(text), jupytext.read(path)
    assert [(c.cell_type, c.source) for c in from_text.cells] == \
        [(c.cell_type, c.source) for c in from_ipynb.cells], f"run: jupytext --sync {text}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_widget_cells_hide_their_code(path: Path):
    nb = nbformat.read(path, as_version=4)
    widget_cells = [c for c in nb.cells if c.cell_type == "code" and "cadrekit" in c.source]
    assert widget_cells
    for cell in widget_cells:
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, cell.source[:60]
    for cell in nb.cells:
        if cell.metadata.get("jupyter", {}).get("source_hidden"):
            # a collapsed cell still shows its first line: make it words, not code
            assert cell.source.startswith("# "), cell.source[:60]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes_and_shows_widgets(tmp_path: Path, path: Path):
    folder = kit_copy(tmp_path)
    nb = execute(nbformat.read(folder / path.name, as_version=4), folder)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    assert any(WIDGET_VIEW in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)


DRIVE = """
from cadrekit.quiz import practice
quiz = practice("../quizzes/sanhui-yike.yaml", quiz_id="drive", ids=["shyk-002", "shyk-009", "shyk-010"])
views = {v.item.id: v for v in quiz.views}
"""
CLICK = """
radio = views["shyk-002"].inputs[0]
radio.value = next(oid for label, oid in radio.options if "每季度" in label)
views["shyk-009"].inputs[0].value = False
views["shyk-010"].inputs[0].value = "半数"
print(quiz.feedback["shyk-002"].value)
"""
SHOW = "import json; print(json.dumps(quiz.responses(), ensure_ascii=False, sort_keys=True))"


def test_answers_survive_a_kernel_restart(tmp_path: Path):
    folder = kit_copy(tmp_path)
    first = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(DRIVE), nbformat.v4.new_code_cell(CLICK)])
    execute(first, folder)
    feedback = first.cells[1].outputs[0]["text"]
    assert "回答正确" in feedback and "《支部工作条例》第十一条" in feedback
    saved = json.loads((folder / "drive.answers.json").read_text(encoding="utf-8"))["answers"]
    assert saved == {"shyk-002": "B", "shyk-009": False, "shyk-010": ["半数", ""]}
    # a new kernel re-runs the quiz cell: every answer is back in the widgets
    second = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(DRIVE), nbformat.v4.new_code_cell(SHOW)])
    execute(second, folder)
    assert json.loads(second.cells[1].outputs[0]["text"]) == saved


MODULES = [p for p in NOTEBOOKS if p.stem[:2].isdigit() and 1 <= int(p.stem[:2]) <= 90]
CITATION = re.compile(r"《[^》]+》(?:（[^）]*）)?第[一二三四五六七八九十百]+条")


def test_there_are_seven_modules():
    assert len(MODULES) >= 7


@pytest.mark.parametrize("path", MODULES, ids=[p.stem for p in MODULES])
def test_module_has_objectives_hours_tracking_quiz_and_citations(path: Path):
    nb = nbformat.read(path, as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert "## 学习目标" in markdown
    assert re.search(r"\*\*学时\*\*：\d+(\.\d+)? 学时", markdown)
    assert any(f'track("{path.stem}"' in source for source in code), "first code cell should track study time"
    assert any("practice(" in source and f'module="{path.stem}"' in source for source in code)
    assert len(CITATION.findall(markdown)) >= 5
    assert "```mermaid" in markdown, "each module needs at least one diagram"
