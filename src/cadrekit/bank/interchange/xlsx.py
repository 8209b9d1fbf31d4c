"""Excel 题库 workbooks: import one into a bank file, export banks in the same layout.

The exported layout — one sheet per type, columns 题号 题干 [左列1…] 选项A… 答案 解析 依据 知识点 主题
难度 分值 — is one the importer reads, so import(export(bank)) gives back every item unchanged.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from cadrekit.bank.check import structure_problems
from cadrekit.bank.interchange.citation import format_citation
from cadrekit.bank.interchange.rows import RowError, item_from_row
from cadrekit.bank.interchange.workbook import RowProblem, read_rows
from cadrekit.bank.loader import BankFile
from cadrekit.bank.model import ITEM_TYPES, TYPE_LABELS, Item
from cadrekit.bank.sources import SourceRegister

ITEM_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
DIFFICULTY_WORDS = {1: "易", 2: "中", 3: "难"}
_TRAILING_COLUMNS = ("答案", "解析", "依据", "知识点", "主题", "难度", "分值")


@dataclass
class ImportResult:
    bank: dict
    origins: dict[str, tuple[str, int]] = field(default_factory=dict)
    problems: list[RowProblem] = field(default_factory=list)
    notices: list[RowProblem] = field(default_factory=list)
    invalid: list[RowProblem] = field(default_factory=list)
    generated_explanations: int = 0

    @property
    def items(self) -> list[dict]:
        return self.bank["items"]

    @property
    def writable(self) -> bool:
        """Something to write, and nothing that would make the written file unusable."""
        return bool(self.items) and not self.invalid


def import_workbook(path: Path, *, bank_id: str, topic: str, register: SourceRegister,
                    taken_ids: Iterable[str] = ()) -> ImportResult:
    """Every understood row as an item; the others as problems naming sheet, row and reason."""
    rows, sheet_problems, skipped_sheets = read_rows(path)
    result = ImportResult(bank={"bank": bank_id, "title": topic, "items": []}, problems=sheet_problems,
                          notices=skipped_sheets)
    taken = set(taken_ids)
    pending: list[tuple[dict, str, tuple[str, int]]] = []
    for row in rows:
        where = (row.sheet, row.number)
        try:
            entry = item_from_row(row, topic, register)
        except RowError as exc:
            result.problems.append(RowProblem(row.sheet, row.number, str(exc)))
            continue
        written_id = row.cells.get("id", "")
        if _is_item_id(written_id) and written_id in taken:
            result.problems.append(RowProblem(row.sheet, row.number, f"题号 {written_id} 已被其他题目使用"))
            continue
        if _is_item_id(written_id):
            taken.add(written_id)
        if row.cells.get("citation") and "source" not in entry:
            result.notices.append(RowProblem(row.sheet, row.number, f"依据「{row.cells['citation']}」"
                                             "中找不到法规名称和条号，已按缺少依据导入"))
        if not row.cells.get("explanation"):
            result.generated_explanations += 1
        pending.append((entry, written_id, where))
    ids = _item_ids([written for _, written, _ in pending], bank_id, taken)
    for (entry, _, where), item_id in zip(pending, ids, strict=True):
        result.items.append({"id": item_id, **entry})
        result.origins[item_id] = where
    result.invalid = _invalid_rows(result, path)
    return result


def _item_ids(written: list[str], bank_id: str, taken: set[str]) -> list[str]:
    """Written ids that are ours stay; the others become <bank>-001, -002 … skipping ids in use."""
    numbers = (f"{bank_id}-{n:03d}" for n in range(1, 10**6))
    return [w if _is_item_id(w) else next(i for i in numbers if i not in taken) for w in written]


def _is_item_id(text: str) -> bool:
    """A 题号 that is one of our ids (e.g. from an export) is kept; plain numbers are renumbered."""
    return bool(ITEM_ID.match(text)) and not text.isdigit()


def _invalid_rows(result: ImportResult, path: Path) -> list[RowProblem]:
    """The bank checker's verdict on the would-be file, pointed back at workbook rows."""
    invalid = []
    for problem in structure_problems(BankFile(path=path, data=result.bank)):
        sheet, row = result.origins.get(problem.item_id or "", ("(题库)", None))
        invalid.append(RowProblem(sheet, row, f"导入结果未通过校验：{problem.message}"))
    return invalid


def write_bank(bank: dict, path: Path) -> None:
    """Write the bank YAML atomically, so a failed write never leaves half a file."""
    text = yaml.safe_dump(bank, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def export_workbook(items: list[Item], path: Path) -> None:
    """One sheet per item type, in the layout ``import_workbook`` reads."""
    from openpyxl import Workbook  # heavy import: only import/export needs it
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for kind in ITEM_TYPES:
        of_kind = [item for item in items if item.type == kind]
        if not of_kind:
            continue
        sheet = workbook.create_sheet(TYPE_LABELS[kind])
        prompt_keys = _keys_in_use(item.prompts for item in of_kind)
        option_keys = _keys_in_use(item.options for item in of_kind)
        sheet.append(["题号", "题干", *(f"左列{k}" for k in prompt_keys), *(f"选项{k}" for k in option_keys),
                      *_TRAILING_COLUMNS])
        for item in of_kind:
            sheet.append(_export_row(item, prompt_keys, option_keys))
            _keep_as_text(sheet[sheet.max_row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for line in sheet.iter_rows(min_row=2):
            for cell in line:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "C2"
        sheet.column_dimensions["B"].width = 60
    workbook.save(path)


def _keys_in_use(mappings: Iterable[dict[str, str]]) -> list[str]:
    keys: list[str] = []
    for mapping in mappings:
        keys.extend(k for k in mapping if k not in keys)
    return sorted(keys, key=lambda k: (len(k), k))


def _export_row(item: Item, prompt_keys: list[str], option_keys: list[str]) -> list:
    return [
        item.id, item.stem,
        *(item.prompts.get(k, "") for k in prompt_keys),
        *(item.options.get(k, "") for k in option_keys),
        answer_cell(item), item.explanation or "", format_citation(item.source), item.rule or "",
        item.topic or "", DIFFICULTY_WORDS.get(item.difficulty, ""), _number(item.points),
    ]


def answer_cell(item: Item) -> str:
    """The 答案 cell as a 题库 author would write it, and as the importer reads it back."""
    if item.type == "truefalse":
        return "正确" if item.answer else "错误"
    if item.type == "fill":
        return "；".join("／".join(blank) for blank in item.answer)
    if item.type == "matching":
        return "；".join(f"{p}-{o}" for p, o in item.answer.items())
    keys = [item.answer] if item.type == "single" else item.answer
    return ("" if all(len(k) == 1 for k in keys) else "、").join(keys)


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _keep_as_text(cells) -> None:
    """Text stays text: openpyxl would otherwise store a cell starting with '=' as a formula."""
    for cell in cells:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"
