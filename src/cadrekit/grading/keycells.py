"""The declarative grade cell of one quiz item: the one format shared by exam build and grading.

Its key sits between nbgrader's hidden-test markers, so ``generate_assignment`` strips it from
what trainees receive and ``autograde`` restores it from the gradebook. It is a comment, so even
when a kernel runs the cell nothing is computed there: the grader scores it outside the kernel.
"""

from __future__ import annotations

import json
from typing import Any

from cadrekit.bank.model import TYPE_LABELS, Item

KEY_MARKER = "# cadrekit-quiz-key "
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def key_cell_source(quiz_id: str, item: Item, number: int) -> str:
    key = json.dumps({"quiz": quiz_id, "item": item.to_dict()}, ensure_ascii=False, sort_keys=True)
    return "\n".join([
        f"# 第{number}题（{TYPE_LABELS[item.type]}，{item.points:g}分）：评分程序根据答案文件计分，请勿修改。",
        BEGIN_HIDDEN,
        KEY_MARKER + key,
        END_HIDDEN,
    ])


def parse_key_cell(source: str) -> tuple[str, Item] | None:
    """(quiz id, item with key) from a grade cell's source, or None if it is not a quiz cell."""
    for line in source.splitlines():
        if line.startswith(KEY_MARKER):
            data: dict[str, Any] = json.loads(line[len(KEY_MARKER):])
            return data["quiz"], Item.from_dict(data["item"])
    return None


def is_quiz_cell(source: str) -> bool:
    return any(line.startswith(KEY_MARKER) for line in source.splitlines())
