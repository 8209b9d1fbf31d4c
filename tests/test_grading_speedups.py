"""The grading workers' speedups keep nbgrader's checks and writes exactly as they were."""

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import nbgrader.nbgraderformat
import pytest

from cadrekit.grading.speedups import validate_with_cached_schema

SCHEMA = json.loads((Path(nbgrader.nbgraderformat.__file__).parent / "v3.json").read_text())
GOOD = {"schema_version": 3, "grade": True, "solution": False, "locked": True, "task": False,
        "grade_id": "q1", "points": 2}


@pytest.mark.parametrize("metadata", [
    GOOD,
    {**GOOD, "points": "two"},
    {**GOOD, "grade": "yes"},
    {key: value for key, value in GOOD.items() if key != "grade_id"},
    {**GOOD, "schema_version": "3"},
    [],
])
def test_cached_schema_gives_jsonschemas_verdict(metadata):
    def verdict(validate):
        try:
            validate(metadata, SCHEMA)
        except jsonschema.ValidationError as error:
            return error.message, list(error.path)
        return None

    assert verdict(validate_with_cached_schema) == verdict(jsonschema.validate)


PATCHED = r"""
import sqlite3, sys
import nbformat
import sqlalchemy
from cadrekit.gradebook import open_gradebook as Gradebook
from nbgrader.nbgraderformat import MetadataValidator, ValidationError
from cadrekit.grading import speedups

speedups.apply()
speedups.apply()  # twice is harmless
url = "sqlite:///" + sys.argv[1]
with speedups.write_ahead_log(url):
    with Gradebook(url, "c") as gb:
        gb.add_student("s1", first_name="甲")
        engine = gb.engine
        sync = gb.db.connection().connection.dbapi_connection.execute("PRAGMA synchronous").fetchone()[0]
    statements = []
    sqlalchemy.event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with Gradebook(url, "c") as gb:
        assert gb.engine is engine, "one engine per database"
        assert gb.find_student("s1").first_name == "甲"
    assert statements and not any("table_info" in s for s in statements), statements  # tables checked once
assert sqlite3.connect(sys.argv[1]).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
assert sync == 1, f"synchronous={sync}, expected NORMAL under WAL"
cell = nbformat.v4.new_markdown_cell("x", metadata={"nbgrader": {
    "schema_version": 3, "grade": False, "solution": False, "locked": False, "task": False,
    "grade_id": "x", "points": "ten"}})
try:
    MetadataValidator().validate_nb(nbformat.v4.new_notebook(cells=[cell]))
except ValidationError as error:
    print("rejected:", error.message)
"""


def test_patched_nbgrader_still_checks_metadata_and_shares_one_engine(tmp_path: Path):
    result = subprocess.run([sys.executable, "-c", PATCHED, str(tmp_path / "gradebook.db")],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "rejected: 'ten' is not of type 'number'" in result.stdout
