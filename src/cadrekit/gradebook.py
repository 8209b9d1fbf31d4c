"""Open nbgrader's gradebook from cadrekit code."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def ensure_tools_on_path() -> None:
    """nbgrader runs helper commands (``alembic``) by name: find the ones beside this Python."""
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([bin_dir, os.environ.get("PATH", "")])


def open_gradebook(db_url: str, course_id: str | None = None):
    """nbgrader's ``Gradebook`` (a context manager), usable on a fresh database too."""
    from nbgrader.api import Gradebook

    ensure_tools_on_path()
    return Gradebook(db_url, course_id) if course_id else Gradebook(db_url)
