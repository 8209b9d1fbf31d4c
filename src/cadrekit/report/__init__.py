"""``cadrekit report``: the cohort report after a training round (HTML, Excel and the 轮训情况 paragraph).

``load`` reads gradebook, roster and submitted answers into tidy tables; ``stats`` computes
completion, scores, item analysis and mastery; ``charts`` draws; ``render`` writes the files.
"""

from __future__ import annotations

from pathlib import Path

from cadrekit.report.load import load_cohort
from cadrekit.report.render import ReportFiles, write_report


def make_report(db_url: str, course: Path, out: Path, roster_file: Path | None = None) -> tuple[ReportFiles, list[str]]:
    """Read everything and write the report into ``out``; also the data notes the report states."""
    cohort = load_cohort(db_url, course, roster_file)
    return write_report(cohort, out), cohort.notes
