"""A ledger viewer for trainees: choose a month and a meeting type, read the matching rows. No code."""

from __future__ import annotations

from pathlib import Path

import ipywidgets as w

from cadrekit.ledger.read import MEETING_TYPES, parse_date, parse_types, read_table

ALL = "全部"
SHOWN = ("行号", "日期", "类型", "主持人", "应到", "实到", "议题", "表决事项", "表决结果")


def ledger_rows(path: Path):
    """The ledger as written, with its Excel row number (行号) and month (月份, 0 if the date is unreadable)."""
    frame = read_table(Path(path), "台账")
    frame.insert(0, "行号", range(2, len(frame) + 2))
    frame["月份"] = [d.month if (d := parse_date(text)) else 0 for text in frame["日期"]]
    return frame


def select_rows(frame, month: int | None, meeting: str | None):
    """Rows of one month (None: all) whose type includes ``meeting`` (None: any)."""
    keep = [(month is None or m == month) and (meeting is None or meeting in parse_types(t)[0])
            for m, t in zip(frame["月份"], frame["类型"], strict=True)]
    return frame[keep]


def browse(path: str | Path) -> w.VBox:
    """Two drop-downs and the matching rows with a count; display it as the last line of a cell."""
    frame = ledger_rows(Path(path))
    months = w.Dropdown(options=[(ALL, None)] + [(f"{m}月", m) for m in range(1, 13)], description="月份")
    types = w.Dropdown(options=[(ALL, None)] + [(t, t) for t in MEETING_TYPES], description="类型")
    table = w.HTML()

    def show(_change=None) -> None:
        rows = select_rows(frame, months.value, types.value)
        columns = [c for c in SHOWN if c in rows.columns]
        body = rows[columns].to_html(index=False, escape=True, border=0) if len(rows) else "<p>没有符合条件的记录。</p>"
        table.value = (f"<p>共 <b>{len(rows)}</b> 条记录</p>"
                       f"<div style='max-height:28em;overflow:auto'>{body}</div>")

    months.observe(show, "value")
    types.observe(show, "value")
    show()
    return w.VBox([w.HBox([months, types]), table])
