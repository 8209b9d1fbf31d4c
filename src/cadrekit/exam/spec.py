"""Exam specs (``grading/exams/*.yaml``): which bank items, how many drawn per tag, and tasks."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from cadrekit.bank.check import bank_files
from cadrekit.bank.loader import BankError, load_items, read_bank_file
from cadrekit.bank.model import Item

ASSIGNMENT_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class SpecError(Exception):
    """An exam spec that cannot be built; the message names the file, the entry and the fix."""


@dataclass
class CodeTest:
    id: str
    points: float
    code: str


@dataclass
class Task:
    kind: str  # "written" or "code"
    id: str
    title: str
    prompt: str
    points: float = 0
    rubric: str = ""
    reference_answer: str = ""
    solution: str = ""
    tests: list[CodeTest] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


@dataclass
class ExamSpec:
    path: Path
    assignment: str
    title: str
    items: list[Item]
    notebook: str = ""
    intro: str = ""
    time_limit: int | None = None
    due: str | None = None
    shuffle: bool = True
    tasks: list[Task] = field(default_factory=list)

    @property
    def quiz_id(self) -> str:
        return self.assignment

    @property
    def quiz_points(self) -> float:
        return sum(item.points for item in self.items)


def load_banks(quizzes: Path) -> dict[str, list[Item]]:
    """Every bank under ``quizzes`` by bank id."""
    banks = {}
    for path in bank_files([quizzes]):
        bank_id = read_bank_file(path).data.get("bank")
        banks[bank_id] = load_items(path)
    return banks


def load_spec(path: Path, quizzes: Path) -> ExamSpec:
    where = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SpecError(f"{where}: 无法读取考试配置（{exc}）") from exc
    if not isinstance(data, dict):
        raise SpecError(f"{where}: 考试配置顶层应为映射")
    for key in ("assignment", "title", "items"):
        if key not in data:
            raise SpecError(f"{where}: 缺少字段 {key}")
    assignment = str(data["assignment"])
    if not ASSIGNMENT_ID.match(assignment):
        raise SpecError(f"{where}: assignment {assignment!r} 只能用小写字母、数字和连字符（它也是目录名）")
    try:
        banks = load_banks(quizzes)
    except BankError as exc:
        raise SpecError(f"{where}: 题库有错误，请先运行 cadrekit bank check：{exc}") from exc
    rng = random.Random(str(data.get("seed", assignment)))
    items: list[Item] = []
    for number, section in enumerate(data["items"], 1):
        items.extend(_select(section, banks, rng, {i.id for i in items}, f"{where}: items 第 {number} 项"))
    if not items:
        raise SpecError(f"{where}: 考试没有题目")
    tasks = [_task(entry, f"{where}: tasks 第 {n} 项") for n, entry in enumerate(data.get("tasks") or [], 1)]
    return ExamSpec(
        path=path, assignment=assignment, title=str(data["title"]), items=items,
        notebook=str(data.get("notebook") or assignment), intro=str(data.get("intro") or ""),
        time_limit=data.get("time_limit"), due=str(data["due"]) if data.get("due") else None,
        shuffle=bool(data.get("shuffle", True)), tasks=tasks,
    )


def _select(section: dict[str, Any], banks: dict[str, list[Item]], rng: random.Random,
            taken: set[str], where: str) -> list[Item]:
    bank_id = section.get("bank")
    if bank_id not in banks:
        raise SpecError(f"{where}: 题库 {bank_id!r} 不存在（已有：{', '.join(sorted(banks))}）")
    pool = banks[bank_id]
    if "ids" in section:
        by_id = {item.id: item for item in pool}
        if missing := [i for i in section["ids"] if i not in by_id]:
            raise SpecError(f"{where}: 题库 {bank_id} 中没有题目 {', '.join(missing)}")
        chosen = [by_id[i] for i in section["ids"]]
    elif "draw" in section:
        candidates = [i for i in pool if i.id not in taken
                      and all(getattr(i, tag) == section[tag] for tag in ("topic", "rule", "type")
                              if tag in section)]
        count = int(section["draw"])
        if count > len(candidates):
            raise SpecError(f"{where}: 要抽 {count} 题，符合条件的只有 {len(candidates)} 题；请减少数量或放宽条件")
        chosen = rng.sample(candidates, count)
    else:
        raise SpecError(f"{where}: 需要 ids（指定题目）或 draw（随机抽取的题数）")
    if dupes := [i.id for i in chosen if i.id in taken]:
        raise SpecError(f"{where}: 题目 {', '.join(dupes)} 在考试中出现了两次")
    if "points" in section:
        chosen = [replace(item, points=float(section["points"])) for item in chosen]
    return chosen


def _task(entry: dict[str, Any], where: str) -> Task:
    kind = entry.get("kind")
    if kind not in ("written", "code"):
        raise SpecError(f"{where}: kind 应为 written（书面作答，人工评分）或 code（代码，自动评分）")
    for key in ("id", "title", "prompt"):
        if not entry.get(key):
            raise SpecError(f"{where}: 缺少字段 {key}")
    tests = [CodeTest(id=t["id"], points=float(t["points"]), code=t["code"]) for t in entry.get("tests", [])]
    if kind == "code" and not (entry.get("solution") and tests):
        raise SpecError(f"{where}: 代码题需要 solution 和至少一个 tests")
    if kind == "written" and not entry.get("points"):
        raise SpecError(f"{where}: 书面作答题需要 points（满分）")
    return Task(kind=kind, id=str(entry["id"]), title=str(entry["title"]), prompt=str(entry["prompt"]),
                points=float(entry.get("points") or sum(t.points for t in tests)),
                rubric=str(entry.get("rubric") or ""), reference_answer=str(entry.get("reference_answer") or ""),
                solution=str(entry.get("solution") or ""), tests=tests, files=list(entry.get("files") or []))
