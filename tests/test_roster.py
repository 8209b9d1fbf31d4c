"""`cadrekit roster import`: Chinese rosters from CSV or Excel; all or nothing; rows named."""

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from nbgrader.api import Gradebook

from cadrekit.roster import RosterError, import_roster, read_roster, trainees

HEADER = "学号,姓名,单位,社区/组织,类别\n"
GOOD = (HEADER + "t001,张红,东城街道,幸福里社区,社区党务干部\n"
        "t002,欧阳明,西城街道,星光科技有限公司,“两新”组织党组织书记\n")


def stored(url: str) -> dict:
    with Gradebook(url) as gb:
        students = {s.id: s.last_name for s in gb.students}
        rows = {r.student_id: (r.unit, r.community, r.category) for r in gb.db.execute(sa.select(trainees))}
    return {"students": students, "trainees": rows}


def test_csv_with_bom_and_gbk_and_excel_read_the_same(tmp_path: Path):
    utf8 = tmp_path / "a.csv"
    utf8.write_text(GOOD, encoding="utf-8-sig")
    gbk = tmp_path / "b.csv"
    gbk.write_bytes(GOOD.encode("gb18030"))
    excel = tmp_path / "c.xlsx"
    pd.read_csv(utf8, dtype=str).to_excel(excel, index=False)
    assert read_roster(utf8) == read_roster(gbk) == read_roster(excel)
    assert read_roster(utf8)[1].category == "“两新”组织党组织书记"


def test_import_adds_then_updates(tmp_path: Path, gradebook_url: str):
    roster = tmp_path / "r.csv"
    roster.write_text(GOOD, encoding="utf-8")
    assert import_roster(roster, gradebook_url) == (2, 0)
    roster.write_text(HEADER + "t001,张红,南城街道,幸福里社区,社区党务干部\nt003,李四,,,\n", encoding="utf-8")
    assert import_roster(roster, gradebook_url) == (1, 1)
    data = stored(gradebook_url)
    assert data["students"] == {"t001": "张红", "t002": "欧阳明", "t003": "李四"}
    assert data["trainees"]["t001"][0] == "南城街道" and data["trainees"]["t003"] == (None, None, None)


@pytest.mark.parametrize(("text", "problems"), [
    (HEADER + "t001,张红,,,\nt001,李四,,,\n", ["第3行：学号 t001 与第2行重复"]),
    (HEADER + ",张红,,,\n", ["第2行：学号为空"]),
    (HEADER + "张 红,张红,,,\n", ["第2行：学号“张 红”含有"]),
    (HEADER + "t009,,,,\n", ["第2行：学号 t009 的姓名为空"]),
    ("学号,姓名,电话\nt001,张红,123\n", ["第1行：未知的列 电话"]),
    ("编号,单位\nt001,东城\n", ["缺少必需的列“姓名”"]),
    (HEADER + "t001,张红,,,\n\n,,,,\nt002,,,,\nt002,李四,,,\n",
     ["第5行：学号 t002 的姓名为空", "第6行：学号 t002 与第5行重复"]),
])
def test_bad_rosters_change_nothing(tmp_path: Path, gradebook_url: str, text: str, problems: list[str]):
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    import_roster(good, gradebook_url)
    before = stored(gradebook_url)
    bad = tmp_path / "bad.csv"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(RosterError) as error:
        import_roster(bad, gradebook_url)
    for expected in problems:
        assert any(expected in p for p in error.value.problems), error.value.problems
    assert len(error.value.problems) == len(problems)
    assert stored(gradebook_url) == before


def test_unsupported_file_type(tmp_path: Path):
    path = tmp_path / "r.pdf"
    path.write_bytes(b"%PDF")
    with pytest.raises(RosterError, match="不支持的文件类型"):
        read_roster(path)
