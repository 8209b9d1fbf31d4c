"""What trainees and instructors see: real JupyterLab in headless Debian Chromium (Playwright).

Each flow saves screenshots under test-artifacts/browser/ (printed at the end of the run), and a
screenshot of the page whenever a test fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from .conftest import KIT, require
from .servers import Server, free_port, running

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = KIT / "test-artifacts" / "browser"
BIN = Path(sys.executable).parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]
# Every wait goes through Playwright, which times out; evaluate() itself never does.
KERNEL_IDLE = """() => { const w = window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return w.context.isReady && k && k.connectionStatus === 'connected' && k.status === 'idle' ? k.id : false; }"""



def nbgrader(*args: str, cwd: Path, env: dict[str, str]) -> None:
    path = os.pathsep.join([str(BIN), os.environ["PATH"]])
    result = subprocess.run([str(BIN / "nbgrader"), *args], cwd=cwd, env={**os.environ, "PATH": path, **env},
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


@pytest.fixture(scope="module")
def kit(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A throwaway copy of the kit with one exam released and one written task to grade."""
    base = tmp_path_factory.mktemp("browser")
    root = base / "kit"
    for name in ("courses", "quizzes"):
        shutil.copytree(KIT / name, root / name, ignore=shutil.ignore_patterns("*.answers*.json"))
    for name in ("exams", "source"):
        shutil.copytree(KIT / "grading" / name, root / "grading" / name)
    shutil.copy(KIT / "grading" / "nbgrader_config.py", root / "grading")
    exchange = base / "data" / "exchange"
    exchange.mkdir(parents=True)
    exchange.chmod(0o1777)
    env = {"CADREKIT_ROOT": str(root), "CADREKIT_DATA": str(base / "data"), "CADREKIT_EXCHANGE": str(exchange),
           "CADREKIT_STUDY_DIR": str(base / "study"), "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
           "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces")}
    grading = root / "grading"
    for name in ("sanhui-exam", "mixed-exam"):
        nbgrader("generate_assignment", name, cwd=grading, env=env)
    nbgrader("release_assignment", "sanhui-exam", cwd=grading, env=env)
    # an exam copy to answer in place, and one submitted written task to grade by hand
    shutil.copytree(grading / "release" / "sanhui-exam", root / "courses" / "考试演示")
    submitted = grading / "submitted" / "t001" / "mixed-exam"
    shutil.copytree(grading / "release" / "mixed-exam", submitted)
    (submitted / "timestamp.txt").write_text("2026-11-28 10:00:00.000000 UTC", encoding="utf-8")
    nb = nbformat.read(submitted / "mixed-exam.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "zwh-minutes":
            cell.source = "幸福里社区党支部委员会会议记录：2026年11月5日，李明主持，应到5人，实到4人。"
    nbformat.write(nb, submitted / "mixed-exam.ipynb")
    nbgrader("autograde", "mixed-exam", cwd=grading, env=env)
    return root, env


def lab_server(kit, verb: str, log: str) -> Iterator[Server]:
    root, env = kit
    port = free_port()
    command = [str(BIN / "cadrekit"), verb, "--no-browser", "--port", str(port), "--", "--expose-app-in-browser"]
    with running(command, port=port, env=env, log=root.parent / log) as server:
        yield server


@pytest.fixture(scope="module")
def trainee_lab(kit) -> Iterator[Server]:
    yield from lab_server(kit, "study", "study.log")


@pytest.fixture(scope="module")
def instructor_lab(kit) -> Iterator[Server]:
    yield from lab_server(kit, "teach", "teach.log")


@pytest.fixture(scope="module")
def browser():
    require(CHROMIUM.exists(), "Debian chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page.set_default_timeout(60_000)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        shot(page, f"{request.node.name}-FAILED")
    page.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def open_notebook(page, server: Server, path: str) -> None:
    """Open ``path`` alone (``reset`` drops the tabs of earlier tests) and run all its cells."""
    page.goto(f"{server.url}/lab/tree/{path}?reset&token={server.token}")
    wait_for_notebook(page, path)
    command(page, "notebook:run-all-cells")


def command(page, name: str) -> None:
    """Run a JupyterLab command once it is registered (fire and forget; callers wait for its effect)."""
    page.wait_for_function("name => window.jupyterapp && window.jupyterapp.commands.hasCommand(name)", arg=name)
    page.evaluate("name => { window.jupyterapp.commands.execute(name); }", name)


def wait_for_notebook(page, path: str) -> str:
    """Wait until ``path`` is the current notebook and its kernel is connected and idle; the kernel id."""
    page.wait_for_function("path => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
                           " return w && w.context && w.context.path === path && w.sessionContext; }", arg=path)
    return page.wait_for_function(KERNEL_IDLE).json_value()


def test_module_renders_in_chinese_and_gives_feedback(page, trainee_lab):
    open_notebook(page, trainee_lab, "01-三会一课.ipynb")
    page.get_by_text("练习：三会一课").wait_for()
    assert page.get_by_text("文件", exact=True).first.is_visible()  # zh_CN JupyterLab menus
    assert page.get_by_text("运行", exact=True).first.is_visible()
    question = page.locator(".cadrekit-card").filter(has_text="党员大会一般多长时间召开1次")
    question.scroll_into_view_if_needed()
    question.get_by_role("radio", name="B. 每季度").check()
    feedback = question.locator(".cadrekit-fb")
    feedback.wait_for()
    assert "回答正确" in feedback.inner_text()
    assert "《支部工作条例》第十一条" in feedback.inner_text()
    shot(page, "module-feedback")
    # widget cells show a Chinese comment line, never their code
    notebook_text = page.locator(".jp-Notebook").inner_text()
    assert "练习题：运行后在下方作答" in notebook_text
    assert "import" not in notebook_text and "practice(" not in notebook_text


def radio_groups(page):
    return page.locator(".jp-NotebookPanel:visible .cadrekit-quiz .widget-radio-box")


def test_exam_answers_survive_reload_and_kernel_restart(page, trainee_lab, kit):
    root, _ = kit
    open_notebook(page, trainee_lab, "考试演示/sanhui-exam.ipynb")
    radio_groups(page).first.wait_for()
    groups = radio_groups(page)
    half = groups.count() // 2
    chosen = []
    for index in range(half):
        option = groups.nth(index).locator("label").nth(index % 2)
        option.scroll_into_view_if_needed()
        option.click()
        chosen.append(option.inner_text())
    page.get_by_text(f"已作答 {half} / ").wait_for()
    shot(page, "exam-answered")
    page.reload()
    kernel = wait_for_notebook(page, "考试演示/sanhui-exam.ipynb")
    assert trainee_lab.request("POST", f"/api/kernels/{kernel}/restart")[0] == 200  # a real kernel restart
    page.wait_for_function(KERNEL_IDLE)
    command(page, "notebook:run-all-cells")
    page.get_by_text(f"已作答 {half} / ").wait_for()
    restored = [radio_groups(page).nth(i).locator("label", has=page.locator("input:checked")).inner_text()
                for i in range(half)]
    assert restored == chosen
    assert "已恢复上次保存的答案" in page.locator(".jp-NotebookPanel:visible .cadrekit-status").inner_text()
    shot(page, "exam-restored")
    saved = json.loads((root / "courses" / "考试演示" / "sanhui-exam.answers.json").read_text(encoding="utf-8"))
    assert len([v for v in saved["answers"].values() if v is not None]) == half


def test_fetch_and_submit_in_the_assignments_panel(page, trainee_lab, kit):
    root, env = kit
    page.goto(f"{trainee_lab.url}/lab?reset&token={trainee_lab.token}")
    command(page, "nbgrader:open-assignment-list")
    page.locator("#released_assignments_list").get_by_role("button", name="Fetch").click()
    page.locator("#fetched_assignments_list").get_by_role("button", name="Submit").wait_for()
    shot(page, "assignments-fetched")
    open_notebook(page, trainee_lab, "sanhui-exam/sanhui-exam.ipynb")
    first = radio_groups(page).first
    first.wait_for()
    first.locator("label").first.click()
    page.get_by_text("已作答 1 / ").wait_for()
    command(page, "docmanager:save")
    page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty")
    command(page, "nbgrader:open-assignment-list")
    page.locator("#fetched_assignments_list").get_by_role("button", name="Submit").click()
    page.locator("#submitted_assignments_list").get_by_text("sanhui-exam").first.wait_for()
    shot(page, "assignments-submitted")
    inbound = Path(env["CADREKIT_EXCHANGE"]) / "lunxun" / "inbound"
    submissions = list(inbound.glob("*+sanhui-exam+*"))
    assert len(submissions) == 1
    answers = json.loads((submissions[0] / "sanhui-exam.answers.json").read_text(encoding="utf-8"))["answers"]
    assert len([v for v in answers.values() if v is not None]) == 1


def log_in(page, server: Server) -> None:
    """Through the login page, as a person does: the session cookie then covers every page."""
    page.goto(f"{server.url}/login")
    page.locator("#password_input").fill(server.token)
    page.locator("#password_input").press("Enter")
    page.wait_for_url("**/lab**")


def test_instructor_grades_the_written_task_in_formgrader(page, instructor_lab):
    log_in(page, instructor_lab)
    page.goto(f"{instructor_lab.url}/formgrader/gradebook/mixed-exam/mixed-exam")
    page.get_by_text("Submission #1").first.click()
    score = page.locator("input.score#zwh-minutes")  # the written task's manual score box
    score.scroll_into_view_if_needed()
    assert "李明主持" in page.locator(".nbgrader_cell", has=score).inner_text()  # the trainee's answer is shown
    score.fill("8")
    score.press("Tab")  # formgrader saves on change
    page.locator(".nbgrader_cell", has=score).locator(".score-saved").wait_for()
    shot(page, "formgrader-graded")
    status, notebooks = instructor_lab.get("/formgrader/api/submitted_notebooks/mixed-exam/mixed-exam")
    status, grades = instructor_lab.get(f"/formgrader/api/grades?submission_id={notebooks[0]['id']}")
    assert next(g for g in grades if g["name"] == "zwh-minutes")["manual_score"] == 8
