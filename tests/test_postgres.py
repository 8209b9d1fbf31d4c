"""The gradebook on PostgreSQL, as a deployment past one server uses it (CADREKIT_GRADEBOOK).

The roster import and batch grading tests (test_roster.py, test_assessment.py) and the report
tests run against both sqlite and PostgreSQL through the ``gradebook_url`` fixture; these check
the throwaway server itself and the deployment path: the course config takes the address from
the environment, as the hub hands it to instructors' servers.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from cadrekit.gradebook import open_gradebook

from .conftest import KIT

BIN = Path(sys.executable).parent


def test_server_listens_on_loopback_only(postgres_cluster):
    url = postgres_cluster.create_database(f"probe_{secrets.token_hex(4)}")
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            assert connection.execute(sa.text("SHOW listen_addresses")).scalar() == "127.0.0.1"
            assert connection.execute(sa.text("SHOW server_encoding")).scalar() == "UTF8"
    finally:
        engine.dispose()


def test_course_config_takes_the_gradebook_from_the_environment(postgres_cluster, tmp_path: Path):
    url = postgres_cluster.create_database(f"course_{secrets.token_hex(4)}")
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(KIT / "grading" / "nbgrader_config.py", course)
    roster = tmp_path / "名单.csv"
    roster.write_text("学号,姓名,单位,社区/组织,类别\nt001,欧阳明,东城街道,幸福里社区,社区党务干部\n", encoding="utf-8")
    env = {**os.environ, "CADREKIT_GRADEBOOK": url}
    result = subprocess.run([BIN / "cadrekit", "roster", "import", roster, "--course", course],
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (course / "gradebook.db").exists()  # nothing went to the sqlite default
    with open_gradebook(url) as gb:
        assert {s.id: s.last_name for s in gb.students} == {"t001": "欧阳明"}
