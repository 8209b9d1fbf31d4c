"""Read the rows of a Chinese 题库 workbook, whichever of the common layouts it uses.

Layouts: one sheet per question type (named 单选题, 多选题…), or one sheet with a 题型 column; options
in 选项A, 选项B… columns or all in one 选项 cell ("A.每月 B.每季度"). The
header row is found by its 题干 column (title rows above it are skipped); a merged cell counts as
its top-left value in every cell it covers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

TYPE_WORDS = {
    "single": ("单选", "单项选择"),
    "multiple": ("多选", "多项选择", "不定项"),
    "truefalse": ("判断", "是非"),
    "fill": ("填空",),
    "ordering": ("排序",),
    "matching": ("匹配", "连线"),
}

COLUMNS = {
    "id": ("题号", "序号", "编号", "试题编号"),
    "type": ("题型", "题目类型", "试题类型"),
    "stem": ("题干", "题目", "试题", "题目内容", "试题内容", "问题"),
    "options": ("选项", "备选项", "选项内容"),
    "answer": ("答案", "正确答案", "参考答案", "标准答案"),
    "explanation": ("解析", "答案解析", "试题解析"),
    "citation": ("依据", "出处", "法规依据", "政策依据"),
    "rule": ("知识点", "考点"),
    "topic": ("主题",),
    "difficulty": ("难度", "难易程度", "难易度"),
    "points": ("分值", "分数"),
}
_OPTION_HEADER = re.compile(r"^(?:选项)?([A-Z])(?:选项)?$")
_PROMPT_HEADER = re.compile(r"^左列([0-9A-Z]+)$")
_HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class RowProblem:
    """A row (or a whole sheet, when ``row`` is None) that was not imported, and why."""

    sheet: str
    row: int | None
    reason: str

    def __str__(self) -> str:
        where = f"工作表「{self.sheet}」" + (f"第 {self.row} 行" if self.row else "")
        return f"{where}：{self.reason}"


@dataclass
class Row:
    sheet: str
    number: int
    kind: str | None
    type_label: str
    cells: dict[str, str] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)
    prompts: dict[str, str] = field(default_factory=dict)


@dataclass
class _Header:
    row: int
    fields: dict[int, str]
    options: dict[int, str]
    prompts: dict[int, str]


def type_of(label: str) -> str | None:
    """Our item type for a sheet name or 题型 cell such as '一、单项选择题', or None."""
    return next((kind for kind, words in TYPE_WORDS.items() if any(w in label for w in words)), None)


def cell_text(value) -> str:
    """A cell as text: numbers without a spurious '.0', Excel line breaks as '\\n', outer spaces gone."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def read_rows(path: Path) -> tuple[list[Row], list[RowProblem], list[RowProblem]]:
    """Every non-empty question row of every sheet; the question sheets that could not be read; the
    other sheets (a 说明 sheet, say), skipped."""
    from openpyxl import load_workbook  # heavy import: only import/export needs it

    workbook = load_workbook(path, data_only=True)
    rows: list[Row] = []
    problems: list[RowProblem] = []
    skipped: list[RowProblem] = []
    for sheet in workbook.worksheets:
        grid = _grid(sheet)
        if not any(any(cell_text(v) for v in line) for line in grid):
            continue
        header = _find_header(grid)
        sheet_kind = type_of(sheet.title)
        if header is None and sheet_kind is None:
            skipped.append(RowProblem(sheet.title, None, "没有“题干”列，不是题目表，已跳过"))
            continue
        if header is None:
            problems.append(RowProblem(sheet.title, None, "找不到表头（应有“题干”列），整张表未导入"))
            continue
        if sheet_kind is None and "type" not in header.fields.values():
            problems.append(RowProblem(sheet.title, None, "无法判断题型：表名不含题型，也没有“题型”列，整张表未导入"))
            continue
        for number, line in enumerate(grid[header.row:], start=header.row + 1):
            if any(cell_text(v) for v in line):
                rows.append(_row(sheet.title, number, line, header, sheet_kind))
    return rows, problems, skipped


def _grid(sheet) -> list[list]:
    """Cell values by row, with each merged range's top-left value copied into all its cells."""
    grid = [list(line) for line in sheet.iter_rows(values_only=True)]
    for merged in sheet.merged_cells.ranges:
        value = grid[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                grid[r - 1][c - 1] = value
    return grid


def _header_key(value) -> str:
    return "".join(unicodedata.normalize("NFKC", cell_text(value)).split()).upper()


def _find_header(grid: list[list]) -> _Header | None:
    aliases = {alias: name for name, names in COLUMNS.items() for alias in names}
    for index, line in enumerate(grid[:_HEADER_SEARCH_ROWS]):
        keys = [_header_key(v) for v in line]
        if not any(aliases.get(k) == "stem" for k in keys):
            continue
        header = _Header(row=index + 1, fields={}, options={}, prompts={})
        for column, key in enumerate(keys):
            if key in aliases and aliases[key] not in header.fields.values():
                header.fields[column] = aliases[key]
            elif match := _OPTION_HEADER.match(key):
                header.options[column] = match.group(1)
            elif match := _PROMPT_HEADER.match(key):
                header.prompts[column] = match.group(1)
        return header
    return None


def _row(sheet: str, number: int, line: list, header: _Header, sheet_kind: str | None) -> Row:
    def text(column: int) -> str:
        return cell_text(line[column]) if column < len(line) else ""

    cells = {name: text(column) for column, name in header.fields.items()}
    type_cell = cells.pop("type", "")
    kind = type_of(type_cell) if type_cell else sheet_kind
    return Row(
        sheet=sheet, number=number, kind=kind, type_label=type_cell, cells=cells,
        options={key: text(column) for column, key in header.options.items() if text(column)},
        prompts={key: text(column) for column, key in header.prompts.items() if text(column)},
    )
