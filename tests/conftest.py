"""Shared fixtures. A test that needs a real component fails in CI when it is missing."""

from __future__ import annotations

import os
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
