"""Validate bank files: schema, keys against options, and citations against the source register.

Each problem names the file, the line, the item id and what to fix, so an instructor can mend a
bank without reading code.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cadrekit.bank.loader import BankError, BankFile, read_bank_file
from cadrekit.bank.model import BLANK, ITEM_TYPES
from cadrekit.bank.sources import SourceRegister

SOURCES_DIR = "sources"


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    item_id: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}"
        return f"{where}: [{self.item_id}] {self.message}" if self.item_id else f"{where}: {self.message}"


def bank_files(paths: Iterable[str | Path]) -> list[Path]:
    """The bank YAML files named by ``paths`` (folders are searched, ``sources/`` skipped)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*.y*ml"))
                         if SOURCES_DIR not in p.relative_to(path).parts[:-1])
        else:
            found.append(path)
    return found


def find_register(path: Path) -> SourceRegister:
    """The register in the nearest ``sources/`` folder at or above the bank file."""
    for folder in [path.parent, *path.parent.parents]:
        if (folder / SOURCES_DIR).is_dir():
            return _load_register(folder / SOURCES_DIR)
    return SourceRegister([])


@cache
def _load_register(folder: Path) -> SourceRegister:
    return SourceRegister.load(folder)


@cache
def _validator():
    from jsonschema import Draft202012Validator  # heavy import: only the checker needs it

    schema = json.loads((Path(__file__).with_name("bank.schema.json")).read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def check_paths(paths: Iterable[str | Path]) -> list[Problem]:
    """All problems in all bank files under ``paths``, including ids repeated across files."""
    problems: list[Problem] = []
    seen_items: dict[str, tuple[Path, int]] = {}
    seen_banks: dict[str, Path] = {}
    files = bank_files(paths)
    if not files:
        return [Problem(Path(str(p)), 1, None, "没有找到题库文件（*.yaml）") for p in paths]
    for path in files:
        try:
            bank = read_bank_file(path)
        except BankError as exc:
            problems.append(Problem(path, exc.line, None, exc.message))
            continue
        problems.extend(check_bank(bank, find_register(path)))
        bank_id = bank.data.get("bank")
        if isinstance(bank_id, str):
            if bank_id in seen_banks:
                problems.append(Problem(path, 1, None,
                                        f"题库编号 {bank_id} 与 {seen_banks[bank_id]} 重复；请改用唯一的 bank 编号"))
            seen_banks.setdefault(bank_id, path)
        for index, item in enumerate(bank.items):
            item_id = item.get("id") if isinstance(item, dict) else None
            if not isinstance(item_id, str):
                continue
            line = bank.line_of(index, "id")
            if item_id in seen_items:
                other_path, other_line = seen_items[item_id]
                problems.append(Problem(path, line, item_id,
                                        f"题目编号重复（另见 {other_path}:{other_line}）；每题编号必须全库唯一"))
            else:
                seen_items[item_id] = (path, line)
    return problems


def check_bank(bank: BankFile, register: SourceRegister) -> list[Problem]:
    return _check(bank, lambda item: [*_key_problems(item), *_source_problems(item, register)])


def structure_problems(bank: BankFile) -> list[Problem]:
    """Problems that make a bank unusable (schema, answer keys), leaving citations aside: an import
    may legitimately lack them and is still worth writing."""
    return _check(bank, _key_problems)


def _check(bank: BankFile, item_problems: Callable[[dict], list[tuple[str, str]]]) -> list[Problem]:
    problems: list[Problem] = []
    invalid_items: set[int] = set()
    for error in _validator().iter_errors(bank.data):
        where = list(error.absolute_path)
        if len(where) >= 2 and where[0] == "items" and isinstance(where[1], int):
            index = where[1]
            invalid_items.add(index)
            field = str(where[2]) if len(where) > 2 else _unexpected_field(error)
            item = bank.items[index] if isinstance(bank.items[index], dict) else {}
            problems.append(Problem(bank.path, bank.line_of(index, field), item.get("id"),
                                    _explain(error, str(where[-1]) if len(where) > 2 else None)))
        else:
            problems.append(Problem(bank.path, 1, None, _explain(error, where[0] if where else None)))
    for index, item in enumerate(bank.items):
        if index in invalid_items or not isinstance(item, dict):
            continue
        for field, message in item_problems(item):
            problems.append(Problem(bank.path, bank.line_of(index, field), item["id"], message))
    return sorted(problems, key=lambda p: p.line)


_TYPE_NAMES = {"string": "文本", "integer": "整数", "number": "数字", "boolean": "true/false",
               "array": "列表", "object": "映射"}


def _unexpected_field(error) -> str | None:
    if error.validator != "additionalProperties" or not isinstance(error.instance, dict):
        return None
    extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
    return extra[0] if extra else None


def _explain(error, field: str | None) -> str:
    """A jsonschema error in words an instructor can act on."""
    validator = error.validator
    if validator == "required":
        missing = error.message.split("'")[1]
        hint = "（依据：请填写 regulation、article、text）" if missing == "source" else ""
        return f"缺少字段 {missing}{hint}"
    if validator == "additionalProperties":
        return f"未知字段 {_unexpected_field(error)}；请检查拼写（允许的字段见 quizzes/README.md）"
    if validator == "enum" and field == "type":
        return f"未知题型 {error.instance!r}；应为 {' / '.join(ITEM_TYPES)} 之一"
    if validator == "enum" and field == "difficulty":
        return f"难度 {error.instance!r} 无效；应为 1（易）、2（中）或 3（难）"
    if validator in ("minLength", "pattern") and error.instance in ("", None) or (
            isinstance(error.instance, str) and not error.instance.strip()):
        return f"字段 {field} 不能为空"
    if validator == "pattern" and field == "article":
        return f"条号 {error.instance!r} 应以“第…条”开头，例如 第十一条、第十六条第三款"
    if validator == "pattern" and field == "id":
        return f"编号 {error.instance!r} 只能用小写字母、数字和连字符"
    if validator == "not":
        return "判断题、填空题不应有 options 或 prompts"
    if validator == "const" and field == "needs_source":
        return "needs_source 只能写 true；依据补全后请删除这一行"
    if validator == "type" and field != "answer":
        wanted = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        names = "或".join(_TYPE_NAMES.get(t, t) for t in wanted)
        return f"字段 {field} 应为{names}，现为 {error.instance!r}"
    if field == "answer":
        return f"答案格式不符合题型要求（{error.message}）；见 quizzes/README.md 的答案格式表"
    return f"字段 {field or '(顶层)'}：{error.message}"


def _key_problems(item: dict) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    kind, answer = item["type"], item["answer"]
    options = {str(k) for k in item.get("options", {})}
    if kind == "single" and str(answer) not in options:
        found.append(("answer", f"答案 {answer} 不在选项 {sorted(options)} 中"))
    if kind == "multiple":
        keys = [str(a) for a in answer]
        if missing := [a for a in keys if a not in options]:
            found.append(("answer", f"答案 {missing} 不在选项 {sorted(options)} 中"))
        if len(set(keys)) != len(keys):
            found.append(("answer", "答案中有重复的选项"))
    if kind == "ordering" and sorted(str(a) for a in answer) != sorted(options):
        found.append(("answer", f"排序题答案必须恰好把每个选项各排一次（选项 {sorted(options)}，答案 {answer}）"))
    if kind == "matching":
        prompts = {str(k) for k in item.get("prompts", {})}
        keys = {str(k) for k in answer}
        if keys != prompts:
            found.append(("answer", f"匹配题答案必须为每个左列项（prompts {sorted(prompts)}）"
                                    f"各给一个匹配，现为 {sorted(keys)}"))
        if bad := sorted({str(v) for v in answer.values()} - options):
            found.append(("answer", f"匹配题答案 {bad} 不在右列选项 {sorted(options)} 中"))
    if kind == "fill":
        blanks = len(BLANK.findall(item["stem"]))
        if blanks != len(answer):
            found.append(("answer", f"题干中有 {blanks} 个空（___），答案却有 {len(answer)} 项；两者必须相等"))
    return found


NEEDS_SOURCE = "缺少依据（导入时未提供），请补充 regulation、article、text"


def _source_problems(item: dict, register: SourceRegister) -> list[tuple[str, str]]:
    source = item.get("source")
    if item.get("needs_source"):
        return [_unfinished_source(source)]
    if message := register.problem_with(source["regulation"], source["article"], source["text"]):
        return [("source", message)]
    return []


def _unfinished_source(source: dict | None) -> tuple[str, str]:
    """An imported item's marker stays reported until its citation is complete and the marker removed."""
    if not source:
        return "needs_source", NEEDS_SOURCE
    if "text" not in source:
        return "source", (f"依据缺原文（导入时只有《{source['regulation']}》{source['article']}），"
                          "请补充 text（逐字摘引登记的条文）并删除 needs_source")
    return "needs_source", "依据已补全，请删除 needs_source: true"
