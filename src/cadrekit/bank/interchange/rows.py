"""Turn one workbook row into a bank entry, or say in an instructor's words why it cannot be one.

Answers are read the way 题库 authors write them: letters in any width and with any separators
("ABD", "Ａ、Ｂ、Ｄ"), 对/错, √/×, 正确/错误, fill-in answers separated by ；(alternatives by ／),
matching as 1-B；2-A.
"""

from __future__ import annotations

import re
import unicodedata

from cadrekit.bank.interchange.citation import parse_citation
from cadrekit.bank.interchange.workbook import Row
from cadrekit.bank.model import BLANK, TYPE_LABELS, Item
from cadrekit.bank.scoring import describe_answer
from cadrekit.bank.sources import SourceRegister

CHOICE_TYPES = ("single", "multiple", "ordering", "matching")
TRUE_WORDS = {"对", "√", "✓", "✔", "正确", "T", "TRUE", "是", "Y"}
FALSE_WORDS = {"错", "×", "✗", "✘", "错误", "F", "FALSE", "否", "N", "X"}
DIFFICULTY = {"易": 1, "容易": 1, "简单": 1, "较易": 1, "中": 2, "中等": 2, "一般": 2, "适中": 2,
              "难": 3, "较难": 3, "困难": 3, "1": 1, "2": 2, "3": 3}
DEFAULT_DIFFICULTY = 2
DEFAULT_POINTS = 1
_KEY_SEPARATORS = re.compile(r"[、,，;；/／|｜\s\-—→>＞]+")
_WORKBOOK_BLANK = re.compile(r"[（(]\s*[)）]|(?<!_)__(?!_)")
_FILL_SEPARATORS = (r"[|｜]", r"[；;]", r"、", r"[，,]", r"\s+")
_ALTERNATIVE = re.compile(r"／|(?<!\d)/|/(?!\d)")
_MATCH_PAIR = re.compile(r"([0-9A-Z]+?)[-—–:：→>=]+([0-9A-Z]+)")
_OPTION_PREFIX = re.compile(r"^([A-Za-zＡ-Ｚａ-ｚ])\s*[.．、:：)）]\s*")
_POINTS = re.compile(r"(\d+(?:\.\d+)?)\s*分?")


class RowError(ValueError):
    """A row that cannot become an item; the message is the reason shown to the instructor."""


def item_from_row(row: Row, topic: str, register: SourceRegister) -> dict:
    """The bank entry for a row, without its id (ids are numbered across the whole workbook)."""
    kind = row.kind
    if kind is None and not row.type_label:
        raise RowError("没有填写题型")
    if kind is None:
        raise RowError(f"题型「{row.type_label}」无法识别（应为 单选、多选、判断、填空、排序、匹配 之一）")
    entry: dict = {"type": kind, "stem": _stem(row, kind)}
    options = _options(row, kind)
    if kind in CHOICE_TYPES:
        entry["options"] = options
    if kind == "matching":
        entry["prompts"] = _prompts(row)
    entry["answer"] = _answer(row, kind, entry, options)
    source = parse_citation(row.cells["citation"], register) if row.cells.get("citation") else None
    entry["explanation"] = row.cells.get("explanation") or generated_explanation(entry, source)
    topic = row.cells.get("topic") or topic
    entry["tags"] = {"topic": topic, "rule": row.cells.get("rule") or f"{topic}-未分类"}
    entry["difficulty"] = _difficulty(row.cells.get("difficulty", ""))
    entry["points"] = _points(row.cells.get("points", ""))
    if source is None or "text" not in source:
        entry["needs_source"] = True
    if source is not None:
        entry["source"] = source
    return entry


def generated_explanation(entry: dict, source: dict | None) -> str:
    """For a row without 解析: the key in words and the citation, so feedback still teaches something."""
    key = describe_answer(Item.from_dict({**entry, "id": "row"}))
    cited = f"依据《{source['regulation']}》{source['article']}。" if source else ""
    return f"正确答案：{key}。{cited}"


def _stem(row: Row, kind: str) -> str:
    stem = row.cells.get("stem", "")
    if not stem:
        raise RowError("题干为空")
    if kind != "fill":
        return stem
    stem = _WORKBOOK_BLANK.sub("___", stem)
    if not BLANK.search(stem):
        raise RowError("填空题题干中没有空（请用 ___ 或（ ）标出每个空）")
    return stem


def _options(row: Row, kind: str) -> dict[str, str]:
    written = row.options or split_options(row.cells.get("options", ""))
    options = {key: _without_prefix(key, text) for key, text in written.items()}
    if kind in CHOICE_TYPES and len(options) < 2:
        raise RowError(f"{TYPE_LABELS[kind]}至少要有两个选项（选项A、选项B…列）")
    if kind == "fill" and options:
        raise RowError("填空题不应填写选项列")
    return options


def split_options(cell: str) -> dict[str, str]:
    """'A.每月 B.每季度\nC.每年' -> {A: 'A.每月', B: 'B.每季度', C: 'C.每年'} (prefixes go later)."""
    starts = _option_starts(cell)
    if len(starts) < 2:
        return {}
    ends = [start for _, start in starts[1:]] + [len(cell)]
    return {key: cell[start:end].strip() for (key, start), end in zip(starts, ends, strict=True)}


def _option_starts(cell: str) -> list[tuple[str, int]]:
    """Where markers A, B, C… begin, in turn, each at the start or after whitespace, so a letter inside
    an option's own text ('A类和B类') does not split it."""
    starts: list[tuple[str, int]] = []
    for key in "ABCDEFGHIJ":
        marker = re.compile(rf"(?:^|(?<=\s))[{key}{chr(ord(key) + 0xFEE0)}]\s*[.．、:：)）]")
        match = marker.search(cell, starts[-1][1] + 1 if starts else 0)
        if match is None:
            break
        starts.append((key, match.start()))
    return starts


def _without_prefix(key: str, text: str) -> str:
    """'A．每月' in the 选项A column -> '每月'."""
    match = _OPTION_PREFIX.match(text)
    if match and unicodedata.normalize("NFKC", match.group(1)).upper() == key:
        return text[match.end():].strip()
    return text


def _prompts(row: Row) -> dict[str, str]:
    if len(row.prompts) < 2:
        raise RowError("匹配题至少要有两个左列项（左列1、左列2…列）")
    return dict(row.prompts)


def _answer(row: Row, kind: str, entry: dict, options: dict[str, str]):
    raw = row.cells.get("answer", "")
    if not raw:
        raise RowError("答案为空")
    if kind == "truefalse":
        return _truefalse(raw, options)
    if kind == "fill":
        return _fill(raw, len(BLANK.findall(entry["stem"])))
    if kind == "matching":
        return _matching(raw, entry["prompts"], options)
    keys = _keys(raw, options)
    if kind == "single" and len(keys) != 1:
        raise RowError(f"单选题只能有一个答案，现为「{raw}」")
    if kind == "multiple" and len(keys) < 2:
        raise RowError(f"多选题至少要有两个正确选项，现为「{raw}」；只有一个正确选项请放到单选题")
    if len(set(keys)) != len(keys):
        raise RowError(f"答案「{raw}」中有重复的选项")
    if kind == "ordering" and sorted(keys) != sorted(options):
        raise RowError(f"排序题答案必须把每个选项（{'、'.join(options)}）各排一次，现为「{raw}」")
    return keys[0] if kind == "single" else keys


def _keys(raw: str, options: dict[str, str]) -> list[str]:
    """Option keys as written — 'ABD', 'A、B、D', 'Ａ Ｂ Ｄ' — in the written order."""
    text = unicodedata.normalize("NFKC", raw).upper()
    by_upper = {key.upper(): key for key in options}
    if all(len(key) == 1 for key in by_upper):
        tokens = [c for c in _KEY_SEPARATORS.sub("", text)]
    else:
        tokens = [t for t in _KEY_SEPARATORS.split(text) if t]
    if unknown := [t for t in tokens if t not in by_upper]:
        raise RowError(f"答案「{raw}」中的 {'、'.join(unknown)} 不是选项（选项为 {'、'.join(options)}）")
    return [by_upper[t] for t in tokens]


def _truefalse(raw: str, options: dict[str, str]) -> bool:
    """对/错 and friends, or a letter naming an option that says 正确/错误."""
    word = unicodedata.normalize("NFKC", raw).upper()
    if word in options or word.lower() in options:
        word = unicodedata.normalize("NFKC", options.get(word) or options[word.lower()]).upper()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise RowError(f"判断题答案「{raw}」无法识别（应为 对/错、√/×、正确/错误）")


def _fill(raw: str, blanks: int) -> list:
    """One answer per blank; a blank with several accepted answers becomes a list."""
    if blanks == 1:
        return [_alternatives(raw)]
    for separator in _FILL_SEPARATORS:
        parts = [p.strip() for p in re.split(separator, raw) if p.strip()]
        if len(parts) == blanks:
            return [_alternatives(p) for p in parts]
    raise RowError(f"题干有 {blanks} 个空，答案「{raw}」分不出 {blanks} 项（各空答案请用“；”分隔）")


def _alternatives(blank: str) -> str | list[str]:
    """'1／一' -> ['1', '一']; a '/' between digits is a fraction ('1/5') and stays."""
    accepted = [a.strip() for a in _ALTERNATIVE.split(blank) if a.strip()]
    return accepted[0] if len(accepted) == 1 else accepted


def _matching(raw: str, prompts: dict[str, str], options: dict[str, str]) -> dict[str, str]:
    """'1-B；2-A' (or 1B 2A, 1→B …); bare letters 'BA' pair with the prompts in order."""
    text = unicodedata.normalize("NFKC", raw).upper()
    parts = [p for p in re.split(r"[、,;|｜\s]+", text) if p]
    pairs = [_MATCH_PAIR.fullmatch(p) for p in parts]
    if all(pairs):
        written = [(m.group(1), m.group(2)) for m in pairs]
    elif len(letters := _KEY_SEPARATORS.sub("", text)) == len(prompts):
        written = list(zip((p.upper() for p in prompts), letters, strict=True))
    else:
        raise RowError(f"匹配题答案「{raw}」无法识别（应写作 1-B；2-A）")
    prompt_keys = {key.upper(): key for key in prompts}
    option_keys = {key.upper(): key for key in options}
    answer = {prompt_keys.get(p, p): option_keys.get(o, o) for p, o in written}
    if set(answer) != set(prompts) or len(written) != len(prompts):
        raise RowError(f"匹配题答案「{raw}」必须为每个左列项（{'、'.join(prompts)}）各给一个匹配")
    if unknown := sorted({o for o in answer.values() if o not in options}):
        raise RowError(f"匹配题答案「{raw}」中的 {'、'.join(unknown)} 不是右列选项（{'、'.join(options)}）")
    return answer


def _difficulty(text: str) -> int:
    if not text:
        return DEFAULT_DIFFICULTY
    word = unicodedata.normalize("NFKC", text).strip()
    if word not in DIFFICULTY:
        raise RowError(f"难度「{text}」无法识别（应为 易、中、难 或 1、2、3）")
    return DIFFICULTY[word]


def _points(text: str) -> int | float:
    if not text:
        return DEFAULT_POINTS
    match = _POINTS.fullmatch(unicodedata.normalize("NFKC", text).strip())
    value = float(match.group(1)) if match else 0.0
    if not 0 < value <= 100:
        raise RowError(f"分值「{text}」应为 0 到 100 之间的数字")
    return int(value) if value.is_integer() else value
