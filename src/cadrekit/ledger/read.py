"""Read a meeting ledger (台账) and a branch register (名册) from Excel or CSV, and validate every row.

A bad row is reported with its row number (as numbered in Excel: the header is row 1) and the fix,
and left out; the good rows are still checked. Only a file that cannot be used at all (unreadable,
required columns missing, no usable row) raises ``LedgerError``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cadrekit.tables import read_sheet

MEETING_TYPES = ("党员大会", "支委会", "党小组会", "党课", "主题党日", "组织生活会", "民主评议")
TYPE_ALIASES = {
    "支部党员大会": "党员大会", "党支部党员大会": "党员大会", "支部大会": "党员大会",
    "支部委员会": "支委会", "支部委员会会议": "支委会", "党支部委员会会议": "支委会", "支委会会议": "支委会",
    "民主评议党员": "民主评议",
}
LEDGER_REQUIRED = ("支部", "日期", "类型", "应到", "实到")
LEDGER_OPTIONAL = ("主持人", "议题", "表决事项", "表决结果", "记录人")
REGISTER_FIELDS = ("支部", "党员人数", "正式党员", "支委人数", "党小组")
DATE_FIX = "请写成 2026-03-05 或 2026年3月5日"
VOTE_FIX = "请写成“赞成18 反对2 弃权1”（人数用阿拉伯数字；可在末尾注明“通过”或“未通过”）"

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]00:00(?::00)?)?$")
_TYPE_SEPARATORS = re.compile(r"[、，,/+＋;；\s]+")
_VOTE_COUNT = re.compile(r"(赞成|同意|反对|弃权)\s*(\d+)\s*[人票名]?")
_VOTE_VERDICT = re.compile(r"[（(]?(未通过|通过)[)）]?")
_VOTE_FILLER = re.compile(r"[\s,，、:：;；。]")
_LIST_SEPARATOR = re.compile(r"[;；]")


class LedgerError(Exception):
    """The input cannot be used at all; ``problems`` says why and how to fix it."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Problem:
    """One input problem: which file, which rows, what is wrong and the fix."""

    file: str
    rows: tuple[int, ...]
    message: str

    def __str__(self) -> str:
        where = f"第{'、'.join(str(r) for r in self.rows)}行" if self.rows else ""
        return f"{self.file}{where}：{self.message}"


@dataclass(frozen=True)
class Branch:
    name: str
    members: int
    full_members: int
    committee: int
    groups: int

    def field(self, label: str) -> int:
        """A register figure by its column name, as rules name it."""
        return {"党员人数": self.members, "正式党员": self.full_members,
                "支委人数": self.committee, "党小组": self.groups}[label]


@dataclass(frozen=True)
class Vote:
    matter: str
    yes: int
    no: int
    abstain: int
    declared_passed: bool | None  # what the ledger says; None when it does not say

    @property
    def voters(self) -> int:
        """Voting members present: every one of them is counted as 赞成, 反对 or 弃权."""
        return self.yes + self.no + self.abstain


@dataclass(frozen=True)
class Meeting:
    row: int
    branch: str
    date: date
    types: tuple[str, ...]
    expected: int | None
    present: int | None
    votes: tuple[Vote, ...] = ()


def read_table(path: Path, label: str):
    """The sheet as strings (header row 1); problems become a LedgerError naming the file."""
    try:
        return read_sheet(path)
    except (OSError, ValueError) as exc:
        raise LedgerError([Problem(label, (), f"无法读取 {path}：{exc}")]) from exc


def _require_columns(frame, required: tuple[str, ...], label: str) -> None:
    headers = [str(c).strip() for c in frame.columns]
    frame.columns = headers
    if missing := [c for c in required if c not in headers]:
        raise LedgerError([Problem(label, (1,), f"缺少必需的列 {'、'.join(missing)}；第1行（表头）应包含："
                                               f"{'、'.join(required)}")])


def _records(frame):
    """(Excel row number, {column: stripped text}) for every non-blank row."""
    for offset, values in enumerate(frame.itertuples(index=False)):
        record = {str(c): str(v).strip() for c, v in zip(frame.columns, values, strict=True)}
        if any(record.values()):
            yield offset + 2, record


def parse_count(text: str) -> int | None:
    """'31', '31.0' (from Excel) or '31人' -> 31; None when it is not a whole non-negative number."""
    match = re.fullmatch(r"(\d+)(?:\.0+)?\s*人?", text)
    return int(match.group(1)) if match else None


def parse_date(text: str) -> date | None:
    match = _DATE.match(text.strip())
    if not match:
        return None
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def parse_types(text: str) -> tuple[tuple[str, ...], list[str]]:
    """'党员大会、民主评议' -> ((党员大会, 民主评议), unknown names)."""
    names = [TYPE_ALIASES.get(n, n) for n in _TYPE_SEPARATORS.split(text) if n]
    unknown = [n for n in names if n not in MEETING_TYPES]
    return tuple(dict.fromkeys(n for n in names if n in MEETING_TYPES)), unknown


def parse_vote(matter: str, text: str) -> Vote | None:
    """'赞成18 反对2 弃权1（通过）' -> Vote; None when anything else is in the text or 赞成 is missing."""
    counts = {"赞成": 0, "反对": 0, "弃权": 0}
    seen = set()
    for word, number in _VOTE_COUNT.findall(text):
        word = "赞成" if word == "同意" else word
        if word in seen:
            return None
        seen.add(word)
        counts[word] = int(number)
    verdicts = _VOTE_VERDICT.findall(text)
    rest = _VOTE_FILLER.sub("", _VOTE_VERDICT.sub("", _VOTE_COUNT.sub("", text)))
    if "赞成" not in seen or rest or len(verdicts) > 1:
        return None
    declared = (verdicts[0] == "通过") if verdicts else None
    return Vote(matter, counts["赞成"], counts["反对"], counts["弃权"], declared)


def read_register(path: Path) -> tuple[dict[str, Branch], list[Problem]]:
    """Branches by name, and the problems of rows left out."""
    frame = read_table(path, "名册")
    _require_columns(frame, REGISTER_FIELDS, "名册")
    branches: dict[str, Branch] = {}
    first_row: dict[str, int] = {}
    problems = []
    for row, record in _records(frame):
        name = record["支部"]
        if not name:
            problems.append(Problem("名册", (row,), "支部名称为空；请填写支部名称或删除该行"))
            continue
        if name in first_row:
            problems.append(Problem("名册", (row,), f"支部“{name}”与第{first_row[name]}行重复；每个支部只写一行"))
            continue
        first_row[name] = row
        figures = {label: parse_count(record[label]) for label in REGISTER_FIELDS[1:]}
        if bad := [label for label, value in figures.items() if value is None]:
            problems.append(Problem("名册", (row,), f"支部“{name}”的{'、'.join(bad)}不是整数；"
                                                   "请填写人数或个数（没有的填 0）"))
            continue
        if figures["正式党员"] > figures["党员人数"]:
            problems.append(Problem("名册", (row,), f"支部“{name}”的正式党员（{figures['正式党员']}）多于党员人数"
                                                   f"（{figures['党员人数']}）；党员人数应包括正式党员和预备党员"))
            continue
        branches[name] = Branch(name, figures["党员人数"], figures["正式党员"], figures["支委人数"], figures["党小组"])
    if not branches:
        raise LedgerError([*problems, Problem("名册", (), "没有可用的支部行；请按表头填写至少一个支部")])
    return branches, problems


def read_ledger(path: Path, branches: dict[str, Branch]) -> tuple[list[Meeting], list[Problem]]:
    """Valid meetings, and the problems of rows left out (with their fixes)."""
    frame = read_table(path, "台账")
    _require_columns(frame, LEDGER_REQUIRED, "台账")
    meetings, problems = [], []
    unregistered: dict[str, list[int]] = {}
    for row, record in _records(frame):
        record = {key: record.get(key, "") for key in (*LEDGER_REQUIRED, *LEDGER_OPTIONAL)}
        branch = record["支部"]
        if branch and branch not in branches:
            unregistered.setdefault(branch, []).append(row)
            continue
        meeting, messages = _meeting(row, record)
        problems += [Problem("台账", (row,), m) for m in messages]
        if meeting is not None:
            meetings.append(meeting)
    for branch, rows in unregistered.items():
        problems.append(Problem("台账", tuple(rows), f"支部“{branch}”不在名册中；请在名册中补上该支部（"
                                                     f"{'、'.join(REGISTER_FIELDS)}），或把支部名称改成与名册一致"))
    if not meetings:
        raise LedgerError([*problems, Problem("台账", (), "没有可以检查的会议记录；请先改正上面列出的问题")])
    return meetings, problems


def _meeting(row: int, record: dict[str, str]) -> tuple[Meeting | None, list[str]]:
    """One ledger row as a Meeting, or None and every reason it cannot be used."""
    messages = []
    if not record["支部"]:
        messages.append("支部为空；请填写支部名称（与名册一致）")
    day = parse_date(record["日期"])
    if day is None:
        messages.append(f"日期“{record['日期']}”无法识别；{DATE_FIX}")
    types, unknown = parse_types(record["类型"])
    if unknown or not types:
        shown = "、".join(unknown) or "（空）"
        messages.append(f"会议类型“{shown}”无法识别；请填写{'、'.join(MEETING_TYPES)}之一，"
                        "一次会议兼有几种时用顿号分隔，如“党员大会、民主评议”")
    expected, present = _attendance(record, types, messages)
    votes = _votes(record, present, messages)
    if messages:
        return None, messages
    return Meeting(row, record["支部"], day, types, expected, present, votes), []


def _attendance(record: dict[str, str], types: tuple[str, ...], messages: list[str]) -> tuple[int | None, int | None]:
    counts = {}
    for label in ("应到", "实到"):
        text = record[label]
        counts[label] = parse_count(text) if text else None
        if text and counts[label] is None:
            messages.append(f"{label}“{text}”不是人数；请填写整数，如 28")
    if "支委会" in types and not record["实到"]:
        messages.append("支委会没有填写实到人数；请填写到会委员人数（《支部工作条例》第十二条要求半数以上委员到会）")
    if counts["应到"] is not None and counts["实到"] is not None and counts["实到"] > counts["应到"]:
        messages.append(f"实到（{counts['实到']}）多于应到（{counts['应到']}）；请核对人数")
    return counts["应到"], counts["实到"]


def _votes(record: dict[str, str], present: int | None, messages: list[str]) -> tuple[Vote, ...]:
    matters = [m.strip() for m in _LIST_SEPARATOR.split(record["表决事项"]) if m.strip()]
    results = [r.strip() for r in _LIST_SEPARATOR.split(record["表决结果"]) if r.strip()]
    if len(matters) != len(results):
        messages.append(f"表决事项有 {len(matters)} 项，表决结果有 {len(results)} 项；每个表决事项写一个结果，"
                        "多项时都用分号分隔，顺序一一对应")
        return ()
    votes = []
    for matter, text in zip(matters, results, strict=True):
        vote = parse_vote(matter, text)
        if vote is None:
            messages.append(f"表决结果“{text}”无法识别；{VOTE_FIX}")
        elif present is not None and vote.voters > present:
            messages.append(f"表决“{matter}”的赞成、反对、弃权合计 {vote.voters} 人，多于实到 {present} 人；请核对")
        else:
            votes.append(vote)
    return tuple(votes)
