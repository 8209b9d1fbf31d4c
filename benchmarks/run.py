"""Benchmarks, measured side by side in one run: ``.venv/bin/python benchmarks/run.py [--quick]``.

1. Quiz-exam grading: `cadrekit grade` against plain `nbgrader autograde` on the same 30-item exam and
   the same submissions (plain nbgrader scores each item in the kernel with the same scoring function),
   checking that both give identical scores; then `cadrekit grade` alone on a larger batch.
2. Trainee kernel: RSS and start-to-answerable time of a kernel that has run the released 30-item exam
   notebook, as ratios to a bare ipykernel.
3. Course build: `cadrekit exam build` and executing every course notebook.
4. Reports: `cadrekit report` on 500 to 5,000 synthetic trainees × 10 exams × 30 items (report_scale.py).

Everything is generated here from a fixed seed; nothing is fetched.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KIT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
EXAM = "bench-exam"
SPEC = """assignment: bench-exam
title: 基准测试考试
shuffle: true
seed: 7
items:
  - bank: sanhui-yike
    draw: 30
"""
PLAIN_CONFIG = """c = get_config()
c.CourseDirectory.course_id = "bench"
c.CourseDirectory.root = {root!r}
c.Exchange.root = {exchange!r}
"""
# Plain nbgrader: the item is scored in the trainee's kernel, by the same function, from the sidecar.
PLAIN_CELL = """import json, os
from cadrekit.bank.model import Item
from cadrekit.bank.scoring import score
_item = Item.from_dict(json.loads({key!r})["item"])
_path = "bench-exam.answers.json"
_answers = json.load(open(_path, encoding="utf-8"))["answers"] if os.path.exists(_path) else {{}}
score(_item, _answers.get(_item.id)).earned"""


def run(*args, cwd: Path, env: dict) -> float:
    """Seconds a command took; fails loudly with its output."""
    start = time.perf_counter()
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode not in (0, 1):
        raise RuntimeError(f"{args} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return time.perf_counter() - start


def child_peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def make_course(base: Path, plain: bool, env: dict, spec: str = SPEC) -> Path:
    """A course with the 30-item exam (or ``spec``); the plain variant grades inside the kernel with stock nbgrader."""
    from cadrekit.exam.build import build_exam
    from cadrekit.exam.spec import load_spec
    from cadrekit.grading.keycells import parse_key_cell

    course = base / ("plain" if plain else "cadrekit")
    (course / "exams").mkdir(parents=True)
    (course / "exams" / f"{EXAM}.yaml").write_text(spec, encoding="utf-8")
    if plain:
        exchange = base / "exchange-plain"
        (course / "nbgrader_config.py").write_text(
            PLAIN_CONFIG.format(root=str(course), exchange=str(exchange)), encoding="utf-8")
    else:
        shutil.copy(KIT / "grading" / "nbgrader_config.py", course)
    spec = load_spec(course / "exams" / f"{EXAM}.yaml", KIT / "quizzes")
    notebook = build_exam(spec, course / "source", course / "exams")
    if plain:
        import nbformat

        nb = nbformat.read(notebook, as_version=4)
        for cell in nb.cells:
            if key := parse_key_cell(cell.source):
                data = json.dumps({"quiz": key[0], "item": key[1].to_dict()}, ensure_ascii=False)
                cell.source = PLAIN_CELL.format(key=data)
        nbformat.write(nb, notebook)
    run(BIN / "nbgrader", "generate_assignment", EXAM, "--force", cwd=course, env=env)
    return course


def right_answer(item):
    return [variants[0] for variants in item.answer] if item.type == "fill" else item.answer


def partial_answer(item):
    """Part right, no wrong part (only where the type gives partial credit)."""
    if item.type == "multiple":
        return item.answer[:1]
    if item.type == "fill" and len(item.answer) > 1:
        return [item.answer[0][0]] + [""] * (len(item.answer) - 1)
    if item.type == "matching":
        first = next(iter(item.answer))
        return {p: (item.answer[p] if p == first else None) for p in item.answer}
    return None


def wrong_answer(item):
    if item.type == "single":
        return next(o for o in item.options if o != item.answer)
    if item.type == "truefalse":
        return not item.answer
    if item.type == "multiple":
        return [o for o in item.options if o not in item.answer][:1] or None
    if item.type == "fill":
        return ["错"] * len(item.answer)
    if item.type == "ordering":
        return list(reversed(item.answer))
    return {p: next(o for o in item.options if o != k) for p, k in item.answer.items()}


def synthetic_answers(keys: list, rng: random.Random) -> dict:
    """A realistic mix: about 60% right, 15% partial where possible, otherwise wrong, 10% blank."""
    answers = {}
    for item in keys:
        roll = rng.random()
        if roll < 0.1:
            continue
        if roll < 0.7:
            answers[item.id] = right_answer(item)
        elif roll < 0.85 and partial_answer(item) is not None:
            answers[item.id] = partial_answer(item)
        else:
            answers[item.id] = wrong_answer(item)
    return answers


def write_submissions(course: Path, students: list[str], keys: list, seed: int) -> None:
    release = course / "release" / EXAM
    for n, student in enumerate(students):
        folder = course / "submitted" / student / EXAM
        shutil.copytree(release, folder)
        answers = synthetic_answers(keys, random.Random(seed + n))
        (folder / f"{EXAM}.answers.json").write_text(json.dumps(
            {"format": "cadrekit-answers/1", "quiz": EXAM, "answers": answers}, ensure_ascii=False), encoding="utf-8")
        (folder / "timestamp.txt").write_text("2026-11-28 10:00:00.000000 UTC", encoding="utf-8")


def scores(course: Path) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {s.student.id: round(s.score, 2) for s in gb.find_assignment(EXAM).submissions}


def kernel_after(notebook: Path | None) -> tuple[float, float]:
    """(seconds from kernel start until every code cell of ``notebook`` has run, RSS in MiB after).

    ``None`` measures a bare python3 kernel answering one empty cell.
    """
    import nbformat
    from jupyter_client.manager import start_new_kernel

    cells = [c.source for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code"] \
        if notebook else ["pass"]
    start = time.perf_counter()
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(notebook.parent if notebook else KIT))
    try:
        for source in cells:
            reply = client.execute_interactive(source, timeout=120, output_hook=lambda _msg: None)
            assert reply["content"]["status"] == "ok", reply
        elapsed = time.perf_counter() - start
        client.execute_interactive("import gc; gc.collect()", timeout=60, output_hook=lambda _msg: None)
        pid = manager.provisioner.process.pid
        status = Path(f"/proc/{pid}/status").read_text()
        return elapsed, int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1]) / 1024
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def kernel_rows(release: Path, repeats: int) -> list[tuple[str, ...]]:
    """Bare kernel against one that has run the released 30-item exam notebook, alternating runs."""
    bare, quiz = [], []
    for _ in range(repeats):
        bare.append(kernel_after(None))
        quiz.append(kernel_after(release))
    t_bare, rss_bare = (statistics.median(m) for m in zip(*bare, strict=True))
    t_quiz, rss_quiz = (statistics.median(m) for m in zip(*quiz, strict=True))
    return [
        ("学员内核内存：空内核 / 运行 30 题考试笔记本后", f"{rss_bare:.0f} / {rss_quiz:.0f} MiB",
         f"{rss_quiz / rss_bare:.2f} 倍", "目标 ≤ 1.15 倍"),
        ("学员内核启动到可作答：空内核 / 30 题考试笔记本", f"{t_bare:.2f} / {t_quiz:.2f} s",
         f"{t_quiz / t_bare:.2f} 倍", f"中位数，各 {repeats} 次"),
    ]


def course_build(env: dict) -> tuple[float, float]:
    import nbformat
    from nbclient import NotebookClient

    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp) / "grading"
        shutil.copytree(KIT / "grading" / "exams", course / "exams")
        build = run(BIN / "cadrekit", "exam", "build", "--course", course, cwd=KIT, env=env)
        for name in ("courses", "quizzes"):
            shutil.copytree(KIT / name, Path(tmp) / name, ignore=shutil.ignore_patterns("*.answers*.json"))
        start = time.perf_counter()
        for path in sorted((Path(tmp) / "courses").glob("*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            NotebookClient(nb, timeout=300, resources={"metadata": {"path": str(path.parent)}}).execute()
        return build, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (the test suite's smoke run)")
    parser.add_argument("--side-by-side", type=int, default=60, help="submissions graded by both")
    parser.add_argument("--scale", type=int, default=1000, help="submissions graded by cadrekit alone")
    parser.add_argument("--jupyterquiz", type=int, default=20,
                        help="submissions graded by nbgrader-jupyterquiz and cadrekit (its kernels start slowly)")
    args = parser.parse_args()
    side, scale = (3, 6) if args.quick else (args.side_by_side, args.scale)
    from cadrekit.gradebook import ensure_tools_on_path
    from cadrekit.grading.keycells import parse_key_cell

    ensure_tools_on_path()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        env = {**os.environ, "CADREKIT_EXCHANGE": str(base / "exchange"), "CADREKIT_STUDY_DIR": str(base / "study")}
        ours, plain = make_course(base, False, env), make_course(base, True, env)
        import nbformat

        keys = [key[1] for c in nbformat.read(ours / "source" / EXAM / f"{EXAM}.ipynb", as_version=4).cells
                if (key := parse_key_cell(c.source))]
        students = [f"s{n:04d}" for n in range(side)]
        write_submissions(ours, students, keys, seed=1)
        write_submissions(plain, students, keys, seed=1)
        t_plain = run(BIN / "nbgrader", "autograde", EXAM, cwd=plain, env=env)
        t_ours = run(BIN / "cadrekit", "grade", EXAM, "--course", ours, cwd=ours, env=env)
        same = scores(plain) == scores(ours)
        rows.append((f"测验评分 {side} 份：nbgrader autograde", f"{t_plain:.1f} s", f"{t_plain / side:.3f} s/份", ""))
        rows.append((f"测验评分 {side} 份：cadrekit grade", f"{t_ours:.1f} s", f"{t_ours / side:.3f} s/份",
                     f"快 {t_plain / t_ours:.1f} 倍；分数{'一致' if same else '不一致'}"))
        big = make_course(base / "big", False, env)
        write_submissions(big, [f"b{n:05d}" for n in range(scale)], keys, seed=2)
        t_big = run(BIN / "cadrekit", "grade", EXAM, "--course", big, cwd=big, env=env)
        rows.append((f"测验评分 {scale} 份：cadrekit grade", f"{t_big:.1f} s", f"{t_big / scale:.3f} s/份",
                     f"单个进程峰值内存 {child_peak_mib():.0f} MiB"))
        import jupyterquiz  # after the row above: its peak memory counts every child process so far

        quiz_rows, quiz_explained = jupyterquiz.side_by_side(base, env, keys, students[:args.jupyterquiz], seed=1)
        rows += quiz_rows
        release = ours / "release" / EXAM / f"{EXAM}.ipynb"
        rows += kernel_rows(release, 1 if args.quick else 5)
        if not args.quick:
            build, notebooks = course_build(env)
            rows.append(("课程构建：exam build / 执行全部课程笔记本", f"{build:.1f} / {notebooks:.1f} s", "", ""))
    import report_scale  # beside this script, like jupyterquiz

    rows += report_scale.measure(report_scale.QUICK_SIZES if args.quick else report_scale.SIZES)
    width = max(len(r[0]) for r in rows)
    print(f"{'项目'.ljust(width)}\t用时或数值\t单位成本\t说明")
    for row in rows:
        print("\t".join([row[0].ljust(width), *row[1:]]))
    return 0 if same and quiz_explained else 1


if __name__ == "__main__":
    sys.exit(main())
