"""党费计算：《关于中国共产党党费收缴、使用和管理的规定》（中组发〔2008〕3号）第二条、第五条。

``monthly_dues`` is a pure function (no widgets); ``dues_calculator`` draws the practice widget used in
courses/04-党费. Imports stay light: ipywidgets is imported only when the widget is drawn.
"""

from __future__ import annotations

import html
from decimal import ROUND_HALF_UP, Decimal

REGULATION = "关于中国共产党党费收缴、使用和管理的规定"
CATEGORIES = ("在职", "离退休")

# Verbatim wording as registered in quizzes/sources/dangfei-guiding.yaml (status VERIFIED(2nd)).
ARTICLE_2 = ("党员交纳党费的比例为：每月工资收入（税后）在3000元以下（含3000元）者，交纳月工资收入的0.5%；"
             "3000元以上至5000元（含5000元）者，交纳1%；5000元以上至10000元（含10000元）者，交纳1.5%；"
             "10000元以上者，交纳2%。")
ARTICLE_5 = ("离退休干部、职工中的党员，每月以实际领取的离退休费总额或养老金总额为计算基数，"
             "5000元以下（含5000元）的按0.5%交纳党费，5000元以上的按1%交纳党费。")

# (upper bound inclusive, rate); None = no upper bound.
_BRACKETS = {
    "在职": ((Decimal("3000"), Decimal("0.005")), (Decimal("5000"), Decimal("0.01")),
             (Decimal("10000"), Decimal("0.015")), (None, Decimal("0.02"))),
    "离退休": ((Decimal("5000"), Decimal("0.005")), (None, Decimal("0.01"))),
}
_ARTICLES = {"在职": ("第二条", ARTICLE_2), "离退休": ("第五条", ARTICLE_5)}
_CENT = Decimal("0.01")


def _amount(value: float | int | str | Decimal) -> Decimal:
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"收入必须是不小于0的数：{value!r}")
    return amount


def dues_rate(income: float, category: str) -> Decimal:
    """The rate (e.g. Decimal('0.01')) that 第二条 (在职) or 第五条 (离退休) applies to this income."""
    if category not in _BRACKETS:
        raise ValueError(f"人员类别应为 {' / '.join(CATEGORIES)} 之一：{category!r}")
    amount = _amount(income)
    for upper, rate in _BRACKETS[category]:
        if upper is None or amount <= upper:  # 含上限：3000元属于“3000元以下（含3000元）”
            return rate
    raise AssertionError("unreachable")


def monthly_dues(income: float, category: str) -> float:
    """每月应交党费（元），按比例计算后四舍五入到分。

    ``income``: 在职党员为每月工资收入（税后，第一条所说的计算基数）；离退休党员为实际领取的
    离退休费总额或养老金总额（第五条）。``category``: "在职" 或 "离退休"。
    """
    rate = dues_rate(income, category)
    return float((_amount(income) * rate).quantize(_CENT, rounding=ROUND_HALF_UP))


def _percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


def describe(income: float, category: str) -> str:
    """The result as HTML: amount, computation and the applied article quoted verbatim."""
    rate = dues_rate(income, category)
    dues = monthly_dues(income, category)
    article, text = _ARTICLES[category]
    base = "税后月工资" if category == "在职" else "离退休费（养老金）总额"
    return (
        f"<div style='line-height:1.7'>"
        f"<div>每月应交党费：<b style='font-size:1.2em'>{dues:.2f} 元</b></div>"
        f"<div>计算：{base} {_amount(income):.2f} 元 × {_percent(rate)} ＝ {dues:.2f} 元（四舍五入到分）</div>"
        f"<div style='color:#555'>依据《{REGULATION}》{article}：“{html.escape(text)}”</div>"
        f"</div>"
    )


def dues_calculator():
    """党费计算器：选择人员类别、输入月收入，显示应交党费和所依据的条文原文。"""
    import ipywidgets as widgets

    style = {"description_width": "initial"}
    category = widgets.Dropdown(options=list(CATEGORIES), value="在职", description="人员类别", style=style)
    income = widgets.FloatText(value=0.0, description="税后月工资（元）", style=style)
    result = widgets.HTML()

    def update(_change=None) -> None:
        income.description = "税后月工资（元）" if category.value == "在职" else "离退休费或养老金总额（元）"
        try:
            result.value = describe(income.value, category.value)
        except ValueError:
            result.value = "<span style='color:#b00'>请输入不小于0的金额。</span>"

    category.observe(update, names="value")
    income.observe(update, names="value")
    update()
    return widgets.VBox([category, income, result])
