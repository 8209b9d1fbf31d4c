"""Read bank YAML files, keeping line numbers so every problem can point at its line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cadrekit.bank.model import Item

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class BankError(Exception):
    """A bank file that cannot be used; the message names the file, the line and the fix."""

    def __init__(self, path: Path, line: int, message: str):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


@dataclass
class BankFile:
    path: Path
    data: dict[str, Any]
    item_lines: list[int] = field(default_factory=list)
    field_lines: list[dict[str, int]] = field(default_factory=list)

    @property
    def items(self) -> list[dict[str, Any]]:
        items = self.data.get("items")
        return items if isinstance(items, list) else []

    def line_of(self, index: int, key: str | None = None) -> int:
        if index >= len(self.item_lines):
            return 1
        if key and key in self.field_lines[index]:
            return self.field_lines[index][key]
        return self.item_lines[index]


def read_bank_file(path: str | Path) -> BankFile:
    """Parse one bank file; raise BankError for unreadable YAML or a wrong top-level shape."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BankError(path, 1, f"无法读取（{exc}）；请确认文件存在且为 UTF-8 编码") from exc
    try:
        data = yaml.load(text, Loader=_Loader)
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise BankError(path, line, f"YAML 格式错误：{exc.problem}；请检查缩进、冒号和引号") from exc
    if not isinstance(data, dict) or not isinstance(root, yaml.MappingNode):
        raise BankError(path, 1, "题库文件顶层应为映射（含 bank、title、items 三个键）")
    bank = BankFile(path=path, data=data)
    for key, value in root.value:
        if key.value == "items" and isinstance(value, yaml.SequenceNode):
            for node in value.value:
                bank.item_lines.append(node.start_mark.line + 1)
                fields = {}
                if isinstance(node, yaml.MappingNode):
                    fields = {k.value: k.start_mark.line + 1 for k, _ in node.value}
                bank.field_lines.append(fields)
    return bank


def load_items(path: str | Path) -> list[Item]:
    """Items of one bank file, for the quiz engine (the checker has vetted the content)."""
    bank = read_bank_file(path)
    items = []
    for index, entry in enumerate(bank.items):
        try:
            items.append(Item.from_dict(entry))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BankError(
                bank.path, bank.line_of(index),
                f"第 {index + 1} 题无法读取（{exc!r}）；请运行 cadrekit bank check {bank.path} 查看详细问题",
            ) from exc
    return items
