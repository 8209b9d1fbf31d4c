"""Trainee roster (学号/姓名/单位/社区/类别) from CSV or Excel into the nbgrader gradebook.

nbgrader's students keep id and name; the organizational fields the reports group by live in a
``cadrekit_trainees`` table of the same database. The whole file is validated first and imported
in one transaction, so a bad file changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from cadrekit.tables import read_sheet

COLUMNS = {  # accepted header -> field
    "学号": "id", "编号": "id",
    "姓名": "name",
    "单位": "unit",
    "社区/组织": "community", "社区": "community", "组织": "community", "社区或组织": "community",
    "类别": "category", "人员类别": "category",
}
REQUIRED = ("id", "name")
STUDENT_ID = re.compile(r"^[A-Za-z0-9_.-]+$")

metadata = sa.MetaData()
trainees = sa.Table(
    "cadrekit_trainees", metadata,
    sa.Column("student_id", sa.String(128), primary_key=True),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("unit", sa.String(256)),
    sa.Column("community", sa.String(256)),
    sa.Column("category", sa.String(128)),
)


class RosterError(Exception):
    """The roster file has problems; ``problems`` lists them, each with its row and fix."""

    def __init__(self, path: Path, problems: list[str]):
        super().__init__(f"{path}: " + "\n".join(problems))
        self.path, self.problems = path, problems


@dataclass(frozen=True)
class Trainee:
    id: str
    name: str
    unit: str | None = None
    community: str | None = None
    category: str | None = None


def read_roster(path: Path) -> list[Trainee]:
    """Parse and validate a roster; raise RosterError listing every problem with its row number."""
    try:
        frame = read_sheet(path)
    except (OSError, ValueError) as exc:
        raise RosterError(path, [f"无法读取：{exc}"]) from exc
    headers = [str(c).strip() for c in frame.columns]
    unknown = [h for h in headers if h not in COLUMNS]
    problems = []
    if unknown:
        problems.append(f"第1行：未知的列 {'、'.join(unknown)}；可用的列名：{'、'.join(COLUMNS)}")
    fields = [COLUMNS.get(h) for h in headers]
    for needed, label in (("id", "学号"), ("name", "姓名")):
        if needed not in fields:
            problems.append(f"第1行：缺少必需的列“{label}”")
    if problems:
        raise RosterError(path, problems)
    seen: dict[str, int] = {}
    result = []
    for offset, values in enumerate(frame.itertuples(index=False)):
        row = offset + 2  # as numbered in Excel: header is row 1
        record = {f: str(v).strip() for f, v in zip(fields, values, strict=True) if f}
        if not any(record.values()):
            continue  # blank line
        student = record.get("id", "")
        if not student:
            problems.append(f"第{row}行：学号为空；请填写学号或删除该行")
            continue
        if not STUDENT_ID.match(student):
            problems.append(f"第{row}行：学号“{student}”含有字母、数字、_ . - 以外的字符（学号会用作文件夹名）")
        if not record.get("name"):
            problems.append(f"第{row}行：学号 {student} 的姓名为空")
        if student in seen:
            problems.append(f"第{row}行：学号 {student} 与第{seen[student]}行重复；每个学号只能出现一次")
            continue
        seen[student] = row
        result.append(Trainee(id=student, name=record.get("name", ""), unit=record.get("unit") or None,
                              community=record.get("community") or None, category=record.get("category") or None))
    if problems:
        raise RosterError(path, problems)
    return result


def import_roster(path: Path, db_url: str) -> tuple[int, int]:
    """Add or update every trainee of ``path`` in one transaction; (added, updated)."""
    from cadrekit.gradebook import open_gradebook

    roster = read_roster(path)
    added = updated = 0
    with open_gradebook(db_url) as gb:
        engine = gb.db.get_bind()
        metadata.create_all(engine)
        known = {s.id for s in gb.students}
        try:
            for trainee in roster:
                if trainee.id in known:
                    updated += 1
                else:
                    added += 1
                _upsert_student(gb, trainee)
                row = {"student_id": trainee.id, "name": trainee.name, "unit": trainee.unit,
                       "community": trainee.community, "category": trainee.category}
                gb.db.execute(trainees.delete().where(trainees.c.student_id == trainee.id))
                gb.db.execute(trainees.insert().values(**row))
            gb.db.commit()
        except Exception:
            gb.db.rollback()
            raise
    return added, updated


def _upsert_student(gb, trainee: Trainee) -> None:
    """Stage the nbgrader student without committing, so the import stays one transaction."""
    from nbgrader.api import Student

    student = gb.db.get(Student, trainee.id)
    if student is None:
        gb.db.add(Student(id=trainee.id, last_name=trainee.name, first_name=None))
    else:
        student.last_name = trainee.name


def stored_roster(db_url: str) -> list[Trainee] | None:
    """The roster as last imported into this gradebook; None when none was ever imported."""
    engine = sa.create_engine(db_url)
    try:
        if not sa.inspect(engine).has_table(trainees.name):
            return None
        with engine.connect() as connection:
            rows = connection.execute(sa.select(trainees).order_by(trainees.c.student_id)).mappings().all()
    finally:
        engine.dispose()
    return [Trainee(id=r["student_id"], name=r["name"], unit=r["unit"], community=r["community"],
                    category=r["category"]) for r in rows]
