"""三会一课 ledger (台账) checks: read and validate → rules engine → findings table and summary.

Instructor-side and module-08 only: this package imports pandas, so the quiz runtime never does.
"""

from __future__ import annotations

from pathlib import Path

from cadrekit.ledger.check import Finding, check
from cadrekit.ledger.read import LedgerError, Problem, read_ledger, read_register
from cadrekit.ledger.report import LedgerReport, write_excel, write_html
from cadrekit.ledger.rules import RuleError, load_rules

__all__ = ["Finding", "LedgerError", "LedgerReport", "Problem", "RuleError", "check_files", "write_reports"]


def check_files(ledger: str | Path, register: str | Path, rules: str | Path | None = None) -> LedgerReport:
    """Read both files, check every usable row; raises LedgerError or RuleError when nothing can be checked."""
    ledger = Path(ledger)
    rule_set = load_rules(Path(rules) if rules else None)
    branches, problems = read_register(Path(register))
    meetings, ledger_problems = read_ledger(ledger, branches)
    findings = check(meetings, branches, rule_set)
    return LedgerReport(ledger, branches, meetings, rule_set, findings, problems + ledger_problems)


def write_reports(report: LedgerReport, folder: Path) -> tuple[Path, Path]:
    """``<台账名>-检查结果.xlsx`` and ``.html`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{report.ledger.stem}-检查结果"
    return write_excel(report, folder / f"{stem}.xlsx"), write_html(report, folder / f"{stem}.html")
