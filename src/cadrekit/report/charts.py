"""Charts as matplotlib Figures, with Chinese text in Noto Sans SC from an installed package.

matplotlib ships no CJK font, and the report must render on offline laptops: the font file comes
with the ``pylopdf-fonts-zh-cn`` wheel and is registered from its path at run time, never
downloaded. Figures are built without pyplot, so no global state or GUI backend is involved.
"""

from __future__ import annotations

import base64
import functools
import io
import math
from collections.abc import Callable

import pandas as pd
from matplotlib import font_manager, rc_context
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

BAR_COLOR = "#c0392b"
HEAT_MAP = "RdYlGn"


@functools.cache
def chinese_font_path() -> str:
    """The Noto Sans SC file shipped by the font package, registered with matplotlib once."""
    import pylopdf_fonts_zh_cn

    path = str(pylopdf_fonts_zh_cn.sans_path())
    font_manager.fontManager.addfont(path)
    return path


def chinese_font_name() -> str:
    """The family name matplotlib knows the shipped font by (Noto Sans SC)."""
    return font_manager.FontProperties(fname=chinese_font_path()).get_name()


def chinese_text(build: Callable[..., Figure]) -> Callable[..., Figure]:
    """Build the figure with the Chinese font as default; ticks made at draw time inherit it."""

    @functools.wraps(build)
    def wrapper(*args, **kwargs) -> Figure:
        with rc_context({"font.family": [chinese_font_name()]}):
            return build(*args, **kwargs)

    return wrapper


def new_figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), dpi=110, layout="constrained")


@chinese_text
def rate_bars(table: pd.DataFrame, title: str) -> Figure:
    """Horizontal bars of a completion table (group, rate) in percent, labelled with completed/trainees."""
    height = 1.2 + 0.4 * len(table)
    figure = new_figure(7, height)
    axes = figure.add_subplot()
    groups = list(table.group)[::-1]
    rates = [r * 100 for r in table.rate][::-1]
    axes.barh(groups, rates, color=BAR_COLOR)
    for y, (rate, done, total) in enumerate(zip(rates, table.completed[::-1], table.trainees[::-1], strict=True)):
        axes.text(min(rate, 100) + 1, y, f"{rate:.0f}%（{done}/{total}）", va="center", fontsize=9)
    axes.set_xlim(0, 125)  # room for the labels right of a full bar
    axes.set_xticks(range(0, 101, 20))
    axes.set_xlabel("完成率（%）")
    axes.set_title(title)
    axes.spines[["top", "right"]].set_visible(False)
    return figure


@chinese_text
def score_band_bars(bands: pd.DataFrame, title: str) -> Figure:
    """Column chart of one exam's submissions per score band."""
    figure = new_figure(6, 3.2)
    axes = figure.add_subplot()
    axes.bar(list(bands.band), list(bands["count"]), color=BAR_COLOR)
    for x, count in enumerate(bands["count"]):
        axes.text(x, count, str(count), ha="center", va="bottom", fontsize=9)
    axes.set_ylabel("人数")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(title)
    axes.set_ylim(0, max(1, max(bands["count"])) * 1.2)
    axes.spines[["top", "right"]].set_visible(False)
    return figure


@chinese_text
def mastery_heat_map(matrix: pd.DataFrame, title: str) -> Figure:
    """Rules (rows) × units (columns) coloured by score rate, each cell labelled in percent (blank where no data).

    ``matrix`` has units as rows, as in the workbook; it is drawn transposed because a round has
    more rules than units, and rule names read best horizontally.
    """
    grid = matrix.T
    rows, columns = grid.shape
    width = 2.5 + 0.12 * _longest(grid.index) + 0.9 * columns
    height = 1.4 + 0.35 * rows + 0.1 * _longest(grid.columns)
    figure = new_figure(max(5.0, width), max(2.5, height))
    axes = figure.add_subplot()
    image = axes.imshow(grid.to_numpy(dtype=float), cmap=HEAT_MAP, vmin=0, vmax=1, aspect="auto")
    axes.set_xticks(range(columns), list(grid.columns), rotation=30, ha="right")
    axes.set_yticks(range(rows), list(grid.index))
    for (row, column), value in _cells(grid):
        color = "white" if value < 0.15 or value > 0.85 else "black"  # readable on the darkest colours
        axes.text(column, row, f"{value * 100:.0f}%", ha="center", va="center", fontsize=8, color=color)
    colorbar = figure.colorbar(image, ax=axes, fraction=0.05)
    colorbar.set_label("得分率")
    colorbar.set_ticks([0, 0.5, 1], labels=["0%", "50%", "100%"])
    axes.set_title(title)
    return figure


def _cells(matrix: pd.DataFrame):
    for row, values in enumerate(matrix.to_numpy(dtype=float)):
        for column, value in enumerate(values):
            if not math.isnan(value):
                yield (row, column), value


def _longest(labels) -> int:
    return max((len(str(label)) for label in labels), default=0)


def png_data_uri(figure: Figure) -> str:
    """The figure as an embedded PNG (no external file, no software URL in the metadata)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
