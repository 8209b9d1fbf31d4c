"""`cadrekit bank import` and `bank export`: what they print and return, kept out of the dispatcher."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

from openpyxl.utils.exceptions import InvalidFileException

from cadrekit.bank.check import bank_files, find_register
from cadrekit.bank.interchange import Bank, load_banks
from cadrekit.bank.interchange.xlsx import ITEM_ID, ImportResult, export_workbook, import_workbook, write_bank
from cadrekit.bank.loader import BankError, read_bank_file


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def run_import(workbook: Path, *, topic: str, bank_id: str | None, out: Path | None, quizzes: Path,
               force: bool) -> int:
    """0 when every row was imported, 1 when some rows (or everything) could not be, 2 for bad arguments."""
    bank_id = bank_id or next((c for c in (topic, workbook.stem) if ITEM_ID.match(c)), None)
    if bank_id is None or not ITEM_ID.match(bank_id):
        _say("请用 --bank 指定题库编号（小写字母、数字、连字符），例如 --bank sanhui-yike")
        return 2
    out = out or quizzes / f"{bank_id}.yaml"
    if out.exists() and not force:
        _say(f"{out} 已存在；请用 --out 另选文件，或加 --force 覆盖")
        return 2
    other_banks, taken_ids = _neighbours(out)
    if bank_id in other_banks:
        _say(f"题库编号 {bank_id} 已被 {other_banks[bank_id]} 使用；请用 --bank 另选")
        return 2
    try:
        result = import_workbook(workbook, bank_id=bank_id, topic=topic, register=find_register(out),
                                 taken_ids=taken_ids)
    except (OSError, zipfile.BadZipFile, InvalidFileException) as exc:
        _say(f"无法读取 {workbook}（{exc}）；请确认文件存在，且是 .xlsx 格式"
             "（.xls 请先在 Excel 或 WPS 中另存为 .xlsx）")
        return 2
    for problem in result.problems:
        _say(f"{workbook.name}：{problem}")
    for notice in result.notices:
        _say(f"注意：{workbook.name}：{notice}")
    if not result.writable:
        for problem in result.invalid:
            _say(f"{workbook.name}：{problem}")
        reason = "导入结果不是有效的题库，请按上面的提示修改工作簿。" if result.items else "没有可导入的题目。"
        _say(f"没有写入任何文件：{reason}")
        return 1
    write_bank(result.bank, out)
    _say(_summary(result, out))
    return 1 if result.problems else 0


def _neighbours(out: Path) -> tuple[dict[str, Path], set[str]]:
    """Bank ids and item ids already used beside the output file (``bank check`` needs them unique)."""
    banks: dict[str, Path] = {}
    items: set[str] = set()
    if not out.parent.is_dir():
        return banks, items
    for path in bank_files([out.parent]):
        if path.resolve() == out.resolve():
            continue
        try:
            data = read_bank_file(path).data
        except BankError:
            continue
        banks[str(data.get("bank"))] = path
        items.update(str(e.get("id")) for e in data.get("items") or [] if isinstance(e, dict))
    return banks, items


def _summary(result: ImportResult, out: Path) -> str:
    unsourced = sum(1 for item in result.items if item.get("needs_source"))
    lines = [f"已写入 {out}：{len(result.items)} 题。"]
    if unsourced:
        lines.append(f"其中 {unsourced} 题缺少依据（标为 needs_source），运行 cadrekit bank check {out} 可逐题列出。")
    if result.generated_explanations:
        lines.append(f"{result.generated_explanations} 题没有解析，已按答案和依据生成，请审阅。")
    if result.problems:
        lines.append(f"{len(result.problems)} 行（或工作表）未导入，见上面的列表。")
    return "\n".join(lines)


def run_export(paths: list[Path], *, to: str, out: Path) -> int:
    """Write the banks under ``paths`` as xlsx, moodle-xml or gift; 0 on success, 2 when a bank is unreadable."""
    try:
        banks = load_banks(paths)
    except BankError as exc:
        _say(f"{exc}")
        return 2
    exported = _WRITERS[to](banks, out)
    _say(f"已导出 {exported} 题到 {out}。")
    return 0


def _write_xlsx(banks: list[Bank], out: Path) -> int:
    items = [item for bank in banks for item in bank.items]
    export_workbook(items, out)
    return len(items)


def _write_moodle_xml(banks: list[Bank], out: Path) -> int:
    from cadrekit.bank.interchange.moodle import moodle_xml

    out.write_text(moodle_xml(banks), encoding="utf-8")
    items = [item for bank in banks for item in bank.items]
    if ordering := sum(1 for item in items if item.type == "ordering"):
        _say(f"{ordering} 道排序题导出为 ordering 题型：Moodle 4.4 起为标准题型，"
             "更早的版本需先安装 qtype_ordering 插件。")
    return len(items)


def _write_gift(banks: list[Bank], out: Path) -> int:
    from cadrekit.bank.interchange.gift import gift

    text, skipped = gift(banks)
    out.write_text(text, encoding="utf-8")
    for item_id, reason in skipped.items():
        _say(f"未导出 {item_id}：{reason}")
    return sum(len(bank.items) for bank in banks) - len(skipped)


_WRITERS = {"xlsx": _write_xlsx, "moodle-xml": _write_moodle_xml, "gift": _write_gift}
