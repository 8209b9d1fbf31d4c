"""Excel 题库 import/export, Moodle XML and GIFT export (src/cadrekit/bank/interchange/)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook, load_workbook

from cadrekit.bank.check import NEEDS_SOURCE, check_paths
from cadrekit.bank.interchange import Bank, load_banks
from cadrekit.bank.interchange.citation import format_citation, parse_citation
from cadrekit.bank.interchange.gift import escape, gift
from cadrekit.bank.interchange.moodle import moodle_xml
from cadrekit.bank.interchange.rows import RowError, item_from_row
from cadrekit.bank.interchange.workbook import Row
from cadrekit.bank.interchange.xlsx import export_workbook, import_workbook, write_bank
from cadrekit.bank.model import Item, Source
from cadrekit.bank.sources import SourceRegister
from cadrekit.bank.stats import bank_stats

from .conftest import FIXTURES, KIT

QUIZZES = KIT / "quizzes"
REGISTER = SourceRegister.load(QUIZZES / "sources")
CLI = [sys.executable, "-m", "cadrekit.cli"]

ARTICLE_11 = "党支部党员大会是党支部的议事决策机构，由全体党员参加，一般每季度召开1次。"


# --- the realistic workbook -------------------------------------------------------------------

def realistic_workbook(path: Path) -> Path:
    """A 题库 as instructors receive them: a notes sheet, title rows, merged cells, trailing spaces,
    full-width letters, 对/√ mixed, loose citations, and a few rows that cannot be understood."""
    book = Workbook()
    notes = book.active
    notes.title = "说明"
    notes["A1"] = "2024年党务知识题库（内部使用，请勿外传）"

    single = book.create_sheet("一、单选题")
    single["A1"] = "单项选择题（每题1分）"
    single.merge_cells("A1:I1")
    single.append(["序号", "题目", "A", "B", "C", "D", "答案", "解析", "依据"])
    single.append([1, "党支部党员大会一般多长时间召开1次？  ", "每月", "每季度 ", "每半年", "每年", "Ｂ",
                   "党员大会一般每季度召开1次。", f"《中国共产党支部工作条例(试行)》第11条：“{ARTICLE_11}”"])
    single.append([2, "党支部党员大会由谁参加？", "A．全体党员", "B．支部委员", "C．正式党员", "D．党小组长", " a",
                   None, None])
    single.merge_cells("I3:I4")  # one citation shared by both questions
    single.append([3, "党支部委员会会议一般多长时间召开1次？", "每周", "每月", "每季度", "每年", "E", None, None])
    single.append([])
    single.append([4, "党员发展工作应当遵循什么方针？", "控制总量", "优化结构", "提高质量", "以上都是", "D", None,
                   "党内有关规定"])

    multiple = book.create_sheet("二、多选题")
    multiple.append(["题号", "题干", "选项A", "选项B", "选项C", "选项D", "正确答案", "知识点", "分值", "难度"])
    multiple.append(["", "党支部党员大会的职权包括：", "听取和审查党支部委员会的工作报告",
                     "选举出席上级党代表大会的代表", "审批党员的组织处分", "讨论和表决接收预备党员", "A、B、D",
                     "党员大会-职权", "2分", "中"])
    multiple.append(["", "下列会议一般每月召开1次的有：", "支部委员会会议", "党小组会", "党员大会", "党课", "ａｂ ",
                     None, 2, "易"])
    multiple.append(["", "党员大会一般每季度召开1次。下列说法正确的是：", "对", "错", None, None, "A",
                     None, None, None])

    truefalse = book.create_sheet("判断题")
    truefalse.append(["题号", "题干", "答案", "依据"])
    for stem, answer in [("党支部党员大会一般每季度召开1次。", "√"), ("党支部委员会会议一般每季度召开1次。", "错"),
                         ("党员大会是党支部的议事决策机构。", "对 "), ("党小组会必须每周召开。", "×"),
                         ("支部委员会会议须有半数以上委员到会方可进行。", "正确"), ("党课由书记一人讲授。", "不确定")]:
        truefalse.append(["", stem, answer, "支部工作条例第十二条第二款"])

    fill = book.create_sheet("填空题")
    fill.append(["题号", "题干", "答案", "解析", "依据", "难度"])
    fill.append(["", "党支部党员大会一般每（  ）召开（ ）次。", "季度；1／一", "见第十一条。",
                 f"支部工作条例第十一条：{ARTICLE_11}", "难"])
    fill.append(["", "党支部委员会会议一般每__召开1次。", "月", None, None, None])
    fill.append(["", "党支部委员会会议须有（ ）以上委员到会方可进行。", "半数|一半", None, None, "很难"])
    fill.append(["", "党支部党员大会一般每（ ）召开（ ）次。", "季度", None, None, None])

    ordering = book.create_sheet("排序题")
    ordering.append(["题号", "题干", "选项A", "选项B", "选项C", "答案"])
    ordering.append(["", "按召开频次从高到低排列：", "党员大会", "支部委员会会议", "党小组会", "B→C→A"])
    ordering.append(["", "按召开频次从低到高排列：", "党员大会", "支部委员会会议", "党小组会", "AB"])

    matching = book.create_sheet("匹配题")
    matching.append(["题号", "题干", "左列1", "左列2", "选项A", "选项B", "选项C", "答案"])
    for answer in ("1-B；2-A", "1-B"):
        matching.append(["", "把会议与召开频次连起来：", "党员大会", "支部委员会会议", "每月", "每季度", "每年",
                         answer])
    book.save(path)
    return path


def imported(tmp_path: Path):
    return import_workbook(realistic_workbook(tmp_path / "题库.xlsx"), bank_id="dydh", topic="党员大会",
                           register=REGISTER)


def test_realistic_workbook_rows_that_cannot_be_understood_are_reported(tmp_path: Path):
    result = imported(tmp_path)
    assert [str(p) for p in result.problems] == [
        "工作表「一、单选题」第 5 行：答案「E」中的 E 不是选项（选项为 A、B、C、D）",
        "工作表「二、多选题」第 4 行：多选题至少要有两个正确选项，现为「A」；只有一个正确选项请放到单选题",
        "工作表「判断题」第 7 行：判断题答案「不确定」无法识别（应为 对/错、√/×、正确/错误）",
        "工作表「填空题」第 4 行：难度「很难」无法识别（应为 易、中、难 或 1、2、3）",
        "工作表「填空题」第 5 行：题干有 2 个空，答案「季度」分不出 2 项（各空答案请用“；”分隔）",
        "工作表「排序题」第 3 行：排序题答案必须把每个选项（A、B、C）各排一次，现为「AB」",
        "工作表「匹配题」第 3 行：匹配题答案「1-B」必须为每个左列项（1、2）各给一个匹配",
    ]
    assert [str(n) for n in result.notices] == [
        "工作表「说明」：没有“题干”列，不是题目表，已跳过",
        "工作表「一、单选题」第 7 行：依据「党内有关规定」中找不到法规名称和条号，已按缺少依据导入",
    ]
    assert result.invalid == []
    assert result.writable


def test_realistic_workbook_imports_exactly(tmp_path: Path):
    items = {item["id"]: item for item in imported(tmp_path).items}
    tags = {"topic": "党员大会", "rule": "党员大会-未分类"}
    assert list(items) == [f"dydh-{n:03d}" for n in range(1, 15)]
    assert items["dydh-001"] == {
        "id": "dydh-001", "type": "single", "stem": "党支部党员大会一般多长时间召开1次？",
        "options": {"A": "每月", "B": "每季度", "C": "每半年", "D": "每年"}, "answer": "B",
        "explanation": "党员大会一般每季度召开1次。", "tags": tags, "difficulty": 2, "points": 1,
        "source": {"regulation": "支部工作条例", "article": "第十一条", "text": ARTICLE_11},
    }
    # merged 依据 cell: the second question gets the same citation; "A．" prefixes and " a" are tidied
    assert items["dydh-002"] == {
        "id": "dydh-002", "type": "single", "stem": "党支部党员大会由谁参加？",
        "options": {"A": "全体党员", "B": "支部委员", "C": "正式党员", "D": "党小组长"}, "answer": "A",
        "explanation": "正确答案：全体党员。依据《支部工作条例》第十一条。", "tags": tags, "difficulty": 2,
        "points": 1, "source": {"regulation": "支部工作条例", "article": "第十一条", "text": ARTICLE_11},
    }
    assert items["dydh-003"] == {
        "id": "dydh-003", "type": "single", "stem": "党员发展工作应当遵循什么方针？",
        "options": {"A": "控制总量", "B": "优化结构", "C": "提高质量", "D": "以上都是"}, "answer": "D",
        "explanation": "正确答案：以上都是。", "tags": tags, "difficulty": 2, "points": 1, "needs_source": True,
    }
    assert items["dydh-004"] == {
        "id": "dydh-004", "type": "multiple", "stem": "党支部党员大会的职权包括：",
        "options": {"A": "听取和审查党支部委员会的工作报告", "B": "选举出席上级党代表大会的代表",
                    "C": "审批党员的组织处分", "D": "讨论和表决接收预备党员"},
        "answer": ["A", "B", "D"],
        "explanation": ("正确答案：听取和审查党支部委员会的工作报告；选举出席上级党代表大会的代表；"
                        "讨论和表决接收预备党员。"),
        "tags": {"topic": "党员大会", "rule": "党员大会-职权"}, "difficulty": 2, "points": 2, "needs_source": True,
    }
    assert items["dydh-005"]["answer"] == ["A", "B"]
    assert (items["dydh-005"]["difficulty"], items["dydh-005"]["points"]) == (1, 2)
    assert [items[f"dydh-{n:03d}"]["answer"] for n in range(6, 11)] == [True, False, True, False, True]
    assert items["dydh-006"]["source"] == {"regulation": "支部工作条例", "article": "第十二条第二款"}
    assert items["dydh-006"]["needs_source"] is True
    assert items["dydh-011"] == {
        "id": "dydh-011", "type": "fill", "stem": "党支部党员大会一般每___召开___次。",
        "answer": ["季度", ["1", "一"]], "explanation": "见第十一条。", "tags": tags, "difficulty": 3, "points": 1,
        "source": {"regulation": "支部工作条例", "article": "第十一条", "text": ARTICLE_11},
    }
    assert (items["dydh-012"]["stem"], items["dydh-012"]["answer"]) == ("党支部委员会会议一般每___召开1次。", ["月"])
    assert items["dydh-013"]["answer"] == ["B", "C", "A"]
    assert (items["dydh-014"]["prompts"], items["dydh-014"]["answer"]) == (
        {"1": "党员大会", "2": "支部委员会会议"}, {"1": "B", "2": "A"})


def test_imported_bank_is_written_and_check_lists_what_lacks_a_source(tmp_path: Path):
    quizzes = tmp_path / "quizzes"
    shutil.copytree(QUIZZES / "sources", quizzes / "sources")
    workbook = realistic_workbook(tmp_path / "题库.xlsx")
    run = subprocess.run([*CLI, "bank", "import", str(workbook), "--topic", "党员大会", "--bank", "dydh",
                          "--out", str(quizzes / "dydh.yaml")], capture_output=True, text=True, cwd=KIT)
    assert run.returncode == 1, run.stderr  # written, but some rows were not imported
    assert "题库.xlsx：工作表「一、单选题」第 5 行：答案「E」中的 E 不是选项" in run.stderr
    assert f"已写入 {quizzes / 'dydh.yaml'}：14 题。" in run.stderr
    problems = check_paths([quizzes])
    unsourced = {"dydh-003", "dydh-004", "dydh-005", *(f"dydh-{n:03d}" for n in range(6, 11)), "dydh-012",
                 "dydh-013", "dydh-014"}
    assert {p.item_id for p in problems} == unsourced
    assert {p.message for p in problems if p.item_id == "dydh-003"} == {NEEDS_SOURCE}
    assert {p.message for p in problems if p.item_id == "dydh-006"} == {
        "依据缺原文（导入时只有《支部工作条例》第十二条第二款），请补充 text（逐字摘引登记的条文）并删除 needs_source"}
    assert bank_stats([quizzes / "dydh.yaml"])["full_source"] == 3


def test_imported_bank_round_trips_through_excel_while_citations_are_missing(tmp_path: Path):
    """The instructor's loop: import, export to Excel, add the 依据, import again."""
    first = imported(tmp_path)
    quizzes = tmp_path / "quizzes"
    shutil.copytree(QUIZZES / "sources", quizzes / "sources")
    write_bank(first.bank, quizzes / "dydh.yaml")
    export_workbook(load_banks([quizzes / "dydh.yaml"])[0].items, tmp_path / "again.xlsx")
    again = import_workbook(tmp_path / "again.xlsx", bank_id="dydh", topic="党员大会", register=REGISTER)
    assert again.problems == []
    assert sorted(again.items, key=lambda i: i["id"]) == first.items


def test_needs_source_item_with_completed_source_asks_to_drop_the_marker(sample_bank: Path):
    text = sample_bank.read_text(encoding="utf-8")
    sample_bank.write_text(text.replace("    points: 2\n    source: {regulation: 示例条例, article: 第一条, text: "
                                        "党员大会一般每季度召开1次}\n  - id: s-multi",
                                        "    points: 2\n    needs_source: true\n    source: {regulation: 示例条例, "
                                        "article: 第一条, text: 党员大会一般每季度召开1次}\n  - id: s-multi", 1),
                           encoding="utf-8")
    assert [p.message for p in check_paths([sample_bank])] == ["依据已补全，请删除 needs_source: true"]


def test_nothing_is_written_when_no_row_can_be_imported(tmp_path: Path):
    book = Workbook()
    book.active.title = "单选题"
    book.active.append(["题号", "题干", "选项A", "选项B", "答案"])
    book.active.append([1, "党员大会多久召开一次？", "每月", "每季度", "C"])
    book.save(tmp_path / "bad.xlsx")
    out = tmp_path / "quizzes" / "bad.yaml"
    run = subprocess.run([*CLI, "bank", "import", str(tmp_path / "bad.xlsx"), "--topic", "党员大会", "--bank", "bad",
                          "--out", str(out)], capture_output=True, text=True, cwd=KIT)
    assert run.returncode == 1
    assert "工作表「单选题」第 2 行：答案「C」中的 C 不是选项（选项为 A、B）" in run.stderr
    assert "没有写入任何文件" in run.stderr
    assert not out.exists()


def test_one_sheet_with_a_type_column_and_merged_type_cells(tmp_path: Path):
    book = Workbook()
    sheet = book.active
    sheet.title = "题库"
    sheet.append(["题型", "题干", "选项A", "选项B", "选项C", "答案", "依据"])
    sheet.append(["单选题", "党员大会一般每季度召开几次？", "1次", "2次", "3次", "A",
                  "示例条例第一条：党员大会一般每季度召开1次"])
    sheet.append([None, "支委会一般每月召开几次？", "1次", "2次", "3次", "A", None])
    sheet.merge_cells("A2:A3")
    sheet.append(["判断", "表决须半数以上有表决权的党员到会。", None, None, None, "√", None])
    sheet.append(["简答题", "谈谈你对三会一课的认识。", None, None, None, "略", None])
    book.save(tmp_path / "one-sheet.xlsx")
    register = SourceRegister.load(FIXTURES / "bank" / "sources")
    result = import_workbook(tmp_path / "one-sheet.xlsx", bank_id="mixed", topic="综合", register=register)
    assert [(i["id"], i["type"], i["answer"]) for i in result.items] == [
        ("mixed-001", "single", "A"), ("mixed-002", "single", "A"), ("mixed-003", "truefalse", True)]
    assert result.items[0]["source"] == {"regulation": "示例条例", "article": "第一条",
                                         "text": "党员大会一般每季度召开1次"}
    assert [str(p) for p in result.problems] == [
        "工作表「题库」第 5 行：题型「简答题」无法识别（应为 单选、多选、判断、填空、排序、匹配 之一）"]


def test_options_written_in_one_cell(tmp_path: Path):
    book = Workbook()
    book.active.title = "单选题"
    book.active.append(["题干", "选项", "答案"])
    book.active.append(["党费按什么计算？", "A．工资收入（税后）  B．A类和B类收入\nC.全年收入", "A"])
    book.save(tmp_path / "one-cell.xlsx")
    result = import_workbook(tmp_path / "one-cell.xlsx", bank_id="dangfei", topic="党费", register=REGISTER)
    assert result.items[0]["options"] == {"A": "工资收入（税后）", "B": "A类和B类收入", "C": "全年收入"}


def test_cli_refuses_old_xls_files_with_a_hint(tmp_path: Path):
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0 not really")
    run = subprocess.run([*CLI, "bank", "import", str(tmp_path / "old.xls"), "--topic", "党费", "--bank", "old",
                          "--out", str(tmp_path / "old.yaml")], capture_output=True, text=True, cwd=KIT)
    assert run.returncode == 2
    assert "另存为 .xlsx" in run.stderr
    assert not (tmp_path / "old.yaml").exists()


def row(kind: str, answer: str, stem: str = "题干", options: dict | None = None, prompts: dict | None = None) -> Row:
    return Row(sheet="表", number=2, kind=kind, type_label="", cells={"stem": stem, "answer": answer},
               options=options or {}, prompts=prompts or {})


ABC = {"A": "甲", "B": "乙", "C": "丙"}


@pytest.mark.parametrize(("written", "expected"), [
    (row("single", "ｃ", options=ABC), "C"),
    (row("multiple", "Ａ，Ｃ", options=ABC), ["A", "C"]),
    (row("multiple", "C A", options=ABC), ["C", "A"]),
    (row("ordering", "C-A-B", options=ABC), ["C", "A", "B"]),
    (row("truefalse", "✓"), True),
    (row("truefalse", "x"), False),
    (row("truefalse", "B", options={"A": "正确", "B": "错误"}), False),
    (row("fill", "季度、1", stem="每（　）召开（）次"), ["季度", "1"]),
    (row("fill", "20%／1/5", stem="不少于____"), [["20%", "1/5"]]),
    (row("fill", "基本工资、岗位工资", stem="包括___"), ["基本工资、岗位工资"]),
    (row("matching", "1→C 2→A", options=ABC, prompts={"1": "x", "2": "y"}), {"1": "C", "2": "A"}),
    (row("matching", "CA", options=ABC, prompts={"1": "x", "2": "y"}), {"1": "C", "2": "A"}),
], ids=lambda v: f"{v.kind}:{v.cells['answer']}" if isinstance(v, Row) else None)
def test_answer_forms(written: Row, expected):
    assert item_from_row(written, "主题", REGISTER)["answer"] == expected


@pytest.mark.parametrize(("written", "reason"), [
    (row("single", "AB", options=ABC), "单选题只能有一个答案，现为「AB」"),
    (row("multiple", "AA", options=ABC), "答案「AA」中有重复的选项"),
    (row("single", "", options=ABC), "答案为空"),
    (row("single", "A", stem="", options=ABC), "题干为空"),
    (row("single", "A", options={"A": "甲"}), "单选题至少要有两个选项（选项A、选项B…列）"),
    (row("fill", "季度", stem="没有空"), "填空题题干中没有空（请用 ___ 或（ ）标出每个空）"),
    (row("matching", "1-D；2-A", options=ABC, prompts={"1": "x", "2": "y"}),
     "匹配题答案「1-D；2-A」中的 D 不是右列选项（A、B、C）"),
    (row("matching", "1-A", options=ABC, prompts={"1": "x"}), "匹配题至少要有两个左列项（左列1、左列2…列）"),
    (Row(sheet="表", number=2, kind=None, type_label="", cells={"stem": "x", "answer": "A"}), "没有填写题型"),
])
def test_rows_that_cannot_be_understood(written: Row, reason: str):
    with pytest.raises(RowError) as caught:
        item_from_row(written, "主题", REGISTER)
    assert str(caught.value) == reason


@pytest.mark.parametrize(("cell", "source"), [
    ("《中国共产党支部工作条例（试行）》第十一条",
     {"regulation": "中国共产党支部工作条例（试行）", "article": "第十一条"}),
    ("依据：支部工作条例第十二条第二款规定：“党支部委员会会议一般每月召开1次”",
     {"regulation": "支部工作条例", "article": "第十二条第二款", "text": "党支部委员会会议一般每月召开1次"}),
    ("《党章》第32条第(3)项", {"regulation": "党章", "article": "第三十二条第（三）项"}),
    ("党员教育管理条例第一百零五条", {"regulation": "党员教育管理条例", "article": "第一百零五条"}),
    ("《支部工作条例》第十一条：“三会一课”应当突出政治学习和教育",
     {"regulation": "支部工作条例", "article": "第十一条", "text": "“三会一课”应当突出政治学习和教育"}),
    ("有关规定", None),
    ("第十一条", None),
])
def test_citation_cells(cell, source):
    assert parse_citation(cell, REGISTER) == source


def test_citation_cell_round_trips():
    source = Source("支部工作条例", "第十一条", ARTICLE_11)
    assert parse_citation(format_citation(source), REGISTER) == {
        "regulation": "支部工作条例", "article": "第十一条", "text": ARTICLE_11}


# --- round trips through Excel ----------------------------------------------------------------

SHIPPED = load_banks([QUIZZES])


def test_every_item_type_is_shipped():
    assert {item.type for bank in SHIPPED for item in bank.items} == {
        "single", "multiple", "truefalse", "fill", "ordering", "matching"}


@pytest.mark.parametrize("bank", [*SHIPPED, *load_banks([FIXTURES / "bank"])], ids=lambda b: b.bank)
def test_every_bank_round_trips_through_excel(tmp_path: Path, bank: Bank):
    export_workbook(bank.items, tmp_path / "bank.xlsx")
    result = import_workbook(tmp_path / "bank.xlsx", bank_id=bank.bank, topic="（未用）", register=REGISTER)
    assert (result.problems, result.invalid) == ([], [])
    assert [Item.from_dict(entry) for entry in result.items] == sorted(
        bank.items, key=lambda i: ["single", "multiple", "truefalse", "fill", "ordering", "matching"].index(i.type))


def test_exported_workbook_layout(tmp_path: Path):
    sample = load_banks([FIXTURES / "bank"])[0]
    export_workbook(sample.items, tmp_path / "sample.xlsx")
    book = load_workbook(tmp_path / "sample.xlsx")
    assert book.sheetnames == ["单选题", "多选题", "判断题", "填空题", "排序题", "匹配题"]
    rows = list(book["匹配题"].iter_rows(values_only=True))
    assert rows[0] == ("题号", "题干", "左列1", "左列2", "选项A", "选项B", "选项C",
                       "答案", "解析", "依据", "知识点", "主题", "难度", "分值")
    assert rows[1][7] == "1-B；2-A"
    fill = list(book["填空题"].iter_rows(values_only=True))[1]
    assert fill[2:4] == ("季度；1／一", "党员大会一般每季度召开1次。")
    assert list(book["判断题"].iter_rows(values_only=True))[1][2] == "错误"


def test_text_starting_with_equals_stays_text(tmp_path: Path):
    item = Item(id="eq-1", type="truefalse", stem="=SUM(A1) 不是公式", points=1, answer=True, explanation="x",
                source=Source("示例条例", "第一条", "党员大会"), topic="t", rule="r", difficulty=1)
    export_workbook([item], tmp_path / "eq.xlsx")
    result = import_workbook(tmp_path / "eq.xlsx", bank_id="eq", topic="t", register=REGISTER)
    assert Item.from_dict(result.items[0]) == item


# --- GIFT -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "escaped"), [
    ("普通文字", "普通文字"),
    ("a~b=c#d{e}f:g", r"a\~b\=c\#d\{e\}f\:g"),
    ("反斜杠\\后面", "反斜杠\\\\后面"),
    ("第一行\n第二行", r"第一行\n第二行"),
    ("全角：～＝＃｛｝不转义", "全角：～＝＃｛｝不转义"),
])
def test_gift_escaping(text, escaped):
    assert escape(text) == escaped


def gift_answer_block(question: str) -> str:
    """What Moodle's GIFT reader treats as the answers: from the first unescaped { to the first unescaped }."""
    unescaped = re.sub(r"\\.", "__", question)
    return question[unescaped.index("{") + 1:unescaped.index("}")]


def test_gift_export_of_every_supported_type():
    sample = load_banks([FIXTURES / "bank"])[0]
    text, skipped = gift([sample])
    blocks = text.strip().split("\n\n")
    assert blocks[:2] == ["// cadrekit 题库导出（GIFT，UTF-8）", "$CATEGORY: $course$/top/cadrekit/示例题库"]
    questions = {b.split("::")[1]: b for b in blocks[2:]}
    assert skipped == {"s-order": "GIFT 没有排序题（请用 Moodle XML 导出）",
                       "s-fill": "GIFT 的填空题只能有一个空（多空填空题请用 Moodle XML 导出，为完形填空题）"}
    assert questions["s-single"] == (
        "::s-single::党员大会一般多长时间召开1次？{\n\t~每月\n\t=每季度\n\t~每年\n"
        "\t####党员大会一般每季度召开1次。\\n依据：《示例条例》第一条：“党员大会一般每季度召开1次”\n}")
    assert gift_answer_block(questions["s-multi"]).split("\n\t")[1:5] == [
        "~%33.33333%党员大会一般每季度召开1次", "~%33.33333%支委会一般每月召开1次", "~%-100%支委会一般每年召开1次",
        "~%33.33333%表决须半数以上有表决权的党员到会"]
    assert gift_answer_block(questions["s-tf"]).split("\n\t")[1] == "F"
    assert gift_answer_block(questions["s-match"]).split("\n\t")[1:4] == [
        "=党员大会 -> 每季度", "=支委会 -> 每月", "= -> 每半年"]
    # every question has exactly one answer block once escapes are taken into account
    for question in questions.values():
        assert re.sub(r"\\.", "", question).count("{") == 1 == re.sub(r"\\.", "", question).count("}")


def test_gift_single_blank_fill_and_special_characters():
    item = Item(id="g-1", type="fill", stem="比例为___：{重要}", points=1, answer=[["1:3", "一比三", "1*3"]],
                explanation="见 #1 条", source=None, topic="t", rule="r", difficulty=1)
    text, skipped = gift([Bank("g", "测试", [item])])
    assert skipped == {}
    assert text.strip().split("\n\n")[2] == (
        "::g-1::比例为___：\\{重要\\}{\n\t=1\\:3\n\t=一比三\n\t=1\\\\*3\n\t####见 \\#1 条\n}")


def test_gift_counts_for_shipped_banks():
    text, skipped = gift(SHIPPED)
    items = [item for bank in SHIPPED for item in bank.items]
    multi_blank = [i.id for i in items if i.type == "fill" and len(i.answer) > 1]
    ordering = [i.id for i in items if i.type == "ordering"]
    assert sorted(skipped) == sorted(multi_blank + ordering)
    assert text.count("\n::") == len(items) - len(skipped)


# --- Moodle XML -------------------------------------------------------------------------------

def parsed_moodle(banks: list[Bank]) -> ET.Element:
    text = moodle_xml(banks)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>')
    return ET.fromstring(text.encode("utf-8"))


def questions_by_name(quiz: ET.Element) -> dict[str, ET.Element]:
    return {q.findtext("name/text"): q for q in quiz.findall("question") if q.get("type") != "category"}


def fractions(question: ET.Element) -> list[tuple[str, str]]:
    return [(a.findtext("text"), a.get("fraction")) for a in question.findall("answer")]


def test_moodle_xml_structure_for_every_type():
    quiz = parsed_moodle(load_banks([FIXTURES / "bank"]))
    assert quiz.tag == "quiz"
    assert quiz.find("question").get("type") == "category"
    assert quiz.findtext("question/category/text") == "$course$/top/cadrekit/示例题库"
    questions = questions_by_name(quiz)
    assert {name: q.get("type") for name, q in questions.items()} == {
        "s-single": "multichoice", "s-multi": "multichoice", "s-tf": "truefalse", "s-fill": "cloze",
        "s-order": "ordering", "s-match": "matching"}
    for question in questions.values():
        assert question.find("questiontext").get("format") == "html"
        assert question.findtext("idnumber") == question.findtext("name/text")
        assert "依据：《示例条例" in question.findtext("generalfeedback/text")

    single, multi = questions["s-single"], questions["s-multi"]
    assert (single.findtext("single"), single.findtext("shuffleanswers")) == ("true", "true")
    assert fractions(single) == [("每月", "0"), ("每季度", "100"), ("每年", "0")]
    assert single.findtext("defaultgrade") == "2"
    assert multi.findtext("single") == "false"
    assert [f for _, f in fractions(multi)] == ["33.33333", "33.33333", "-100", "33.33333"]

    assert fractions(questions["s-tf"]) == [("true", "0"), ("false", "100")]
    assert questions["s-fill"].findtext("questiontext/text") == (
        "党员大会一般每{1:SHORTANSWER:=季度}召开{1:SHORTANSWER:=1~=一}次。")
    order = questions["s-order"]
    assert [order.findtext(k) for k in ("layouttype", "selecttype", "selectcount", "gradingtype")] == [
        "VERTICAL", "ALL", "3", "RELATIVE_NEXT_EXCLUDE_LAST"]
    assert [a.findtext("text") for a in order.findall("answer")] == [
        "支委会（每月）", "党员大会（每季度）", "年度组织生活会（每年）"]
    match = questions["s-match"]
    assert [(s.findtext("text"), s.findtext("answer/text")) for s in match.findall("subquestion")] == [
        ("党员大会", "每季度"), ("支委会", "每月"), ("", "每半年")]
    assert [t.text for t in questions["s-single"].findall("tags/tag/text")] == ["党员大会", "党员大会-频次"]


def test_moodle_xml_single_blank_is_shortanswer_and_text_is_escaped():
    item = Item(id="m-1", type="fill", stem="<b>不是标签</b> & ___\n第二行", points=1, answer=[["A&B", "1/5", "2*3"]],
                explanation="解析", source=None, topic="t", rule="r", difficulty=1)
    cloze = Item(id="m-2", type="fill", stem="___ 和 ___", points=2, answer=[["1/5", "a}b"], ["#~\"*"]],
                 explanation="解析", source=None, topic="t", rule="r", difficulty=1)
    questions = questions_by_name(parsed_moodle([Bank("m", "a/b", [item, cloze])]))
    short = questions["m-1"]
    assert short.get("type") == "shortanswer"
    assert short.findtext("questiontext/text") == "&lt;b&gt;不是标签&lt;/b&gt; &amp; ___<br>第二行"
    assert fractions(short) == [("A&B", "100"), ("1/5", "100"), ("2\\*3", "100")]  # * is a wildcard in Moodle
    assert short.findtext("usecase") == "0"
    assert short.findtext("generalfeedback/text") == "解析"
    assert questions["m-2"].findtext("questiontext/text") == (
        '{1:SHORTANSWER:=1\\/5~=a\\}b} 和 {1:SHORTANSWER:=\\#\\~\\"\\\\*}')


def test_moodle_xml_of_all_shipped_banks_is_well_formed_and_complete():
    quiz = parsed_moodle(SHIPPED)
    assert len(quiz.findall("question[@type='category']")) == len(SHIPPED)
    questions = questions_by_name(quiz)
    assert len(questions) == sum(len(bank.items) for bank in SHIPPED)
    for question in questions.values():
        if question.get("type") == "multichoice" and question.findtext("single") == "false":
            positive = sum(float(f) for _, f in fractions(question) if float(f) > 0)
            assert positive == pytest.approx(100, abs=0.001)


def test_cli_export_writes_each_format(tmp_path: Path):
    for to, name in (("xlsx", "b.xlsx"), ("moodle-xml", "b.xml"), ("gift", "b.gift")):
        run = subprocess.run([*CLI, "bank", "export", str(FIXTURES / "bank" / "sample.yaml"), "--to", to,
                              "--out", str(tmp_path / name)], capture_output=True, text=True, cwd=KIT)
        assert run.returncode == 0, run.stderr
        assert (tmp_path / name).stat().st_size > 0
    assert "未导出 s-order：GIFT 没有排序题" in run.stderr


def test_imported_yaml_is_a_plain_bank_file(tmp_path: Path):
    quizzes = tmp_path / "quizzes"
    shutil.copytree(QUIZZES / "sources", quizzes / "sources")
    export_workbook(SHIPPED[0].items, tmp_path / "x.xlsx")
    run = subprocess.run([*CLI, "bank", "import", str(tmp_path / "x.xlsx"), "--topic", "党费", "--bank", "copy",
                          "--out", str(quizzes / "copy.yaml")], capture_output=True, text=True, cwd=KIT)
    assert run.returncode == 0, run.stderr
    assert yaml.safe_load((quizzes / "copy.yaml").read_text(encoding="utf-8"))["bank"] == "copy"
    assert check_paths([quizzes / "copy.yaml"]) == []
