"""Where the kit's folders are: the checkout (courses/, quizzes/, grading/) and the data folder."""

from __future__ import annotations

import os
from pathlib import Path


def kit_root() -> Path:
    """The checkout: $CADREKIT_ROOT, else the folder above src/ of this package."""
    if env := os.environ.get("CADREKIT_ROOT"):
        return Path(env).resolve()
    return Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """Run-time data (local exchange, logs): $CADREKIT_DATA, else .cadrekit/ in the checkout."""
    if env := os.environ.get("CADREKIT_DATA"):
        return Path(env).resolve()
    return kit_root() / ".cadrekit"
