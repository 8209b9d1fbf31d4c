"""`cadrekit ledger check`: planted problems are found exactly, bad rows are named, rules stay verified."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import yaml

from cadrekit.bank.sources import SourceRegister
from cadrekit.cli import main
from cadrekit.ledger import LedgerError, RuleError, check_files, write_reports
from cadrekit.ledger.read import parse_vote
from cadrekit.ledger.rules import default_rules_path, load_rules

from .conftest import KIT

HEADER = "支部,日期,类型,主持人,应到,实到,议题,表决事项,表决结果,记录人\n"
REGISTER = """支部,党员人数,正式党员,支委人数,党小组
甲支部,10,9,3,2
乙支部,8,8,0,0
"""
# 甲支部: 9 full members, committee of 3, two party groups. 乙支部: 8 full members and no committee.
PLANTED = HEADER + """甲支部,2026-01-05,支委会,张一,3,3,一月工作,,,李二
甲支部,2026-01-08,党小组会,王三,5,5,第一党小组学习,,,王三
甲支部,2026-01-09,党小组会,赵四,5,4,第二党小组学习,,,赵四
甲支部,2026-01-15,主题党日,张一,10,9,志愿服务,,,李二
甲支部,2026-02-05,支委会,张一,3,1,二月工作,,,李二
甲支部,2026-02-08,党小组会,王三,5,5,第一党小组学习,,,王三
甲支部,2026-03-08,党小组会,王三,5,5,第一党小组学习,,,王三
甲支部,2026-03-09,党小组会,赵四,5,5,第二党小组学习,,,赵四
甲支部,2026-03-15,主题党日,张一,10,8,重温入党誓词,,,李二
甲支部,2026-03-20,党员大会,张一,10,6,接收预备党员,接收钱五为预备党员,赞成4 反对1 弃权0,李二
乙支部,2026年1月15日,主题党日,孙六,8,7,学习条例,,,周七
乙支部,2026/2/15,主题党日,孙六,8,8,学习条例,,,周七
乙支部,2026.3.15,主题党日、党员大会,孙六,8,5,讨论表彰,表彰吴八为优秀党员,赞成4 反对0 弃权0 未通过,周七
"""
PLANTED_FINDINGS = {
    ("zwh-quorum", "甲支部", "2026年2月"),      # 1 of 3 committee members present
    ("dxzh-monthly", "甲支部", "2026年2月"),    # one group meeting, two groups
    ("ztdr-monthly", "甲支部", "2026年2月"),    # no 主题党日
    ("zwh-monthly", "甲支部", "2026年3月"),     # no 支委会
    ("vote-passed", "甲支部", "2026年3月"),     # 4 in favour of 9 full members: 5 needed
    ("zwh-required", "乙支部", "名册"),         # 8 full members, no committee
    ("vote-quorum", "乙支部", "2026年3月"),     # 4 voters of 8: exactly half, to be verified
}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def found(report) -> set[tuple[str, str, str]]:
    return {(f.rule.id, f.branch, f.period) for f in report.findings}


@pytest.fixture
def register(tmp_path: Path) -> Path:
    return write(tmp_path, "名册.csv", REGISTER)


def test_planted_problems_are_found_exactly(tmp_path: Path, register: Path):
    report = check_files(write(tmp_path, "台账.csv", PLANTED), register)
    assert report.problems == []
    assert found(report) == PLANTED_FINDINGS
    by_rule = {f.rule.id: f for f in report.findings}
    assert by_rule["zwh-quorum"].rows == (6,)
    assert by_rule["zwh-quorum"].message == "2026-02-05支委会实到1人，委员共3人，不到半数"
    assert by_rule["vote-passed"].message.startswith("2026-03-20党员大会表决“接收钱五为预备党员”：赞成4人")
    assert "至少需要5人" in by_rule["vote-passed"].message
    assert "恰好是半数" in by_rule["vote-quorum"].message
    assert by_rule["zwh-monthly"].rule.citation == "《支部工作条例》第十二条第二款"
    assert by_rule["zwh-monthly"].rule.general and not by_rule["zwh-quorum"].rule.general


def test_only_whole_periods_inside_the_ledger_are_checked(tmp_path: Path, register: Path):
    """January to March: the first quarter is checked; the year (组织生活会, 民主评议) is not over."""
    report = check_files(write(tmp_path, "台账.csv", PLANTED), register)
    assert not [f for f in report.findings if f.rule.id in ("zzshh-yearly", "mzpy-yearly", "dydh-quarterly")]
    shortened = PLANTED.replace("甲支部,2026-03-20,党员大会", "甲支部,2026-04-20,党员大会")
    report = check_files(write(tmp_path, "台账.csv", shortened), register)
    assert ("dydh-quarterly", "甲支部", "2026年第一季度") in found(report)


def test_excel_input_with_date_cells_gives_the_same_findings(tmp_path: Path, register: Path):
    import pandas as pd

    frame = pd.read_csv(write(tmp_path, "台账.csv", PLANTED), dtype=str, keep_default_na=False)
    as_dates = frame["支部"] == "甲支部"  # real Excel date cells there; 乙支部 keeps its written dates
    frame["日期"] = [pd.Timestamp(d) if date_cell else d for d, date_cell in zip(frame["日期"], as_dates, strict=True)]
    frame.to_excel(tmp_path / "台账.xlsx", index=False)
    assert found(check_files(tmp_path / "台账.xlsx", register)) == PLANTED_FINDINGS


def test_course_ledger_has_the_planted_problems_the_module_teaches():
    data = KIT / "courses" / "data"
    report = check_files(data / "台账-幸福里社区党支部-2026.csv", data / "名册-幸福里社区党支部.csv")
    assert report.problems == []
    assert [(f.rule.id, f.period) for f in report.findings] == [
        ("zwh-monthly", "2026年2月"),
        ("zwh-quorum", "2026年5月"),
        ("vote-passed", "2026年6月"),
        ("dydh-quarterly", "2026年第三季度"),
        ("dxzh-monthly", "2026年7月"),
        ("zwh-monthly", "2026年8月"),
        ("ztdr-monthly", "2026年10月"),
        ("vote-quorum", "2026年11月"),
        ("vote-passed", "2026年11月"),
    ]


BAD_ROWS = HEADER + """甲支部,2026-01-05,支委会,张一,3,3,一月工作,,,李二
甲支部,2026-02-30,支委会,张一,3,3,二月工作,,,李二
甲支部,2026-03-05,支部会议,张一,3,3,三月工作,,,李二
丙支部,2026-01-10,主题党日,钱九,6,6,学习,,,钱九
甲支部,2026-01-20,党员大会,张一,10,8,表彰,表彰王三,一致通过,李二
丙支部,2026-02-10,主题党日,钱九,6,6,学习,,,钱九
甲支部,2026-03-06,支委会,张一,3,五,三月工作,,,李二
甲支部,2026-03-07,支委会,张一,3,1,三月补充,,,李二
"""


def test_bad_rows_are_named_with_the_fix_and_good_rows_still_checked(tmp_path: Path, register: Path):
    report = check_files(write(tmp_path, "台账.csv", BAD_ROWS), register)
    assert [str(p) for p in report.problems] == [
        "台账第3行：日期“2026-02-30”无法识别；请写成 2026-03-05 或 2026年3月5日",
        "台账第4行：会议类型“支部会议”无法识别；请填写党员大会、支委会、党小组会、党课、主题党日、组织生活会、民主评议之一，"
        "一次会议兼有几种时用顿号分隔，如“党员大会、民主评议”",
        "台账第6行：表决结果“一致通过”无法识别；"
        "请写成“赞成18 反对2 弃权1”（人数用阿拉伯数字；可在末尾注明“通过”或“未通过”）",
        "台账第8行：实到“五”不是人数；请填写整数，如 28",
        "台账第5、7行：支部“丙支部”不在名册中；请在名册中补上该支部（支部、党员人数、正式党员、支委人数、党小组），"
        "或把支部名称改成与名册一致",
    ]
    assert [m.row for m in report.meetings] == [2, 9]
    assert ("zwh-quorum", "甲支部", "2026年3月") in found(report)  # row 9 is good and still checked
    assert ("zwh-monthly", "甲支部", "2026年2月") in found(report)  # row 3 was left out


MORE_BAD_ROWS = HEADER + """甲支部,2026-01-05,支委会,张一,3,,一月工作,,,李二
甲支部,2026-01-06,主题党日,张一,10,12,志愿服务,,,李二
甲支部,2026-01-20,党员大会,张一,10,6,表彰,表彰王三；表彰赵四,赞成6,李二
甲支部,2026-01-21,党员大会,张一,10,6,表彰,表彰王三,赞成6 反对1,李二
,2026-01-22,,张一,10,6,表彰,,,李二
甲支部,2026-01-23,党课,张一,10,9,党课,,,李二
"""


def test_attendance_and_vote_mistakes_are_named(tmp_path: Path, register: Path):
    report = check_files(write(tmp_path, "台账.csv", MORE_BAD_ROWS), register)
    assert [str(p) for p in report.problems] == [
        "台账第2行：支委会没有填写实到人数；请填写到会委员人数（《支部工作条例》第十二条要求半数以上委员到会）",
        "台账第3行：实到（12）多于应到（10）；请核对人数",
        "台账第4行：表决事项有 2 项，表决结果有 1 项；每个表决事项写一个结果，多项时都用分号分隔，顺序一一对应",
        "台账第5行：表决“表彰王三”的赞成、反对、弃权合计 7 人，多于实到 6 人；请核对",
        "台账第6行：支部为空；请填写支部名称（与名册一致）",
        "台账第6行：会议类型“（空）”无法识别；请填写党员大会、支委会、党小组会、党课、主题党日、组织生活会、民主评议之一，"
        "一次会议兼有几种时用顿号分隔，如“党员大会、民主评议”",
    ]
    assert [m.row for m in report.meetings] == [7]


def test_register_problems_are_named(tmp_path: Path):
    register = write(tmp_path, "名册.csv", REGISTER + "丁支部,5,6,0,0\n甲支部,1,1,0,0\n戊支部,十,3,0,0\n")
    report = check_files(write(tmp_path, "台账.csv", PLANTED), register)
    assert [str(p) for p in report.problems] == [
        "名册第4行：支部“丁支部”的正式党员（6）多于党员人数（5）；党员人数应包括正式党员和预备党员",
        "名册第5行：支部“甲支部”与第2行重复；每个支部只写一行",
        "名册第6行：支部“戊支部”的党员人数不是整数；请填写人数或个数（没有的填 0）",
    ]


def test_missing_columns_make_the_input_unusable(tmp_path: Path, register: Path):
    ledger = write(tmp_path, "台账.csv", "支部,日期,议题\n甲支部,2026-01-05,学习\n")
    with pytest.raises(LedgerError) as error:
        check_files(ledger, register)
    assert str(error.value) == ("台账第1行：缺少必需的列 类型、应到、实到；"
                                "第1行（表头）应包含：支部、日期、类型、应到、实到")
    assert main(["ledger", "check", str(ledger), "--register", str(register), "--out", str(tmp_path)]) == 2


def test_exit_code_says_whether_anything_was_found(tmp_path: Path):
    register = write(tmp_path, "名册.csv", "支部,党员人数,正式党员,支委人数,党小组\n小支部,5,5,0,0\n")
    clean = write(tmp_path, "clean.csv", HEADER + "".join(
        f"小支部,2026-0{m}-15,主题党日,孙六,5,5,学习,,,周七\n" for m in (1, 2, 3)) +
        "小支部,2026-03-20,党员大会,孙六,5,5,表彰,表彰吴八,赞成5,周七\n")
    assert main(["ledger", "check", str(clean), "--register", str(register), "--out", str(tmp_path)]) == 0
    planted = write(tmp_path, "planted.csv", PLANTED)
    assert main(["ledger", "check", str(planted), "--register", str(tmp_path / "名册2.csv"), "--out",
                 str(tmp_path)]) == 2  # register file missing
    write(tmp_path, "名册2.csv", REGISTER)
    assert main(["ledger", "check", str(planted), "--register", str(tmp_path / "名册2.csv"), "--out",
                 str(tmp_path)]) == 1


def test_reports_have_chinese_headers(tmp_path: Path, register: Path):
    report = check_files(write(tmp_path, "台账.csv", PLANTED), register)
    excel, page = write_reports(report, tmp_path / "out")
    assert excel.name == "台账-检查结果.xlsx" and page.name == "台账-检查结果.html"
    book = openpyxl.load_workbook(excel)
    assert book.sheetnames == ["问题清单", "支部汇总", "输入问题", "检查规则"]
    assert [c.value for c in book["问题清单"][1]] == [
        "序号", "支部", "期间", "规则编号", "问题", "依据", "条文原文", "要求", "性质", "台账行号"]
    assert book["问题清单"].max_row == 1 + len(PLANTED_FINDINGS)
    summary = {c.value: v.value for c, v in zip(book["支部汇总"][1], book["支部汇总"][2], strict=True)}
    assert summary["支部"] == "甲支部" and summary["台账记录"] == 10 and summary["支委会"] == 2
    assert summary["问题数"] == 5
    text = page.read_text(encoding="utf-8")
    assert "<meta charset='utf-8'>" in text and "<th>条文原文</th>" in text
    assert "2026-02-05支委会实到1人，委员共3人，不到半数" in text


def test_shipped_national_rules_quote_the_register_verbatim():
    sources = SourceRegister.load(KIT / "quizzes" / "sources")
    rules = yaml.safe_load(default_rules_path().read_text(encoding="utf-8"))["rules"]
    national = [r for r in rules if r["status"] == "national"]
    assert len(national) >= 10
    for rule in national:
        assert sources.problem_with(rule["regulation"], rule["article"], rule["text"]) is None, rule["id"]


def test_dangke_frequency_is_local_and_off_by_default():
    """No national rule sets how often an ordinary branch holds 党课 (FACTS #18, #73)."""
    rules = {r.id: r for r in load_rules()}
    assert rules["dangke-quarterly"].status == "local" and not rules["dangke-quarterly"].enabled
    assert all(r.status == "national" for r in rules.values() if r.enabled)


def test_a_district_file_enables_and_adds_local_rules(tmp_path: Path, register: Path):
    ledger = write(tmp_path, "台账.csv", PLANTED)
    assert not [f for f in check_files(ledger, register).findings if f.rule.id == "dangke-quarterly"]
    district = write(tmp_path, "区规则.yaml", """rules:
  - id: dangke-quarterly
    enabled: true
    regulation: 某区关于落实三会一课制度的通知
    article: 第三条
    text: 党支部每季度至少组织党员上1次党课
  - id: zwh-quarterly-local
    title: 每季度至少召开3次支委会（地方规定）
    check: frequency
    meeting: 支委会
    period: quarter
    minimum: 3
    only_if: 支委人数
    regulation: 某区关于落实三会一课制度的通知
    article: 第四条
    status: local
""")
    report = check_files(ledger, register, district)
    local = {(f.rule.id, f.branch, f.period) for f in report.findings if f.rule.status == "local"}
    assert local == {("dangke-quarterly", "甲支部", "2026年第一季度"), ("dangke-quarterly", "乙支部", "2026年第一季度"),
                     ("zwh-quarterly-local", "甲支部", "2026年第一季度")}
    assert {f.rule.status_label for f in report.findings if f.rule.status == "local"} == {"地方规定"}
    assert found(report) - local == PLANTED_FINDINGS


@pytest.mark.parametrize(("entry", "message"), [
    ("  - id: x\n    title: t\n    check: frequency\n    meeting: 党课\n    period: quarter\n"
     "    regulation: 支部工作条例\n    article: 第十六条\n    text: 党支部每季度至少上1次党课\n",
     "全国规定必须逐字引用已核实的条文"),
    ("  - id: x\n    title: t\n    check: frequency\n    meeting: 党课会\n    period: quarter\n"
     "    regulation: 某区\n    article: 第一条\n    status: local\n", "meeting 应为"),
    ("  - id: x\n    title: t\n    check: register\n    when: [[书记, \"==\", 0]]\n"
     "    regulation: 某区\n    article: 第一条\n    status: local\n", "名册中没有 书记"),
])
def test_bad_district_rules_are_refused(tmp_path: Path, entry: str, message: str):
    with pytest.raises(RuleError, match=message):
        load_rules(write(tmp_path, "区规则.yaml", "rules:\n" + entry))


@pytest.mark.parametrize(("text", "expected"), [
    ("赞成18 反对2 弃权1", (18, 2, 1, None)),
    ("通过：赞成18，反对2，弃权1", (18, 2, 1, True)),
    ("赞成18人 弃权1人（未通过）", (18, 0, 1, False)),
    ("同意 7 票", (7, 0, 0, None)),
])
def test_vote_results_are_parsed(text: str, expected: tuple):
    vote = parse_vote("事项", text)
    assert (vote.yes, vote.no, vote.abstain, vote.declared_passed) == expected


@pytest.mark.parametrize("text", ["一致通过", "赞成18 反对2 另有2人未表态", "反对2 弃权1", "赞成18 赞成2",
                                  "通过 未通过 赞成3"])
def test_unparseable_vote_results_are_refused(text: str):
    assert parse_vote("事项", text) is None


def test_exercise_answer_keys_agree_with_the_checker():
    """The module's practice and exam keys name exactly the gaps the checker finds in the shipped ledger."""
    from cadrekit.bank.loader import load_items

    data = KIT / "courses" / "data"
    report = check_files(data / "台账-幸福里社区党支部-2026.csv", data / "名册-幸福里社区党支部.csv")
    periods = {rule: {f.period for f in report.findings if f.rule.id == rule} for rule in
               ("zwh-monthly", "dydh-quarterly", "dxzh-monthly", "ztdr-monthly")}
    items = {i.id: i for i in load_items(KIT / "quizzes" / "ledger-exercise.yaml")}

    def chosen(item_id: str) -> set[str]:
        item = items[item_id]
        answer = item.answer if isinstance(item.answer, list) else [item.answer]
        return {"2026年" + item.options[a].split("（")[0].removesuffix("未见主题党日记录") for a in answer}

    assert chosen("tzjc-001") == chosen("tzjc-101") == periods["zwh-monthly"] == {"2026年2月", "2026年8月"}
    assert chosen("tzjc-003") == chosen("tzjc-103") == periods["dydh-quarterly"] == {"2026年第三季度"}
    assert chosen("tzjc-004") == periods["dxzh-monthly"] == {"2026年7月"}
    assert chosen("tzjc-005") == chosen("tzjc-105") == periods["ztdr-monthly"] == {"2026年10月"}
