"""Findings, per-branch summary and input problems as Chinese tables, written to Excel and HTML."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from cadrekit.ledger.check import Finding
from cadrekit.ledger.read import MEETING_TYPES, Branch, Meeting, Problem
from cadrekit.ledger.rules import PERIODS, Rule

FINDING_COLUMNS = ("序号", "支部", "期间", "规则编号", "问题", "依据", "条文原文", "要求", "性质", "台账行号")
GENERAL = "一般要求（请核实原因）"
FIRM = "明确要求"


@dataclass
class LedgerReport:
    """Everything one check produced; the tables below are views of it."""

    ledger: Path
    branches: dict[str, Branch]
    meetings: list[Meeting]
    rules: list[Rule]
    findings: list[Finding]
    problems: list[Problem]


def findings_frame(findings: list[Finding]):
    import pandas as pd

    rows = [(n, f.branch, f.period, f.rule.id, f.message, f.rule.citation, f.rule.text or "（未填写）",
             GENERAL if f.rule.general else FIRM, f.rule.status_label, "、".join(map(str, f.rows)))
            for n, f in enumerate(findings, 1)]
    return pd.DataFrame(rows, columns=list(FINDING_COLUMNS))


def summary_frame(report: LedgerReport):
    """One row per branch checked: register figures, meetings recorded by type, findings."""
    import pandas as pd

    rows = []
    for name in dict.fromkeys(m.branch for m in report.meetings):
        branch = report.branches[name]
        own = [m for m in report.meetings if m.branch == name]
        found = [f for f in report.findings if f.branch == name]
        rows.append({
            "支部": name, "党员人数": branch.members, "正式党员": branch.full_members,
            "支委人数": branch.committee, "党小组": branch.groups, "台账记录": len(own),
            **{t: sum(t in m.types for m in own) for t in MEETING_TYPES},
            "问题数": len(found), "其中一般要求": sum(f.rule.general for f in found),
        })
    return pd.DataFrame(rows)


def problems_frame(problems: list[Problem]):
    import pandas as pd

    return pd.DataFrame([(p.file, "、".join(map(str, p.rows)), p.message) for p in problems],
                        columns=["文件", "行号", "问题和改法"])


def rules_frame(rules: list[Rule]):
    import pandas as pd

    rows = [(r.id, r.title, "检查" if r.enabled else "不检查", r.status_label, r.citation, r.text or "（未填写）",
             PERIODS.get(r.params.get("period", ""), "逐次"), "一般" if r.general else "明确") for r in rules]
    return pd.DataFrame(rows, columns=["规则编号", "规则", "本次", "性质", "依据", "条文原文", "周期", "要求"])


def write_excel(report: LedgerReport, path: Path) -> Path:
    import pandas as pd

    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for sheet, frame in _sheets(report).items():
            frame.to_excel(writer, sheet_name=sheet, index=False)
            _fit_columns(writer.sheets[sheet], frame)
    return path


def _sheets(report: LedgerReport) -> dict:
    return {"问题清单": findings_frame(report.findings), "支部汇总": summary_frame(report),
            "输入问题": problems_frame(report.problems), "检查规则": rules_frame(report.rules)}


def _fit_columns(sheet, frame) -> None:
    """Wide enough for Chinese text (two units per character), capped so long quotes wrap."""
    from openpyxl.utils import get_column_letter

    for number, column in enumerate(frame.columns, 1):
        longest = max([len(str(column)), *(len(str(v)) for v in frame[column])])
        sheet.column_dimensions[get_column_letter(number)].width = min(60, 2 * longest + 2)


STYLE = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 2em; }
table { border-collapse: collapse; margin-bottom: 2em; font-size: 14px; }
th, td { border: 1px solid #bbb; padding: 4px 8px; vertical-align: top; text-align: left; }
th { background: #f3e3e3; }
"""


def write_html(report: LedgerReport, path: Path) -> Path:
    sheets = _sheets(report)
    parts = [f"<h1>三会一课台账检查结果</h1><p>台账：{html.escape(report.ledger.name)}；"
             f"发现问题 {len(report.findings)} 条；输入问题 {len(report.problems)} 条（有问题的行未纳入检查）。</p>",
             "<p>“一般要求”指条文写“一般……”：没有记录时请核实是否漏记或另有原因，不等于违反硬性规定。</p>"]
    for title, frame in sheets.items():
        body = frame.to_html(index=False, escape=True, border=0) if len(frame) else "<p>无。</p>"
        parts.append(f"<h2>{title}</h2>{body}")
    path.write_text(f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>"
                    f"<title>三会一课台账检查结果</title><style>{STYLE}</style></head>"
                    f"<body>{''.join(parts)}</body></html>", encoding="utf-8")
    return path
