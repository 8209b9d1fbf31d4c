"""Shared fixtures. A test that needs a real component fails in CI when it is missing."""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

import pytest

KIT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLE_BANK = FIXTURES / "bank" / "sample.yaml"
SHARED_REFERENCE = KIT.parent / "shared" / "reference"


def require(condition: bool, reason: str) -> None:
    """Skip with a printed reason on a developer machine; fail in CI, where it must be present."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture
def sample_bank(tmp_path: Path) -> Path:
    """A writable copy of the sample bank with its sources folder."""
    target = tmp_path / "bank"
    shutil.copytree(FIXTURES / "bank", target)
    return target / "sample.yaml"


@pytest.fixture(autouse=True)
def study_dir(tmp_path_factory, monkeypatch) -> Path:
    """Each test (and every kernel it starts) keeps its study log in a throwaway folder."""
    folder = tmp_path_factory.mktemp("study")
    monkeypatch.setenv("CADREKIT_STUDY_DIR", str(folder))
    return folder


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can screenshot failures."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def pytest_terminal_summary(terminalreporter):
    shots = KIT / "test-artifacts" / "browser"
    if shots.is_dir() and any(shots.iterdir()):
        terminalreporter.write_line(f"browser screenshots: {shots}")


@pytest.fixture(scope="session")
def postgres_cluster():
    """A throwaway PostgreSQL server on 127.0.0.1 for the whole run (see tests/postgres.py)."""
    from .postgres import missing, running_postgres

    reason = missing()
    require(reason is None, reason or "")
    with running_postgres() as cluster:
        yield cluster


@pytest.fixture(params=["sqlite", "postgres"])
def gradebook_url(request, tmp_path: Path) -> str:
    """An empty gradebook: a sqlite file, or a new database on the throwaway PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'gradebook.db'}"
    cluster = request.getfixturevalue("postgres_cluster")
    return cluster.create_database(f"gradebook_{secrets.token_hex(6)}")
