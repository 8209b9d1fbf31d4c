"""``cadrekit report`` on a small cohort whose every statistic was worked out by hand.

The cohort (gradebook built with nbgrader's API, answers files as trainees submit them):

    roster: s1 s2 (东城街道), s3 s4 (西城街道), s5 (no unit), s6 (南城街道, not in the gradebook);
    gradebook also holds x9, who is not on the roster. exam-b exists but nobody took it.

    exam-a (7 points)   q1 single 2  q2 multiple 2  q3 truefalse 1  q4 single 1  q5 single 1   total
      key                 B            A,C            true            A            D
      s1                  B  2         A,C 2          true  1         A  1         D  1          7
      s2                  B  2         A   1          false 0         A  1         A  0          4
      s3                  C  0         A,B 0          true  1         A  1         A  0          2
      s5                  B  2         C   1          true  1         A  1         A  0          5
      x9                  D  0         —   0          true  1         A  1         A  0          2

Facility: q1 6/10 = 0.6, q2 4/10 = 0.4, q3 4/5 = 0.8, q4 1.0 (过易), q5 0.2 (过难).
Discrimination (item vs rest = total − item, Pearson), worked in deviations from the means:
    q1  x=[2,2,0,2,0] rest=[5,2,2,3,2]  Σdxdy=3.2  Σdx²=4.8  Σdy²=6.8   r = 3.2/√32.64 = 4/√51
    q2  x=[2,1,0,1,0] rest=[5,3,2,4,2]  Σdxdy=4.2  Σdx²=2.8  Σdy²=6.8   r = 4.2/√19.04 = √(63/68)
    q3  x=[1,0,1,1,1] rest=[6,4,1,4,1]  Σdxdy=−0.8 Σdx²=0.8  Σdy²=18.8  r = −0.8/√15.04 = −√(2/47) (负区分)
    q4  constant: undefined
    q5  x=[1,0,0,0,0] rest=[6,4,2,5,2]  Σdxdy=2.2  Σdx²=0.8  Σdy²=12.8  r = 2.2/3.2 = 0.6875
Cohort 7 (roster 6 + x9); 5 completed exam-a: 71.4%. Mean 20/35 = 57.14 (百分制); excellent s1 only: 20%.
Rules: 党员大会-召开频次 (q1, q3) 10/15; 支委会-议事规则 (q2) 4/10 = 40% (weak); 主题党日-时间 (q4, q5) 6/10.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import warnings
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from nbgrader.api import Base

from cadrekit.bank.model import Item
from cadrekit.cli import main
from cadrekit.gradebook import open_gradebook
from cadrekit.grading.keycells import key_cell_source
from cadrekit.report import charts, render, stats
from cadrekit.report.load import UNKNOWN, load_cohort
from cadrekit.report.render import summary_paragraph, write_report
from cadrekit.roster import metadata, trainees

from .conftest import KIT

OPTIONS = {"A": "每月", "B": "每季度", "C": "每半年", "D": "每年"}
ITEMS = [
    Item(id="q1", type="single", stem="党员大会多久召开一次？", points=2, options=OPTIONS, answer="B",
         topic="党员大会", rule="党员大会-召开频次"),
    Item(id="q2", type="multiple", stem="支委会应当……", points=2, options=OPTIONS, answer=["A", "C"],
         topic="支委会", rule="支委会-议事规则"),
    Item(id="q3", type="truefalse", stem="党员大会一般每季度召开1次。", points=1, answer=True,
         topic="党员大会", rule="党员大会-召开频次"),
    Item(id="q4", type="single", stem="主题党日一般每月开展几次？", points=1, options=OPTIONS, answer="A",
         topic="主题党日", rule="主题党日-时间"),
    Item(id="q5", type="single", stem="……", points=1, options=OPTIONS, answer="D",
         topic="主题党日", rule="主题党日-时间"),
]
UNTAKEN = Item(id="b1", type="truefalse", stem="……", points=1, answer=False, topic="党课", rule="党课-频次")
ROSTER = [  # id, name, unit, community, category
    ("s1", "张一", "东城街道", "幸福里社区", "社区党务干部"),
    ("s2", "李二", "东城街道", "和平社区", "社区党务干部"),
    ("s3", "王三", "西城街道", "星光科技有限公司", "“两新”组织党组织书记"),
    ("s4", "赵四", "西城街道", "星光科技有限公司", "“两新”组织党组织书记"),
    ("s5", "钱五", None, None, "社区党务干部"),
    ("s6", "孙六", "南城街道", "向阳社区", "社区党务干部"),
]
GRADEBOOK_ONLY = ("x9", "周九")
ANSWERS = {  # student -> item -> (response as saved by the widgets, score the grader awarded)
    "s1": {"q1": ("B", 2), "q2": (["A", "C"], 2), "q3": (True, 1), "q4": ("A", 1), "q5": ("D", 1)},
    "s2": {"q1": ("B", 2), "q2": (["A"], 1), "q3": (False, 0), "q4": ("A", 1), "q5": ("A", 0)},
    "s3": {"q1": ("C", 0), "q2": (["A", "B"], 0), "q3": (True, 1), "q4": ("A", 1), "q5": ("A", 0)},
    "s5": {"q1": ("B", 2), "q2": (["C"], 1), "q3": (True, 1), "q4": ("A", 1), "q5": ("A", 0)},
    "x9": {"q1": ("D", 0), "q2": (None, 0), "q3": (True, 1), "q4": ("A", 1), "q5": ("A", 0)},
}
PARAGRAPH = ("本期轮训共有参训学员7名（社区党务干部4名，“两新”组织党组织书记2名，类别未填写1名），"
             "完成全部考试的5名，完成率71.4%。参加考试的5名学员平均得分57.1分（百分制），"
             "其中90分及以上的1名，优秀率20%。从答题情况看，对支委会-议事规则（得分率40%）等方面"
             "掌握还不够扎实，需在后续培训中重点加强。")
SHEETS = ["概况", "完成情况-单位", "完成情况-社区", "完成情况-类别", "考试提交", "成绩统计", "成绩分布", "规则掌握",
          "单位×规则", "试题分析", "选项统计", "未提交名单", "数据问题", "轮训情况"]


def new_gradebook(db_url: str):
    """nbgrader's Gradebook on a fresh database, its tables made here: stamping the schema version
    runs ``alembic`` in a subprocess (tens of seconds), and nothing in the report reads that stamp."""
    engine = sa.create_engine(db_url)
    Base.metadata.create_all(engine)
    engine.dispose()
    return open_gradebook(db_url)


def add_exam(gb, name: str, items: list[Item]) -> None:
    gb.add_assignment(name)
    gb.add_notebook(name, name)
    for number, item in enumerate(items, 1):
        gb.add_grade_cell(item.id, name, name, max_score=item.points, cell_type="code")
        gb.add_source_cell(item.id, name, name, source=key_cell_source(name, item, number), cell_type="code",
                           locked=True)


def submit(gb, course: Path, name: str, student: str, answers: dict) -> None:
    """Record the grades as autograde would and leave the answers file where collect puts it."""
    gb.add_submission(name, student)
    for item_id, (_response, points) in answers.items():
        grade = gb.find_grade(item_id, name, name, student)
        grade.auto_score, grade.needs_manual_grade = points, False
    gb.db.commit()
    folder = course / "submitted" / student / name
    folder.mkdir(parents=True)
    document = {"format": "cadrekit-answers/1", "quiz": name, "student": student,
                "answers": {i: r for i, (r, _points) in answers.items() if r is not None}}
    (folder / f"{name}.answers.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")


def store_roster(db_url: str, rows) -> None:
    engine = sa.create_engine(db_url)
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(trainees.insert(), [dict(zip(["student_id", "name", "unit", "community", "category"], r,
                                                        strict=True)) for r in rows])
    engine.dispose()


def build_cohort(db_url: str, course: Path) -> None:
    """The cohort of the module docstring: gradebook at ``db_url``, answers files under ``course``."""
    with new_gradebook(db_url) as gb:
        add_exam(gb, "exam-a", ITEMS)
        add_exam(gb, "exam-b", [UNTAKEN])
        for student, name, *_ in ROSTER[:5]:
            gb.add_student(student, last_name=name)
        gb.add_student(GRADEBOOK_ONLY[0], last_name=GRADEBOOK_ONLY[1])
        for student, answers in ANSWERS.items():
            submit(gb, course, "exam-a", student, answers)
    store_roster(db_url, ROSTER)


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A course folder with the kit's nbgrader config, its sqlite gradebook and the submitted answers."""
    course = tmp_path / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text((KIT / "grading" / "nbgrader_config.py").read_text(encoding="utf-8"),
                                               encoding="utf-8")
    build_cohort(f"sqlite:///{course / 'gradebook.db'}", course)
    return course


def cohort_of(course: Path):
    return load_cohort(f"sqlite:///{course / 'gradebook.db'}", course)


def test_facility_discrimination_and_flags_match_hand_computation(course: Path):
    items = stats.item_analysis(cohort_of(course)).set_index("item_id")
    assert list(items.index) == ["q1", "q2", "q3", "q4", "q5"]  # exam-b: nobody took it
    assert items.facility.to_dict() == pytest.approx({"q1": 0.6, "q2": 0.4, "q3": 0.8, "q4": 1.0, "q5": 0.2})
    expected = {"q1": 4 / math.sqrt(51), "q2": math.sqrt(63 / 68), "q3": -math.sqrt(2 / 47), "q5": 0.6875}
    assert items.discrimination.drop("q4").to_dict() == pytest.approx(expected)
    assert math.isnan(items.discrimination["q4"])
    assert items.remarks.to_dict() == {"q1": "", "q2": "", "q3": "负区分", "q4": "过易", "q5": "过难"}
    assert items.responses.tolist() == [5] * 5


def test_distractor_counts_come_from_the_submitted_answers(course: Path):
    table = stats.distractors(cohort_of(course))
    counts = {(r.item_id, r.option): (r.count, r.key) for r in table.itertuples()}
    assert {k: v for k, v in counts.items() if k[0] == "q1"} == {
        ("q1", "A"): (0, False), ("q1", "B"): (3, True), ("q1", "C"): (1, False), ("q1", "D"): (1, False),
        ("q1", "未作答"): (0, False)}
    assert {k: v for k, v in counts.items() if k[0] == "q2"} == {
        ("q2", "A"): (3, True), ("q2", "B"): (1, False), ("q2", "C"): (2, True), ("q2", "D"): (0, False),
        ("q2", "未作答"): (1, False)}
    assert {k: v for k, v in counts.items() if k[0] == "q3"} == {
        ("q3", "正确"): (4, True), ("q3", "错误"): (1, False), ("q3", "未作答"): (0, False)}
    assert table[table.item_id == "q1"].share.tolist() == pytest.approx([0, 0.6, 0.2, 0.2, 0])


def test_completion_by_unit_and_category_and_not_submitted(course: Path):
    cohort = cohort_of(course)
    by_unit = stats.completion_by(cohort, "unit")
    assert by_unit.group.tolist() == ["东城街道", "南城街道", "西城街道", UNKNOWN]
    assert by_unit.trainees.tolist() == [2, 1, 2, 2]  # s5 (no unit) and x9 (not on the roster)
    assert by_unit.completed.tolist() == [2, 0, 1, 2]
    assert by_unit.rate.tolist() == pytest.approx([1.0, 0.0, 0.5, 1.0])
    by_category = stats.completion_by(cohort, "category")
    assert dict(zip(by_category.group, by_category.rate, strict=True)) == pytest.approx(
        {"“两新”组织党组织书记": 0.5, "社区党务干部": 0.75, UNKNOWN: 1.0})
    missing = stats.not_submitted(cohort)
    assert missing.student_id.tolist() == ["s4", "s6"]
    assert missing.missing.tolist() == ["exam-a", "exam-a"]


def test_scores_and_rule_mastery(course: Path):
    cohort = cohort_of(course)
    summary = stats.score_summary(cohort).iloc[0]
    assert (summary.submitted, summary.max_score, summary["mean"], summary.best, summary.worst) == (5, 7, 4, 7, 2)
    assert (summary.excellent_rate, summary.pass_rate) == pytest.approx((0.2, 0.4))  # 7/7 only; 7/7 and 5/7
    bands = stats.score_bands(cohort)
    assert bands["count"].tolist() == [3, 0, 1, 0, 1]  # 4/7 2/7 2/7 | — | 5/7 = 71% | — | 7/7
    mastery = stats.rule_mastery(cohort)
    assert mastery.rule.tolist() == ["支委会-议事规则", "主题党日-时间", "党员大会-召开频次"]
    assert mastery.rate.tolist() == pytest.approx([0.4, 0.6, 10 / 15])
    matrix = stats.unit_rule_mastery(cohort)
    assert matrix.loc["东城街道"].to_dict() == pytest.approx(
        {"党员大会-召开频次": 5 / 6, "支委会-议事规则": 3 / 4, "主题党日-时间": 3 / 4})
    assert matrix.loc[UNKNOWN].to_dict() == pytest.approx(
        {"党员大会-召开频次": 4 / 6, "支委会-议事规则": 1 / 4, "主题党日-时间": 2 / 4})


def test_heat_map_keeps_to_the_weakest_rules_when_there_are_many(course: Path, monkeypatch):
    drawn = {}

    def record(matrix, caption):
        drawn["rules"], drawn["caption"] = list(matrix.columns), caption
        return charts.new_figure(1, 1)

    monkeypatch.setattr(charts, "mastery_heat_map", record)
    render.chart_images(cohort_of(course))
    assert drawn["rules"] == ["支委会-议事规则", "主题党日-时间", "党员大会-召开频次"]  # all three, weakest first
    assert drawn["caption"] == "各单位对各项规则的掌握情况（得分率）"
    monkeypatch.setattr(render, "HEAT_MAP_RULES", 2)
    render.chart_images(cohort_of(course))
    assert drawn["rules"] == ["支委会-议事规则", "主题党日-时间"]
    assert "得分率最低的 2 项规则" in drawn["caption"] and "全部 3 项" in drawn["caption"]


def test_paragraph_has_every_figure_filled_in(course: Path):
    headline = stats.headline(cohort_of(course))
    assert (headline.trainees, headline.completed, headline.examined, headline.excellent) == (7, 5, 5, 1)
    assert headline.mean_percent == pytest.approx(400 / 7)
    assert summary_paragraph(headline) == PARAGRAPH


def test_any_sqlalchemy_gradebook_gives_the_same_report(gradebook_url: str, tmp_path: Path):
    build_cohort(gradebook_url, tmp_path)
    cohort = load_cohort(gradebook_url, tmp_path)
    assert summary_paragraph(stats.headline(cohort)) == PARAGRAPH
    assert stats.item_analysis(cohort).facility.tolist() == pytest.approx([0.6, 0.4, 0.8, 1.0, 0.2])


def test_submission_scores_and_item_scores_follow_nbgrader(tmp_path: Path):
    """Manual scores win over auto scores, extra credit adds, a non-quiz grade cell counts in the total
    only, and an ungraded written answer marks the submission: all exactly as nbgrader's own objects."""
    db_url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with new_gradebook(db_url) as gb:
        add_exam(gb, "exam-a", ITEMS[:2])
        gb.add_grade_cell("essay", "exam-a", "exam-a", max_score=5, cell_type="markdown")
        for student in ("s1", "s2", "s3"):
            gb.add_student(student)
            gb.add_submission("exam-a", student)
        for student, q1, q2, essay in [("s1", (2, 1, None), (1, None, 0.5), (None, 4, 0.5)),
                                       ("s2", (0, None, None), (2, None, None), (None, None, None))]:
            for cell, (auto, manual, extra) in (("q1", q1), ("q2", q2), ("essay", essay)):
                grade = gb.find_grade(cell, "exam-a", "exam-a", student)
                grade.auto_score, grade.manual_score, grade.extra_credit = auto, manual, extra
                grade.needs_manual_grade = cell == "essay" and manual is None
        gb.db.commit()  # s3's grades stay as nbgrader created them: no score, awaiting a grader
        expected = {s.student.id: (s.score, s.max_score, s.needs_manual_grade)
                    for s in gb.find_assignment("exam-a").submissions}
        expected_items = {(g.notebook.student.id, g.name): g.score for s in gb.find_assignment("exam-a").submissions
                          for g in s.notebooks[0].grades if g.name != "essay"}
    cohort = load_cohort(db_url, tmp_path)
    submissions = cohort.submissions.set_index("student_id")
    assert {s: (r.score, r.max_score, r.needs_manual_grade) for s, r in submissions.iterrows()} == expected
    assert expected["s1"] == (7.0, 9.0, False) and expected["s2"] == (2.0, 9.0, True)  # 1 + 1.5 + 4.5
    items = {(r.student_id, r.item_id): r.score for r in cohort.item_scores.itertuples()}
    assert items == expected_items and items[("s1", "q1")] == 1 and items[("s1", "q2")] == 1.5
    assert "考试 “exam-a” 有 2 份提交还有题目待人工评分" in "\n".join(cohort.notes)


def test_data_problems_are_stated(course: Path):
    notes = "\n".join(cohort_of(course).notes)
    assert "成绩库中有 1 名学员不在名单中（学号：x9）" in notes
    assert "名单中有 1 名学员不在成绩库中（学号：s6）" in notes
    assert "名单中有 1 名学员未填写单位（学号：s5）" in notes
    assert "考试 “exam-b” 尚无已评分的提交" in notes


def test_missing_answers_file_counts_as_unanswered_and_is_stated(course: Path):
    (course / "submitted" / "s1" / "exam-a" / "exam-a.answers.json").unlink()
    cohort = cohort_of(course)
    assert "考试 “exam-a” 有 1 份提交的答案文件缺失或无法读取" in "\n".join(cohort.notes)
    table = stats.distractors(cohort)
    blank = table[(table.item_id == "q1") & (table.option == "未作答")]
    assert blank["count"].tolist() == [1]


def test_no_roster_and_no_submissions_still_render(tmp_path: Path):
    course = tmp_path / "course"
    course.mkdir()
    db_url = f"sqlite:///{course / 'gradebook.db'}"
    with new_gradebook(db_url) as gb:
        add_exam(gb, "exam-b", [UNTAKEN])
        gb.add_student("s1", last_name="张一")
    cohort = load_cohort(db_url, course)
    files = write_report(cohort, tmp_path / "out")
    assert files.paragraph == "本期轮训共有参训学员1名，目前尚无已评分的考试。"
    notes = "\n".join(cohort.notes)
    assert "没有导入学员名单" in notes and "尚无已评分的提交" in notes
    assert files.html.exists() and files.excel.exists()


def test_exams_without_any_trainee_still_render(tmp_path: Path):
    db_url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with new_gradebook(db_url) as gb:
        add_exam(gb, "exam-b", [UNTAKEN])
    files = write_report(load_cohort(db_url, tmp_path), tmp_path / "out")
    assert files.paragraph == "本期轮训共有参训学员0名，目前尚无已评分的考试。"


def test_report_files_offline_html_and_workbook(course: Path, tmp_path: Path):
    files = write_report(cohort_of(course), tmp_path / "out")
    page = files.html.read_text(encoding="utf-8")
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}|@import|url\(", page, re.IGNORECASE)
    assert not re.search(r"""(?:src|href)\s*=\s*["'](?!data:)""", page)
    assert len(re.findall(r'src="data:image/png;base64,', page)) == 5  # 3 completion, 1 exam, 1 heat map
    assert PARAGRAPH in page and "学号：x9" in page and "孙六" in page
    assert files.text.read_text(encoding="utf-8") == PARAGRAPH + "\n"
    book = pd.read_excel(files.excel, sheet_name=None)
    assert list(book) == SHEETS
    items = book["试题分析"]
    assert items["题目编号"].tolist() == ["q1", "q2", "q3", "q4", "q5"]
    assert items["难度（得分率）"].tolist() == [0.6, 0.4, 0.8, 1.0, 0.2]
    assert items["区分度"].iloc[[0, 1, 2, 4]].tolist() == [0.56, 0.96, -0.21, 0.69]
    assert pd.isna(items["区分度"].iloc[3])
    assert items["提示"].fillna("").tolist() == ["", "", "负区分", "过易", "过难"]
    units = book["完成情况-单位"]
    assert units.to_dict("list") == {"单位": ["东城街道", "南城街道", "西城街道", UNKNOWN], "人数": [2, 1, 2, 2],
                                     "完成人数": [2, 0, 1, 2], "完成率（%）": [100.0, 0.0, 50.0, 100.0]}
    overview = dict(zip(book["概况"]["项目"], book["概况"]["数值"], strict=True))
    assert overview["完成率（%）"] == 71.4 and overview["平均分（百分制）"] == 57.1 and overview["优秀率（%）"] == 20
    assert book["未提交名单"]["学号"].tolist() == ["s4", "s6"]
    assert book["轮训情况"]["轮训情况"].tolist() == [PARAGRAPH]


def test_chart_text_uses_a_font_with_every_chinese_glyph(course: Path):
    from fontTools.ttLib import TTFont
    from matplotlib import font_manager
    from matplotlib.text import Text

    table = stats.completion_by(cohort_of(course), "category")
    figure = charts.rate_bars(table, "按类别的完成率")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font(s)"
        figure.savefig(io.BytesIO(), format="png")
    texts = [t.get_text() for t in figure.findobj(Text) if t.get_text()]
    assert "按类别的完成率" in texts and "“两新”组织党组织书记" in texts
    for text in figure.findobj(Text):
        if not text.get_text():
            continue
        path = font_manager.findfont(text.get_fontproperties(), fallback_to_default=False)
        assert Path(path) == Path(charts.chinese_font_path())
    cmap = TTFont(charts.chinese_font_path(), lazy=True).getBestCmap()
    missing = {ch for t in texts for ch in t if not ch.isspace() and ord(ch) not in cmap}
    assert not missing


def run_cli(capsys, monkeypatch, *args) -> tuple[int, str, str]:
    """``cadrekit …`` in this process (the binary itself runs in test_assessment's cycle)."""
    monkeypatch.setenv("PATH", os.environ["PATH"])  # main() puts the venv's bin/ first; restore it after
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_writes_html_excel_and_paragraph(course: Path, tmp_path: Path, capsys, monkeypatch):
    out = tmp_path / "report"
    code, printed, errors = run_cli(capsys, monkeypatch, "report", "--course", course, "--out", out)
    assert code == 0, errors
    assert printed.strip() == PARAGRAPH
    assert "学号：x9" in errors
    assert {p.name for p in out.iterdir()} == {"轮训报告.html", "轮训统计.xlsx", "轮训情况.txt"}


def test_cli_roster_file_replaces_the_stored_roster(course: Path, tmp_path: Path, capsys, monkeypatch):
    roster = tmp_path / "roster.csv"
    roster.write_text("学号,姓名,单位,社区/组织,类别\ns1,张一,东城街道,幸福里社区,社区党务干部\n"
                      "s7,吴七,北城街道,新华社区,社区党务干部\n", encoding="utf-8")
    code, printed, errors = run_cli(capsys, monkeypatch, "report", "--course", course, "--out", tmp_path / "report",
                                    "--roster", roster)
    assert code == 0, errors
    assert "名单中有 1 名学员不在成绩库中（学号：s7）" in errors
    assert "成绩库中有 5 名学员不在名单中（学号：s2、s3、s4、s5、x9）" in errors
    assert "本期轮训共有参训学员7名（社区党务干部2名，类别未填写5名）" in printed


def test_cli_reports_a_bad_roster_file_and_writes_nothing(course: Path, tmp_path: Path, capsys, monkeypatch):
    roster = tmp_path / "roster.csv"
    roster.write_text("学号,姓名\ns1,\n", encoding="utf-8")
    code, _printed, errors = run_cli(capsys, monkeypatch, "report", "--course", course, "--out", tmp_path / "report",
                                     "--roster", roster)
    assert code == 1 and "姓名为空" in errors
    assert not (tmp_path / "report").exists()
