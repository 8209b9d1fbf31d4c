"""The report's outputs: tables with Chinese headers, an offline HTML page, an Excel workbook, the paragraph.

The HTML and the workbook show the same tables (``report_tables``), so the figures in both agree.
The page has no external reference at all: styles are inline and charts are PNG data URIs.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from cadrekit.bank.model import TYPE_LABELS
from cadrekit.report import charts, stats
from cadrekit.report.load import UNKNOWN, Cohort

HTML_NAME, EXCEL_NAME, TEXT_NAME = "轮训报告.html", "轮训统计.xlsx", "轮训情况.txt"
PARAGRAPH_SHEET, NOTES_SHEET = "轮训情况", "数据问题"
HEAT_MAP_RULES = 30  # more rows than this make a chart nobody reads (a district round touches 200+ rules)


@dataclass
class ReportFiles:
    html: Path
    excel: Path
    text: Path
    paragraph: str


def number(value: float, decimals: int = 1) -> str:
    """A figure as a work report writes it: rounded, without a trailing .0."""
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(rate: float) -> float:
    return round(rate * 100, 1) if not pd.isna(rate) else math.nan


def summary_paragraph(h: stats.Headline) -> str:
    """The 轮训情况 paragraph with every figure filled in from the data."""
    named = [f"{'类别未填写' if c == UNKNOWN else c}{n}名" for c, n in h.by_category.items()]
    text = f"本期轮训共有参训学员{h.trainees}名"
    if any(c != UNKNOWN for c in h.by_category):
        text += f"（{'，'.join(named)}）"
    if not h.exams:
        return text + "，目前尚无已评分的考试。"
    text += (f"，完成全部考试的{h.completed}名，完成率{number(h.completion_rate * 100)}%。"
             f"参加考试的{h.examined}名学员平均得分{number(h.mean_percent)}分（百分制），"
             f"其中{stats.EXCELLENT:g}分及以上的{h.excellent}名，优秀率{number(h.excellent_rate * 100)}%。")
    if h.weak_rules:
        weak = "、".join(f"{rule}（得分率{number(rate * 100)}%）" for rule, rate in h.weak_rules)
        text += f"从答题情况看，对{weak}等方面掌握还不够扎实，需在后续培训中重点加强。"
    elif h.rules:
        text += f"从答题情况看，各项规则得分率均在{stats.WEAK_BELOW * 100:g}%及以上，总体掌握较好。"
    return text


def overview_table(h: stats.Headline) -> pd.DataFrame:
    rows = [("参训人数", h.trainees), ("已有成绩的考试（场）", h.exams), ("完成全部考试人数", h.completed),
            ("完成率（%）", percent(h.completion_rate)), ("参加考试人数", h.examined),
            ("平均分（百分制）", round(h.mean_percent, 1) if h.examined else math.nan),
            (f"优秀人数（{stats.EXCELLENT:g}分及以上）", h.excellent), ("优秀率（%）", percent(h.excellent_rate))]
    return pd.DataFrame(rows, columns=["项目", "数值"], dtype=object)  # counts stay integers


def completion_table(cohort: Cohort, column: str, header: str) -> pd.DataFrame:
    table = stats.completion_by(cohort, column)
    return pd.DataFrame({header: table.group, "人数": table.trainees, "完成人数": table.completed,
                         "完成率（%）": table.rate.map(percent)})


def submissions_table(cohort: Cohort) -> pd.DataFrame:
    table = stats.exam_submissions(cohort)
    return pd.DataFrame({"考试编号": table.assignment, "考试": table.title, "应考人数": table.trainees,
                         "已提交人数": table.submitted, "提交率（%）": table.rate.map(percent)})


def scores_table(cohort: Cohort) -> pd.DataFrame:
    table = stats.score_summary(cohort)
    return pd.DataFrame({"考试编号": table.assignment, "考试": table.title, "提交人数": table.submitted,
                         "满分": table.max_score, "平均分": table["mean"].round(2), "中位数": table["median"].round(2),
                         "最高分": table.best, "最低分": table.worst,
                         "优秀率（%）": table.excellent_rate.map(percent), "及格率（%）": table.pass_rate.map(percent)})


def bands_table(cohort: Cohort) -> pd.DataFrame:
    table = stats.score_bands(cohort)
    return pd.DataFrame({"考试编号": table.assignment, "考试": table.title, "分数段": table.band,
                         "人数": table["count"]})


def items_table(cohort: Cohort) -> pd.DataFrame:
    table = stats.item_analysis(cohort)
    return pd.DataFrame({"考试编号": table.assignment, "题号": table.number, "题目编号": table.item_id,
                         "题型": table.type.map(TYPE_LABELS), "题干": table.stem.map(shorten), "规则": table.rule,
                         "分值": table.points,
                         "作答人数": table.responses, "平均得分": table["mean"].round(2),
                         "难度（得分率）": table.facility.round(2), "区分度": table.discrimination.round(2),
                         "提示": table.remarks})


def shorten(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def distractors_table(cohort: Cohort) -> pd.DataFrame:
    table = stats.distractors(cohort)
    return pd.DataFrame({"考试编号": table.assignment, "题号": table.number, "题目编号": table.item_id,
                         "选项": table.option, "选项内容": table.text,
                         "正确答案": table.key.map({True: "是", False: ""}),
                         "选择人数": table["count"], "选择比例（%）": table.share.map(percent)})


def rules_table(cohort: Cohort) -> pd.DataFrame:
    table = stats.rule_mastery(cohort)
    return pd.DataFrame({"规则": table.rule, "主题": table.topic, "题数": table["items"], "作答人次": table.answers,
                         "得分率（%）": table.rate.map(percent)})


def unit_rules_table(cohort: Cohort) -> pd.DataFrame:
    matrix = stats.unit_rule_mastery(cohort)
    if matrix.empty:
        return pd.DataFrame(columns=["单位"])
    return (matrix * 100).round(1).rename_axis(index="单位", columns=None).reset_index()


def missing_table(cohort: Cohort) -> pd.DataFrame:
    table = stats.not_submitted(cohort)
    return pd.DataFrame({"学号": table.student_id, "姓名": table.name, "单位": table.unit,
                         "社区/组织": table.community, "类别": table.category, "未提交的考试": table.missing})


def report_tables(cohort: Cohort, paragraph: str, headline: stats.Headline) -> dict[str, pd.DataFrame]:
    """Every table of the report by its sheet name, in reading order."""
    return {
        "概况": overview_table(headline),
        "完成情况-单位": completion_table(cohort, "unit", "单位"),
        "完成情况-社区": completion_table(cohort, "community", "社区/组织"),
        "完成情况-类别": completion_table(cohort, "category", "类别"),
        "考试提交": submissions_table(cohort),
        "成绩统计": scores_table(cohort),
        "成绩分布": bands_table(cohort),
        "规则掌握": rules_table(cohort),
        "单位×规则": unit_rules_table(cohort),
        "试题分析": items_table(cohort),
        "选项统计": distractors_table(cohort),
        "未提交名单": missing_table(cohort),
        NOTES_SHEET: pd.DataFrame({"说明": cohort.notes}),
        PARAGRAPH_SHEET: pd.DataFrame({"轮训情况": [paragraph]}),
    }


def write_excel(tables: dict[str, pd.DataFrame], path: Path) -> None:
    """One sheet per table, with Chinese headers and columns wide enough to read."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, table in tables.items():
            table.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            for column, header in zip(sheet.iter_cols(min_row=1, max_row=1), table.columns, strict=True):
                width = max([_display_width(header)] + [_display_width(v) for v in table[header]])
                sheet.column_dimensions[column[0].column_letter].width = min(60, width + 2)


def _display_width(value) -> int:
    """Characters as Excel draws them: a Chinese character is about two columns wide."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(value))


def chart_images(cohort: Cohort) -> dict[str, list[tuple[str, str]]]:
    """Embedded charts by section: (caption, data URI)."""
    images: dict[str, list[tuple[str, str]]] = {"completion": [], "scores": [], "rules": []}
    for column, label in (("unit", "单位"), ("community", "社区/组织"), ("category", "类别")):
        table = stats.completion_by(cohort, column)
        if not table.empty:
            title = f"按{label}的完成率"
            images["completion"].append((title, charts.png_data_uri(charts.rate_bars(table, title))))
    bands = stats.score_bands(cohort)
    for (_assignment, title), exam in bands.groupby(["assignment", "title"], sort=False):
        caption = f"{title}：成绩分布（百分制）"
        images["scores"].append((caption, charts.png_data_uri(charts.score_band_bars(exam, caption))))
    matrix = stats.unit_rule_mastery(cohort)
    if not matrix.empty:
        weakest = list(stats.rule_mastery(cohort).rule[:HEAT_MAP_RULES])
        caption = "各单位对各项规则的掌握情况（得分率）"
        if len(weakest) < matrix.shape[1]:
            caption = (f"各单位对得分率最低的 {len(weakest)} 项规则的掌握情况"
                       f"（全部 {matrix.shape[1]} 项见 Excel“单位×规则”）")
        images["rules"].append((caption, charts.png_data_uri(charts.mastery_heat_map(matrix[weakest], caption))))
    return images


STYLE = """
body { font-family: "Noto Sans SC", "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif;
       margin: 2em auto; max-width: 1100px; color: #222; line-height: 1.6; padding: 0 1em; }
h1 { color: #a61b1b; border-bottom: 3px solid #a61b1b; padding-bottom: .3em; }
h2 { color: #a61b1b; margin-top: 2em; }
.paragraph { background: #fdf6f0; border-left: 4px solid #a61b1b; padding: 1em; text-indent: 2em; }
.notes { background: #fff8e1; border: 1px solid #f0c36d; padding: .5em 1.5em; }
table { border-collapse: collapse; margin: .8em 0; font-size: 14px; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; }
th { background: #f3e5e5; }
figure { margin: 1em 0; } img { max-width: 100%; }
.empty { color: #777; }
"""

SECTIONS = [  # (heading, chart group, tables)
    ("完成情况", "completion", ["完成情况-单位", "完成情况-社区", "完成情况-类别", "考试提交"]),
    ("考试成绩", "scores", ["成绩统计", "成绩分布"]),
    ("规则掌握情况", "rules", ["规则掌握", "单位×规则"]),
    ("试题分析", None, ["试题分析", "选项统计"]),
    ("未提交名单", None, ["未提交名单"]),
]

METHOD = (f"难度（得分率）P = 全体提交在该题的平均得分 ÷ 该题分值；P 高于 {stats.TOO_EASY:g} 提示“过易”，"
          f"低于 {stats.TOO_HARD:g} 提示“过难”。区分度为该题得分与本场考试其余各题总分（总分减去该题得分）的"
          "皮尔逊相关系数（校正的点二列相关），小于 0 提示“负区分”；所有人得分相同时无法计算，显示“—”。"
          f"平均分按百分制（各人已考各场得分之和 ÷ 满分之和 × 100）；{stats.EXCELLENT:g} 分及以上为优秀；"
          f"得分率低于 {stats.WEAK_BELOW * 100:g}% 的规则列为薄弱环节。")


def table_html(table: pd.DataFrame) -> str:
    if table.empty:
        return '<p class="empty">暂无数据。</p>'
    return table.to_html(index=False, na_rep="—", border=0, escape=True)


def render_html(tables: dict[str, pd.DataFrame], images: dict[str, list[tuple[str, str]]],
                paragraph: str, notes: list[str]) -> str:
    parts = [f"<h1>轮训情况报告</h1><p>生成时间：{datetime.now():%Y年%m月%d日 %H:%M}</p>",
             f'<h2>轮训情况</h2><p class="paragraph">{html.escape(paragraph)}</p>']
    if notes:
        items = "".join(f"<li>{html.escape(note)}</li>" for note in notes)
        parts.append(f'<h2>数据问题</h2><ul class="notes">{items}</ul>')
    parts.append("<h2>概况</h2>" + table_html(tables["概况"]))
    for heading, group, names in SECTIONS:
        parts.append(f"<h2>{heading}</h2>")
        for caption, uri in images.get(group, []):
            parts.append(f'<figure><img alt="{html.escape(caption)}" src="{uri}"></figure>')
        for name in names:
            parts.append(f"<h3>{html.escape(name)}</h3>" + table_html(tables[name]))
    parts.append(f"<h2>统计方法</h2><p>{html.escape(METHOD)}</p>")
    body = "\n".join(parts)
    return (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>轮训情况报告</title>'
            f"<style>{STYLE}</style></head><body>\n{body}\n</body></html>\n")


def write_report(cohort: Cohort, out: Path) -> ReportFiles:
    """Write the HTML page, the workbook and the paragraph into ``out`` in one run."""
    out.mkdir(parents=True, exist_ok=True)
    headline = stats.headline(cohort)
    paragraph = summary_paragraph(headline)
    tables = report_tables(cohort, paragraph, headline)
    files = ReportFiles(html=out / HTML_NAME, excel=out / EXCEL_NAME, text=out / TEXT_NAME, paragraph=paragraph)
    files.html.write_text(render_html(tables, chart_images(cohort), paragraph, cohort.notes), encoding="utf-8")
    write_excel(tables, files.excel)
    files.text.write_text(paragraph + "\n", encoding="utf-8")
    return files
