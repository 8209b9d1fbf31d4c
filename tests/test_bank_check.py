"""`cadrekit bank check` and `bank stats` on good and broken banks; each broken case names its fix."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cadrekit.bank.check import check_paths
from cadrekit.bank.stats import bank_stats

from .conftest import KIT, SAMPLE_BANK

CLI = [sys.executable, "-m", "cadrekit.cli"]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=KIT)


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_sample_bank_is_clean():
    assert check_paths([SAMPLE_BANK.parent]) == []


def test_cli_exit_codes(sample_bank: Path):
    assert run_cli("bank", "check", str(sample_bank)).returncode == 0
    sample_bank.write_text(sample_bank.read_text(encoding="utf-8").replace("answer: B", "answer: Z"),
                           encoding="utf-8")
    result = run_cli("bank", "check", str(sample_bank))
    assert result.returncode == 1
    text = sample_bank.read_text(encoding="utf-8")
    assert result.stdout.strip() == (
        f"{sample_bank}:{line_of(text, 'answer: Z')}: [s-single] 答案 Z 不在选项 ['A', 'B', 'C'] 中")


# (what is broken, old text, new text, expected message fragment, item id, line anchor in new text)
BROKEN = [
    ("answer not among options", "answer: B", "answer: Z", "答案 Z 不在选项", "s-single", "answer: Z"),
    ("multiple answer outside options", "answer: [A, B, D]", "answer: [A, E]", "答案 ['E'] 不在选项",
     "s-multi", "answer: [A, E]"),
    ("unknown type", "type: truefalse", "type: yesno", "未知题型 'yesno'", "s-tf", "type: yesno"),
    ("missing source", "    source: {regulation: 示例条例, article: 第一条, text: 党员大会一般每季度召开1次}\n  - id: s-multi",
     "  - id: s-multi", "缺少字段 source（依据：请填写 regulation、article、text）", "s-single", "- id: s-single"),
    ("empty explanation", "explanation: 党员大会一般每季度召开1次。\n    tags: {topic: 党员大会, rule: 党员大会-频次}\n    difficulty: 1\n    points: 2\n    source: {regulation: 示例条例, article: 第一条, text: 党员大会一般每季度召开1次}\n  - id: s-multi",
     "explanation: ''\n    tags: {topic: 党员大会, rule: 党员大会-频次}\n    difficulty: 1\n    points: 2\n    source: {regulation: 示例条例, article: 第一条, text: 党员大会一般每季度召开1次}\n  - id: s-multi",
     "字段 explanation 不能为空", "s-single", "explanation: ''"),
    ("ordering answer not a permutation", "answer: [A, B, C]", "answer: [A, B, B]",
     "排序题答案必须恰好把每个选项各排一次", "s-order", "answer: [A, B, B]"),
    ("matching misses a prompt", "answer: {1: B, 2: A}", "answer: {1: B, 3: A}",
     "匹配题答案必须为每个左列项", "s-match", "answer: {1: B, 3: A}"),
    ("matching to an unknown option", "answer: {1: B, 2: A}", "answer: {1: B, 2: Q}",
     "匹配题答案 ['Q'] 不在右列选项", "s-match", "answer: {1: B, 2: Q}"),
    ("fill blanks and answers disagree", "stem: 党员大会一般每___召开___次。", "stem: 党员大会一般每___召开1次。",
     "题干中有 1 个空（___），答案却有 2 项", "s-fill", "answer: [季度"),
    ("duplicate id", "id: s-multi", "id: s-single", "题目编号重复（另见", "s-single", "id: s-single\n    type: multiple"),
    ("source wording not in the article", "text: 党员大会一般每季度召开1次}\n  - id: s-multi",
     "text: 党员大会一般每月召开1次}\n  - id: s-multi", "依据原文与《示例条例》第一条 登记的条文不一致", "s-single",
     "source: {regulation: 示例条例, article: 第一条, text: 党员大会一般每月"),
    ("unverified article", "article: 第一条, text: 党员大会一般每季度召开1次}\n  - id: s-multi",
     "article: 第三条, text: 党课每季度1次}\n  - id: s-multi", "原文状态为 UNVERIFIED，未核实的条文不能出题",
     "s-single", "article: 第三条"),
    ("unregistered article", "article: 第一条, text: 党员大会一般每季度召开1次}\n  - id: s-multi",
     "article: 第九条, text: 党员大会一般每季度召开1次}\n  - id: s-multi", "第九条 未在 sample.yaml 中登记",
     "s-single", "article: 第九条"),
    ("unknown regulation", "regulation: 示例条例, article: 第一条, text: 党员大会一般每季度召开1次}\n  - id: s-multi",
     "regulation: 某某办法, article: 第一条, text: 党员大会一般每季度召开1次}\n  - id: s-multi",
     "依据中的法规《某某办法》不在 sources/ 登记的法规中", "s-single", "regulation: 某某办法"),
    ("misspelt field", "difficulty: 2\n    points: 3", "dificulty: 2\n    points: 3", "未知字段", "s-multi",
     "dificulty: 2"),
    ("bad difficulty", "difficulty: 2\n    points: 3", "difficulty: 5\n    points: 3", "难度 5 无效", "s-multi",
     "difficulty: 5"),
    ("bad article format", "article: 第二条", "article: 2条", "条号 '2条' 应以“第…条”开头", "s-tf", "article: 2条"),
    ("article not text", "article: 第二条", "article: 2", "字段 article 应为文本，现为 2", "s-tf", "article: 2"),
    ("options on a true/false item", "type: truefalse\n", "type: truefalse\n    options: {A: 对, B: 错}\n",
     "判断题、填空题不应有 options 或 prompts", "s-tf", "- id: s-tf"),
]


@pytest.mark.parametrize(("case", "old", "new", "message", "item_id", "anchor"), BROKEN,
                         ids=[case[0] for case in BROKEN])
def test_broken_bank_reports_file_line_item_and_fix(sample_bank: Path, case, old, new, message, item_id, anchor):
    text = sample_bank.read_text(encoding="utf-8")
    assert old in text, case
    broken = text.replace(old, new, 1)
    sample_bank.write_text(broken, encoding="utf-8")
    problems = check_paths([sample_bank])
    assert problems, f"{case}: no problem reported"
    matching = [p for p in problems if message in p.message]
    assert matching, f"{case}: got {[str(p) for p in problems]}"
    problem = matching[0]
    assert problem.path == sample_bank
    assert problem.item_id == item_id
    assert problem.line == line_of(broken, anchor)


def test_yaml_syntax_error_names_the_line(sample_bank: Path):
    text = sample_bank.read_text(encoding="utf-8")
    sample_bank.write_text(text.replace("    answer: B\n", "    answer: [B\n"), encoding="utf-8")
    problems = check_paths([sample_bank])
    assert len(problems) == 1
    assert "YAML 格式错误" in problems[0].message
    assert problems[0].line > line_of(text, "answer: B") - 1


def test_duplicate_id_across_files(sample_bank: Path):
    copy = sample_bank.with_name("copy.yaml")
    copy.write_text(sample_bank.read_text(encoding="utf-8").replace("bank: sample", "bank: copy"),
                    encoding="utf-8")
    problems = check_paths([sample_bank.parent])
    duplicates = [p for p in problems if "题目编号重复" in p.message]
    assert len(duplicates) == 6
    first, second = sorted([copy, sample_bank])
    assert all(p.path == second and f"另见 {first}:" in p.message for p in duplicates)


def test_empty_folder_is_a_problem(tmp_path: Path):
    assert "没有找到题库文件" in check_paths([tmp_path])[0].message


def test_stats_counts_types_tags_and_sources(sample_bank: Path):
    stats = bank_stats([sample_bank])
    assert stats["total"] == 6
    assert stats["by_type"] == {t: 1 for t in ("fill", "matching", "multiple", "ordering", "single", "truefalse")}
    assert stats["by_tag"]["topic"] == {"党员大会": 3, "综合": 3}
    assert stats["full_source"] == 6
    text = sample_bank.read_text(encoding="utf-8").replace("text: 党员大会一般每季度召开1次}\n  - id: s-multi",
                                                             "text: 党员大会每月召开}\n  - id: s-multi")
    sample_bank.write_text(text, encoding="utf-8")
    assert bank_stats([sample_bank])["full_source"] == 5


def test_shipped_banks_pass_and_sanhui_bank_is_complete():
    result = run_cli("bank", "check", "quizzes")
    assert result.returncode == 0, result.stdout
    stats = json.loads(run_cli("bank", "stats", "--json", "quizzes").stdout)
    sanhui = next(info for path, info in stats["files"].items() if info["bank"] == "sanhui-yike")
    assert sanhui["items"] >= 60
    assert set(sanhui["by_type"]) == {"single", "multiple", "truefalse", "fill", "ordering", "matching"}
    assert sanhui["full_source"] == sanhui["items"]
    assert stats["full_source_ratio"] == 1.0
